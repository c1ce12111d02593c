#pragma once
// The seed's ESA plan CSV (satellite_tracking.esa_csv_path / --esa-csv).
//
// The seed platform guide does not fix the columns beyond "start/end UTC per tile", so this
// reader takes the schedule's own columns: tile_id, satellite, start_time_utc, end_time_utc
// (required), relative_orbit, absolute_orbit, coverage, sun_elevation_deg (optional).
// Column names are case-insensitive. Tile ids may carry the "T" prefix ("T31UFU") and are
// validated against the MGRS grid; satellites may be written "Sentinel-2A" or "S2A". Times
// are ISO 8601 (no zone = UTC). Every row becomes a window with source "esa_plan"; errors name
// the file, line and column.

#include "plan/schedule.hpp"

#include <filesystem>
#include <vector>

namespace shipchips::plan {

std::vector<OverpassWindow> read_esa_plan_csv(const std::filesystem::path& path);

}  // namespace shipchips::plan
