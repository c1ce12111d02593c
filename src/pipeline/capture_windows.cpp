#include "pipeline/capture_windows.hpp"

#include "geo/s2_grid.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace shipchips::pipeline {

ais::BBox tile_capture_box(const std::string& tile_id, double margin_km) {
  const geo::S2Tile tile = geo::s2_tile(tile_id);
  double south = 90, north = -90;
  // Longitudes relative to the zone's central meridian, so a tile astride ±180° stays contiguous.
  const double central = -183.0 + 6.0 * tile.utm_zone;
  double west = 360, east = -360;
  for (const geo::LonLat& p : geo::s2_tile_footprint(tile)) {
    south = std::min(south, p.lat);
    north = std::max(north, p.lat);
    double rel = p.lon - central;
    if (rel > 180) rel -= 360;
    if (rel < -180) rel += 360;
    west = std::min(west, rel);
    east = std::max(east, rel);
  }
  constexpr double kKmPerDegLat = 111.32;
  const double dlat = margin_km / kKmPerDegLat;
  const double max_abs_lat = std::min(89.0, std::max(std::fabs(south), std::fabs(north)) + dlat);
  const double dlon = margin_km / (kKmPerDegLat * std::cos(max_abs_lat * M_PI / 180.0));
  ais::BBox box;
  box.min_lat = std::max(-90.0, south - dlat);
  box.max_lat = std::min(90.0, north + dlat);
  auto wrap = [](double lon) {
    while (lon > 180) lon -= 360;
    while (lon < -180) lon += 360;
    return lon;
  };
  box.min_lon = wrap(central + west - dlon);
  box.max_lon = wrap(central + east + dlon);
  return box;
}

std::vector<CaptureArea> active_areas(const std::vector<plan::OverpassWindow>& schedule, UtcTime now,
                                      double margin_km) {
  std::map<std::string, CaptureArea> tiles;
  for (const plan::OverpassWindow& w : schedule) {
    if (w.start <= now && now < w.end && !tiles.count(w.tile_id))
      tiles.emplace(w.tile_id, CaptureArea{w.tile_id, tile_capture_box(w.tile_id, margin_km)});
  }
  std::vector<CaptureArea> out;
  for (auto& [id, area] : tiles) out.push_back(std::move(area));
  return out;
}

std::optional<UtcTime> next_window_change(const std::vector<plan::OverpassWindow>& schedule, UtcTime now) {
  std::optional<UtcTime> next;
  for (const plan::OverpassWindow& w : schedule) {
    for (UtcTime t : {w.start, w.end}) {
      if (t > now && (!next || t < *next)) next = t;
    }
  }
  return next;
}

std::vector<TimedArea> windows_between(const std::vector<plan::OverpassWindow>& schedule, UtcTime from, UtcTime to,
                                       double margin_km) {
  std::vector<TimedArea> out;
  std::map<std::string, ais::BBox> boxes;
  for (const plan::OverpassWindow& w : schedule) {
    const UtcTime start = std::max(w.start, from), end = std::min(w.end, to);
    if (!(start < end)) continue;
    auto it = boxes.find(w.tile_id);
    if (it == boxes.end()) it = boxes.emplace(w.tile_id, tile_capture_box(w.tile_id, margin_km)).first;
    out.push_back({CaptureArea{w.tile_id, it->second}, start, end});
  }
  return out;
}

}  // namespace shipchips::pipeline
