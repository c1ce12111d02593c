#include "ais/nmea_sentence.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>

namespace shipchips::ais {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "*hh" at text[star]: true when both digits are hex and equal `expected`.
bool checksum_matches(std::string_view text, std::size_t star, unsigned expected) noexcept {
  if (star + 2 >= text.size()) return false;
  const int hi = hex_value(text[star + 1]);
  const int lo = hex_value(text[star + 2]);
  return hi >= 0 && lo >= 0 && static_cast<unsigned>(hi * 16 + lo) == expected;
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Unix seconds, or milliseconds when the number is too large to be seconds (13 digits);
// nullopt from 10^14 on: that is past the year 5000 in milliseconds too, and a longer number
// would overflow 64-bit microseconds.
std::optional<UtcTime> unix_time(std::string_view digits) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
  using std::chrono::microseconds;
  if (v >= 100000000000000LL) return std::nullopt;
  if (v >= 100000000000LL) return UtcTime{microseconds{v * 1000}};
  return UtcTime{microseconds{v * 1000000}};
}

bool fail(SentenceError* error, const char* field, std::string message) {
  if (error) {
    error->field = field;
    error->message = std::move(message);
  }
  return false;
}

std::string quoted(std::string_view s) {
  constexpr std::size_t limit = 40;
  std::string q = "\"";
  q.append(s.substr(0, limit));
  if (s.size() > limit) q += "...";
  q += "\"";
  return q;
}

// One tag block body "s:station,c:123*hh" (without the backslashes).
bool parse_tag_block(std::string_view tag, NmeaSentence& out, SentenceError* error) {
  const std::size_t star = tag.rfind('*');
  std::string_view fields = tag;
  if (star != std::string_view::npos) {
    if (star + 3 != tag.size() || !checksum_matches(tag, star, nmea_xor(tag.substr(0, star))))
      return fail(error, "tag block", "bad checksum in " + quoted(tag));
    fields = tag.substr(0, star);
  }
  while (!fields.empty()) {
    const std::size_t comma = fields.find(',');
    const std::string_view f = fields.substr(0, comma);
    fields = comma == std::string_view::npos ? std::string_view{} : fields.substr(comma + 1);
    if (f.size() < 2 || f[1] != ':') return fail(error, "tag block", "field " + quoted(f) + " is not key:value");
    const std::string_view value = f.substr(2);
    if (f[0] == 'c') {
      if (!all_digits(value)) return fail(error, "tag block", "time " + quoted(value) + " is not Unix seconds");
      out.time = unix_time(value);
      if (!out.time) return fail(error, "tag block", "time " + quoted(value) + " out of range");
    } else if (f[0] == 's') {
      out.station = value;
    }
    // Other keys (g: group, n: line count, d: destination, t: text, r: relative time) carry
    // nothing the decoder needs.
  }
  return true;
}

bool small_int(std::string_view s, int lo, int hi, int& out) noexcept {
  if (s.size() != 1 || s[0] < '0' || s[0] > '9') return false;
  out = s[0] - '0';
  return out >= lo && out <= hi;
}

}  // namespace

unsigned nmea_xor(std::string_view body) noexcept {
  unsigned x = 0;
  for (char c : body) x ^= static_cast<unsigned char>(c);
  return x;
}

