// The Sentinel-2 grid computed from MGRS must match ESA's grid KML rows in
// ../shared/reference/s2grid/sample_tiles.csv exactly (an oracle nobody here wrote).
#include "../support/reference.hpp"
#include "core/error.hpp"
#include "geo/s2_grid.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace shipchips;
using namespace shipchips::geo;

namespace {

struct Row {
  std::string id;
  int epsg;
  double xmin;
  double ymin;
};

std::vector<Row> sample_rows() {
  std::ifstream in(shipchips::testing::reference_dir().string() + "/s2grid/sample_tiles.csv");
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    Row r;
    std::string f;
    std::getline(ss, r.id, ',');
    std::getline(ss, f, ',');
    r.epsg = std::stoi(f);
    std::getline(ss, f, ',');
    r.xmin = std::stod(f);
    std::getline(ss, f, ',');
    r.ymin = std::stod(f);
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

TEST(GeoS2Grid, MatchesEveryReferenceRow) {
  const auto rows = sample_rows();
  ASSERT_EQ(rows.size(), 40u);
  for (const auto& r : rows) {
    const S2Tile t = s2_tile(r.id);
    EXPECT_EQ(t.epsg, r.epsg) << r.id;
    EXPECT_EQ(t.xmin, r.xmin) << r.id;
    EXPECT_EQ(t.ymin, r.ymin) << r.id;
    EXPECT_EQ(t.uly(), r.ymin + 109800.0) << r.id;
  }
}

TEST(GeoS2Grid, AcceptsLeadingTAndLowerCase) {
  const S2Tile a = s2_tile("T13TDE");
  const S2Tile b = s2_tile("13tde");
  EXPECT_EQ(a.id, "13TDE");
  EXPECT_EQ(b.id, "13TDE");
  // Upper-left of the real Earth Search item S2A_13TDE_20231008_0_L2A (proj:transform).
  EXPECT_EQ(a.ulx(), 399960.0);
  EXPECT_EQ(a.uly(), 4500000.0);
  EXPECT_EQ(a.utm_zone, 13);
  EXPECT_EQ(a.latitude_band, 'T');
  EXPECT_EQ(a.grid_square, "DE");
  EXPECT_EQ(s2_tile("1CCV").id, "01CCV");
}

TEST(GeoS2Grid, MatchesRealItemTransforms) {
  // proj:transform origins of the other two recorded Earth Search items.
  EXPECT_EQ(s2_tile("29RKH").ulx(), 199980.0);
  EXPECT_EQ(s2_tile("29RKH").uly(), 2800020.0);
  EXPECT_EQ(s2_tile("24MVV").ulx(), 399960.0);
  EXPECT_EQ(s2_tile("24MVV").uly(), 9500020.0);
  EXPECT_EQ(s2_tile("24MVV").epsg, 32724);
}

TEST(GeoS2Grid, RejectsMalformedIds) {
  for (const char* bad : {"", "30ST", "30STFF", "XXSTF", "30S1F", "99STF", "30IAA"}) {
    EXPECT_THROW(s2_tile(bad), Error) << bad;
  }
}

TEST(GeoS2Grid, FootprintMatchesRealItemGeometry) {
  // Earth Search's geometry for S2A_13TDE_20231008_0_L2A (a full tile, corner order UL, LL,
  // LR, UR): our densified ring passes through the same corners within a few metres.
  const S2Tile t = s2_tile("13TDE");
  const auto ring = s2_tile_footprint(t, 5000.0);
  ASSERT_GT(ring.size(), 80u);
  EXPECT_DOUBLE_EQ(ring.front().lon, ring.back().lon);
  EXPECT_DOUBLE_EQ(ring.front().lat, ring.back().lat);
  const LonLat expected_ll{-106.1661201925584, 39.65576169772817};
  const LonLat expected_ur{-104.88456877606482, 40.650789813976196};
  EXPECT_NEAR(ring.front().lon, expected_ll.lon, 1e-4);
  EXPECT_NEAR(ring.front().lat, expected_ll.lat, 1e-4);
  const LonLat ur = utm_to_lonlat(t.utm_zone, t.north, t.xmax(), t.ymax());
  EXPECT_NEAR(ur.lon, expected_ur.lon, 1e-4);
  EXPECT_NEAR(ur.lat, expected_ur.lat, 1e-4);
  // Round trip through the forced zone.
  const UtmXY back = lonlat_to_utm(t.utm_zone, t.north, ur.lon, ur.lat);
  EXPECT_NEAR(back.x, t.xmax(), 1e-3);
  EXPECT_NEAR(back.y, t.ymax(), 1e-3);
}

TEST(GeoS2Grid, SouthernTileRoundTripAcrossEquator) {
  // 02NQF's lower edge lies south of the equator although its projection is northern.
  const S2Tile t = s2_tile("02NQF");
  EXPECT_EQ(t.ymin, -9780.0);
  const LonLat p = utm_to_lonlat(t.utm_zone, t.north, t.xmin, t.ymin);
  EXPECT_LT(p.lat, 0.0);
  const UtmXY back = lonlat_to_utm(t.utm_zone, t.north, p.lon, p.lat);
  EXPECT_NEAR(back.y, -9780.0, 1e-3);
}

TEST(GeoS2Grid, BandCTilesSouthOf80AreRealTiles) {
  // ESA's grid names UTM tiles down to 84°S in band C; strict MGRS would call them UPS.
  struct Row {
    const char* id;
    int epsg;
    double ulx, uly;
  };
  for (const Row& r : {Row{"59CNH", 32759, 499980, 800020}, Row{"49CDK", 32749, 399960, 1000000},
                       Row{"19CEJ", 32719, 499980, 900040}, Row{"32CMQ", 32732, 399960, 1000000}}) {
    const S2Tile t = s2_tile(r.id);
    EXPECT_EQ(t.epsg, r.epsg) << r.id;
    EXPECT_EQ(t.ulx(), r.ulx) << r.id;
    EXPECT_EQ(t.uly(), r.uly) << r.id;
    EXPECT_FALSE(t.north) << r.id;
    // The corners are south of the MGRS limit and inside the zone's strip.
    const LonLat ul = utm_to_lonlat(t.utm_zone, t.north, t.ulx(), t.uly());
    EXPECT_LT(ul.lat, -80.0) << r.id;
    EXPECT_GT(ul.lat, -84.0) << r.id;
  }
}

TEST(GeoS2Grid, RejectsSquaresThatAreNoTile) {
  // 59CNF lies south of 84°S, 59CAH has a column letter of another zone set, 01CHV is a valid
  // MGRS name whose square lies 6° east of zone 1, 30NHF 250 km east of zone 30 at the equator.
  for (const char* bad : {"59CNF", "59CAH", "01CHV", "30NHF"}) {
    try {
      s2_tile(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}
