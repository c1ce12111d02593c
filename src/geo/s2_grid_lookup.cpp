#include "geo/s2_grid_lookup.hpp"

#include "core/error.hpp"

#include <GeographicLib/MGRS.hpp>
#include <GeographicLib/UTMUPS.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <numbers>
#include <set>
#include <string>
#include <unordered_map>

namespace shipchips::geo {
namespace {

constexpr double square_m = 100000.0;
constexpr double false_northing_south = 10000000.0;
constexpr double mgrs_south_limit = -80.0;
constexpr double mgrs_north_limit = 84.0;
constexpr double esa_south_limit = -84.0;  // band C tiles south of the MGRS limit

// A lon/lat rectangle of a zone's area; lon relative to the zone's central meridian so
// zones 1 and 60 need no antimeridian handling.
struct Rect {
  double dlon_min, dlon_max, lat_min, lat_max;
};

double central_meridian(int zone) {
  return -183.0 + 6.0 * zone;
}

double wrap180(double lon) {
  lon = std::fmod(lon + 180.0, 360.0);
  if (lon < 0) lon += 360.0;
  return lon - 180.0;
}

// The area MGRS gives `zone` (the 32V and 31X–37X exceptions as in UTMUPS::StandardZone),
// reaching 84°S where ESA's grid keeps UTM tiles in band C (s2_grid.cpp).
std::vector<Rect> zone_area(int zone) {
  const double lo = -180.0 + 6.0 * (zone - 1);
  const double cm = central_meridian(zone);
  std::vector<Rect> abs;
  switch (zone) {
    case 31:
      abs = {{0, 6, esa_south_limit, 56}, {0, 3, 56, 64}, {0, 6, 64, 72}, {0, 9, 72, 84}};
      break;
    case 32:
      abs = {{6, 12, esa_south_limit, 56}, {3, 12, 56, 64}, {6, 12, 64, 72}};
      break;
    case 33:
      abs = {{12, 18, esa_south_limit, 72}, {9, 21, 72, 84}};
      break;
    case 34:
      abs = {{18, 24, esa_south_limit, 72}};
      break;
    case 35:
      abs = {{24, 30, esa_south_limit, 72}, {21, 33, 72, 84}};
      break;
    case 36:
      abs = {{30, 36, esa_south_limit, 72}};
      break;
    case 37:
      abs = {{36, 42, esa_south_limit, 72}, {33, 42, 72, 84}};
      break;
    default:
      abs = {{lo, lo + 6.0, esa_south_limit, 84}};
      break;
  }
  for (Rect& r : abs) {
    r.dlon_min -= cm;
    r.dlon_max -= cm;
  }
  return abs;
}

struct Pt {
  double x, y;
};

// Sutherland–Hodgman clip of a closed polygon (last != first) by one half-plane.
template <class Inside, class Cross>
std::vector<Pt> clip(const std::vector<Pt>& in, Inside inside, Cross cross) {
  std::vector<Pt> out;
  if (in.empty()) return out;
  Pt prev = in.back();
  bool prev_in = inside(prev);
  for (const Pt& cur : in) {
    const bool cur_in = inside(cur);
    if (cur_in != prev_in) out.push_back(cross(prev, cur));
    if (cur_in) out.push_back(cur);
    prev = cur;
    prev_in = cur_in;
  }
  return out;
}

double clipped_area(std::vector<Pt> poly, const Rect& r) {
  auto at_x = [](double x) { return [x](Pt a, Pt b) { return Pt{x, a.y + (x - a.x) * (b.y - a.y) / (b.x - a.x)}; }; };
  auto at_y = [](double y) { return [y](Pt a, Pt b) { return Pt{a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y), y}; }; };
  poly = clip(
      poly, [&](Pt p) { return p.x >= r.dlon_min; }, at_x(r.dlon_min));
  poly = clip(
      poly, [&](Pt p) { return p.x <= r.dlon_max; }, at_x(r.dlon_max));
  poly = clip(
      poly, [&](Pt p) { return p.y >= r.lat_min; }, at_y(r.lat_min));
  poly = clip(
      poly, [&](Pt p) { return p.y <= r.lat_max; }, at_y(r.lat_max));
  double area2 = 0.0;
  for (std::size_t i = 0, j = poly.size() ? poly.size() - 1 : 0; i < poly.size(); j = i++)
    area2 += poly[j].x * poly[i].y - poly[i].x * poly[j].y;
  return std::abs(area2) / 2.0;
}

}  // namespace

// Does the 100 km square (not the 109.8 km tile) reach into the zone's MGRS area?
namespace {
bool compute_square_in_zone_area(int zone, bool north, double sw_x, double sw_y) {
  const std::vector<UtmXY> ring = {
      {sw_x, sw_y}, {sw_x + square_m, sw_y}, {sw_x + square_m, sw_y + square_m}, {sw_x, sw_y + square_m}, {sw_x, sw_y}};
  // 5 km segments: a UTM edge bows from the straight lon/lat chord by far less than that.
  const std::vector<LonLat> ll = utm_ring_to_lonlat(zone, north, ring, 5000.0);
  const double cm = central_meridian(zone);
  std::vector<Pt> poly;
  poly.reserve(ll.size());
  for (std::size_t i = 0; i + 1 < ll.size(); ++i) poly.push_back({wrap180(ll[i].lon - cm), ll[i].lat});
  for (const Rect& r : zone_area(zone))
    if (clipped_area(poly, r) > 1e-9) return true;
  return false;
}
}  // namespace

