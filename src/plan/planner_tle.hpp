#pragma once
// The TLE planner: the overpass windows of the chosen satellites over the chosen tiles for
// [start, start + days), predicted with SGP4 from the element sets nearest to that window
// (plan/passes.hpp). The backfill planner (planner_backfill.hpp) runs the same prediction
// over past days.

#include "core/time.hpp"
#include "orbit/omm.hpp"
#include "orbit/tle.hpp"
#include "plan/passes.hpp"
#include "plan/schedule.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::plan {

// Element sets from a TLE file (two- or three-line sets) or an OMM file (Celestrak/Space-Track
// GP CSV, JSON or XML: the first non-blank character is '[' or '{' (JSON) or '<' (XML), or the
// first line names NORAD_CAT_ID (CSV)). OMM sets become Tle values (no element lines;
// source_line = CSV line, JSON index or XML line). Errors name the file and line
// (Error(input_invalid)). parse_element_sets does the same for text already in memory (a
// download), `source` naming it in messages.
std::vector<orbit::Tle> read_element_sets(const std::filesystem::path& path);
std::vector<orbit::Tle> parse_element_sets(std::string_view text, std::string_view source);
orbit::Tle tle_from_omm(const orbit::Omm& omm);

struct PlannerRequest {
  std::vector<orbit::Tle> element_sets;  // any number of sets; the nearest per satellite is used
  std::vector<std::string> tiles;        // MGRS ids ("31UFU", a leading "T" is accepted)
  std::vector<std::string> satellites{"S2A", "S2B", "S2C"};
  UtcTime start{};
  int days = 7;
  int window_minutes = 15;
  double min_sun_elevation_deg = 5.0;
  int threads = 2;
  double tle_max_age_days = 14.0;  // satellite_tracking.tle_max_age_days: older sets warn
};

struct PlannerResult {
  std::vector<PredictedPass> passes;  // ordered by closest approach
  std::vector<std::string> warnings;  // stale element sets (also logged)

  // The schedule rows (write_schedule orders them by start, tile, satellite).
  std::vector<OverpassWindow> windows() const;
};

// Throws Error(invalid_argument) for days < 1, a bad tile id or satellite name,
// Error(input_invalid) when a satellite has no element set.
PlannerResult plan_tle(const PlannerRequest& request);

namespace detail {
// Shared by the planners: prediction over [start, end) with windows marked `source`.
PlannerResult plan_window(const PlannerRequest& request, UtcTime start, UtcTime end, const std::string& source);
}  // namespace detail

}  // namespace shipchips::plan
