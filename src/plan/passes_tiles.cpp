// Tile geometry for pass prediction, and the world-wide list of MGRS squares.
#include "geo/s2_grid_lookup.hpp"
#include "orbit/frames.hpp"
#include "plan/passes.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>

namespace shipchips::plan {
namespace {

std::array<double, 3> unit(const std::array<double, 3>& v) {
  const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  return {v[0] / n, v[1] / n, v[2] / n};
}

std::array<double, 3> surface_ecef(const geo::LonLat& p) {
  orbit::Geodetic g;
  g.lat_deg = p.lat;
  g.lon_deg = p.lon;
  return orbit::geodetic_to_ecef(g);
}

}  // namespace

TileGeometry tile_geometry(const geo::S2Tile& tile) {
  TileGeometry g;
  g.id = tile.id;
  const geo::LonLat c = geo::utm_to_lonlat(tile.utm_zone, tile.north, tile.xmin + geo::S2Tile::extent_m / 2,
                                           tile.ymin + geo::S2Tile::extent_m / 2);
  g.centre_lon_deg = c.lon;
  g.centre_lat_deg = c.lat;
  g.centre_ecef_km = surface_ecef(c);
  const std::array<double, 3> cu = unit(g.centre_ecef_km);
  const double xs[4] = {tile.xmin, tile.xmax(), tile.xmax(), tile.xmin};
  const double ys[4] = {tile.ymin, tile.ymin, tile.ymax(), tile.ymax()};
  for (int k = 0; k < 4; ++k) {
    g.corner_unit[k] = unit(surface_ecef(geo::utm_to_lonlat(tile.utm_zone, tile.north, xs[k], ys[k])));
    const auto& u = g.corner_unit[k];
    const double dot = std::clamp(u[0] * cu[0] + u[1] * cu[1] + u[2] * cu[2], -1.0, 1.0);
    g.radius_rad = std::max(g.radius_rad, std::acos(dot));
  }
  return g;
}

std::vector<geo::S2Tile> all_tiles(double lat_min_deg, double lat_max_deg) {
  // Zones are independent: two threads share them (s2_tile_for_square, which checks the
  // square against the zone's MGRS area, is the slow part), then the lists join in zone order.
  auto zones = [&](int first, int last) {
    std::vector<geo::S2Tile> out;
    for (int zone = first; zone <= last; ++zone) {
      for (const bool north : {true, false}) {
        for (int e = 1; e <= 8; ++e) {
          // Northings GeographicLib accepts: north up to 9,400 km (beyond 84°N), south from
          // 1,000 km (80°S).
          for (int n = north ? 0 : 10; n < (north ? 94 : 100); ++n) {
            const double sw_x = e * 100000.0, sw_y = n * 100000.0;
            const geo::LonLat c = geo::utm_to_lonlat(zone, north, sw_x + 50000.0, sw_y + 50000.0);
            if (c.lat < lat_min_deg || c.lat > lat_max_deg) continue;
            if (north != (c.lat >= 0.0)) continue;  // each square once, in its own hemisphere
            if (auto t = geo::s2_tile_for_square(zone, north, sw_x, sw_y)) out.push_back(std::move(*t));
          }
        }
      }
    }
    return out;
  };
  std::vector<geo::S2Tile> second;
  std::exception_ptr failed;
  std::thread worker([&] {
    try {
      second = zones(31, 60);
    } catch (...) {
      failed = std::current_exception();
    }
  });
  std::vector<geo::S2Tile> out;
  try {
    out = zones(1, 30);
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();
  if (failed) std::rethrow_exception(failed);
  out.insert(out.end(), std::make_move_iterator(second.begin()), std::make_move_iterator(second.end()));
  return out;
}

}  // namespace shipchips::plan
