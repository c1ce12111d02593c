// TEME → ECEF → WGS-84 geodetic against Debian's python3-skyfield (run from the test with
// /usr/bin/python3, builtin timescale: no downloads), for the real Sentinel-2 element sets.
//  - skyfield.sgp4lib.TEME_to_ITRF (Vallado's teme2ecef, polar motion 0) with UT1 = UTC, and
//    skyfield's own WGS-84 geodetic conversion (wgs84.geographic_position_of) of that vector;
//  - skyfield's full chain (EarthSatellite.at(t) → wgs84.geographic_position_of) which uses its
//    builtin UT1−UTC: our frame with that UT1 must agree too, and the UT1 = UTC neglect must
//    stay within its documented size.
#include "../support/reference.hpp"
#include "orbit/frames.hpp"
#include "orbit/sgp4.hpp"
#include "orbit/tle.hpp"

#include <gtest/gtest.h>

#include <GeographicLib/Geocentric.hpp>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace shipchips;
using namespace shipchips::orbit;

namespace {

const std::string kReference = shipchips::testing::reference_dir();

struct OracleRow {
  long satnum = 0;
  long long unix_s = 0;
  std::array<double, 3> r{}, v{};
  double lat = 0, lon = 0, h_m = 0;                 // geodetic of the TEME_to_ITRF vector (UT1 = UTC)
  double full_lat = 0, full_lon = 0, full_h_m = 0;  // skyfield's full chain (its UT1)
  double dut1_s = 0;
};

// Equivalent command: /usr/bin/python3 <script> sentinel2_tles.txt 0,97,600,1440,4321
const char* kScript = R"PY(
import sys, datetime
import numpy as np
from skyfield.api import load, EarthSatellite, wgs84
from skyfield.sgp4lib import TEME_to_ITRF
from skyfield.framelib import itrs
from skyfield.functions import mxv
from skyfield.positionlib import Geocentric
from skyfield.constants import AU_KM
ts = load.timescale(builtin=True)
lines = [l.rstrip() for l in open(sys.argv[1]) if l.startswith(('1 ', '2 '))]
offsets = [float(x) for x in sys.argv[2].split(',')]
unix0 = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
for i in range(0, len(lines), 2):
    sat = EarthSatellite(lines[i], lines[i + 1], ts=ts)
    m = sat.model
    for off in offsets:
        tt = (sat.epoch.utc_datetime() + datetime.timedelta(minutes=off)).replace(microsecond=0)
        t = ts.from_datetime(tt)
        d = tt - unix0
        jd_whole = 2440587.5 + d.days
        fr = d.seconds / 86400.0
        e, r, v = m.sgp4(jd_whole, fr)
        # TEME_to_ITRF works in km/day for velocities.
        rI, vI = TEME_to_ITRF(jd_whole, np.array(r), np.array(v) * 86400.0, 0.0, 0.0, fr)
        vI = vI / 86400.0
        pos = Geocentric(mxv(itrs.rotation_at(t).T, rI / AU_KM), t=t, center=399)
        g = wgs84.geographic_position_of(pos)
        full = wgs84.geographic_position_of(sat.at(t))
        print(m.satnum, int(d.total_seconds()), ' '.join(repr(float(x)) for x in (*rI, *vI)),
              repr(g.latitude.degrees), repr(g.longitude.degrees), repr(g.elevation.m),
              repr(full.latitude.degrees), repr(full.longitude.degrees), repr(full.elevation.m),
              repr(float(t.dut1)))
)PY";

std::vector<OracleRow> skyfield_oracle(const std::string& tle_path, const std::string& offsets) {
  const auto path =
      std::filesystem::temp_directory_path() / ("orbit_frames_oracle_" + std::to_string(::getpid()) + ".py");
  { std::ofstream(path) << kScript; }
  const std::string command = "/usr/bin/python3 " + path.string() + " " + tle_path + " " + offsets;
  std::vector<OracleRow> rows;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return rows;
  char buffer[2048];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    std::istringstream in(buffer);
    OracleRow o;
    in >> o.satnum >> o.unix_s >> o.r[0] >> o.r[1] >> o.r[2] >> o.v[0] >> o.v[1] >> o.v[2] >> o.lat >> o.lon >> o.h_m >>
        o.full_lat >> o.full_lon >> o.full_h_m >> o.dut1_s;
    if (in) rows.push_back(o);
  }
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << "the skyfield oracle failed: " << command;
  return rows;
}

