#pragma once
// `shipchips predict-overpasses` as a function (the CLI and, later, the service's planning job):
// the planner chosen by mode, its element sets or ESA plan chosen from the request's overrides,
// else the configuration, and the schedule written atomically with the one it replaces kept
// under history/ (plan/schedule_versions.hpp).
//
// Element sets: request.tle, else satellite_tracking.tle_file, else a download of
// satellite_tracking.tle_source through the cache <dataset_root>/plan/tle_cache
// (plan/tle_source.hpp). ESA plans: request.esa_kml / esa_csv, else the configured paths (KML
// first); a URL is downloaded through <dataset_root>/plan/esa_cache.

#include "core/config.hpp"
#include "core/time.hpp"
#include "plan/passes.hpp"
#include "plan/schedule.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::pipeline {

struct PredictRequest {
  std::string mode;                     // auto, tle, backfill, esa_plan; empty: satellite_tracking.mode
  std::string esa_kml, esa_csv, tle;    // files or URLs; empty: the configured ones
  std::vector<std::string> tiles;       // empty: satellite_tracking.tiles
  std::vector<std::string> satellites;  // empty: satellite_tracking.satellites
  std::optional<UtcTime> start;         // empty: today 00:00 UTC (esa_plan: the plan's own days)
  int days = 0;                         // 0: satellite_tracking.prediction_days
  std::filesystem::path out;            // empty: storage.layout.schedule under the dataset root
};

struct PredictResult {
  std::string mode;
  std::vector<plan::OverpassWindow> windows;  // as written to `out`
  // Per-pass details of the passes predicted from element sets (tle, backfill and auto's TLE
  // rows): closest approach, swath entry/exit, cross-track distance.
  std::vector<plan::PredictedPass> passes;
  std::filesystem::path out;
  // The local files the planner read: element sets (a given file, the configured one, or the
  // cached download) and ESA plans (given, configured, or cached downloads).
  std::vector<std::filesystem::path> sources;
  std::size_t tiles = 0;
  int days = 0;
};

// Error(invalid_argument) for an unknown mode or fewer than one day; the planners' and sources'
// errors otherwise (element sets, plans, downloads, writing the schedule).
PredictResult predict_overpasses(const Config& config, const PredictRequest& request);

}  // namespace shipchips::pipeline
