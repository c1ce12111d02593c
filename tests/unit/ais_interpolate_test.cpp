// Interpolation to sensing time, checked against independent sources: Helmert's meridian arc
// series (not GeographicLib) for tracks along a meridian, the equator's exact arc length,
// the spherical great-circle vertex, and the fixture world's ground truth.
// (python3-geographiclib is not installed on this machine, so no Python oracle is used.)

#include "ais/interpolate.hpp"
#include "ais/readers_csv.hpp"
#include "ais/track_store.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "fixture/world_build.hpp"

#include <GeographicLib/Geocentric.hpp>
#include <GeographicLib/LocalCartesian.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace shipchips;
using namespace shipchips::ais;
namespace fs = std::filesystem;

namespace {

constexpr double kA = 6378137.0;            // WGS-84 semi-major axis
constexpr double kF = 1.0 / 298.257223563;  // WGS-84 flattening
constexpr double kPi = 3.14159265358979323846;
constexpr double kKnot = 1852.0 / 3600.0;

// Meridian arc length from the equator to latitude phi (degrees), Helmert's series in the third
// flattening n; truncation error below 0.1 mm on WGS-84.
double meridian_arc(double phi_deg) {
  const double n = kF / (2.0 - kF);
  const double p = phi_deg * kPi / 180.0;
  const double n2 = n * n, n3 = n2 * n, n4 = n3 * n;
  return kA / (1.0 + n) *
         ((1.0 + n2 / 4.0 + n4 / 64.0) * p - 1.5 * (n - n3 / 8.0) * std::sin(2 * p) +
          15.0 / 16.0 * (n2 - n4 / 4.0) * std::sin(4 * p) - 35.0 / 48.0 * n3 * std::sin(6 * p) +
          315.0 / 512.0 * n4 * std::sin(8 * p));
}

UtcTime t0() {
  return parse_iso8601("2024-05-01T10:00:00Z");
}

PositionReport ping(double seconds, double lat, double lon, std::optional<double> sog = std::nullopt,
                    std::optional<double> cog = std::nullopt) {
  PositionReport p;
  p.mmsi = 123456789;
  p.time = t0() + std::chrono::microseconds(static_cast<long long>(std::llround(seconds * 1e6)));
  p.lat = lat;
  p.lon = lon;
  p.sog_kn = sog;
  p.cog_deg = cog;
  return p;
}

UtcTime after(double seconds) {
  return t0() + std::chrono::microseconds(static_cast<long long>(std::llround(seconds * 1e6)));
}

InterpolatedPosition position_of(const InterpolationResult& r) {
  if (const auto* no = std::get_if<NoPosition>(&r)) throw std::runtime_error("no position: " + no->reason);
  return std::get<InterpolatedPosition>(r);
}

}  // namespace

TEST(AisInterpolate, MeridianTrackFollowsTheArcLengthFraction) {
  const std::vector<PositionReport> pings{ping(0, 10.0, 20.0), ping(600, 10.05, 20.0)};
  const double m0 = meridian_arc(10.0), m1 = meridian_arc(10.05);
  for (double f : {0.1, 0.25, 0.5, 0.9}) {
    const auto p = position_of(interpolate_position(pings, after(600 * f)));
    EXPECT_EQ(p.method, PositionMethod::interpolated);
    EXPECT_NEAR(p.lon, 20.0, 1e-12);
    // The arc from the first ping must be the fraction f of the whole arc: within 1 mm.
    EXPECT_NEAR(meridian_arc(p.lat) - m0, f * (m1 - m0), 1e-3) << f;
    ASSERT_TRUE(p.course_deg);
    EXPECT_NEAR(*p.course_deg, 0.0, 1e-9);
    EXPECT_NEAR(*p.speed_ms, (m1 - m0) / 600.0, 1e-6);
  }
  // Southbound in the southern hemisphere, crossing nothing special.
  const std::vector<PositionReport> south{ping(0, -33.0, 151.0), ping(300, -33.02, 151.0)};
  const auto p = position_of(interpolate_position(south, after(100)));
  EXPECT_NEAR(meridian_arc(p.lat) - meridian_arc(-33.0), (meridian_arc(-33.02) - meridian_arc(-33.0)) / 3.0, 1e-3);
  EXPECT_NEAR(*p.course_deg, 180.0, 1e-9);
}

