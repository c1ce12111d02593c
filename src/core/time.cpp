#include "core/time.hpp"

#include "core/error.hpp"

#include <cmath>
#include <cstdio>

namespace shipchips {
namespace {

[[noreturn]] void bad_time(std::string_view text, std::string_view why) {
  throw Error(ErrorCode::input_invalid, "invalid ISO 8601 time '" + std::string(text) + "': " + std::string(why));
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : m_text(text) {}
  bool done() const { return m_pos >= m_text.size(); }
  char peek() const { return done() ? '\0' : m_text[m_pos]; }
  void expect(char c, std::string_view what) {
    if (peek() != c) bad_time(m_text, std::string("expected ") + std::string(what));
    ++m_pos;
  }
  int digits(int count, std::string_view what) {
    int value = 0;
    for (int i = 0; i < count; ++i) {
      char c = peek();
      if (c < '0' || c > '9') bad_time(m_text, std::string("expected digits for ") + std::string(what));
      value = value * 10 + (c - '0');
      ++m_pos;
    }
    return value;
  }
  // Reads a fraction of any length as microseconds.
  long fraction_us() {
    long us = 0;
    int n = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (n < 6) us = us * 10 + (peek() - '0');
      ++n;
      ++m_pos;
    }
    if (n == 0) bad_time(m_text, "empty fraction");
    for (int i = n; i < 6; ++i) us *= 10;
    return us;
  }

 private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

}  // namespace

UtcTime parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  Cursor cur(text);
  int year = cur.digits(4, "year");
  cur.expect('-', "'-' after year");
  int month = cur.digits(2, "month");
  cur.expect('-', "'-' after month");
  int day = cur.digits(2, "day");
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) bad_time(text, "no such date");
  int hour = 0, minute = 0, second = 0;
  long micro = 0;
  int offset_minutes = 0;
  if (!cur.done()) {
    if (cur.peek() != 'T' && cur.peek() != 't' && cur.peek() != ' ') bad_time(text, "expected 'T' after date");
    cur.expect(cur.peek(), "'T'");
    hour = cur.digits(2, "hour");
    cur.expect(':', "':' after hour");
    minute = cur.digits(2, "minute");
    if (cur.peek() == ':') {
      cur.expect(':', "':'");
      second = cur.digits(2, "second");
      if (cur.peek() == '.' || cur.peek() == ',') {
        cur.expect(cur.peek(), "'.'");
        micro = cur.fraction_us();
      }
    }
    if (hour > 23 || minute > 59 || second > 60) bad_time(text, "time of day out of range");
    char zone = cur.peek();
    if (zone == 'Z' || zone == 'z') {
      cur.expect(zone, "'Z'");
    } else if (zone == '+' || zone == '-') {
      cur.expect(zone, "sign");
      int oh = cur.digits(2, "offset hours");
      int om = 0;
      if (cur.peek() == ':') {
        cur.expect(':', "':'");
        om = cur.digits(2, "offset minutes");
      } else if (!cur.done()) {
        om = cur.digits(2, "offset minutes");
      }
      if (oh > 23 || om > 59) bad_time(text, "offset out of range");
      offset_minutes = (zone == '+' ? 1 : -1) * (oh * 60 + om);
    }
  }
  if (!cur.done()) bad_time(text, "unexpected trailing characters");
  UtcTime t = time_point_cast<microseconds>(sys_days{ymd}) + hours{hour} + minutes{minute} + seconds{second} +
              microseconds{micro} - minutes{offset_minutes};
  return t;
}

std::string format_iso8601(UtcTime time, int fraction_digits) {
  using namespace std::chrono;
  if (fraction_digits < 0) fraction_digits = 0;
  if (fraction_digits > 6) fraction_digits = 6;
  auto day_point = floor<days>(time);
  year_month_day ymd{day_point};
  hh_mm_ss<microseconds> tod{time - day_point};
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                        static_cast<int>(tod.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (fraction_digits > 0) {
    char frac[8];
    std::snprintf(frac, sizeof frac, "%06ld", static_cast<long>(tod.subseconds().count()));
    out += '.';
    out.append(frac, static_cast<std::size_t>(fraction_digits));
  }
  out += 'Z';
  return out;
}

std::string format_yyyymmdd(UtcTime time) {
  using namespace std::chrono;
  year_month_day ymd{floor<days>(time)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

UtcTime utc_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

double to_unix_seconds(UtcTime time) {
  return static_cast<double>(time.time_since_epoch().count()) / 1e6;
}

UtcTime from_unix_seconds(double seconds) {
  return UtcTime{std::chrono::microseconds{static_cast<long long>(std::llround(seconds * 1e6))}};
}

}  // namespace shipchips
