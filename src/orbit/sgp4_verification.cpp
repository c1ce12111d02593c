#include "orbit/sgp4_verification.hpp"

#include "core/error.hpp"
#include "core/input_file.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>

namespace shipchips::orbit {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kHalfPi = 0.5 * std::numbers::pi;
constexpr double kRad = 180.0 / std::numbers::pi;
constexpr double kSmall = 1.0e-8;
constexpr double kUndefined = 999999.1;
constexpr double kInfinite = 999999.9;

double magnitude(const std::array<double, 3>& x) {
  return std::sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
}
double dot(const std::array<double, 3>& x, const std::array<double, 3>& y) {
  return x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
}
double clamp_unit(double x) {
  return x > 1.0 ? 1.0 : (x < -1.0 ? -1.0 : x);
}

double angle_between(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  double magab = magnitude(a) * magnitude(b);
  if (magab > kSmall * kSmall) return std::acos(clamp_unit(dot(a, b) / magab));
  return kUndefined;
}

// Eccentric and mean anomaly from the true anomaly (Vallado's newtonnu); returns the mean anomaly.
double mean_from_true_anomaly(double ecc, double nu) {
  double e0 = kInfinite;
  double m = kInfinite;
  if (std::fabs(ecc) < kSmall) {
    e0 = nu;
    m = nu;
  } else if (ecc < 1.0 - kSmall) {
    double sine = std::sqrt(1.0 - ecc * ecc) * std::sin(nu) / (1.0 + ecc * std::cos(nu));
    double cose = (ecc + std::cos(nu)) / (1.0 + ecc * std::cos(nu));
    e0 = std::atan2(sine, cose);
    m = e0 - ecc * std::sin(e0);
  } else if (ecc > 1.0 + kSmall) {
    if (std::fabs(nu) + 0.00001 < std::numbers::pi - std::acos(1.0 / ecc)) {
      double sine = std::sqrt(ecc * ecc - 1.0) * std::sin(nu) / (1.0 + ecc * std::cos(nu));
      e0 = std::asinh(sine);
      m = ecc * std::sinh(e0) - e0;
    }
  } else if (std::fabs(nu) < 168.0 * std::numbers::pi / 180.0) {
    e0 = std::tan(nu * 0.5);
    m = e0 + (e0 * e0 * e0) / 3.0;
  }
  if (ecc < 1.0) {
    m = std::fmod(m, kTwoPi);
    if (m < 0.0) m += kTwoPi;
  }
  return m;
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

void format_short(char* buffer, std::size_t size, double tsince, const StateVector& s) {
  std::snprintf(buffer, size, " %16.8f %16.8f %16.8f %16.8f %12.9f %12.9f %12.9f", tsince, s.r_km[0], s.r_km[1],
                s.r_km[2], s.v_km_s[0], s.v_km_s[1], s.v_km_s[2]);
}

}  // namespace

ClassicalElements rv_to_classical(const StateVector& state, double mu) {
  const auto& r = state.r_km;
  const auto& v = state.v_km_s;
  ClassicalElements c;
  const double magr = magnitude(r);
  const double magv = magnitude(v);
  const std::array<double, 3> hbar = {r[1] * v[2] - r[2] * v[1], r[2] * v[0] - r[0] * v[2], r[0] * v[1] - r[1] * v[0]};
  const double magh = magnitude(hbar);
  if (magh <= kSmall) {
    c = {kUndefined, kUndefined, kUndefined, kUndefined, kUndefined, kUndefined,
         kUndefined, kUndefined, kUndefined, kUndefined, kUndefined};
    return c;
  }
  const std::array<double, 3> nbar = {-hbar[1], hbar[0], 0.0};
  const double magn = magnitude(nbar);
  const double c1 = magv * magv - mu / magr;
  const double rdotv = dot(r, v);
  std::array<double, 3> ebar{};
  for (int i = 0; i < 3; ++i) ebar[i] = (c1 * r[i] - rdotv * v[i]) / mu;
  c.ecc = magnitude(ebar);
  const double sme = magv * magv * 0.5 - mu / magr;
  c.a = std::fabs(sme) > kSmall ? -mu / (2.0 * sme) : kInfinite;
  c.p = magh * magh / mu;
  c.incl = std::acos(hbar[2] / magh);

  // Orbit type: elliptical/circular, inclined/equatorial.
  const bool equatorial = c.incl < kSmall || std::fabs(c.incl - std::numbers::pi) < kSmall;
  const bool circular = c.ecc < kSmall;

  if (magn > kSmall) {
    c.node = std::acos(clamp_unit(nbar[0] / magn));
    if (nbar[1] < 0.0) c.node = kTwoPi - c.node;
  } else {
    c.node = kUndefined;
  }
  if (!circular && !equatorial) {
    c.argp = angle_between(nbar, ebar);
    if (ebar[2] < 0.0) c.argp = kTwoPi - c.argp;
  } else {
    c.argp = kUndefined;
  }
  if (!circular) {
    c.nu = angle_between(ebar, r);
    if (rdotv < 0.0) c.nu = kTwoPi - c.nu;
  } else {
    c.nu = kUndefined;
  }
  c.m = kUndefined;
  if (circular && !equatorial) {
    c.arglat = angle_between(nbar, r);
    if (r[2] < 0.0) c.arglat = kTwoPi - c.arglat;
    c.m = c.arglat;
  } else {
    c.arglat = kUndefined;
  }
  if (c.ecc > kSmall && !circular && equatorial) {
    c.lonper = std::acos(clamp_unit(ebar[0] / c.ecc));
    if (ebar[1] < 0.0) c.lonper = kTwoPi - c.lonper;
    if (c.incl > kHalfPi) c.lonper = kTwoPi - c.lonper;
  } else {
    c.lonper = kUndefined;
  }
  if (magr > kSmall && circular && equatorial) {
    c.truelon = std::acos(clamp_unit(r[0] / magr));
    if (r[1] < 0.0) c.truelon = kTwoPi - c.truelon;
    if (c.incl > kHalfPi) c.truelon = kTwoPi - c.truelon;
    c.m = c.truelon;
  } else {
    c.truelon = kUndefined;
  }
  if (!circular) c.m = mean_from_true_anomaly(c.ecc, c.nu);
  return c;
}

CalendarTime julian_to_calendar(double jd) {
  CalendarTime out;
  const double temp = jd - 2415019.5;
  const double tu = temp / 365.25;
  int year = 1900 + static_cast<int>(std::floor(tu));
  int leapyrs = static_cast<int>(std::floor((year - 1901) * 0.25));
  // The reference nudges by 1e-11 day so whole seconds print evenly.
  double days = temp - ((year - 1900) * 365.0 + leapyrs) + 0.00000000001;
  if (days < 1.0) {
    year -= 1;
    leapyrs = static_cast<int>(std::floor((year - 1901) * 0.25));
    days = temp - ((year - 1900) * 365.0 + leapyrs);
  }
  const int lmonth[12] = {31, is_leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int dayofyr = static_cast<int>(std::floor(days));
  int i = 1;
  int inttemp = 0;
  while (dayofyr > inttemp + lmonth[i - 1] && i < 12) {
    inttemp += lmonth[i - 1];
    ++i;
  }
  out.year = year;
  out.month = i;
  out.day = dayofyr - inttemp;
  double t = (days - dayofyr) * 24.0;
  out.hour = static_cast<int>(std::trunc(t));
  t = (t - out.hour) * 60.0;
  out.minute = static_cast<int>(std::trunc(t));
  out.second = (t - out.minute) * 60.0 - 0.00000086400;
  return out;
}

std::vector<VerificationCase> read_verification_cases(const std::filesystem::path& path) {
  std::ifstream in = open_input_file(path, "TLE file");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const std::string source = path.string();
  TleParseOptions options;
  options.verify_checksums = false;  // the file's error cases carry wrong checksums on purpose
  options.allow_trailing_text = true;
  std::vector<VerificationCase> cases;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty() || l[0] == '#' || l.find_first_not_of(" \t\r") == std::string::npos) continue;
    const long number = static_cast<long>(i) + 1;
    if (l[0] != '1' || i + 1 >= lines.size()) {
      throw Error(ErrorCode::input_invalid, located(source, number, "line 1", "expected a TLE line 1"));
    }
    VerificationCase c;
    c.tle = parse_tle(l, lines[i + 1], source, number, options);
    const std::string& l2 = lines[i + 1];
    std::istringstream rest(l2.size() > 69 ? l2.substr(69) : std::string());
    if (!(rest >> c.start_min >> c.stop_min >> c.step_min) || c.step_min <= 0.0) {
      throw Error(ErrorCode::input_invalid,
                  located(source, number + 1, "start/stop/step", "three numbers after column 69 expected, step > 0"));
    }
    cases.push_back(std::move(c));
    ++i;
  }
  return cases;
}