TEST(AisInterpolate, EquatorTrackIsLinearInLongitude) {
  // Along the equator the arc length is a·Δλ exactly, so the fraction is linear in longitude.
  const std::vector<PositionReport> pings{ping(0, 0.0, 10.0), ping(400, 0.0, 10.2)};
  const auto p = position_of(interpolate_position(pings, after(100)));
  EXPECT_NEAR(p.lat, 0.0, 1e-12);
  EXPECT_NEAR(p.lon, 10.05, 1e-10);
  EXPECT_NEAR(*p.course_deg, 90.0, 1e-9);
  EXPECT_NEAR(*p.speed_ms, kA * 0.2 * kPi / 180.0 / 400.0, 1e-6);
  // Across the antimeridian, westbound.
  const std::vector<PositionReport> dateline{ping(0, 0.0, -179.9), ping(200, 0.0, 179.9)};
  const auto q = position_of(interpolate_position(dateline, after(100)));
  EXPECT_NEAR(std::abs(q.lon), 180.0, 1e-10);
}

TEST(AisInterpolate, EastWestTrackAtHighLatitudeBulgesPoleward) {
  // A geodesic between two points on the 60th parallel is not the parallel: its midpoint lies
  // poleward. On a sphere tan(φm) = tan(60°)/cos(Δλ/2); the ellipsoid differs by ~f of the bulge.
  const std::vector<PositionReport> pings{ping(0, 60.0, 0.0), ping(600, 60.0, 2.0)};
  const auto p = position_of(interpolate_position(pings, after(300)));
  const double sphere = std::atan(std::tan(60.0 * kPi / 180.0) / std::cos(1.0 * kPi / 180.0)) * 180.0 / kPi;
  EXPECT_NEAR(p.lon, 1.0, 1e-9);
  EXPECT_NEAR(p.lat, sphere, 2e-4);
  EXPECT_GT(p.lat, 60.0 + 0.8 * (sphere - 60.0));  // a naive lat/lon average would give 60.0
}

TEST(AisInterpolate, UncertaintyGrowsMidGapAndDtNearestIsReported) {
  const std::vector<PositionReport> pings{ping(0, 0.0, 0.0), ping(100, 0.0, 0.01)};
  InterpolationOptions o;
  const auto mid = position_of(interpolate_position(pings, after(50), o));
  EXPECT_DOUBLE_EQ(mid.uncertainty_m, o.gps_error_m + 0.5 * o.a_max_ms2 * 50 * 50);
  EXPECT_DOUBLE_EQ(mid.dt_nearest_s, 50.0);
  const auto near_end = position_of(interpolate_position(pings, after(90), o));
  EXPECT_DOUBLE_EQ(near_end.uncertainty_m, o.gps_error_m + 0.5 * o.a_max_ms2 * 90 * 10);
  EXPECT_DOUBLE_EQ(near_end.dt_nearest_s, 10.0);
  EXPECT_EQ(near_end.nearest.time, pings[1].time);
  ASSERT_TRUE(near_end.before && near_end.after);
  EXPECT_EQ(near_end.before->time, pings[0].time);
  // A ping exactly at t: that ping, GPS error only.
  const auto exact = position_of(interpolate_position(pings, after(100), o));
  EXPECT_DOUBLE_EQ(exact.lon, 0.01);
  EXPECT_DOUBLE_EQ(exact.dt_nearest_s, 0.0);
  EXPECT_DOUBLE_EQ(exact.uncertainty_m, o.gps_error_m);
  EXPECT_EQ(exact.method, PositionMethod::exact);
  EXPECT_EQ(to_string(exact.method), "exact");
  // A single ping at t is exact too (it was labelled "interpolated" before).
  const std::vector<PositionReport> one{ping(100, 0.0, 0.01, 10.0, 90.0)};
  const auto single = position_of(interpolate_position(one, after(100), o));
  EXPECT_EQ(single.method, PositionMethod::exact);
  EXPECT_DOUBLE_EQ(single.uncertainty_m, o.gps_error_m);
}

