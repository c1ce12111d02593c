#pragma once
// The Sentinel-2 tiling grid, computed from MGRS (no KML needed).
//
// A Sentinel-2 tile is a 109,800 m square in the UTM zone of its MGRS 100 km square. Its
// upper-left corner is the square's north-west corner snapped onto the 60 m grid of the
// product (the coarsest band): easting floored to a multiple of 60 m, northing raised to a
// multiple of 60 m counted from the hemisphere's false northing (0 north, 10,000,000 m
// south). This reproduces ESA's grid KML, including the 31V/32V/31X zone exceptions, which
// only change which zone covers a point, not the geometry of a named tile.

#include "geo/polygon.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shipchips::geo {

struct UtmXY {
  double x = 0.0;
  double y = 0.0;
};

struct S2Tile {
  static constexpr double extent_m = 109800.0;

  std::string id;            // "30STF": zone (2 digits), band, square; never a leading 'T'
  int utm_zone = 0;          // 1..60
  bool north = true;         // hemisphere of the UTM projection (EPSG 326xx / 327xx)
  char latitude_band = 'C';  // MGRS band letter
  std::string grid_square;   // the two 100 km square letters, "TF"
  int epsg = 0;              // 32600 + zone or 32700 + zone
  double xmin = 0.0;         // lower-left corner in UTM metres
  double ymin = 0.0;

  double xmax() const { return xmin + extent_m; }
  double ymax() const { return ymin + extent_m; }
  // Upper-left corner: the origin of every band's geotransform.
  double ulx() const { return xmin; }
  double uly() const { return ymax(); }
};

// Parses "30STF", "T30STF", "30stf" or "1CCV"; throws Error(invalid_argument) naming the id
// when it is not a valid MGRS 100 km square.
S2Tile s2_tile(std::string_view tile_id);
// The same, with the check that the square lies in its zone's area optional (the grid
// lookup, which has checked the square already, skips it).
S2Tile s2_tile_of_name(std::string_view tile_id, bool check_zone_area);

// UTM (zone, hemisphere) → WGS-84, and back into the given zone (points outside the zone's
// usual strip are still projected into it, as the tile edges need).
LonLat utm_to_lonlat(int zone, bool north, double x, double y);
UtmXY lonlat_to_utm(int zone, bool north, double lon, double lat);

// Meridian convergence at a point (degrees, clockwise from true north to grid north):
// grid bearing = true bearing - convergence.
double utm_convergence_deg(int zone, bool north, double x, double y);

// A closed ring of UTM points → a closed WGS-84 ring, each edge split into segments no longer
// than max_segment_m so the curved edges of a UTM rectangle are followed on the sphere.
std::vector<LonLat> utm_ring_to_lonlat(int zone, bool north, const std::vector<UtmXY>& ring, double max_segment_m);

// The tile's footprint as a closed counter-clockwise WGS-84 ring (densified edges).
std::vector<LonLat> s2_tile_footprint(const S2Tile& tile, double max_segment_m = 10000.0);

}  // namespace shipchips::geo
