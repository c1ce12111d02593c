#include "pipeline/scenes_per_ship.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace shipchips::pipeline {

ScenesPerShipReport scenes_per_ship(const std::string& csv_path, bool strict, stac::StacClient& client,
                                    const stac::SceneLookupOptions& options) {
  ScenesPerShipReport report;
  std::vector<std::pair<long long, stac::ScenePoint>> points;
  report.read = ais::read_upload_csv(csv_path, strict, [&](const ais::UploadRow& row) {
    if (auto t = row.time())
      points.push_back({row.mmsi, stac::ScenePoint{row.lon, row.lat, *t}});
    else
      ++report.rows_without_time;
  });
  stac::SceneLookup lookup(client, options);
  std::vector<stac::ScenePoint> plain;
  plain.reserve(points.size());
  for (const auto& p : points) plain.push_back(p.second);
  lookup.prefetch(plain);

  for (const auto& [mmsi, point] : points) {
    ShipScenes& ship = report.ships[mmsi];
    ++ship.pings;
    const auto found = lookup.lookup(point);
    if (found.candidates.empty()) {
      ++ship.no_scene[std::string(to_string(found.reason))];
      continue;
    }
    ++ship.pings_with_scene;
    for (const auto& c : found.candidates) {
      auto [it, inserted] = ship.best_dt.emplace(c.item->id, std::abs(c.dt_seconds));
      if (!inserted) it->second = std::min(it->second, std::abs(c.dt_seconds));
    }
  }
  report.searches = lookup.searches();
  report.items = lookup.items_cached();
  return report;
}

}  // namespace shipchips::pipeline
