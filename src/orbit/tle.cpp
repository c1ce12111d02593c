#include "orbit/tle.hpp"

#include "core/error.hpp"
#include "core/input_file.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numbers>
#include <sstream>
#include <stdexcept>

namespace shipchips::orbit {
namespace {

constexpr std::size_t kLineLength = 69;
constexpr double kDeg2Rad = std::numbers::pi / 180.0;
constexpr double kMinutesPerDay = 1440.0;

class LineContext {
 public:
  LineContext(std::string_view source, long line) : m_source(source), m_line(line) {}
  [[noreturn]] void fail(std::string_view field, std::string_view problem) const {
    throw Error(ErrorCode::input_invalid, located(m_source, m_line, field, problem));
  }

 private:
  std::string_view m_source;
  long m_line;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "'text'" built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + std::string(...).
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

std::string_view strip_right(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Columns are 1-based and inclusive, as in the TLE documentation.
std::string_view columns(std::string_view line, std::size_t first, std::size_t last) {
  return line.substr(first - 1, last - first + 1);
}

double parse_decimal(const LineContext& ctx, std::string_view text, std::string_view field) {
  std::string s(trim(text));
  if (s.empty()) ctx.fail(field, "empty");
  for (char c : s) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+')) {
      ctx.fail(field, quoted(text) + " is not a number");
    }
  }
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) ctx.fail(field, quoted(text) + " is not a number");
  return value;
}

long parse_integer(const LineContext& ctx, std::string_view text, std::string_view field, bool blank_is_zero) {
  std::string_view t = trim(text);
  if (t.empty()) {
    if (blank_is_zero) return 0;
    ctx.fail(field, "empty");
  }
  long value = 0;
  for (char c : t) {
    if (!std::isdigit(static_cast<unsigned char>(c))) ctx.fail(field, quoted(text) + " is not a whole number");
    value = value * 10 + (c - '0');
  }
  return value;
}

// "-12345-6" style: optional sign, five mantissa digits with an implied leading decimal point,
// exponent sign and digit. " 00000-0" and " 00000+0" are zero.
double parse_implied_exponent(const LineContext& ctx, std::string_view text, std::string_view field) {
  std::string_view t = text;
  double sign = 1.0;
  if (!t.empty() && (t.front() == '-' || t.front() == '+' || t.front() == ' ')) {
    if (t.front() == '-') sign = -1.0;
    t.remove_prefix(1);
  }
  // Blanks inside the mantissa occur in old sets; they are zeros.
  if (t.size() != 7) ctx.fail(field, quoted(text) + " is not in the form ±NNNNN±E");
  double mantissa = 0.0;
  for (std::size_t i = 0; i < 5; ++i) {
    char c = t[i];
    if (c == ' ') c = '0';
    if (!std::isdigit(static_cast<unsigned char>(c))) ctx.fail(field, quoted(text) + " is not in the form ±NNNNN±E");
    mantissa = mantissa * 10.0 + (c - '0');
  }
  char exp_sign = t[5];
  char exp_digit = t[6];
  if ((exp_sign != '-' && exp_sign != '+' && exp_sign != ' ') || !std::isdigit(static_cast<unsigned char>(exp_digit))) {
    ctx.fail(field, quoted(text) + " is not in the form ±NNNNN±E");
  }
  int exponent = exp_digit - '0';
  if (exp_sign == '-') exponent = -exponent;
  return sign * mantissa * 1.0e-5 * std::pow(10.0, exponent);
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// Day of year (with fraction) to month, day, hour, minute, second: the same steps as Vallado's
// days2mdhms, so the Julian date below has the same rounding as the reference implementation.
void days_to_mdhms(int year, double days, int& mon, int& day, int& hr, int& minute, double& sec) {
  int lmonth[12] = {31, is_leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int dayofyr = static_cast<int>(std::floor(days));
  int i = 1;
  int inttemp = 0;
  while (dayofyr > inttemp + lmonth[i - 1] && i < 12) {
    inttemp += lmonth[i - 1];
    ++i;
  }
  mon = i;
  day = dayofyr - inttemp;
  double temp = (days - dayofyr) * 24.0;
  hr = static_cast<int>(std::trunc(temp));
  temp = (temp - hr) * 60.0;
  minute = static_cast<int>(std::trunc(temp));
  sec = (temp - minute) * 60.0;
}

// Julian date split into whole day (.5) and fraction.
void julian_date(int year, int mon, int day, int hr, int minute, double sec, double& jd, double& frac) {
  jd = 367.0 * year - std::floor((7 * (year + std::floor((mon + 9) / 12.0))) * 0.25) + std::floor(275 * mon / 9.0) +
       day + 1721013.5;
  frac = (sec + minute * 60.0 + hr * 3600.0) / 86400.0;
  if (std::fabs(frac) > 1.0) {
    double whole = std::floor(frac);
    jd += whole;
    frac -= whole;
  }
}

void check_line(const LineContext& ctx, std::string_view line, char number, bool allow_trailing) {
  std::string field = std::string("line ") + number;
  if (line.size() < kLineLength || (!allow_trailing && line.size() > kLineLength)) {
    ctx.fail(field, "length " + std::to_string(line.size()) + ", expected 69 columns");
  }
  if (line[0] != number || line[1] != ' ') ctx.fail(field, std::string("must start with '") + number + " '");
}

}  // namespace

long decode_alpha5(std::string_view field) {
  std::string_view t = trim(field);
  if (t.empty() || t.size() > 5) throw std::invalid_argument("bad catalogue number");
  long prefix = 0;
  if (std::isalpha(static_cast<unsigned char>(t[0]))) {
    if (t.size() != 5) throw std::invalid_argument("Alpha-5 needs a letter and four digits");
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
    if (c == 'I' || c == 'O') throw std::invalid_argument("Alpha-5 does not use I or O");
    // A=10 … H=17, J=18 … N=22, P=23 … Z=33: I and O are skipped to avoid confusion with 1 and 0.
    int value = c - 'A' + 10;
    if (c > 'I') --value;
    if (c > 'O') --value;
    prefix = value;
    t.remove_prefix(1);
  }
  long number = 0;
  for (char c : t) {
    if (!std::isdigit(static_cast<unsigned char>(c))) throw std::invalid_argument("not a digit");
    number = number * 10 + (c - '0');
  }
  return prefix * 10000 + number;
}

int tle_checksum(std::string_view line) {
  int sum = 0;
  for (std::size_t i = 0; i < 68 && i < line.size(); ++i) {
    char c = line[i];
    if (std::isdigit(static_cast<unsigned char>(c)))
      sum += c - '0';
    else if (c == '-')
      sum += 1;
  }
  return sum % 10;
}

Tle parse_tle(std::string_view raw1, std::string_view raw2, std::string_view source, long line_number,
              const TleParseOptions& options) {
  std::string_view line1 = strip_right(raw1);
  std::string_view line2 = strip_right(raw2);
  LineContext ctx1(source, line_number);
  LineContext ctx2(source, line_number + 1);
  check_line(ctx1, line1, '1', false);
  check_line(ctx2, line2, '2', options.allow_trailing_text);
  line2 = line2.substr(0, kLineLength);

  if (options.verify_checksums) {
    for (auto [line, ctx] : {std::pair{line1, &ctx1}, std::pair{line2, &ctx2}}) {
      char c = line[68];
      if (!std::isdigit(static_cast<unsigned char>(c))) ctx->fail("checksum", "column 69 is not a digit");
      int expected = tle_checksum(line);
      if (c - '0' != expected) {
        ctx->fail("checksum", std::string("is ") + c + ", computed " + std::to_string(expected));
      }
    }
  }

  Tle tle;
  tle.line1 = std::string(line1);
  tle.line2 = std::string(line2);
  tle.source_line = line_number;
  try {
    tle.catalog_number = decode_alpha5(columns(line1, 3, 7));
  } catch (const std::invalid_argument& e) {
    ctx1.fail("catalog_number", quoted(columns(line1, 3, 7)) + ": " + e.what());
  }
  long catalog2 = 0;
  try {
    catalog2 = decode_alpha5(columns(line2, 3, 7));
  } catch (const std::invalid_argument& e) {
    ctx2.fail("catalog_number", quoted(columns(line2, 3, 7)) + ": " + e.what());
  }
  if (catalog2 != tle.catalog_number) {
    ctx2.fail("catalog_number",
              std::to_string(catalog2) + " differs from line 1 (" + std::to_string(tle.catalog_number) + ")");
  }
  tle.classification = line1[7] == ' ' ? 'U' : line1[7];
  tle.international_designator = std::string(trim(columns(line1, 10, 17)));

  long yy = parse_integer(ctx1, columns(line1, 19, 20), "epoch_year", false);
  tle.epoch_year = static_cast<int>(yy < 57 ? 2000 + yy : 1900 + yy);
  tle.epoch_day = parse_decimal(ctx1, columns(line1, 21, 32), "epoch_day");
  int year_days = is_leap(tle.epoch_year) ? 366 : 365;
  if (tle.epoch_day < 1.0 || tle.epoch_day >= year_days + 1.0) {
    ctx1.fail("epoch_day", "day of year " + std::string(trim(columns(line1, 21, 32))) + " out of range");
  }
  tle.ndot_rev_day2 = parse_decimal(ctx1, columns(line1, 34, 43), "mean_motion_dot");
  tle.nddot_rev_day3 = parse_implied_exponent(ctx1, columns(line1, 45, 52), "mean_motion_ddot");
  tle.bstar = parse_implied_exponent(ctx1, columns(line1, 54, 61), "bstar");
  tle.ephemeris_type = static_cast<int>(parse_integer(ctx1, columns(line1, 63, 63), "ephemeris_type", true));
  tle.element_set_number = static_cast<int>(parse_integer(ctx1, columns(line1, 65, 68), "element_set_number", true));

  tle.inclination_deg = parse_decimal(ctx2, columns(line2, 9, 16), "inclination");
  tle.raan_deg = parse_decimal(ctx2, columns(line2, 18, 25), "raan");
  std::string_view ecc = columns(line2, 27, 33);
  tle.eccentricity = static_cast<double>(parse_integer(ctx2, ecc, "eccentricity", false)) * 1.0e-7;
  if (trim(ecc).size() != 7) ctx2.fail("eccentricity", quoted(ecc) + " must be 7 digits");
  tle.arg_perigee_deg = parse_decimal(ctx2, columns(line2, 35, 42), "arg_perigee");
  tle.mean_anomaly_deg = parse_decimal(ctx2, columns(line2, 44, 51), "mean_anomaly");
  tle.mean_motion_rev_day = parse_decimal(ctx2, columns(line2, 53, 63), "mean_motion");
  tle.revolution_number = parse_integer(ctx2, columns(line2, 64, 68), "revolution_number", true);

  if (tle.inclination_deg < 0.0 || tle.inclination_deg > 180.0) ctx2.fail("inclination", "outside 0..180 degrees");
  if (tle.raan_deg < 0.0 || tle.raan_deg >= 360.0) ctx2.fail("raan", "outside 0..360 degrees");
  if (tle.arg_perigee_deg < 0.0 || tle.arg_perigee_deg >= 360.0) ctx2.fail("arg_perigee", "outside 0..360 degrees");
  if (tle.mean_anomaly_deg < 0.0 || tle.mean_anomaly_deg >= 360.0) ctx2.fail("mean_anomaly", "outside 0..360 degrees");
  if (tle.mean_motion_rev_day <= 0.0) ctx2.fail("mean_motion", "must be positive");
  return tle;
}

UtcTime Tle::epoch() const {
  using namespace std::chrono;
  sys_days jan1 = sys_days(year{epoch_year} / January / 1);
  auto offset = microseconds(static_cast<long long>(std::llround((epoch_day - 1.0) * 86400.0e6)));
  return UtcTime(duration_cast<microseconds>(jan1.time_since_epoch()) + offset);
}

MeanElements Tle::mean_elements() const {
  MeanElements m;
  const double xpdotp = kMinutesPerDay / (2.0 * std::numbers::pi);  // rev/day -> rad/min
  m.catalog_number = catalog_number;
  int mon = 0, day = 0, hr = 0, minute = 0;
  double sec = 0.0;
  days_to_mdhms(epoch_year, epoch_day, mon, day, hr, minute, sec);
  julian_date(epoch_year, mon, day, hr, minute, sec, m.epoch_jd, m.epoch_jd_fraction);
  m.bstar = bstar;
  m.ndot = ndot_rev_day2 / (xpdotp * kMinutesPerDay);
  m.nddot = nddot_rev_day3 / (xpdotp * kMinutesPerDay * kMinutesPerDay);
  m.eccentricity = eccentricity;
  m.arg_perigee_rad = arg_perigee_deg * kDeg2Rad;
  m.inclination_rad = inclination_deg * kDeg2Rad;
  m.mean_anomaly_rad = mean_anomaly_deg * kDeg2Rad;
  m.mean_motion_rad_min = mean_motion_rev_day / xpdotp;
  m.raan_rad = raan_deg * kDeg2Rad;
  return m;
}

std::vector<Tle> parse_tle_text(std::string_view text, std::string_view source, const TleParseOptions& options) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  std::vector<Tle> out;
  std::string title;
  long title_line = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = strip_right(lines[i]);
    long number = static_cast<long>(i) + 1;
    if (trim(line).empty() || line.front() == '#') continue;
    if (line.size() >= 2 && line[0] == '1' && line[1] == ' ') {
      if (i + 1 >= lines.size()) {
        throw Error(ErrorCode::input_invalid, located(source, number, "line 2", "missing after line 1"));
      }
      Tle tle = parse_tle(line, lines[i + 1], source, number, options);
      tle.name = title;
      title.clear();
      title_line = 0;
      out.push_back(std::move(tle));
      ++i;
      continue;
    }
    if (line.size() >= 2 && line[0] == '2' && line[1] == ' ') {
      throw Error(ErrorCode::input_invalid, located(source, number, "line 2", "without a preceding line 1"));
    }
    if (title_line != 0) {
      throw Error(ErrorCode::input_invalid, located(source, title_line, "title", "not followed by line 1"));
    }
    std::string_view name = trim(line);
    if (name.size() >= 2 && name[0] == '0' && name[1] == ' ') name = trim(name.substr(2));
    title = std::string(name);
    title_line = number;
  }
  if (title_line != 0) {
    throw Error(ErrorCode::input_invalid, located(source, title_line, "title", "not followed by line 1"));
  }
  return out;
}

std::vector<Tle> read_tle_file(const std::filesystem::path& path, const TleParseOptions& options) {
  std::vector<Tle> sets = parse_tle_text(read_input_file(path, "TLE file"), path.string(), options);
  if (sets.empty()) throw Error(ErrorCode::input_invalid, path.string() + ": no element set (an empty TLE file?)");
  return sets;
}

}  // namespace shipchips::orbit
