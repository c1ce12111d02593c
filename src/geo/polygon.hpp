#pragma once
// Planar tests on WGS-84 lon/lat rings. Footprints of Sentinel-2 tiles are ~110 km across, so
// treating lon/lat as planar for containment is exact enough (edges are densified by their
// producers); rings crossing the antimeridian are unwrapped against the query point.

#include <vector>

namespace shipchips::geo {

struct LonLat {
  double lon = 0;
  double lat = 0;
};
using Ring = std::vector<LonLat>;
using Polygon = std::vector<Ring>;  // outer ring first, then holes (GeoJSON order)

// Even-odd rule; a point on an edge counts as inside.
bool ring_contains(const Ring& ring, double lon, double lat);

bool polygon_contains(const Polygon& polygon, double lon, double lat);

struct BBox {
  double west = 0, south = 0, east = 0, north = 0;
};
BBox ring_bbox(const Ring& ring);

}  // namespace shipchips::geo