TEST(AisInterpolate, DeadReckoningAlongEquatorAndMeridian) {
  InterpolationOptions o;
  o.max_gap_s = 600;
  o.max_extrapolation_s = 120;
  // Eastbound at 10 kn on the equator, 60 s after the last ping: Δλ = v·t / a (radians).
  const std::vector<PositionReport> east{ping(0, 0.0, 5.0, 10.0, 90.0)};
  const auto p = position_of(interpolate_position(east, after(60), o));
  EXPECT_EQ(p.method, PositionMethod::dead_reckoned);
  EXPECT_NEAR(p.lon, 5.0 + 10 * kKnot * 60 / kA * 180.0 / kPi, 1e-10);
  EXPECT_NEAR(p.lat, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(p.dt_nearest_s, 60.0);
  const double d = 10 * kKnot * 60;
  EXPECT_NEAR(p.uncertainty_m,
              o.gps_error_m + 0.5 * o.a_max_ms2 * 3600 + d * std::tan(5 * kPi / 180) + 0.2 * kKnot * 60, 1e-9);
  // The only ping is 90 s after t: moved back along its course (north → south of the ping).
  const std::vector<PositionReport> north{ping(90, 50.0, 1.0, 12.0, 0.0)};
  const auto q = position_of(interpolate_position(north, after(0), o));
  EXPECT_EQ(q.method, PositionMethod::dead_reckoned);
  EXPECT_NEAR(q.lon, 1.0, 1e-12);
  EXPECT_NEAR(meridian_arc(50.0) - meridian_arc(q.lat), 12 * kKnot * 90, 1e-3);
  // A gap wider than max_gap_s: dead reckoning from the nearer side.
  const std::vector<PositionReport> gap{ping(0, 0.0, 0.0, 10.0, 90.0), ping(1000, 0.0, 0.05, 10.0, 90.0)};
  const auto g = position_of(interpolate_position(gap, after(950), o));
  EXPECT_EQ(g.method, PositionMethod::dead_reckoned);
  EXPECT_EQ(g.nearest.time, gap[1].time);
  EXPECT_NEAR(g.lon, 0.05 - 10 * kKnot * 50 / kA * 180.0 / kPi, 1e-10);
  // No SOG/COG: the ping's position, uncertainty from the assumed top speed.
  const std::vector<PositionReport> unknown{ping(0, 0.0, 0.0)};
  const auto u = position_of(interpolate_position(unknown, after(30), o));
  EXPECT_DOUBLE_EQ(u.lon, 0.0);
  EXPECT_EQ(u.method, PositionMethod::nearest);
  EXPECT_DOUBLE_EQ(u.uncertainty_m, o.gps_error_m + o.unknown_speed_kn * kKnot * 30);
}

TEST(AisInterpolate, NothingNearIsAReasonNotAnException) {
  InterpolationOptions o;
  const std::vector<PositionReport> pings{ping(0, 0.0, 0.0, 10.0, 90.0), ping(2000, 0.0, 0.1, 10.0, 90.0)};
  const auto r = interpolate_position(pings, after(1000), o);
  ASSERT_TRUE(std::holds_alternative<NoPosition>(r));
  EXPECT_EQ(std::get<NoPosition>(r).reason, "no AIS near sensing time");
  EXPECT_DOUBLE_EQ(*std::get<NoPosition>(r).dt_nearest_s, 1000.0);
  EXPECT_TRUE(std::holds_alternative<NoPosition>(interpolate_position(std::vector<PositionReport>{}, after(0), o)));
  const std::vector<PositionReport> unsorted{pings[1], pings[0]};
  try {
    interpolate_position(unsorted, after(10), o);
    FAIL() << "unsorted pings accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
  }
  // Through the store: the same answers.
  TrackStore store(":memory:");
  store.insert(std::span<const PositionReport>(pings));
  EXPECT_TRUE(std::holds_alternative<NoPosition>(interpolate_position(store, 123456789, after(1000), o)));
  const auto p = position_of(interpolate_position(store, 123456789, after(30), o));
  EXPECT_EQ(p.method, PositionMethod::dead_reckoned);
  const auto far = interpolate_position(store, 123456789, after(-5000), o);
  EXPECT_DOUBLE_EQ(*std::get<NoPosition>(far).dt_nearest_s, 5000.0);
  EXPECT_EQ(InterpolationOptions::from_config(AisConfig{}).max_gap_s, 600.0);
}

// The fixture world: ships sail known tracks and report noisy AIS; truth.csv says where each
// ship really was at each scene's sensing time. Interpolating the imported AIS must land
// within metres of the truth, where the nearest raw ping (the seed's way) is far off.
TEST(AisInterpolate, FixtureWorldInterpolationBeatsTheNearestPing) {
  const fs::path dir = fs::temp_directory_path() / ("shipchips-interp-world-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fixture::WorldOptions wo;
  wo.out_dir = dir;
  wo.seed = 11;
  wo.scenes = 3;
  wo.ships_per_scene = 6;
  fixture::build_world(wo, 2);

  TrackStore store(":memory:");
  const auto imported = import_ais_file((dir / "ais" / "ais_upload.csv").string(), store);
  EXPECT_EQ(imported.read.format, AisFormat::upload);
  EXPECT_EQ(imported.read.bad_rows, 0);
  EXPECT_GT(imported.positions.inserted, 1000u);

  // The same world's NMEA file: the same pings, times from the tag blocks and the fix second.
  TrackStore nmea_store(":memory:");
  const auto nmea = import_ais_file((dir / "ais" / "ais.nmea").string(), nmea_store);
  EXPECT_EQ(nmea.read.format, AisFormat::nmea);
  EXPECT_EQ(nmea.read.bad_rows, 0);
  EXPECT_EQ(nmea.read.no_time, 0);
  EXPECT_EQ(nmea.positions.inserted, imported.positions.inserted);

  const auto truth = CsvReader::open((dir / "truth.csv").string());
  const auto c_mmsi = truth->require_column("mmsi"), c_time = truth->require_column("sensing_time"),
             c_lat = truth->require_column("lat"), c_lon = truth->require_column("lon");
  std::vector<double> err, raw_err, dr_err;
  int within = 0, cases = 0, dr_within = 0;
  const auto o = InterpolationOptions::from_config(AisConfig{});
  while (truth->next()) {
    const auto mmsi = *parse_int_field(truth->field(c_mmsi));
    const auto t = parse_iso8601(truth->field(c_time));
    const double lat = *parse_double_field(truth->field(c_lat)), lon = *parse_double_field(truth->field(c_lon));
    const auto p = position_of(interpolate_position(store, mmsi, t, o));
    ++cases;
    EXPECT_TRUE(p.method == PositionMethod::interpolated || p.method == PositionMethod::interpolated_curved) << mmsi;
    const double e = geodesic_distance_m(p.lat, p.lon, lat, lon);
    err.push_back(e);
    raw_err.push_back(geodesic_distance_m(p.nearest.lat, p.nearest.lon, lat, lon));
    if (e <= p.uncertainty_m) ++within;
    // Dead reckoning on the same data: only the pings at least 30 s before t (the last one is
    // within max_extrapolation_s, as the world pings every few seconds to a minute).
    auto earlier = store.track(mmsi, t - std::chrono::seconds(600), t - std::chrono::seconds(30));
    if (!earlier.empty() && t - earlier.back().time <= std::chrono::seconds(static_cast<int>(o.max_extrapolation_s))) {
      const auto d = position_of(interpolate_position(std::span<const PositionReport>(earlier), t, o));
      // Moved along SOG/COG, or kept in place when the ship is (nearly) stopped.
      EXPECT_TRUE(d.method == PositionMethod::dead_reckoned || d.method == PositionMethod::nearest) << mmsi;
      dr_err.push_back(geodesic_distance_m(d.lat, d.lon, lat, lon));
      if (dr_err.back() <= d.uncertainty_m) ++dr_within;
    }
    const auto q = position_of(interpolate_position(nmea_store, mmsi, t, o));
    EXPECT_LT(geodesic_distance_m(p.lat, p.lon, q.lat, q.lon), 0.5) << "NMEA and CSV disagree for " << mmsi;
  }
  fs::remove_all(dir);
  ASSERT_GE(cases, 10);
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  };
  const double max_err = *std::max_element(err.begin(), err.end());
  const double max_raw = *std::max_element(raw_err.begin(), raw_err.end());
  std::printf(
      "[ info ] %d cases: interpolated error median %.2f m, max %.2f m; nearest raw ping median %.1f m, "
      "max %.1f m; within uncertainty %d/%d\n",
      cases, median(err), max_err, median(raw_err), max_raw, within, cases);
  ASSERT_GE(dr_err.size(), 10u);
  std::printf(
      "[ info ] dead reckoning 30-120 s from the last ping: %zu cases, error median %.1f m, max %.1f m; "
      "within uncertainty %d/%zu\n",
      dr_err.size(), median(dr_err), *std::max_element(dr_err.begin(), dr_err.end()), dr_within, dr_err.size());
  EXPECT_GE(dr_within, static_cast<int>(std::ceil(0.95 * static_cast<double>(dr_err.size()))));
  EXPECT_LT(max_err, 25.0);
  EXPECT_GE(within, static_cast<int>(std::ceil(0.95 * cases)));
  EXPECT_GT(median(raw_err), 3.0 * median(err));
}

// A ship turning on a 2 km circle at 10 kn, pinged 300 s apart (a 44° turn between the
// pings): the geodesic between them cuts the chord, ~146 m inside the track at mid-gap; the
// Hermite curve with the pings' SOG/COG follows the turn. Truth from the circle itself, laid
// out in a local east/north plane (GeographicLib::LocalCartesian, independent of the curve).
TEST(AisInterpolate, TurningShipFollowsTheCurveNotTheChord) {
  const GeographicLib::LocalCartesian plane(54.0, 7.0, 0.0, GeographicLib::Geocentric::WGS84());
  const double r = 2000.0, v = 10.0 * 1852.0 / 3600.0, w = v / r;
  auto at = [&](double t) {
    // Clockwise round the origin, starting north of it, heading east.
    const double a = w * t;
    double lat = 0, lon = 0, h = 0;
    plane.Reverse(r * std::sin(a), r * std::cos(a), 0.0, lat, lon, h);
    const double cog = std::fmod(90.0 + a * 180.0 / M_PI, 360.0);
    return std::tuple{lat, lon, cog};
  };
  auto make = [&](double t) {
    const auto [lat, lon, cog] = at(t);
    return ping(t, lat, lon, 10.0, cog);
  };
  const std::vector<PositionReport> pings{make(0), make(300)};
  InterpolationOptions straight;
  straight.curve_min_gap_s = 1e9;  // the geodesic only
  double worst_curve = 0, worst_chord = 0;
  for (double t : {30.0, 75.0, 150.0, 225.0, 270.0}) {
    const auto [lat, lon, cog] = at(t);
    const auto curved = position_of(interpolate_position(pings, after(t)));
    const auto chord = position_of(interpolate_position(pings, after(t), straight));
    EXPECT_EQ(curved.method, PositionMethod::interpolated_curved);
    EXPECT_EQ(chord.method, PositionMethod::interpolated);
    worst_curve = std::max(worst_curve, geodesic_distance_m(curved.lat, curved.lon, lat, lon));
    worst_chord = std::max(worst_chord, geodesic_distance_m(chord.lat, chord.lon, lat, lon));
    ASSERT_TRUE(curved.course_deg);
    EXPECT_NEAR(std::fmod(*curved.course_deg - cog + 540.0, 360.0) - 180.0, 0.0, 1.5) << t;
    EXPECT_NEAR(*curved.speed_ms, v, 0.05 * v) << t;
    EXPECT_LE(geodesic_distance_m(curved.lat, curved.lon, lat, lon), curved.uncertainty_m);
  }
  EXPECT_GT(worst_chord, 140.0);
  EXPECT_LT(worst_curve, 5.0) << "chord " << worst_chord;

  // A straight steady track: the curve is the geodesic (within a few centimetres).
  const std::vector<PositionReport> line{ping(0, 54.0, 7.0, 12.0, 0.0),
                                         ping(300, 54.0 + 1852.0 / 111250.0, 7.0, 12.0, 0.0)};
  const auto c = position_of(interpolate_position(line, after(120)));
  const auto g = position_of(interpolate_position(line, after(120), straight));
  EXPECT_LT(geodesic_distance_m(c.lat, c.lon, g.lat, g.lon), 0.2);
  // SOG that disagrees with the distance covered (a stop in between): the geodesic is kept.
  const std::vector<PositionReport> stop{ping(0, 54.0, 7.0, 12.0, 0.0), ping(300, 54.001, 7.0, 12.0, 0.0)};
  EXPECT_EQ(position_of(interpolate_position(stop, after(120))).method, PositionMethod::interpolated);
}
