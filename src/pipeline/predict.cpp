#include "pipeline/predict.hpp"

#include "core/error.hpp"
#include "core/http_client.hpp"
#include "orbit/tle.hpp"
#include "plan/esa_plan_source.hpp"
#include "plan/planner_auto.hpp"
#include "plan/planner_backfill.hpp"
#include "plan/planner_esa.hpp"
#include "plan/planner_tle.hpp"
#include "plan/schedule_versions.hpp"
#include "plan/tle_source.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <map>

namespace shipchips::pipeline {
namespace {

using Planner = std::function<plan::PlannerResult(const plan::PlannerRequest&)>;

// The element-set planners by mode name; a new mode is one more entry here (and in the CLI's
// --mode check).
const std::map<std::string, Planner>& planners() {
  static const std::map<std::string, Planner> table{
      {"tle", [](const plan::PlannerRequest& r) { return plan::plan_tle(r); }},
      {"backfill", [](const plan::PlannerRequest& r) { return plan::plan_backfill(r); }},
  };
  return table;
}

std::vector<orbit::Tle> load_element_sets(const Config& config, const PredictRequest& request,
                                          std::vector<std::filesystem::path>& sources) {
  const SatelliteTrackingConfig& st = config.satellite_tracking;
  if (!request.tle.empty()) {
    sources.push_back(request.tle);
    return plan::read_element_sets(request.tle);
  }
  if (!st.tle_file.empty()) {
    sources.push_back(resolve_path(config, st.tle_file));
    return plan::read_element_sets(sources.back());
  }
  plan::TleSourceOptions options;
  options.url = st.tle_source;
  options.cache_dir = dataset_path(config, "plan/tle_cache");
  options.cache_hours = st.tle_cache_hours;
  HttpClient client;
  plan::TleFetch fetched = plan::fetch_tles(options, client);
  sources.push_back(fetched.path);
  spdlog::info("predict-overpasses: {} element set(s) from {} ({}, fetched {})", fetched.element_sets.size(),
               st.tle_source, plan::to_string(fetched.origin), format_iso8601(fetched.fetched_at, 0));
  return std::move(fetched.element_sets);
}

// The ESA plan files (KML, CSV); both empty when none is given or configured.
std::pair<std::string, std::string> esa_plan_files(const Config& config, const PredictRequest& request,
                                                   std::vector<std::filesystem::path>& sources) {
  const SatelliteTrackingConfig& st = config.satellite_tracking;
  std::string kml = request.esa_kml, csv = request.esa_csv;
  if (kml.empty() && csv.empty()) {
    if (!st.esa_kml_path.empty())
      kml = st.esa_kml_path;
    else if (!st.esa_csv_path.empty())
      csv = st.esa_csv_path;
    if (!kml.empty() && !plan::is_url(kml)) kml = resolve_path(config, kml).string();
    if (!csv.empty() && !plan::is_url(csv)) csv = resolve_path(config, csv).string();
  }
  for (std::string* path : {&kml, &csv}) {
    if (path->empty() || !plan::is_url(*path)) continue;
    HttpClient client;
    *path = plan::fetch_esa_plan(*path, dataset_path(config, "plan/esa_cache"), st.tle_cache_hours, client).string();
  }
  for (const std::string* path : {&kml, &csv})
    if (!path->empty()) sources.push_back(*path);
  return {kml, csv};
}

}  // namespace

PredictResult predict_overpasses(const Config& config, const PredictRequest& request) {
  const SatelliteTrackingConfig& st = config.satellite_tracking;
  PredictResult result;
  result.mode = request.mode.empty() ? std::string(to_string(st.mode)) : request.mode;
  if (result.mode != "auto" && result.mode != "esa_plan" && !planners().contains(result.mode))
    throw Error(ErrorCode::invalid_argument,
                "mode: \"" + result.mode + "\" is not a planner; use auto, tle, backfill or esa_plan");
  const std::vector<std::string> tiles = request.tiles.empty() ? st.tiles : request.tiles;
  const std::vector<std::string> satellites = request.satellites.empty() ? st.satellites : request.satellites;
  result.days = request.days > 0 ? request.days : st.prediction_days;
  if (request.days < 0 || result.days < 1) throw Error(ErrorCode::invalid_argument, "days: must be at least 1");
  result.tiles = tiles.size();

  if (result.mode == "esa_plan") {
    plan::EsaPlanRequest esa;
    std::tie(esa.kml, esa.csv) = esa_plan_files(config, request, result.sources);
    esa.tiles = tiles;
    esa.satellites = satellites;
    if (request.start) esa.start = *request.start;
    esa.days = result.days;
    esa.window_minutes = st.overpass_window_minutes;
    result.windows = plan::plan_esa(esa);
  } else {
    plan::PlannerRequest planner;
    planner.tiles = tiles;
    planner.satellites = satellites;
    planner.start = request.start.value_or(std::chrono::floor<std::chrono::days>(utc_now()));
    planner.days = result.days;
    planner.window_minutes = st.overpass_window_minutes;
    planner.min_sun_elevation_deg = st.min_sun_elevation_deg;
    planner.tle_max_age_days = st.tle_max_age_days;
    if (result.mode == "auto") {
      plan::AutoPlanRequest auto_request;
      auto_request.planner = planner;
      std::tie(auto_request.esa_kml, auto_request.esa_csv) = esa_plan_files(config, request, result.sources);
      auto_request.load_element_sets = [&] { return load_element_sets(config, request, result.sources); };
      plan::AutoPlanResult planned = plan::plan_auto(auto_request);
      result.windows = std::move(planned.windows);
      result.passes = std::move(planned.passes);
    } else {
      planner.element_sets = load_element_sets(config, request, result.sources);
      plan::PlannerResult planned = planners().at(result.mode)(planner);
      result.windows = planned.windows();
      result.passes = std::move(planned.passes);
    }
  }
  result.out = request.out.empty() ? dataset_path(config, config.storage.layout.schedule) : request.out;
  plan::write_schedule_versioned(result.out, result.windows, st.schedule_versions_keep);
  spdlog::info("predict-overpasses: {} window(s) ({} mode, {} tile(s), {} day(s)) -> {}", result.windows.size(),
               result.mode, result.tiles, result.days, result.out.string());
  return result;
}

}  // namespace shipchips::pipeline
