#include "plan/planner_esa.hpp"

#include "core/error.hpp"
#include "plan/esa_plan_csv.hpp"
#include "plan/esa_plan_kml.hpp"
#include "plan/esa_plan_planner.hpp"

#include <algorithm>
#include <chrono>

namespace shipchips::plan {
namespace {

std::string bare_tile(std::string id) {
  if (id.size() == 6 && (id.front() == 'T' || id.front() == 't')) id.erase(0, 1);
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return id;
}

}  // namespace

std::vector<OverpassWindow> plan_esa(const EsaPlanRequest& request) {
  if (request.kml.empty() == request.csv.empty()) {
    throw Error(ErrorCode::invalid_argument, "esa_plan: give exactly one ESA plan file (--esa-kml or --esa-csv)");
  }
  std::vector<std::string> tiles;
  for (const auto& t : request.tiles) tiles.push_back(bare_tile(t));
  std::vector<OverpassWindow> windows;
  if (!request.kml.empty()) {
    windows = plan_from_datatakes(read_esa_plan_kml(request.kml), tiles, request.window_minutes);
  } else {
    windows = read_esa_plan_csv(request.csv);
  }
  const auto wanted_tile = [&](const OverpassWindow& w) {
    return std::find(tiles.begin(), tiles.end(), bare_tile(w.tile_id)) != tiles.end();
  };
  const auto wanted_satellite = [&](const OverpassWindow& w) {
    return std::find(request.satellites.begin(), request.satellites.end(), w.satellite) != request.satellites.end();
  };
  std::optional<UtcTime> end;
  if (request.start) end = *request.start + std::chrono::days(request.days);
  std::erase_if(windows, [&](const OverpassWindow& w) {
    if (!wanted_tile(w) || !wanted_satellite(w)) return true;
    return request.start && (w.end < *request.start || w.start >= *end);
  });
  return windows;
}

}  // namespace shipchips::plan
