// Ship geometry: hand-computed rectangles on a UTM grid at the central meridian (where the
// meridian convergence is exactly 0), a zone-edge case checked against the classical series for
// the convergence and against GeographicLib's geodesic azimuth (a different algorithm from the
// UTM code), and agreement with the fixture world's own hull placement.

#include "ais/ship_geometry.hpp"
#include "fixture/world_ships.hpp"
#include "geo/s2_grid.hpp"

#include <gtest/gtest.h>
#include <GeographicLib/Geodesic.hpp>

#include <cmath>

using namespace shipchips;
using namespace shipchips::ais;

namespace {

constexpr double kPi = 3.14159265358979323846;

// A 256 px, 10 m chip whose pixel (128, 128) has its upper-left corner at (x, y).
ChipFrame frame_at(int epsg, double x, double y, double ax, double ay) {
  ChipFrame f;
  f.epsg = epsg;
  f.transform = {x - 1280.0, 10.0, 0.0, y + 1280.0, 0.0, -10.0};
  f.width = f.height = 256;
  f.antenna_x = ax;
  f.antenna_y = ay;
  return f;
}

ShipOutline outline(const ShipOutlineResult& r) {
  if (const auto* none = std::get_if<NoOutline>(&r)) ADD_FAILURE() << "no outline: " << none->reason;
  return std::get<ShipOutline>(r);
}

void expect_pixel(const PixelXY& p, double col, double row, double tol = 1e-6) {
  EXPECT_NEAR(p.first, col, tol);
  EXPECT_NEAR(p.second, row, tol);
}

}  // namespace

