#include "geo/s2_grid.hpp"

#include "geo/s2_grid_lookup.hpp"

#include "core/error.hpp"

#include <GeographicLib/MGRS.hpp>
#include <GeographicLib/TransverseMercator.hpp>
#include <GeographicLib/UTMUPS.hpp>

#include <algorithm>
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

double central_meridian(int zone) {
  return zone * 6.0 - 183.0;
}
double false_northing(bool north) {
  return north ? 0.0 : false_northing_south;
}

// ESA's grid keeps UTM tiles south of the MGRS limit (80°S) as far as 84°S and names them in
// band C (59CNH, 49CDK, 19CEJ, 32CMQ lie between 84°S and 81°S), where MGRS itself switches
// to UPS; GeographicLib rightly refuses those names as MGRS. For band C we therefore decode
// the square letters ourselves; the square must lie between 84°S and the band's top (72°S).
constexpr double band_c_south_deg = -84.0;
constexpr double band_c_north_deg = -72.0;

bool decode_band_c_square(int zone, char column, char row, double& x, double& y) {
  static constexpr std::string_view column_sets[3] = {"ABCDEFGH", "JKLMNPQR", "STUVWXYZ"};
  static constexpr std::string_view row_letters = "ABCDEFGHJKLMNPQRSTUV";
  const auto col = column_sets[(zone - 1) % 3].find(column);
  const auto pos = row_letters.find(row);
  if (col == std::string_view::npos || pos == std::string_view::npos) return false;
  // Even zones start their row letters at F (MGRS "AA" scheme on WGS-84).
  const int shift = zone % 2 == 0 ? 5 : 0;
  const int row_index = (static_cast<int>(pos) - shift + 20) % 20;
  x = (static_cast<double>(col) + 1.0) * 100000.0;
  y = row_index * 100000.0;  // band C lies within the first 2,000 km cycle of the south
  const auto northing_of = [&](double lat) { return lonlat_to_utm(zone, false, central_meridian(zone), lat).y; };
  return y + 100000.0 > northing_of(band_c_south_deg) && y < northing_of(band_c_north_deg);
}

}  // namespace

S2Tile s2_tile(std::string_view tile_id) {
  return s2_tile_of_name(tile_id, true);
}

S2Tile s2_tile_of_name(std::string_view tile_id, bool check_zone_area) {
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
    zone = std::stoi(id.substr(0, 2));
    north = false;
    if (id[2] != 'C' || zone < 1 || zone > 60 || !decode_band_c_square(zone, id[3], id[4], x, y))
      bad_tile(tile_id, e.what());
  }
  if (zone < 1 || zone > 60) bad_tile(tile_id, "polar (UPS) squares have no Sentinel-2 tiles");
  // MGRS checks the letters, not where the square lies: "01CHV" names a square 6° east of
  // zone 1. A tile's square must reach into its zone's area (the grid lookup's rule).
  if (check_zone_area && !square_in_zone_area(zone, north, x, y))
    bad_tile(tile_id, "the square lies outside the area of UTM zone " + std::to_string(zone));

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

// UTM through the transverse Mercator projection itself rather than UTMUPS, which refuses
// northings outside the MGRS latitude limits: ESA's band C tiles reach 84°S and tile edges
// lie beyond their zone's strip.
LonLat utm_to_lonlat(int zone, bool north, double x, double y) {
  LonLat out;
  GeographicLib::TransverseMercator::UTM().Reverse(central_meridian(zone), x - 500000.0, y - false_northing(north),
                                                   out.lat, out.lon);
  return out;
}

UtmXY lonlat_to_utm(int zone, bool north, double lon, double lat) {
  UtmXY out;
  GeographicLib::TransverseMercator::UTM().Forward(central_meridian(zone), lat, lon, out.x, out.y);
  out.x += 500000.0;
  out.y += false_northing(north);
  return out;
}

double utm_convergence_deg(int zone, bool north, double x, double y) {
  double lat = 0.0;
  double lon = 0.0;
  double gamma = 0.0;
  double k = 0.0;
  GeographicLib::TransverseMercator::UTM().Reverse(central_meridian(zone), x - 500000.0, y - false_northing(north), lat,
                                                   lon, gamma, k);
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
