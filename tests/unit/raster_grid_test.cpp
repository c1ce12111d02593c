// The chip grid: alignment to the scene's pixel grid and the centre-pixel definition, with
// expected values computed by hand; the GeographicLib projection checked against PROJ.
#include "core/error.hpp"
#include "raster/chip_grid.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace shipchips;
using namespace shipchips::raster;

namespace {
// A 10 m scene grid like a Sentinel-2 tile's (x0, 10, 0, y0, 0, -10).
const GeoTransform kScene{600000.0, 10.0, 0.0, 4100040.0, 0.0, -10.0};
}  // namespace

TEST(RasterGrid, StacTransformOrderBecomesGdalOrder) {
  // STAC [a, b, c, d, e, f]: x = a*col + b*row + c, y = d*col + e*row + f.
  const GeoTransform gt = geotransform_from_stac({10.0, 0.0, 600000.0, 0.0, -10.0, 4100040.0});
  EXPECT_EQ(gt, kScene);
}

TEST(RasterGrid, EvenSizeTargetSitsRightOfAndBelowTheCentre) {
  // x = 601234.5 → scene col 123.45 → pixel 123; y = 4099000.2 → row 103.98 → pixel 103.
  const ChipGrid g = chip_grid_at(kScene, 32630, 601234.5, 4099000.2, 256);
  EXPECT_EQ(g.epsg, 32630);
  EXPECT_EQ(g.size, 256);
  EXPECT_EQ(g.col_off, 123 - 128);
  EXPECT_EQ(g.row_off, 103 - 128);
  // Origin on the scene grid: 600000 + (-5)*10, 4100040 - (-25)*10.
  EXPECT_DOUBLE_EQ(g.geotransform[0], 599950.0);
  EXPECT_DOUBLE_EQ(g.geotransform[3], 4100290.0);
  EXPECT_DOUBLE_EQ(g.geotransform[1], 10.0);
  EXPECT_DOUBLE_EQ(g.geotransform[5], -10.0);
  EXPECT_EQ(g.geotransform[2], 0.0);
  EXPECT_EQ(g.geotransform[4], 0.0);
  EXPECT_NEAR(g.target_col, 128.45, 1e-9);
  EXPECT_NEAR(g.target_row, 128.98, 1e-9);
  EXPECT_EQ(g.center_index(), 128);
  EXPECT_FALSE(g.inside(10980, 10980));  // negative offsets: partly outside
  // The geometric centre (corner of pixels 127/128) is left of and above the target pixel.
  EXPECT_DOUBLE_EQ(g.x_center(128), 601235.0);
  EXPECT_DOUBLE_EQ(g.y_center(128), 4099005.0);
}

TEST(RasterGrid, OddSizeTargetIsTheMiddlePixel) {
  const ChipGrid g = chip_grid_at(kScene, 32630, 601234.5, 4099000.2, 5);
  EXPECT_EQ(g.col_off, 121);
  EXPECT_EQ(g.row_off, 101);
  EXPECT_NEAR(g.target_col, 2.45, 1e-9);
  EXPECT_NEAR(g.target_row, 2.98, 1e-9);
  EXPECT_TRUE(g.inside(10980, 10980));
}

TEST(RasterGrid, TargetOnAPixelEdgeBelongsToThePixelItStarts) {
  // Pixel i spans [i, i+1): x exactly at the left edge of col 123, y at the top edge of row 4.
  const ChipGrid g = chip_grid_at(kScene, 32630, 601230.0, 4100000.0, 256);
  EXPECT_EQ(g.col_off + 128, 123);
  EXPECT_EQ(g.row_off + 128, 4);
  EXPECT_DOUBLE_EQ(g.target_col, 128.0);
  EXPECT_DOUBLE_EQ(g.target_row, 128.0);
}