TEST(AisShipGeometry, HeadingNorthAtCentralMeridian) {
  // Zone 30 central meridian: x = 500000, γ = 0. Antenna in pixel (128, 128) at its corner.
  const ChipFrame f = frame_at(32630, 500000.0, 4000000.0, 500000.0, 4000000.0);
  const ShipOutline o = outline(ship_outline(HullDimensions{60, 40, 10, 6}, ShipHeading{0.0}, f));
  EXPECT_NEAR(o.convergence_deg, 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(o.length_m, 100.0);
  EXPECT_DOUBLE_EQ(o.beam_m, 16.0);
  // Bow 60 m north (6 px up), port 10 m west (1 px left), starboard 6 m east.
  expect_pixel(o.pixel[0], 127.0, 122.0);  // bow-port
  expect_pixel(o.pixel[1], 128.6, 122.0);  // bow-starboard
  expect_pixel(o.pixel[2], 128.6, 132.0);  // stern-starboard
  expect_pixel(o.pixel[3], 127.0, 132.0);  // stern-port
  // Centre: (A−B)/2 = 10 m ahead, (D−C)/2 = −2 m to starboard (i.e. 2 m to port).
  expect_pixel(o.centre_pixel, 127.8, 127.0);
  EXPECT_NEAR(o.col_min, 127.0, 1e-6);
  EXPECT_NEAR(o.col_max, 128.6, 1e-6);
  EXPECT_NEAR(o.row_min, 122.0, 1e-6);
  EXPECT_NEAR(o.row_max, 132.0, 1e-6);
  EXPECT_FALSE(o.clipped);
  EXPECT_NEAR(o.map[0].first, 499990.0, 1e-6);
  EXPECT_NEAR(o.map[0].second, 4000060.0, 1e-6);
  // On the central meridian the bow corners' longitudes straddle −3° (port west, starboard east).
  EXPECT_LT(o.lonlat[0].lon, -3.0);
  EXPECT_GT(o.lonlat[1].lon, -3.0);
  EXPECT_GT(o.lonlat[0].lat, o.lonlat[3].lat);
  const geo::Ring ring = o.lonlat_ring();
  ASSERT_EQ(ring.size(), 5u);
  EXPECT_EQ(ring.front().lon, ring.back().lon);
}

TEST(AisShipGeometry, HeadingEast) {
  const ChipFrame f = frame_at(32630, 500000.0, 4000000.0, 500000.0, 4000000.0);
  const ShipOutline o = outline(ship_outline(HullDimensions{60, 40, 10, 6}, ShipHeading{90.0}, f));
  // Bow 60 m east (+6 cols); port is north (row up), starboard south.
  expect_pixel(o.pixel[0], 134.0, 127.0);
  expect_pixel(o.pixel[1], 134.0, 128.6);
  expect_pixel(o.pixel[2], 124.0, 128.6);
  expect_pixel(o.pixel[3], 124.0, 127.0);
  expect_pixel(o.centre_pixel, 129.0, 127.8);  // 10 m ahead (east), 2 m to port (north)
  EXPECT_NEAR(o.grid_heading_deg, 90.0, 1e-12);
}

TEST(AisShipGeometry, HeadingNorthEastFromCog) {
  // A = B = C = D = 10: a 20 m square centred on the antenna, turned 45°.
  const ChipFrame f = frame_at(32630, 500000.0, 4000000.0, 500000.0, 4000000.0);
  const auto heading = choose_heading(std::nullopt, 45.0);
  ASSERT_TRUE(heading);
  EXPECT_EQ(heading->source, HeadingSource::cog);
  const ShipOutline o = outline(ship_outline(HullDimensions{10, 10, 10, 10}, heading, f));
  const double d = 10.0 * std::sqrt(2.0) / 10.0;  // 14.142 m in pixels
  expect_pixel(o.pixel[0], 128.0, 128.0 - d);     // bow-port: due north
  expect_pixel(o.pixel[1], 128.0 + d, 128.0);     // bow-starboard: due east
  expect_pixel(o.pixel[2], 128.0, 128.0 + d);
  expect_pixel(o.pixel[3], 128.0 - d, 128.0);
  EXPECT_NEAR(o.col_min, 128.0 - d, 1e-9);
  EXPECT_NEAR(o.row_max, 128.0 + d, 1e-9);
  EXPECT_EQ(o.heading.source, HeadingSource::cog);
}

TEST(AisShipGeometry, ConvergenceAtZoneEdge) {
  // Lon 0°, lat 50°: 3° east of zone 30's central meridian. Thomas's series for the convergence:
  // γ = Δλ sinφ [1 + (Δλ cosφ)²/3 (1 + 3η² + 2η⁴)], η² = e'² cos²φ (next term ~1e-7 relative).
  const double phi = 50.0 * kPi / 180.0, dl = 3.0 * kPi / 180.0;
  const double f = 1.0 / 298.257223563, e2 = f * (2 - f), ep2 = e2 / (1 - e2);
  const double eta2 = ep2 * std::cos(phi) * std::cos(phi);
  const double c2 = dl * dl * std::cos(phi) * std::cos(phi);
  const double gamma = dl * std::sin(phi) * (1 + c2 / 3 * (1 + 3 * eta2 + 2 * eta2 * eta2)) * 180.0 / kPi;
  const geo::UtmXY a = geo::lonlat_to_utm(30, true, 0.0, 50.0);
  const double x0 = std::floor(a.x / 10.0) * 10.0, y0 = std::floor(a.y / 10.0) * 10.0 + 10.0;
  const ChipFrame fr = frame_at(32630, x0, y0, a.x, a.y);

  // True heading 30°: the keel's geodesic azimuth must be 30° true, i.e. 30 − γ on the grid.
  const ShipOutline o = outline(ship_outline(HullDimensions{150, 50, 15, 15}, ShipHeading{30.0}, fr));
  EXPECT_NEAR(o.convergence_deg, gamma, 1e-5);
  EXPECT_NEAR(o.convergence_deg, 2.299, 0.001);
  EXPECT_NEAR(o.grid_heading_deg, 30.0 - gamma, 1e-5);
  double s12 = 0, azi1 = 0, azi2 = 0;
  // stern-port → bow-port runs along the port side, parallel to the keel.
  GeographicLib::Geodesic::WGS84().Inverse(o.lonlat[3].lat, o.lonlat[3].lon, o.lonlat[0].lat, o.lonlat[0].lon, s12,
                                           azi1, azi2);
  EXPECT_NEAR((azi1 + azi2) / 2.0, 30.0, 0.002);
  // Grid metres vs ground metres: k ≈ 1.0010 here, so the 200 m side is ~0.2 m shorter on the ground.
  EXPECT_NEAR(s12, 200.0, 0.5);

  // A heading equal to γ is grid north: the bow corners share a row.
  const ShipOutline n = outline(ship_outline(HullDimensions{150, 50, 15, 15}, ShipHeading{o.convergence_deg}, fr));
  EXPECT_NEAR(std::remainder(n.grid_heading_deg, 360.0), 0.0, 1e-9);
  EXPECT_NEAR(n.pixel[0].second, n.pixel[1].second, 1e-9);
  EXPECT_NEAR(n.pixel[0].second - n.pixel[3].second, -20.0, 1e-9);
}

TEST(AisShipGeometry, AgreesWithFixtureWorldHull) {
  fixture::Ship ship;
  ship.info.dim_a = 120;
  ship.info.dim_b = 35;
  ship.info.dim_c = 9;
  ship.info.dim_d = 14;
  ship.zone = 31;
  ship.north = true;
  const geo::UtmXY a = geo::lonlat_to_utm(31, true, 5.7, 53.4);  // 2.7° east of the meridian
  fixture::ShipState st;
  st.x = a.x;
  st.y = a.y;
  st.heading_deg = 237.4;
  const fixture::Hull hull = fixture::hull_at(ship, st);
  const ChipFrame fr = frame_at(32631, std::floor(a.x / 10) * 10, std::floor(a.y / 10) * 10 + 10, a.x, a.y);
  const ShipOutline o = outline(ship_outline(HullDimensions{120, 35, 9, 14}, ShipHeading{237.4}, fr));
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(o.map[k].first, hull.x[k], 1e-6) << k;
    EXPECT_NEAR(o.map[k].second, hull.y[k], 1e-6) << k;
  }
  const auto centre = geo::lonlat_to_utm(31, true, o.centre_lonlat.lon, o.centre_lonlat.lat);
  EXPECT_NEAR(centre.x, hull.cx, 1e-4);
  EXPECT_NEAR(centre.y, hull.cy, 1e-4);
}

