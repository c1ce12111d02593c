#include "geo/polygon.hpp"

#include <algorithm>
#include <cmath>

namespace shipchips::geo {
namespace {

double unwrap(double lon, double reference) {
  while (lon - reference > 180.0) lon -= 360.0;
  while (lon - reference < -180.0) lon += 360.0;
  return lon;
}

bool on_segment(double x, double y, double x1, double y1, double x2, double y2) {
  double cross = (x - x1) * (y2 - y1) - (y - y1) * (x2 - x1);
  double scale = std::max({std::abs(x2 - x1), std::abs(y2 - y1), 1e-12});
  if (std::abs(cross) > 1e-12 * scale) return false;
  return x >= std::min(x1, x2) - 1e-12 && x <= std::max(x1, x2) + 1e-12 && y >= std::min(y1, y2) - 1e-12 &&
         y <= std::max(y1, y2) + 1e-12;
}

}  // namespace

bool ring_contains(const Ring& ring, double lon, double lat) {
  if (ring.size() < 3) return false;
  bool inside = false;
  std::size_t n = ring.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    double xi = unwrap(ring[i].lon, lon), yi = ring[i].lat;
    double xj = unwrap(ring[j].lon, lon), yj = ring[j].lat;
    if (on_segment(lon, lat, xi, yi, xj, yj)) return true;
    if ((yi > lat) != (yj > lat)) {
      double x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi);
      if (lon < x_cross) inside = !inside;
    }
  }
  return inside;
}

bool polygon_contains(const Polygon& polygon, double lon, double lat) {
  if (polygon.empty() || !ring_contains(polygon.front(), lon, lat)) return false;
  for (std::size_t i = 1; i < polygon.size(); ++i) {
    if (ring_contains(polygon[i], lon, lat)) return false;
  }
  return true;
}

BBox ring_bbox(const Ring& ring) {
  BBox box{180, 90, -180, -90};
  for (const auto& p : ring) {
    box.west = std::min(box.west, p.lon);
    box.east = std::max(box.east, p.lon);
    box.south = std::min(box.south, p.lat);
    box.north = std::max(box.north, p.lat);
  }
  return box;
}

}  // namespace shipchips::geo
