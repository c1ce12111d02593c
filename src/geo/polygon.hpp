#pragma once
// Planar tests on WGS-84 lon/lat rings. Footprints of Sentinel-2 tiles are ~110 km across, so
// treating lon/lat as planar for containment is exact enough (edges are densified by their
// producers); rings crossing the antimeridian are unwrapped against the query point.

#include <array>
#include <vector>

namespace shipchips::geo {

using LonLat = std::array<double, 2>;
using Ring = std::vector<LonLat>;

// Even-odd rule; a point on an edge counts as inside.
bool ring_contains(const Ring& ring, double lon, double lat);

// Outer ring first, then holes (GeoJSON order).
bool polygon_contains(const std::vector<Ring>& polygon, double lon, double lat);

struct BBox {
  double west = 0, south = 0, east = 0, north = 0;
};
BBox ring_bbox(const Ring& ring);

} // namespace shipchips::geo
