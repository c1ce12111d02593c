#pragma once
// The esa_plan planner: overpass windows from an ESA acquisition plan — the KML ESA publishes
// (datatake swaths intersected with the tiles, see esa_plan_planner.hpp) or the seed's CSV —
// restricted to the requested tiles and, when a start is given, to [start, start + days).

#include "plan/schedule.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::plan {

struct EsaPlanRequest {
  std::filesystem::path kml;  // one of kml / csv
  std::filesystem::path csv;
  std::vector<std::string> tiles;
  std::vector<std::string> satellites{"S2A", "S2B", "S2C"};
  std::optional<UtcTime> start;  // none: every window of the plan
  int days = 7;
  int window_minutes = 15;
};

// Error(invalid_argument) when neither or both files are given; reader errors name the file.
std::vector<OverpassWindow> plan_esa(const EsaPlanRequest& request);

}  // namespace shipchips::plan
