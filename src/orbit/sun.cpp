#include "orbit/sun.hpp"

#include "orbit/frames.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace shipchips::orbit {
namespace {

constexpr double deg = std::numbers::pi / 180.0;

double wrap360(double a) {
  a = std::fmod(a, 360.0);
  return a < 0.0 ? a + 360.0 : a;
}

}  // namespace

SunEquatorial sun_equatorial(UtcTime time) {
  const JulianDate jd = julian_date(time);
  const double n = (jd.whole - 2451545.0) + jd.fraction;  // days from J2000.0
  const double mean_lon = wrap360(280.460 + 0.9856474 * n);
  const double g = wrap360(357.528 + 0.9856003 * n) * deg;  // mean anomaly
  const double lambda = mean_lon + 1.915 * std::sin(g) + 0.020 * std::sin(2.0 * g);
  const double eps = (23.439 - 0.0000004 * n) * deg;  // obliquity of the ecliptic
  const double l = lambda * deg;
  SunEquatorial out;
  out.ecliptic_lon_deg = wrap360(lambda);
  out.ra_deg = wrap360(std::atan2(std::cos(eps) * std::sin(l), std::cos(l)) / deg);
  out.dec_deg = std::asin(std::sin(eps) * std::sin(l)) / deg;
  out.distance_au = 1.00014 - 0.01671 * std::cos(g) - 0.00014 * std::cos(2.0 * g);
  return out;
}

SunHorizontal sun_horizontal(UtcTime time, double lon_deg, double lat_deg) {
  const SunEquatorial eq = sun_equatorial(time);
  const double hour_angle = (gmst_utc(time) / deg + lon_deg - eq.ra_deg) * deg;
  const double phi = lat_deg * deg;
  const double dec = eq.dec_deg * deg;
  const double sin_el = std::sin(phi) * std::sin(dec) + std::cos(phi) * std::cos(dec) * std::cos(hour_angle);
  SunHorizontal out;
  out.elevation_deg = std::asin(std::clamp(sin_el, -1.0, 1.0)) / deg;
  // Azimuth from north, clockwise: atan2(east, north) components of the sun's direction.
  const double east = -std::cos(dec) * std::sin(hour_angle);
  const double north = std::sin(dec) * std::cos(phi) - std::cos(dec) * std::sin(phi) * std::cos(hour_angle);
  out.azimuth_deg = wrap360(std::atan2(east, north) / deg);
  return out;
}

}  // namespace shipchips::orbit
