#include "orbit/frames.hpp"

#include <GeographicLib/Geocentric.hpp>

#include <chrono>
#include <cmath>
#include <numbers>

namespace shipchips::orbit {

JulianDate julian_date(UtcTime time) {
  using namespace std::chrono;
  // 1970-01-01T00:00Z is JD 2440587.5; split whole days and the microsecond remainder.
  const auto days = floor<std::chrono::days>(time);
  const double micros_of_day = static_cast<double>((time - days).count());
  JulianDate jd;
  jd.whole = 2440587.5 + static_cast<double>(days.time_since_epoch().count());
  jd.fraction = micros_of_day / 86400.0e6;
  return jd;
}

double gmst_iau82(const JulianDate& jd_ut1) {
  // The IAU-82 formula of gmst_iau82(double) (sgp4.cpp), evaluated without summing the Julian
  // day number and its fraction into one double (whose 40 µs resolution would jitter the
  // angle by 3e-9 rad, 2 cm at 800 km). The 86400 s/day term is exact modulo a day.
  const double days = jd_ut1.whole - 2451545.0;  // exact (a half-integer)
  const double tut1 = (days + jd_ut1.fraction) / 36525.0;
  const double day_part = (days - std::floor(days)) + jd_ut1.fraction;
  double seconds =
      67310.54841 + 8640184.812866 * tut1 + 0.093104 * tut1 * tut1 - 6.2e-6 * tut1 * tut1 * tut1 + 86400.0 * day_part;
  seconds = std::fmod(seconds, 86400.0);
  if (seconds < 0.0) seconds += 86400.0;
  return seconds / 86400.0 * 2.0 * std::numbers::pi;
}

double gmst_utc(UtcTime time) {
  return gmst_iau82(julian_date(time));
}

EcefState teme_to_ecef(const StateVector& teme, double gmst_rad) {
  const double c = std::cos(gmst_rad);
  const double s = std::sin(gmst_rad);
  EcefState out;
  const auto& r = teme.r_km;
  const auto& v = teme.v_km_s;
  // r_pef = R3(gmst) r_teme
  out.r_km = {c * r[0] + s * r[1], -s * r[0] + c * r[1], r[2]};
  // v_pef = R3(gmst) v_teme - ω × r_pef, ω = (0, 0, ω)
  const double w = earth_rotation_rad_s;
  out.v_km_s = {c * v[0] + s * v[1] + w * out.r_km[1], -s * v[0] + c * v[1] - w * out.r_km[0], v[2]};
  return out;
}

EcefState teme_to_ecef(const StateVector& teme, UtcTime time) {
  return teme_to_ecef(teme, gmst_utc(time));
}

Geodetic ecef_to_geodetic(const std::array<double, 3>& r_km) {
  Geodetic g;
  double h_m = 0.0;
  GeographicLib::Geocentric::WGS84().Reverse(r_km[0] * 1000.0, r_km[1] * 1000.0, r_km[2] * 1000.0, g.lat_deg, g.lon_deg,
                                             h_m);
  g.height_km = h_m / 1000.0;
  return g;
}

std::array<double, 3> geodetic_to_ecef(const Geodetic& g) {
  double x = 0, y = 0, z = 0;
  GeographicLib::Geocentric::WGS84().Forward(g.lat_deg, g.lon_deg, g.height_km * 1000.0, x, y, z);
  return {x / 1000.0, y / 1000.0, z / 1000.0};
}

}  // namespace shipchips::orbit
