#pragma once
// The overpass schedule every planner writes and the AIS capture reads:
// plan/overpass_schedule.csv with the seed's columns first (tile_id, satellite, start_time_utc,
// end_time_utc), then relative_orbit, absolute_orbit, coverage, sun_elevation_deg, source.
// Times are ISO 8601 UTC with "Z". Written atomically, rows ordered by (start, tile, satellite).

#include "core/time.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::plan {

struct OverpassWindow {
  std::string tile_id;                // "31UFU"
  std::string satellite;              // "S2A", "S2B", "S2C"
  UtcTime start{};                    // the swath enters the tile, minus overpass_window_minutes
  UtcTime end{};                      // the swath leaves the tile, plus overpass_window_minutes
  std::optional<int> relative_orbit;  // 1..143
  std::optional<long> absolute_orbit;
  std::optional<double> coverage;  // fraction of the tile inside the swath, 0..1
  std::optional<double> sun_elevation_deg;
  std::string source;  // "tle", "esa_plan", "backfill"

  bool operator==(const OverpassWindow&) const = default;
};

std::string schedule_csv(std::vector<OverpassWindow> windows);
void write_schedule(const std::filesystem::path& path, const std::vector<OverpassWindow>& windows);
// Reads a schedule (the seed's four columns are required; the others optional). Tile ids are
// checked against the grid ("T30STF" → "30STF"), satellites normalised ("Sentinel-2A" → "S2A"),
// orbits and coverage range-checked. Errors name the file, line and column.
std::vector<OverpassWindow> read_schedule(const std::filesystem::path& path);

}  // namespace shipchips::plan
