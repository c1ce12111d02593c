#pragma once
// `shipchips stac search --points CSV` as a function: the scenes that could image every point of
// an AIS upload CSV (grouped searches per home tile and day, stac/scene_lookup.hpp), summarised
// per ship — which scenes, how close in time its closest ping came, and why pings found none.

#include "ais/upload_csv.hpp"
#include "stac/scene_lookup.hpp"

#include <map>
#include <string>

namespace shipchips::stac {
class StacClient;
}

namespace shipchips::pipeline {

struct ShipScenes {
  long pings = 0;
  long pings_with_scene = 0;
  std::map<std::string, double> best_dt;  // scene id → smallest |scene time - ping time| (s) over the pings
  std::map<std::string, long> no_scene;   // reason (stac::to_string(NoSceneReason)) → pings
};

struct ScenesPerShipReport {
  ais::UploadReadReport read;
  long rows_without_time = 0;  // rows with no overpass_time/captured_time: not searched
  std::map<long long, ShipScenes> ships;
  int searches = 0;
  std::size_t items = 0;  // distinct items found
};

ScenesPerShipReport scenes_per_ship(const std::string& csv_path, bool strict, stac::StacClient& client,
                                    const stac::SceneLookupOptions& options);

}  // namespace shipchips::pipeline