double distance(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

double lon_diff(double a, double b) {
  return std::remainder(a - b, 360.0);
}

// Ground distance (m) between two lat/lon pairs at a height, small-angle approximation.
double ground_m(double lat1, double lon1, double lat2, double lon2, double radius_m) {
  const double k = M_PI / 180.0;
  const double dx = lon_diff(lon1, lon2) * k * std::cos(lat1 * k);
  const double dy = (lat1 - lat2) * k;
  return std::hypot(dx, dy) * radius_m;
}

}  // namespace

TEST(OrbitFrames, JulianDateAndGmst) {
  // J2000.0 epoch 2000-01-01T12:00Z (UTC taken as UT1): JD 2451545.0; GMST there is
  // 280.46061837° (IAU-82 / Meeus eq. 12.4 at JD 2451545.0).
  const auto jd = julian_date(parse_iso8601("2000-01-01T12:00:00Z"));
  EXPECT_EQ(jd.whole, 2451544.5);
  EXPECT_DOUBLE_EQ(jd.fraction, 0.5);
  EXPECT_NEAR(gmst_utc(parse_iso8601("2000-01-01T12:00:00Z")) * 180.0 / M_PI, 280.46061837, 1e-7);
  // Meeus example 12.a: 1987-04-10 0h UT → GMST 13h10m46.3668s = 197.693195°.
  EXPECT_NEAR(gmst_utc(parse_iso8601("1987-04-10T00:00:00Z")) * 180.0 / M_PI, 197.693195, 1e-6);
  // The two-part evaluation equals SGP4's one-double gmst_iau82 within the latter's resolution.
  for (const char* when : {"1987-04-10T19:21:00Z", "2026-03-20T04:39:02.5Z", "2031-12-31T23:59:59Z"}) {
    const auto j = julian_date(parse_iso8601(when));
    EXPECT_NEAR(std::remainder(gmst_iau82(j) - gmst_iau82(j.value()), 2 * M_PI), 0.0, 1e-8) << when;
  }
}

TEST(OrbitFrames, GeodeticRoundTripAndKnownPoints) {
  // The WGS-84 equator/pole radii.
  const auto eq = ecef_to_geodetic({6378.137, 0.0, 0.0});
  EXPECT_NEAR(eq.lat_deg, 0.0, 1e-12);
  EXPECT_NEAR(eq.height_km, 0.0, 1e-9);
  const auto pole = ecef_to_geodetic({0.0, 0.0, 6356.752314245});
  EXPECT_NEAR(pole.lat_deg, 90.0, 1e-9);
  EXPECT_NEAR(pole.height_km, 0.0, 1e-9);
  for (double lat : {-89.0, -45.0, 0.0, 12.5, 51.0, 79.9}) {
    for (double h : {0.0, 786.0}) {
      const Geodetic g{lat, 33.3, h};
      const Geodetic back = ecef_to_geodetic(geodetic_to_ecef(g));
      EXPECT_NEAR(back.lat_deg, lat, 1e-10);
      EXPECT_NEAR(back.lon_deg, 33.3, 1e-10);
      EXPECT_NEAR(back.height_km, h, 1e-9);  // 1 µm
    }
  }
}

TEST(OrbitFrames, VelocityIsTheDerivativeOfPosition) {
  // The ω × r term: fed the numerical TEME derivative as its velocity, teme_to_ecef must give
  // the numerical derivative of the ECEF positions. (SGP4's own velocity is not exactly the
  // derivative of its position, by a few mm/s, so it is not used here.)
  const auto sets = read_tle_file(kReference + "/tle/sentinel2_tles.txt");
  const Sgp4Propagator sat(sets.front());
  const UtcTime t = sat.epoch() + std::chrono::minutes(300);
  const auto dt = std::chrono::milliseconds(100);
  StateVector s0, s1, s2;
  ASSERT_EQ(sat.propagate(sat.minutes_since_epoch(t - dt), s0), Sgp4Error::none);
  ASSERT_EQ(sat.propagate(sat.minutes_since_epoch(t), s1), Sgp4Error::none);
  ASSERT_EQ(sat.propagate(sat.minutes_since_epoch(t + dt), s2), Sgp4Error::none);
  for (int i = 0; i < 3; ++i) s1.v_km_s[i] = (s2.r_km[i] - s0.r_km[i]) / 0.2;
  const auto a = teme_to_ecef(s0, t - dt), b = teme_to_ecef(s1, t), c = teme_to_ecef(s2, t + dt);
  for (int i = 0; i < 3; ++i) {
    // Left: GMST's own rate (7.2921158553e-5 rad/s) vs ω = 7.292115146706979e-5 → 5e-8 km/s.
    EXPECT_NEAR((c.r_km[i] - a.r_km[i]) / 0.2, b.v_km_s[i], 1e-7) << i;
  }
  // The ω × r term is ~0.5 km/s at this radius: leaving it out would fail by far.
  const double wr = earth_rotation_rad_s * std::hypot(b.r_km[0], b.r_km[1]);
  EXPECT_GT(wr, 0.05);
}

