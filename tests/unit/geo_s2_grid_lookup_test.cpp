// Point → Sentinel-2 tiles. Oracles: ESA's grid KML rows (sample_tiles.csv) for which squares
// exist and how they are named; a published case (proj4js/mgrs issue 48: Beijing is in
// Sentinel-2 tile 50TMK while MGRS names the point 50SMK); and a brute-force search that
// tests every square of five zones around a point with the lon/lat footprint polygon
// (ring_contains), independent of the lookup's candidate window and UTM box test.
#include "../support/reference.hpp"
#include "core/error.hpp"
#include "geo/polygon.hpp"
#include "geo/s2_grid.hpp"
#include "geo/s2_grid_lookup.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace shipchips;
using namespace shipchips::geo;

namespace {

std::set<std::string> ids_at(double lon, double lat) {
  std::set<std::string> out;
  for (const S2Tile& t : s2_tiles_containing(lon, lat)) out.insert(t.id);
  return out;
}

// Every square of zones zone-2..zone+2 (both hemispheres) within 300 km of the point's
// northing, kept when its densified lon/lat footprint contains the point.
std::set<std::string> brute_force(double lon, double lat) {
  std::set<std::string> out;
  const int z0 = static_cast<int>(std::floor((lon + 180.0) / 6.0)) % 60 + 1;
  for (int dz = -2; dz <= 2; ++dz) {
    const int zone = (z0 - 1 + dz + 60) % 60 + 1;
    for (bool north : {true, false}) {
      if (north ? lat < -2.0 : lat > 2.0) continue;
      const double cm = -183.0 + 6.0 * zone;
      double dlon = std::remainder(lon - cm, 360.0);
      if (std::abs(dlon) > 30.0) continue;
      double y = 0.0;
      try {
        y = lonlat_to_utm(zone, north, cm + std::clamp(dlon, -3.0, 3.0), lat).y;
      } catch (...) {
        continue;
      }
      const double row0 = std::floor(y / 1e5) * 1e5;
      for (double sw_x = 100000.0; sw_x <= 800000.0; sw_x += 1e5) {
        for (double sw_y = row0 - 3e5; sw_y <= row0 + 3e5; sw_y += 1e5) {
          const auto tile = s2_tile_for_square(zone, north, sw_x, sw_y);
          if (!tile) continue;
          if (ring_contains(s2_tile_footprint(*tile, 2000.0), lon, lat)) out.insert(tile->id);
        }
      }
    }
  }
  return out;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += x + " ";
  return out;
}

}  // namespace

TEST(GeoS2GridLookup, ReferenceSquaresGetEsasNames) {
  // Each ESA tile's square, looked up by its corner, must exist in its zone and carry ESA's
  // name (the band letter rule for squares crossing a band boundary included).
  std::ifstream in(shipchips::testing::reference_dir().string() + "/s2grid/sample_tiles.csv");
  std::string line;
  std::getline(in, line);
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string id, epsg, xmin, ymin;
    std::getline(ss, id, ',');
    std::getline(ss, epsg, ',');
    std::getline(ss, xmin, ',');
    std::getline(ss, ymin, ',');
    const int code = std::stoi(epsg);
    const bool north = code < 32700;
    const int zone = code % 100;
    const double sw_x = std::round(std::stod(xmin) / 1e5) * 1e5;
    const double sw_y = std::round((std::stod(ymin) + 109800.0) / 1e5) * 1e5 - 1e5;
    const auto tile = s2_tile_for_square(zone, north, sw_x, sw_y);
    ASSERT_TRUE(tile.has_value()) << id;
    EXPECT_EQ(tile->id, id);
    // The tile's centre lies in it.
    const LonLat c = utm_to_lonlat(zone, north, tile->xmin + 54900.0, tile->ymin + 54900.0);
    EXPECT_TRUE(ids_at(c.lon, c.lat).count(id)) << id;
    ++n;
  }
  EXPECT_EQ(n, 40);
}

TEST(GeoS2GridLookup, OverlapCornerOf30STF) {
  // 30STF spans x 199980..309780, y 3990240..4100040: this point is in its south-east overlap.
  const LonLat p = utm_to_lonlat(30, true, 305000.0, 3995000.0);
  EXPECT_EQ(ids_at(p.lon, p.lat), (std::set<std::string>{"30STE", "30STF", "30SUE", "30SUF"}));
  // The middle of 30STF is in no other zone-30 tile, but 29SQA (zone 29's edge square)
  // reaches this far east across the 6°W boundary.
  const LonLat m = utm_to_lonlat(30, true, 255000.0, 4045000.0);
  EXPECT_EQ(ids_at(m.lon, m.lat), (std::set<std::string>{"29SQA", "30STF"}));
  EXPECT_EQ(ids_at(m.lon, m.lat), brute_force(m.lon, m.lat));
}