std::vector<VerificationError> write_verification_output(const std::vector<VerificationCase>& cases,
                                                         std::ostream& out) {
  std::vector<VerificationError> errors;
  StateVector last{};  // the reference program's state buffer survives from satellite to satellite
  char line[512];
  for (const VerificationCase& c : cases) {
    const Sgp4Propagator sat(c.tle);
    out << sat.catalog_number() << " xx\n";
    if (sat.init_error() != Sgp4Error::none) {
      errors.push_back({sat.catalog_number(), 0.0, sat.init_error()});
      format_short(line, sizeof line, 0.0, last);
      out << line << '\n';
      continue;
    }
    sat.propagate(0.0, last);
    format_short(line, sizeof line, 0.0, last);
    out << line << '\n';

    // Same stepping as the reference: start, start+step, … and stop itself as the last time.
    double tsince = c.start_min;
    if (std::fabs(tsince) > 1.0e-8) tsince -= c.step_min;
    while (tsince < c.stop_min) {
      tsince += c.step_min;
      if (tsince > c.stop_min) tsince = c.stop_min;
      StateVector s;
      Sgp4Error e = sat.propagate(tsince, s);
      if (e != Sgp4Error::none) {
        errors.push_back({sat.catalog_number(), tsince, e});
        break;
      }
      last = s;
      const ClassicalElements el = rv_to_classical(s);
      const double jd = sat.epoch_jd() + sat.epoch_jd_fraction() + tsince / 1440.0;
      const CalendarTime cal = julian_to_calendar(jd);
      std::size_t n = 0;
      format_short(line, sizeof line, tsince, s);
      n = std::char_traits<char>::length(line);
      std::snprintf(line + n, sizeof line - n,
                    " %14.6f %8.6f %10.5f %10.5f %10.5f %10.5f %10.5f %5i%3i%3i %2i:%2i:%9.6f", el.a, el.ecc,
                    el.incl * kRad, el.node * kRad, el.argp * kRad, el.nu * kRad, el.m * kRad, cal.year, cal.month,
                    cal.day, cal.hour, cal.minute, cal.second);
      out << line << '\n';
    }
  }
  return errors;
}

}  // namespace shipchips::orbit
