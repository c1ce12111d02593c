#include "geo/polygon.hpp"

#include <gtest/gtest.h>

using namespace shipchips::geo;

// The footprint of the real Earth Search item S2A_13TDE_20231008_0_L2A.
const Ring k13TDE = {{-106.18316062292897, 40.64478591807637},
                     {-106.1661201925584, 39.65576169772817},
                     {-104.88623172845638, 39.661560248682505},
                     {-104.88456877606482, 40.650789813976196},
                     {-106.18316062292897, 40.64478591807637}};

TEST(GeoPolygon, RealFootprintContainment) {
  EXPECT_TRUE(ring_contains(k13TDE, -105.5, 40.0));
  EXPECT_FALSE(ring_contains(k13TDE, -104.80, 40.0));   // east of the tile
  EXPECT_FALSE(ring_contains(k13TDE, -105.5, 40.70));   // north of it
  EXPECT_TRUE(ring_contains(k13TDE, -106.17, 40.0));    // just inside the slanted west edge
  EXPECT_FALSE(ring_contains(k13TDE, -106.185, 40.0));  // just outside it
}

TEST(GeoPolygon, EdgesHolesAndAntimeridian) {
  Ring square = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}};
  Ring hole = {{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}};
  EXPECT_TRUE(ring_contains(square, 10, 5));
  EXPECT_TRUE(polygon_contains({square, hole}, 2, 2));
  EXPECT_FALSE(polygon_contains({square, hole}, 5, 5));
  Ring across = {{179.5, -17}, {-179.5, -17}, {-179.5, -16}, {179.5, -16}, {179.5, -17}};
  EXPECT_TRUE(ring_contains(across, 179.9, -16.5));
  EXPECT_TRUE(ring_contains(across, -179.9, -16.5));
  EXPECT_FALSE(ring_contains(across, 179.0, -16.5));
  BBox box = ring_bbox(k13TDE);
  EXPECT_DOUBLE_EQ(box.west, -106.18316062292897);
  EXPECT_DOUBLE_EQ(box.north, 40.650789813976196);
}