TEST(AisShipGeometry, ClippedAtChipEdge) {
  // Antenna 20 m inside the left edge, heading west: the bow (60 m) sticks out of the chip.
  ChipFrame f = frame_at(32630, 500000.0, 4000000.0, 500000.0 - 1280.0 + 20.0, 4000000.0);
  const ShipOutline o = outline(ship_outline(HullDimensions{60, 40, 10, 6}, ShipHeading{270.0}, f));
  EXPECT_TRUE(o.clipped);
  EXPECT_DOUBLE_EQ(o.col_min, 0.0);
  // Stern 40 m east of the antenna at col 2 (1.26 km off the meridian: γ ≈ 0.008°, so 1e-3 px).
  EXPECT_NEAR(o.col_max, 6.0, 1e-3);
  EXPECT_NEAR(o.pixel[0].first, -4.0, 1e-3);
}

TEST(AisShipGeometry, ReasonsWhenNoOutline) {
  const ChipFrame f = frame_at(32630, 500000.0, 4000000.0, 500000.0, 4000000.0);
  const auto reason = [](const ShipOutlineResult& r) {
    const auto* none = std::get_if<NoOutline>(&r);
    return none ? none->reason : std::string("outline");
  };
  EXPECT_EQ(reason(ship_outline(std::nullopt, ShipHeading{10.0}, f)), "dimensions unavailable");
  EXPECT_EQ(reason(ship_outline(HullDimensions{0, 40, 10, 6}, ShipHeading{10.0}, f)), "dimensions unavailable");
  EXPECT_EQ(reason(ship_outline(HullDimensions{60, 40, 10, 6}, std::nullopt, f)), "heading and COG unavailable");
  ChipFrame merc = f;
  merc.epsg = 3857;
  EXPECT_EQ(reason(ship_outline(HullDimensions{60, 40, 10, 6}, ShipHeading{10.0}, merc)),
            "chip CRS EPSG:3857 is not UTM");
  ChipFrame far = f;
  far.antenna_x += 5000.0;
  EXPECT_EQ(reason(ship_outline(HullDimensions{60, 40, 10, 6}, ShipHeading{10.0}, far)), "hull outside the chip");

  StaticData s;
  s.dim_a = 60;
  s.dim_b = 40;
  s.dim_c = 10;
  EXPECT_FALSE(hull_dimensions(s));
  s.dim_d = 6;
  ASSERT_TRUE(hull_dimensions(s));
  EXPECT_DOUBLE_EQ(hull_dimensions(s)->length(), 100.0);
  EXPECT_DOUBLE_EQ(hull_dimensions(s)->beam(), 16.0);
}

TEST(AisShipGeometry, HeadingChoice) {
  EXPECT_EQ(choose_heading(12.0, 40.0)->true_deg, 12.0);
  EXPECT_EQ(choose_heading(12.0, 40.0)->source, HeadingSource::heading);
  EXPECT_EQ(choose_heading(511.0, 40.0)->true_deg, 40.0);  // 511: not available
  EXPECT_FALSE(choose_heading(std::nullopt, 360.0));       // COG 360: not available

  InterpolatedPosition pos;
  const UtcTime t0{std::chrono::seconds(1700000000)};
  PositionReport before, after;
  before.time = t0;
  before.heading_deg = 350.0;
  after.time = t0 + std::chrono::seconds(40);
  after.heading_deg = 20.0;
  pos.before = before;
  pos.after = after;
  pos.nearest = before;
  // 3/4 of the way from 350° to 20° through north: 350 + 0.75·30 = 12.5°.
  auto h = heading_at(pos, t0 + std::chrono::seconds(30));
  ASSERT_TRUE(h);
  EXPECT_NEAR(h->true_deg, 12.5, 1e-9);
  EXPECT_EQ(h->source, HeadingSource::heading);
  // Without the after ping's heading: the nearest ping's.
  pos.after->heading_deg.reset();
  EXPECT_NEAR(heading_at(pos, t0 + std::chrono::seconds(30))->true_deg, 350.0, 1e-9);
  // No heading at all: the course at t, then the nearest ping's COG.
  pos.before->heading_deg.reset();
  pos.nearest.heading_deg.reset();
  pos.course_deg = 77.0;
  pos.nearest.cog_deg = 80.0;
  EXPECT_EQ(heading_at(pos, t0)->true_deg, 77.0);
  EXPECT_EQ(heading_at(pos, t0)->source, HeadingSource::cog);
  pos.course_deg.reset();
  EXPECT_EQ(heading_at(pos, t0)->true_deg, 80.0);
  pos.nearest.cog_deg.reset();
  EXPECT_FALSE(heading_at(pos, t0));
}