TEST(OrbitFrames, Sentinel2AgreesWithSkyfield) {
  const std::string file = kReference + "/tle/sentinel2_tles.txt";
  const auto sets = read_tle_file(file);
  const auto oracle = skyfield_oracle(file, "0,97,600,1440,4321");
  ASSERT_EQ(oracle.size(), sets.size() * 5);
  double max_dr_m = 0, max_dv_mm_s = 0, max_geo_m = 0, max_dh_m = 0, max_full_m = 0, max_neglect_m = 0;
  for (std::size_t i = 0; i < oracle.size(); ++i) {
    const OracleRow& o = oracle[i];
    const Tle& tle = sets[i / 5];
    ASSERT_EQ(o.satnum, tle.catalog_number);
    const Sgp4Propagator sat(tle);
    const UtcTime t = from_unix_seconds(static_cast<double>(o.unix_s));
    StateVector s;
    ASSERT_EQ(sat.propagate(sat.minutes_since_epoch(t), s), Sgp4Error::none);
    const EcefState e = teme_to_ecef(s, t);
    max_dr_m = std::max(max_dr_m, distance(e.r_km, o.r) * 1e3);
    max_dv_mm_s = std::max(max_dv_mm_s, distance(e.v_km_s, o.v) * 1e6);
    const Geodetic g = ecef_to_geodetic(e.r_km);
    const double radius_m = 6371000.0 + g.height_km * 1e3;
    max_geo_m = std::max(max_geo_m, ground_m(g.lat_deg, g.lon_deg, o.lat, o.lon, radius_m));
    max_dh_m = std::max(max_dh_m, std::abs(g.height_km * 1e3 - o.h_m));
    // With skyfield's UT1 our frame matches its full chain...
    const auto jd = julian_date(t);
    const EcefState eu = teme_to_ecef(s, gmst_iau82(JulianDate{jd.whole, jd.fraction + o.dut1_s / 86400.0}));
    const Geodetic gu = ecef_to_geodetic(eu.r_km);
    max_full_m = std::max(max_full_m, ground_m(gu.lat_deg, gu.lon_deg, o.full_lat, o.full_lon, radius_m));
    max_full_m = std::max(max_full_m, std::abs(gu.height_km * 1e3 - o.full_h_m));
    // ...and UT1 = UTC costs |UT1−UTC| × ω × r (≤ 0.9 s × 7.29e-5 × 7170 km ≈ 470 m at 800 km).
    const double neglect_m = ground_m(g.lat_deg, g.lon_deg, o.full_lat, o.full_lon, radius_m);
    EXPECT_LE(neglect_m, std::abs(o.dut1_s) * earth_rotation_rad_s * radius_m * 1.01 + 0.01);
    max_neglect_m = std::max(max_neglect_m, neglect_m);
  }
  std::printf(
      "skyfield: |dr| %.2e m, |dv| %.2e mm/s, geodetic %.2e m (h %.2e m); full chain with its UT1 %.2e m; "
      "UT1=UTC neglect %.0f m (dut1 %.3f s)\n",
      max_dr_m, max_dv_mm_s, max_geo_m, max_dh_m, max_full_m, max_neglect_m, oracle.front().dut1_s);
  EXPECT_LT(max_dr_m, 0.001);  // 1 mm
  // skyfield rotates velocities by dGMST/dt (7.2921158553e-5 rad/s) where Vallado's teme2ecef
  // uses 7.292115146706979e-5: 7.1e-12 rad/s × 7,170 km = 0.05 mm/s.
  EXPECT_LT(max_dv_mm_s, 0.1);
  EXPECT_LT(max_geo_m, 0.01);  // skyfield iterates latitude to ~mm
  EXPECT_LT(max_dh_m, 0.01);
  EXPECT_LT(max_full_m, 0.05);
}
