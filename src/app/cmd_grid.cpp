// shipchips grid tile ID [ID ...] [--json]: the Sentinel-2 tile geometry of MGRS tile ids.
// shipchips grid point LON LAT [--json]: the Sentinel-2 tiles containing a WGS-84 point.
// --json prints one JSON object per line and tile (tile_id, epsg, utm_zone, hemisphere,
// UTM upper-left/lower-right corners, lon/lat of the four corners, GeoJSON footprint).
#include "app/command.hpp"
#include "geo/s2_grid.hpp"
#include "geo/s2_grid_lookup.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace shipchips::app {
namespace {

nlohmann::ordered_json lonlat_json(const geo::LonLat& p) {
  return nlohmann::ordered_json::array({p.lon, p.lat});
}

nlohmann::ordered_json tile_json(const geo::S2Tile& t) {
  const geo::LonLat ul = geo::utm_to_lonlat(t.utm_zone, t.north, t.xmin, t.ymax());
  const geo::LonLat ur = geo::utm_to_lonlat(t.utm_zone, t.north, t.xmax(), t.ymax());
  const geo::LonLat lr = geo::utm_to_lonlat(t.utm_zone, t.north, t.xmax(), t.ymin);
  const geo::LonLat ll = geo::utm_to_lonlat(t.utm_zone, t.north, t.xmin, t.ymin);
  nlohmann::ordered_json ring = nlohmann::ordered_json::array();
  for (const geo::LonLat& p : geo::s2_tile_footprint(t)) ring.push_back(lonlat_json(p));
  nlohmann::ordered_json j;
  j["tile_id"] = t.id;
  j["epsg"] = t.epsg;
  j["utm_zone"] = t.utm_zone;
  j["hemisphere"] = t.north ? "N" : "S";
  j["latitude_band"] = std::string(1, t.latitude_band);
  j["grid_square"] = t.grid_square;
  j["extent_m"] = geo::S2Tile::extent_m;
  j["xmin"] = t.xmin;
  j["ymin"] = t.ymin;
  j["xmax"] = t.xmax();
  j["ymax"] = t.ymax();
  j["utm_ul"] = {t.ulx(), t.uly()};
  j["utm_lr"] = {t.xmax(), t.ymin};
  j["corners_lonlat"] = {
      {"ul", lonlat_json(ul)}, {"ur", lonlat_json(ur)}, {"lr", lonlat_json(lr)}, {"ll", lonlat_json(ll)}};
  j["footprint"] = {{"type", "Polygon"}, {"coordinates", nlohmann::ordered_json::array({ring})}};
  return j;
}

void print_tiles(const std::vector<geo::S2Tile>& tiles, bool json) {
  if (json) {
    for (const auto& t : tiles) std::cout << tile_json(t).dump() << "\n";
    return;
  }
  std::printf("%-6s %-6s %-5s %-12s %-12s %-23s %-23s\n", "tile", "epsg", "zone", "ul_x", "ul_y", "ul_lonlat",
              "lr_lonlat");
  for (const auto& t : tiles) {
    const geo::LonLat ul = geo::utm_to_lonlat(t.utm_zone, t.north, t.xmin, t.ymax());
    const geo::LonLat lr = geo::utm_to_lonlat(t.utm_zone, t.north, t.xmax(), t.ymin);
    const std::string zone = std::to_string(t.utm_zone) + (t.north ? "N" : "S");
    std::printf("%-6s %-6d %-5s %-12.0f %-12.0f %10.6f,%-12.6f %10.6f,%-12.6f\n", t.id.c_str(), t.epsg, zone.c_str(),
                t.ulx(), t.uly(), ul.lon, ul.lat, lr.lon, lr.lat);
  }
}

class GridTileCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("tiles", m_ids, "Tile ids (30STF, T30STF, ...)")->required();
    sub.add_flag("--json", m_json, "One JSON object per tile and line");
  }
  int run(const GlobalOptions&) override {
    // A bad id is reported by name and the others are still answered; the exit code is the
    // first failure's.
    std::vector<geo::S2Tile> tiles;
    int status = 0;
    for (const auto& id : m_ids) {
      try {
        tiles.push_back(geo::s2_tile(id));
      } catch (const Error& e) {
        report_error(e, "grid tile");
        if (status == 0) status = exit_code_of(e.code());
      }
    }
    print_tiles(tiles, m_json);
    std::cout.flush();
    if (!std::cout) return exit_code_of(ErrorCode::io_error);
    return status;
  }

 private:
  std::vector<std::string> m_ids;
  bool m_json = false;
};

class GridPointCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("lon", m_lon, "Longitude, degrees east")->required();
    sub.add_option("lat", m_lat, "Latitude, degrees north")->required();
    sub.add_flag("--json", m_json, "One JSON object per tile and line");
  }
  int run(const GlobalOptions&) override {
    print_tiles(geo::s2_tiles_containing(m_lon, m_lat), m_json);
    std::cout.flush();
    return std::cout ? 0 : 1;
  }

 private:
  double m_lon = 0.0;
  double m_lat = 0.0;
  bool m_json = false;
};

RegisterCommand reg_tile{"grid tile", "Sentinel-2 tile geometry (EPSG, UTM corners, footprint) of tile ids",
                         [] { return std::make_unique<GridTileCommand>(); }};
RegisterCommand reg_point{"grid point", "The Sentinel-2 tiles containing a point (LON LAT)",
                          [] { return std::make_unique<GridPointCommand>(); }};

}  // namespace
}  // namespace shipchips::app
