#include "ops/lease_owner.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace shipchips::ops {
namespace {

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "localhost";
  std::string host(buffer);
  for (char& c : host) {
    if (c == ':') c = '_';  // the separator of the owner id
  }
  return host;
}

// Field 22 (starttime) of /proc/<pid>/stat; nullopt when the process does not exist. The
// second field (comm) may hold spaces and parentheses: parse after the last ')'.
std::optional<unsigned long long> start_ticks_of(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const std::string stat = text.str();
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  // After ')': field 3 (state) is the first; starttime is field 22, the 20th here.
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return std::nullopt;
    if (i == 3 && (field == "Z" || field == "X")) return std::nullopt;  // zombie/dead: not running
  }
  unsigned long long ticks = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), ticks);
  if (ec != std::errc() || ptr != field.data() + field.size()) return std::nullopt;
  return ticks;
}

}  // namespace

const std::string& this_owner() {
  static const std::string owner = [] {
    const long pid = static_cast<long>(getpid());
    return host_name() + ":" + std::to_string(pid) + ":" + std::to_string(start_ticks_of(pid).value_or(0));
  }();
  return owner;
}

std::optional<OwnerId> parse_owner(std::string_view owner) {
  const auto second = owner.rfind(':');
  if (second == std::string_view::npos || second == 0) return std::nullopt;
  const auto first = owner.rfind(':', second - 1);
  if (first == std::string_view::npos || first == 0) return std::nullopt;
  OwnerId id;
  id.host = std::string(owner.substr(0, first));
  const std::string_view pid = owner.substr(first + 1, second - first - 1);
  const std::string_view ticks = owner.substr(second + 1);
  auto [p1, e1] = std::from_chars(pid.data(), pid.data() + pid.size(), id.pid);
  if (e1 != std::errc() || p1 != pid.data() + pid.size() || id.pid <= 0) return std::nullopt;
  auto [p2, e2] = std::from_chars(ticks.data(), ticks.data() + ticks.size(), id.start_ticks);
  if (e2 != std::errc() || p2 != ticks.data() + ticks.size()) return std::nullopt;
  return id;
}

bool owner_is_dead(std::string_view owner) {
  const auto id = parse_owner(owner);
  if (!id || id->host != host_name()) return false;
  const auto ticks = start_ticks_of(id->pid);
  return !ticks || *ticks != id->start_ticks;
}

std::vector<std::string> dead_owners(const std::vector<std::string>& owners) {
  std::vector<std::string> dead;
  for (const auto& owner : owners) {
    if (owner_is_dead(owner)) dead.push_back(owner);
  }
  return dead;
}

}  // namespace shipchips::ops
