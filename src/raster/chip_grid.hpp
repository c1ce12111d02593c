#pragma once
// The chip's grid: a square window aligned to a scene's 10 m pixel grid, holding a target
// position (a ship at sensing time) in a fixed, documented pixel.
//
// Centre pixel definition. Pixels are indexed from 0 (col to the right, row down) and pixel i
// spans [i, i+1) in pixel coordinates. The target lies inside pixel (size/2, size/2) with
// integer division: for an odd size that is the middle pixel; for an even size (256) it is
// pixel (128, 128), the one just right of and below the geometric centre (the centre is the
// corner shared by pixels 127 and 128). So the target's fractional position inside the chip is
// in [size/2, size/2 + 1) on both axes, and the chip never straddles half pixels of the scene.
//
// Coordinates: WGS-84 lon/lat → the scene's projected CRS. UTM EPSG codes (326zz north,
// 327zz south: every Sentinel-2 tile) go through GeographicLib (geo::lonlat_to_utm, Karney's
// series, exact to nanometres, thread-safe, no database, and the same code the fixture
// world uses to place ships); any other EPSG code through PROJ (proj_create_crs_to_crs).

#include <array>
#include <string>

namespace shipchips::raster {

// GDAL order: x = gt[0] + col*gt[1] + row*gt[2]; y = gt[3] + col*gt[4] + row*gt[5].
using GeoTransform = std::array<double, 6>;

// STAC proj:transform [a, b, c, d, e, f] (x = a*col + b*row + c, y = d*col + e*row + f; the
// optional last row [0, 0, 1] already dropped) → GDAL order.
GeoTransform geotransform_from_stac(const std::array<double, 6>& proj_transform);

struct ProjectedPoint {
  double x = 0.0;
  double y = 0.0;
};

// WGS-84 (lon, lat in degrees) → EPSG:epsg. UTM codes through GeographicLib, others through
// PROJ. Error(invalid_argument) for an unknown code or a point PROJ cannot transform.
ProjectedPoint project_lonlat(int epsg, double lon, double lat);
// The PROJ path alone (proj_create_crs_to_crs EPSG:4326 → EPSG:epsg, axis order normalised
// to lon/lat); tests use it as an independent check of the GeographicLib path.
ProjectedPoint project_lonlat_with_proj(int epsg, double lon, double lat);

struct ChipGrid {
  int epsg = 0;
  GeoTransform geotransform{};  // the chip's own: origin at its upper-left corner, north-up
  int size = 0;                 // width = height in pixels
  // The chip's upper-left pixel in the scene's pixel space (that of the transform it was
  // built from). Negative, or with off + size beyond the raster: the chip is partly outside.
  long long col_off = 0;
  long long row_off = 0;
  // The target inside the chip, in fractional pixel coordinates (pixel i spans [i, i+1)):
  // both lie in [size/2, size/2 + 1).
  double target_col = 0.0;
  double target_row = 0.0;
  // The target in the projected CRS.
  double target_x = 0.0;
  double target_y = 0.0;

  double resolution() const { return geotransform[1]; }
  int center_index() const { return size / 2; }
  // True when every chip pixel lies inside a scene raster of `cols` × `rows` pixels.
  bool inside(long long cols, long long rows) const {
    return col_off >= 0 && row_off >= 0 && col_off + size <= cols && row_off + size <= rows;
  }
  // Projected coordinates of a pixel's centre.
  double x_center(int col) const { return geotransform[0] + (col + 0.5) * geotransform[1]; }
  double y_center(int row) const { return geotransform[3] + (row + 0.5) * geotransform[5]; }
  // "EPSG:32630 x0=... y0=... res=10 size=256 off=(c,r)" for logs and errors.
  std::string describe() const;
};

// The chip of `size` pixels holding projected point (x, y) at pixel (size/2, size/2), on the
// grid of `scene_transform` (GDAL order; north-up, square pixels, else Error(contract_violation)).
ChipGrid chip_grid_at(const GeoTransform& scene_transform, int epsg, double x, double y, int size = 256);

// The same for a WGS-84 position.
ChipGrid chip_grid_for_lonlat(const GeoTransform& scene_transform, int epsg, double lon, double lat, int size = 256);

}  // namespace shipchips::raster
