#include "geo/s2_grid.hpp"

#include "core/error.hpp"

#include <GeographicLib/MGRS.hpp>
#include <GeographicLib/UTMUPS.hpp>

#include <cctype>
#include <cmath>

namespace shipchips::geo {

namespace {

constexpr double grid_step_m = 60.0;  // the 60 m bands' pixel: every band grid starts on it
constexpr double false_northing_south = 10000000.0;

[[noreturn]] void bad_tile(std::string_view tile_id, std::string_view why) {
  throw Error(ErrorCode::invalid_argument,
              "tile '" + std::string(tile_id) + "': " + std::string(why) + " (expected e.g. 30STF)");
}

}  // namespace

S2Tile s2_tile(std::string_view tile_id) {
  std::string id;
  for (char c : tile_id) id.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  // ESA product names write tiles as "T30STF"; a zone never starts with a letter.
  if (!id.empty() && id[0] == 'T') id.erase(0, 1);
  if (id.size() == 4) id.insert(0, "0");
  if (id.size() != 5 || !std::isdigit(static_cast<unsigned char>(id[0])) ||
      !std::isdigit(static_cast<unsigned char>(id[1])))
    bad_tile(tile_id, "not a zone number followed by three letters");
  for (int i = 2; i < 5; ++i)
    if (!std::isalpha(static_cast<unsigned char>(id[i])))
      bad_tile(tile_id, "not a zone number followed by three letters");

  int zone = 0;
  bool north = true;
  double x = 0.0;
  double y = 0.0;
  int prec = 0;
  try {
    // centerp=false: the south-west corner of the 100 km square.
    GeographicLib::MGRS::Reverse(id, zone, north, x, y, prec, false);
  } catch (const GeographicLib::GeographicErr& e) {
    bad_tile(tile_id, e.what());
  }
  if (zone < 1 || zone > 60) bad_tile(tile_id, "polar (UPS) squares have no Sentinel-2 tiles");

  S2Tile tile;
  tile.id = id;
  tile.utm_zone = zone;
  tile.north = north;
  tile.latitude_band = id[2];
  tile.grid_square = id.substr(3, 2);
  tile.epsg = (north ? 32600 : 32700) + zone;

  const double top = y + 100000.0;
  const double n0 = north ? 0.0 : false_northing_south;
  tile.xmin = std::floor(x / grid_step_m) * grid_step_m;
  const double uly = n0 + std::ceil((top - n0) / grid_step_m) * grid_step_m;
  tile.ymin = uly - S2Tile::extent_m;
  return tile;
}

LonLat utm_to_lonlat(int zone, bool north, double x, double y) {
  LonLat out;
  GeographicLib::UTMUPS::Reverse(zone, north, x, y, out.lat, out.lon, false);
  return out;
}

UtmXY lonlat_to_utm(int zone, bool north, double lon, double lat) {
  UtmXY out;
  int zone_out = 0;
  bool north_out = true;
  // setzone forces the tile's zone even where the standard zone differs (tile overlaps).
  GeographicLib::UTMUPS::Forward(lat, lon, zone_out, north_out, out.x, out.y, zone, false);
  if (north_out != north) {
    // Forward picks the hemisphere from the latitude; express y in the requested one.
    out.y += north ? -false_northing_south : false_northing_south;
  }
  return out;
}

double utm_convergence_deg(int zone, bool north, double x, double y) {
  double lat = 0.0;
  double lon = 0.0;
  double gamma = 0.0;
  double k = 0.0;
  GeographicLib::UTMUPS::Reverse(zone, north, x, y, lat, lon, gamma, k, false);
  return gamma;
}

std::vector<LonLat> utm_ring_to_lonlat(int zone, bool north, const std::vector<UtmXY>& ring, double max_segment_m) {
  std::vector<LonLat> out;
  if (ring.empty()) return out;
  if (max_segment_m <= 0.0) max_segment_m = 1e300;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
    const UtmXY a = ring[i];
    const UtmXY b = ring[i + 1];
    const double length = std::hypot(b.x - a.x, b.y - a.y);
    const int steps = std::max(1, static_cast<int>(std::ceil(length / max_segment_m)));
    for (int s = 0; s < steps; ++s) {
      const double t = static_cast<double>(s) / steps;
      out.push_back(utm_to_lonlat(zone, north, a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)));
    }
  }
  out.push_back(utm_to_lonlat(zone, north, ring.back().x, ring.back().y));
  return out;
}

std::vector<LonLat> s2_tile_footprint(const S2Tile& tile, double max_segment_m) {
  const std::vector<UtmXY> ring = {{tile.xmin, tile.ymin},
                                   {tile.xmax(), tile.ymin},
                                   {tile.xmax(), tile.ymax()},
                                   {tile.xmin, tile.ymax()},
                                   {tile.xmin, tile.ymin}};
  return utm_ring_to_lonlat(tile.utm_zone, tile.north, ring, max_segment_m);
}

}  // namespace shipchips::geo