TEST(RasterGrid, FarSideOfTheSceneGivesOffsetsBeyondTheRaster) {
  const ChipGrid g = chip_grid_at(kScene, 32630, 600000.0 + 10975.0 * 10.0, 4100040.0 - 10979.5 * 10.0, 256);
  EXPECT_EQ(g.col_off, 10975 - 128);
  EXPECT_EQ(g.row_off, 10979 - 128);
  EXPECT_GT(g.col_off + 256, 10980);
  EXPECT_FALSE(g.inside(10980, 10980));
}

TEST(RasterGrid, RotatedOrNonSquareGridsAreRefused) {
  GeoTransform rotated = kScene;
  rotated[2] = 0.5;
  EXPECT_THROW(chip_grid_at(rotated, 32630, 601000, 4099000, 256), Error);
  GeoTransform south_up = kScene;
  south_up[5] = 10.0;
  EXPECT_THROW(chip_grid_at(south_up, 32630, 601000, 4099000, 256), Error);
  GeoTransform rect = kScene;
  rect[5] = -20.0;
  try {
    chip_grid_at(rect, 32630, 601000, 4099000, 256);
    FAIL() << "non-square pixels accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
  }
  EXPECT_THROW(chip_grid_at(kScene, 32630, 601000, 4099000, 0), Error);
}

TEST(RasterGrid, GeographicLibAgreesWithProjForUtm) {
  // Points in zones 30N, 31N and 33S, including far from the central meridian.
  struct Case {
    int epsg;
    double lon, lat;
  } cases[] = {{32630, -6.3, 36.5}, {32630, -2.9, 36.9}, {32631, 4.5, 52.7}, {32631, 6.2, 52.1}, {32733, 14.9, -22.9}};
  for (const auto& c : cases) {
    const ProjectedPoint a = project_lonlat(c.epsg, c.lon, c.lat);
    const ProjectedPoint b = project_lonlat_with_proj(c.epsg, c.lon, c.lat);
    EXPECT_NEAR(a.x, b.x, 1e-3) << c.epsg << " " << c.lon << " " << c.lat;
    EXPECT_NEAR(a.y, b.y, 1e-3) << c.epsg << " " << c.lon << " " << c.lat;
  }
  // The central meridian of zone 31 (3°E) at the equator: x = 500000 exactly, y = 0.
  const ProjectedPoint origin = project_lonlat(32631, 3.0, 0.0);
  EXPECT_NEAR(origin.x, 500000.0, 1e-6);
  EXPECT_NEAR(origin.y, 0.0, 1e-6);
  // Southern hemisphere: 10,000,000 m false northing at the equator.
  EXPECT_NEAR(project_lonlat(32733, 15.0, 0.0).y, 10000000.0, 1e-6);
}

TEST(RasterGrid, OtherCrsGoThroughProj) {
  // Web Mercator: x = R * lon in radians, R = 6378137 (10° → 1113194.9079327357 m).
  const ProjectedPoint p = project_lonlat(3857, 10.0, 0.0);
  EXPECT_NEAR(p.x, 1113194.9079327357, 1e-6);
  EXPECT_NEAR(p.y, 0.0, 1e-6);
  EXPECT_THROW(project_lonlat(999999, 10.0, 0.0), Error);
  EXPECT_THROW(project_lonlat(32630, 0.0, 95.0), Error);
}

TEST(RasterGrid, LonLatTargetLandsInThePixelOfItsProjection) {
  const ProjectedPoint p = project_lonlat(32630, -3.5, 36.9);
  const GeoTransform scene{399960.0, 10.0, 0.0, 4100040.0, 0.0, -10.0};  // tile 30SVF's corner
  const ChipGrid g = chip_grid_for_lonlat(scene, 32630, -3.5, 36.9, 256);
  EXPECT_EQ(g.col_off + 128, static_cast<long long>(std::floor((p.x - 399960.0) / 10.0)));
  EXPECT_EQ(g.row_off + 128, static_cast<long long>(std::floor((4100040.0 - p.y) / 10.0)));
  EXPECT_DOUBLE_EQ(g.target_x, p.x);
  EXPECT_DOUBLE_EQ(g.target_y, p.y);
}