TEST(GeoS2GridLookup, BeijingIsIn50TMKNot50SMK) {
  EXPECT_EQ(ids_at(116.381, 39.977), (std::set<std::string>{"50TMK"}));
}

TEST(GeoS2GridLookup, ZoneBoundaryGivesTilesOfBothZones) {
  // 0.05° east of the 29/30 boundary (6°W) at 37.5°N.
  const auto ids = ids_at(-5.95, 37.5);
  std::set<char> zones;
  for (const auto& id : ids) zones.insert(id[1]);
  EXPECT_EQ(zones, (std::set<char>{'9', '0'})) << join(ids);
  EXPECT_EQ(ids, brute_force(-5.95, 37.5));
  EXPECT_EQ(mgrs_zone(-5.95, 37.5), 30);
}

TEST(GeoS2GridLookup, NorwayAndSvalbardExceptions) {
  EXPECT_EQ(mgrs_zone(4.0, 60.0), 32);  // 32V reaches west to 3°E
  EXPECT_EQ(mgrs_zone(2.0, 60.0), 31);
  EXPECT_EQ(mgrs_zone(10.0, 78.0), 33);  // 33X spans 9–21°E; 32X does not exist
  EXPECT_EQ(mgrs_zone(8.0, 78.0), 31);
  for (const auto& id : ids_at(4.0, 60.0)) EXPECT_EQ(id.substr(0, 3), "32V") << id;
  const auto sval = ids_at(10.0, 78.0);
  EXPECT_FALSE(sval.empty());
  for (const auto& id : sval) {
    EXPECT_TRUE(id.substr(0, 3) == "31X" || id.substr(0, 3) == "33X") << id;
  }
  // Across the Svalbard band no 32X, 34X or 36X tile is ever returned.
  for (double lon = 0.0; lon <= 42.0; lon += 0.5) {
    for (const auto& id : ids_at(lon, 79.0)) {
      const std::string gzd = id.substr(0, 3);
      EXPECT_TRUE(gzd != "32X" && gzd != "34X" && gzd != "36X") << id << " at " << lon;
    }
  }
}

TEST(GeoS2GridLookup, EquatorAndAntimeridian) {
  // Just north of the equator: northern tiles (the row-0 tiles reach 9.78 km south) of the
  // zones on either side of the antimeridian.
  EXPECT_EQ(ids_at(-179.9, 0.01), (std::set<std::string>{"01NAA", "60NZF"}));
  EXPECT_EQ(ids_at(180.1, 0.01), ids_at(-179.9, 0.01));
  // Just south: both hemispheres' tiles.
  const auto s = ids_at(0.5, -0.03);
  EXPECT_EQ(s, (std::set<std::string>{"30MZE", "30NZF", "31MBV", "31NBA"}));
}

TEST(GeoS2GridLookup, MatchesBruteForceEverywhere) {
  std::mt19937 rng(20261122);
  std::uniform_real_distribution<double> ulon(-180.0, 180.0), ulat(-79.5, 83.5);
  std::vector<std::pair<double, double>> points = {{3.1, 56.2},  {2.9, 63.9},  {5.9, 71.9},    {9.01, 72.3},
                                                   {21.0, 80.0}, {33.2, 76.0}, {-70.5, -55.0}, {150.0, -79.0}};
  for (int i = 0; i < 60; ++i) points.push_back({ulon(rng), ulat(rng)});
  int tiles = 0;
  for (const auto& [lon, lat] : points) {
    const auto got = ids_at(lon, lat);
    EXPECT_EQ(got, brute_force(lon, lat)) << lon << "," << lat;
    EXPECT_FALSE(got.empty()) << lon << "," << lat;
    // The point's own MGRS zone is among the tiles' zones.
    const int z = mgrs_zone(lon, lat);
    bool own = false;
    for (const auto& id : got) own = own || std::stoi(id.substr(0, 2)) == z;
    EXPECT_TRUE(own) << lon << "," << lat << " zone " << z << ": " << join(got);
    tiles += static_cast<int>(got.size());
  }
  EXPECT_GT(tiles, static_cast<int>(points.size()));  // overlaps give more than one tile on average
}

TEST(GeoS2GridLookup, RejectsBadPoints) {
  EXPECT_THROW(s2_tiles_containing(0.0, 91.0), Error);
  EXPECT_THROW(s2_tiles_containing(std::nan(""), 10.0), Error);
  EXPECT_TRUE(s2_tiles_containing(0.0, 89.0).empty());  // polar cap: UPS, no Sentinel-2 tiles
}
