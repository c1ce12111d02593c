// Sun position against sources nobody here wrote:
//  - the instants of equinoxes and solstices published by the US Naval Observatory (the
//    apparent ecliptic longitude is then 0°, 90°, 180°, 270°);
//  - NOAA's solar calculator equations (Meeus-based, apparent longitude with nutation and
//    aberration, equation of time instead of sidereal time), implemented independently in
//    Python and run with /usr/bin/python3 from the test. (skyfield cannot be the oracle
//    here: the sun needs an ephemeris file, de421.bsp, and none is installed offline.)
#include "core/time.hpp"
#include "orbit/sun.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace shipchips;
using namespace shipchips::orbit;

namespace {

// NOAA Global Monitoring Laboratory solar calculator (NOAA_Solar_Calculations_day.xls),
// geometric elevation (its refraction column is not applied). Reads "unix lon lat" lines.
const char* kNoaa = R"PY(
import sys, math
rad, deg = math.radians, math.degrees
for line in sys.stdin:
    unix, lon, lat = (float(x) for x in line.split())
    jd = unix / 86400.0 + 2440587.5
    jc = (jd - 2451545.0) / 36525.0
    l0 = (280.46646 + jc * (36000.76983 + jc * 0.0003032)) % 360.0
    m = 357.52911 + jc * (35999.05029 - 0.0001537 * jc)
    e = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc)
    c = (math.sin(rad(m)) * (1.914602 - jc * (0.004817 + 0.000014 * jc))
         + math.sin(rad(2 * m)) * (0.019993 - 0.000101 * jc) + math.sin(rad(3 * m)) * 0.000289)
    true_long = l0 + c
    omega = 125.04 - 1934.136 * jc
    app_long = true_long - 0.00569 - 0.00478 * math.sin(rad(omega))
    mean_obliq = 23 + (26 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60) / 60
    obliq = mean_obliq + 0.00256 * math.cos(rad(omega))
    decl = deg(math.asin(math.sin(rad(obliq)) * math.sin(rad(app_long))))
    y = math.tan(rad(obliq / 2)) ** 2
    eqt = 4 * deg(y * math.sin(2 * rad(l0)) - 2 * e * math.sin(rad(m))
                  + 4 * e * y * math.sin(rad(m)) * math.cos(2 * rad(l0))
                  - 0.5 * y * y * math.sin(4 * rad(l0)) - 1.25 * e * e * math.sin(2 * rad(m)))
    minutes = (unix % 86400.0) / 60.0
    tst = (minutes + eqt + 4 * lon) % 1440.0
    ha = tst / 4 + 180 if tst / 4 < 0 else tst / 4 - 180
    cz = math.sin(rad(lat)) * math.sin(rad(decl)) + math.cos(rad(lat)) * math.cos(rad(decl)) * math.cos(rad(ha))
    zen = deg(math.acos(max(-1.0, min(1.0, cz))))
    den = math.cos(rad(lat)) * math.sin(rad(zen))
    if abs(den) < 1e-12:
        az = float('nan')
    else:
        a = deg(math.acos(max(-1.0, min(1.0, (math.sin(rad(lat)) * math.cos(rad(zen)) - math.sin(rad(decl))) / den))))
        az = (a + 180) % 360 if ha > 0 else (540 - a) % 360
    print(repr(90 - zen), repr(az), repr(decl))
)PY";

struct Query {
  double unix_s, lon, lat;
};
struct NoaaRow {
  double elevation, azimuth, declination;
};

std::vector<NoaaRow> noaa_oracle(const std::vector<Query>& queries) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto script = dir / ("orbit_sun_noaa_" + std::to_string(::getpid()) + ".py");
  const auto input = dir / ("orbit_sun_noaa_" + std::to_string(::getpid()) + ".txt");
  { std::ofstream(script) << kNoaa; }
  {
    std::ofstream in(input);
    in.precision(17);
    for (const Query& q : queries) in << q.unix_s << ' ' << q.lon << ' ' << q.lat << '\n';
  }
  const std::string command = "/usr/bin/python3 " + script.string() + " < " + input.string();
  std::vector<NoaaRow> rows;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe != nullptr) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
      std::istringstream line(buffer);
      NoaaRow r{};
      line >> r.elevation >> r.azimuth >> r.declination;
      if (line) rows.push_back(r);
    }
    EXPECT_EQ(::pclose(pipe), 0) << command;
  }
  std::filesystem::remove(script);
  std::filesystem::remove(input);
  return rows;
}

double angle_diff(double a, double b) {
  return std::remainder(a - b, 360.0);
}

}  // namespace