LineKind parse_sentence(std::string_view line, NmeaSentence& out, SentenceError* error) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  std::size_t lead = 0;
  while (lead < line.size() && (line[lead] == ' ' || line[lead] == '\t')) ++lead;
  line.remove_prefix(lead);
  if (line.empty() || line[0] == '#') return LineKind::blank;

  out = NmeaSentence{};
  // NMEA 4.0 tag blocks: one or more "\...\" groups before the sentence.
  while (!line.empty() && line[0] == '\\') {
    const std::size_t end = line.find('\\', 1);
    if (end == std::string_view::npos) {
      fail(error, "tag block", "no closing backslash");
      return LineKind::invalid;
    }
    if (!parse_tag_block(line.substr(1, end - 1), out, error)) return LineKind::invalid;
    line.remove_prefix(end + 1);
  }
  if (line.empty() || line[0] != '!') {
    fail(error, "sentence", "does not start with '!': " + quoted(line));
    return LineKind::invalid;
  }
  const std::size_t star = line.find('*');
  if (star == std::string_view::npos || star + 2 >= line.size()) {
    fail(error, "checksum", "missing \"*hh\"");
    return LineKind::invalid;
  }
  const std::string_view body = line.substr(1, star - 1);
  if (!checksum_matches(line, star, nmea_xor(body))) {
    char want[3];
    const unsigned x = nmea_xor(body);
    const char* hex = "0123456789ABCDEF";
    want[0] = hex[x >> 4];
    want[1] = hex[x & 15];
    want[2] = '\0';
    std::string message = "*";
    message.append(line.substr(star + 1, 2));
    message.append(" does not match the computed *");
    message.append(want);
    fail(error, "checksum", std::move(message));
    return LineKind::invalid;
  }

  // The seven comma-separated fields of the body.
  std::string_view f[7];
  std::string_view rest = body;
  for (int i = 0; i < 7; ++i) {
    const std::size_t comma = rest.find(',');
    if (comma == std::string_view::npos) {
      if (i != 6) {
        fail(error, "sentence", "has " + std::to_string(i + 1) + " fields, expected 7");
        return LineKind::invalid;
      }
      f[i] = rest;
      rest = {};
    } else {
      if (i == 6) {
        fail(error, "sentence", "has more than 7 fields");
        return LineKind::invalid;
      }
      f[i] = rest.substr(0, comma);
      rest = rest.substr(comma + 1);
    }
  }
  const std::string_view address = f[0];
  if (address.size() != 5 || (address.substr(2) != "VDM" && address.substr(2) != "VDO")) {
    fail(error, "address", quoted(address) + " is not ..VDM or ..VDO");
    return LineKind::invalid;
  }
  out.talker = address.substr(0, 2);
  out.formatter = address.substr(2);
  if (!small_int(f[1], 1, 9, out.fragment_count)) {
    fail(error, "fragment count", quoted(f[1]) + " is not 1..9");
    return LineKind::invalid;
  }
  if (!small_int(f[2], 1, out.fragment_count, out.fragment_number)) {
    fail(error, "fragment number", quoted(f[2]) + " is not 1.." + std::to_string(out.fragment_count));
    return LineKind::invalid;
  }
  if (f[3].empty()) {
    out.sequence_id = -1;
  } else if (!small_int(f[3], 0, 9, out.sequence_id)) {
    fail(error, "sequence id", quoted(f[3]) + " is not 0..9");
    return LineKind::invalid;
  }
  if (f[4].size() > 1 || (f[4].size() == 1 && f[4][0] != 'A' && f[4][0] != 'B' && f[4][0] != '1' && f[4][0] != '2')) {
    fail(error, "channel", quoted(f[4]) + " is not A, B, 1 or 2");
    return LineKind::invalid;
  }
  out.channel = f[4].empty() ? '\0' : f[4][0];
  if (f[5].empty()) {
    fail(error, "payload", "is empty");
    return LineKind::invalid;
  }
  out.payload = f[5];
  if (!small_int(f[6], 0, 5, out.fill_bits)) {
    fail(error, "fill bits", quoted(f[6]) + " is not 0..5");
    return LineKind::invalid;
  }

  // USCG archive form: ",rSTATION,...,UNIXTIME" after the checksum (other fields such as
  // s<level>, d<dB>, T<sec>, x<count> are receiver diagnostics).
  std::string_view tail = line.substr(star + 3);
  if (!tail.empty()) {
    if (tail[0] != ',') {
      fail(error, "checksum", "unexpected text after the checksum: " + quoted(tail));
      return LineKind::invalid;
    }
    tail.remove_prefix(1);
    while (!tail.empty()) {
      const std::size_t comma = tail.find(',');
      const std::string_view t = tail.substr(0, comma);
      tail = comma == std::string_view::npos ? std::string_view{} : tail.substr(comma + 1);
      if (t.size() > 1 && t[0] == 'r' && out.station.empty()) {
        out.station = t.substr(1);
      } else if (comma == std::string_view::npos && all_digits(t) && t.size() >= 9 && !out.time) {
        out.time = unix_time(t);
      }
    }
  }
  return LineKind::sentence;
}

}  // namespace shipchips::ais