// Memoized: the scene lookup asks for the home tile of every AIS ping, and the densified ring
// and clipping above cost ~40 µs a square (46 % of a chip run's CPU before this cache). There
// are at most 60 × 2 × 8 × 100 squares, so the cache stays small.
bool square_in_zone_area(int zone, bool north, double sw_x, double sw_y) {
  const double ix = std::round(sw_x / square_m), iy = std::round(sw_y / square_m);
  if (std::abs(ix * square_m - sw_x) > 1e-6 || std::abs(iy * square_m - sw_y) > 1e-6 || ix < 0 || iy < 0 || ix > 100 ||
      iy > 200)
    return compute_square_in_zone_area(zone, north, sw_x, sw_y);
  const std::uint32_t key =
      ((static_cast<std::uint32_t>(zone) * 2u + (north ? 1u : 0u)) * 101u + static_cast<std::uint32_t>(ix)) * 201u +
      static_cast<std::uint32_t>(iy);
  static std::mutex mutex;
  static std::unordered_map<std::uint32_t, bool> cache;
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  const bool in = compute_square_in_zone_area(zone, north, sw_x, sw_y);
  std::lock_guard lock(mutex);
  cache.emplace(key, in);
  return in;
}

int mgrs_zone(double lon, double lat) {
  return GeographicLib::UTMUPS::StandardZone(lat, wrap180(lon));
}

std::optional<S2Tile> s2_tile_for_square(int zone, bool north, double sw_x, double sw_y) {
  if (zone < 1 || zone > 60) return std::nullopt;
  // MGRS square columns: eastings 100–900 km; rows: northings 0–9,500 km (N), 1,000–10,000 km (S).
  if (sw_x < 100000.0 || sw_x + square_m > 900000.0) return std::nullopt;
  if (north ? (sw_y < 0.0 || sw_y >= 9500000.0) : (sw_y < 1000000.0 || sw_y + square_m > false_northing_south))
    return std::nullopt;
  const LonLat centre = utm_to_lonlat(zone, north, sw_x + square_m / 2, sw_y + square_m / 2);
  if (centre.lat < mgrs_south_limit - 1.0 || centre.lat > mgrs_north_limit + 1.0) return std::nullopt;
  if (!square_in_zone_area(zone, north, sw_x, sw_y)) return std::nullopt;
  // The band of the square's centre names it; clamp into C..X for squares reaching past 80°S/84°N.
  const double band_lat = std::clamp(centre.lat, mgrs_south_limit + 1e-6, mgrs_north_limit - 1e-6);
  std::string id;
  try {
    GeographicLib::MGRS::Forward(zone, north, sw_x + square_m / 2, sw_y + square_m / 2, band_lat, 0, id);
  } catch (const GeographicLib::GeographicErr&) {
    return std::nullopt;  // no such MGRS square (outside GeographicLib's limits for the band)
  }
  S2Tile tile = s2_tile_of_name(id, false);
  if (tile.utm_zone != zone || tile.north != north) return std::nullopt;
  return tile;
}

std::vector<S2Tile> s2_tiles_containing(double lon, double lat) {
  if (!std::isfinite(lon) || !std::isfinite(lat) || lat < -90.0 || lat > 90.0 || std::abs(lon) > 360.0)
    throw Error(ErrorCode::invalid_argument, "point (" + std::to_string(lon) + ", " + std::to_string(lat) +
                                                 "): latitude must be in [-90, 90] and longitude in [-360, 360]");
  lon = wrap180(lon);
  std::vector<S2Tile> out;
  if (lat < mgrs_south_limit - 1.0 || lat > mgrs_north_limit + 1.0) return out;
  // A tile reaches at most ~125 km (square + overlap, on the diagonal) beyond its zone area,
  // which spans at most ±6° around the central meridian.
  const double coslat = std::max(std::cos(lat * std::numbers::pi / 180.0), 1e-3);
  const double margin_deg = std::min(180.0, 6.0 + 160.0 / (111.32 * coslat));
  std::set<std::string> seen;
  for (int zone = 1; zone <= 60; ++zone) {
    if (std::abs(wrap180(lon - central_meridian(zone))) > margin_deg) continue;
    for (bool north : {true, false}) {
      // Near the equator a point lies in tiles of both hemispheres' projections.
      if (north ? lat < -1.5 : lat > 1.5) continue;
      UtmXY p;
      try {
        p = lonlat_to_utm(zone, north, lon, lat);
      } catch (const GeographicLib::GeographicErr&) {
        continue;  // beyond the zone's legal UTM range (±100 km past 100–900 km): no tile there
      }
      const double col = std::floor(p.x / square_m) * square_m;
      const double row = std::floor(p.y / square_m) * square_m;
      // A tile spans its square plus 9.8 km east and (about) 9.8 km south, and its corner is
      // snapped by up to 60 m, so the squares one step either way are candidates.
      for (double sw_x : {col - square_m, col, col + square_m}) {
        for (double sw_y : {row - square_m, row, row + square_m}) {
          const std::optional<S2Tile> tile = s2_tile_for_square(zone, north, sw_x, sw_y);
          if (!tile) continue;
          if (p.x < tile->xmin || p.x > tile->xmax() || p.y < tile->ymin || p.y > tile->ymax()) continue;
          if (seen.insert(tile->id).second) out.push_back(*tile);
        }
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const S2Tile& a, const S2Tile& b) { return a.id < b.id; });
  return out;
}

}  // namespace shipchips::geo
