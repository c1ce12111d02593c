#include "ops/run_id.hpp"

#include <cstdio>
#include <random>

namespace shipchips::ops {

std::string make_run_id(UtcTime started) {
  const std::string iso = format_iso8601(started, 0);  // 2026-12-03T13:36:19Z
  std::string stamp;
  for (char c : iso) {
    if (c != '-' && c != ':') stamp.push_back(c);
  }
  std::random_device source;
  const unsigned value = static_cast<unsigned>(source()) & 0xffffffffu;
  char suffix[10];
  std::snprintf(suffix, sizeof suffix, "%08x", value);
  return stamp + "-" + suffix;
}

bool is_run_id(std::string_view text) {
  // YYYYMMDDTHHMMSSZ-xxxxxxxx
  if (text.size() != 25 || text[8] != 'T' || text[15] != 'Z' || text[16] != '-') return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 15 || i == 16) continue;
    const char c = text[i];
    if (i < 15) {
      if (c < '0' || c > '9') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace shipchips::ops
