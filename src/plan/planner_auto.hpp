#pragma once
// The auto planner (satellite_tracking.mode: auto, the default): ESA's acquisition plan where
// it speaks, TLE prediction everywhere else.
//
// An ESA plan covers, for each satellite that appears in it, its validity period: for a KML the
// period in its file name ("Sentinel-2A_MP_ACQ_KML_20190912T120000_20190930T150000.kml") or,
// failing that, in its Document name ("S2 Planned Observations from 20190912T120000 to
// 20190930T150000"), else the span of its datatakes; for the seed's CSV (no metadata) the span
// of its rows per satellite. Within that period the plan is authoritative: its windows are used
// (source "esa_plan") and a tile it does not image gets no window, because ESA does not image
// it then. For the satellites the plan does not name (a plan for S2A says nothing of S2B or
// S2C) and for the parts of [start, start + days) outside the period, passes are predicted
// from element sets (source "tle"). An ESA window belongs to the plan's part when its middle
// lies in the period; a predicted pass to the TLE part when its closest approach lies outside.
// Element sets are loaded only when some part needs them, so a run the plan covers entirely
// needs neither a TLE file nor the network.

#include "plan/planner_tle.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shipchips::plan {

struct AutoPlanRequest {
  PlannerRequest planner;         // tiles, satellites, start, days, ...; element_sets unused
  std::filesystem::path esa_kml;  // at most one of the two; none: TLE only
  std::filesystem::path esa_csv;
  std::function<std::vector<orbit::Tle>()> load_element_sets;  // called at most once, when needed
};

// The part of the requested window one satellite's plan covers.
struct PlanCoverage {
  std::string satellite;
  UtcTime from{};
  UtcTime to{};
};

struct AutoPlanResult {
  std::vector<OverpassWindow> windows;     // esa_plan and tle rows
  std::vector<PredictedPass> passes;       // details of the tle rows
  std::vector<PlanCoverage> esa_coverage;  // per satellite, within [start, start + days); empty when none
  std::vector<std::string> warnings;       // stale element sets, plan without a period
};

// Throws what the readers and planners throw: Error(invalid_argument) for both plan files or a
// bad tile/satellite; Error(input_invalid) naming file/line for a bad plan or element set.
AutoPlanResult plan_auto(const AutoPlanRequest& request);

// The validity period in a plan's file or document name ("..._20190912T120000_20190930T150000.kml",
// "... from 20190912T120000 to 20190930T150000"); nullopt when the text has none.
std::optional<std::pair<UtcTime, UtcTime>> esa_plan_period_from_name(std::string_view text);

}  // namespace shipchips::plan