TEST(OrbitSun, EquinoxesAndSolsticesPublishedByUsno) {
  // USNO "Earth's Seasons" (UTC, to the minute: ±0.0004° of solar longitude).
  const struct {
    const char* when;
    double longitude;
  } seasons[] = {{"2024-03-20T03:06Z", 0.0},   {"2024-06-20T20:51Z", 90.0}, {"2024-09-22T12:44Z", 180.0},
                 {"2024-12-21T09:21Z", 270.0}, {"2025-03-20T09:01Z", 0.0},  {"2025-06-21T02:42Z", 90.0},
                 {"2020-06-20T21:44Z", 90.0},  {"2030-03-20T13:52Z", 0.0}};
  for (const auto& s : seasons) {
    const SunEquatorial sun = sun_equatorial(parse_iso8601(s.when));
    EXPECT_NEAR(angle_diff(sun.ecliptic_lon_deg, s.longitude), 0.0, 0.01) << s.when;
    if (s.longitude == 0.0) {
      EXPECT_NEAR(sun.dec_deg, 0.0, 0.005) << s.when;
    }
    // At the June solstice the declination equals the obliquity (23.436° + nutation).
    if (s.longitude == 90.0) {
      EXPECT_NEAR(sun.dec_deg, 23.437, 0.01) << s.when;
    }
  }
  // Perihelion early January (0.9833 AU), aphelion early July (1.0167 AU).
  EXPECT_NEAR(sun_equatorial(parse_iso8601("2024-01-03T01:00Z")).distance_au, 0.98331, 2e-4);
  EXPECT_NEAR(sun_equatorial(parse_iso8601("2024-07-05T05:00Z")).distance_au, 1.01673, 2e-4);
}

TEST(OrbitSun, NoonAndMidnightAtTheEquinox) {
  // March equinox 2024-03-20T03:06Z: the sun is overhead on the equator at the longitude
  // where it is local apparent noon, so at the equator the maximum elevation over the
  // longitudes is ~90°, and 90° − latitude elsewhere on that meridian.
  const UtcTime t = parse_iso8601("2024-03-20T03:06Z");
  double best = -90.0, best_lon = 0.0;
  for (double lon = -180.0; lon < 180.0; lon += 0.01) {
    const double el = sun_elevation_deg(t, lon, 0.0);
    if (el > best) best = el, best_lon = lon;
  }
  EXPECT_NEAR(best, 90.0, 0.02);
  EXPECT_NEAR(sun_elevation_deg(t, best_lon, 50.0), 40.0, 0.02);
  EXPECT_NEAR(sun_elevation_deg(t, best_lon, -33.9), 56.1, 0.02);
  // On the far side of the Earth it is midnight: the sun is as far below the horizon.
  EXPECT_NEAR(sun_elevation_deg(t, best_lon + 180.0, 50.0), -40.0, 0.02);
  // Azimuth: south of the sun's position the sun is due north, and vice versa.
  EXPECT_NEAR(angle_diff(sun_horizontal(t, best_lon, -30.0).azimuth_deg, 0.0), 0.0, 0.05);
  EXPECT_NEAR(sun_horizontal(t, best_lon, 30.0).azimuth_deg, 180.0, 0.05);
}

TEST(OrbitSun, AgreesWithNoaaSolarCalculator) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> when(to_unix_seconds(parse_iso8601("1995-01-01T00:00Z")),
                                              to_unix_seconds(parse_iso8601("2035-01-01T00:00Z")));
  std::uniform_real_distribution<double> ulon(-180.0, 180.0), ulat(-80.0, 84.0);
  std::vector<Query> queries;
  for (int i = 0; i < 2000; ++i) queries.push_back({std::floor(when(rng)), ulon(rng), ulat(rng)});
  const auto noaa = noaa_oracle(queries);
  ASSERT_EQ(noaa.size(), queries.size());
  double max_el = 0.0, max_az = 0.0, max_dec = 0.0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const UtcTime t = from_unix_seconds(queries[i].unix_s);
    const SunHorizontal h = sun_horizontal(t, queries[i].lon, queries[i].lat);
    max_el = std::max(max_el, std::abs(h.elevation_deg - noaa[i].elevation));
    max_dec = std::max(max_dec, std::abs(sun_equatorial(t).dec_deg - noaa[i].declination));
    // Azimuth is ill-conditioned near the zenith: compare the horizontal arc.
    if (std::isfinite(noaa[i].azimuth) && h.elevation_deg < 89.0)
      max_az = std::max(max_az, std::abs(angle_diff(h.azimuth_deg, noaa[i].azimuth)) *
                                    std::cos(h.elevation_deg * std::numbers::pi / 180.0));
  }
  std::printf("NOAA: max |Δelevation| %.4f°, |Δazimuth·cos el| %.4f°, |Δdeclination| %.4f°\n", max_el, max_az, max_dec);
  // The issue asks for better than 0.1°; the Almanac's formulas are good to ~0.01°.
  EXPECT_LT(max_el, 0.02);
  EXPECT_LT(max_az, 0.02);
  EXPECT_LT(max_dec, 0.01);
}
