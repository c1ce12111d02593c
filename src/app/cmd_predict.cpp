// `shipchips predict-overpasses`: the overpass schedule of the configured (or given) tiles,
// from a planner chosen by --mode (default satellite_tracking.mode), written atomically to
// storage.layout.schedule (or --out); the schedule it replaces is kept under history/
// (plan/schedule_versions.hpp). Element sets come from --tle, satellite_tracking.tle_file, or
// satellite_tracking.tle_source through the download cache <dataset_root>/plan/tle_cache
// (plan/tle_source.hpp). --json FILE ("-" for stdout) adds the per-pass details the schedule
// has no columns for (closest approach to the tile centre, swath entry/exit, cross-track
// distance) of the passes predicted from element sets (tle, backfill, and auto's tle rows).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/http_client.hpp"
#include "core/time.hpp"
#include "orbit/tle.hpp"
#include "plan/esa_plan_source.hpp"
#include "plan/planner_auto.hpp"
#include "plan/planner_backfill.hpp"
#include "plan/planner_esa.hpp"
#include "plan/planner_tle.hpp"
#include "plan/schedule.hpp"
#include "plan/schedule_versions.hpp"
#include "plan/tle_source.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>

namespace shipchips::app {
namespace {

using Planner = std::function<plan::PlannerResult(const plan::PlannerRequest&)>;

// The planners by --mode name; a new mode is one more entry here and in the option's check.
const std::map<std::string, Planner>& planners() {
  static const std::map<std::string, Planner> table{
      {"tle", [](const plan::PlannerRequest& r) { return plan::plan_tle(r); }},
      {"backfill", [](const plan::PlannerRequest& r) { return plan::plan_backfill(r); }},
  };
  return table;
}

nlohmann::ordered_json pass_json(const plan::PredictedPass& p) {
  nlohmann::ordered_json j;
  const plan::OverpassWindow& w = p.window;
  j["tile_id"] = w.tile_id;
  j["satellite"] = w.satellite;
  j["closest_approach_utc"] = format_iso8601(p.closest_approach, 3);
  j["swath_enter_utc"] = format_iso8601(p.swath_enter, 3);
  j["swath_leave_utc"] = format_iso8601(p.swath_leave, 3);
  j["start_time_utc"] = format_iso8601(w.start, 0);
  j["end_time_utc"] = format_iso8601(w.end, 0);
  j["centre_distance_km"] = p.centre_distance_km;
  j["cross_track_km"] = p.cross_track_km;
  j["swath_half_width_km"] = p.swath_half_width_km;
  j["coverage"] = w.coverage.value_or(0.0);
  j["absolute_orbit"] = w.absolute_orbit.value_or(0);
  j["relative_orbit"] = w.relative_orbit.value_or(0);
  j["sun_elevation_deg"] = w.sun_elevation_deg.value_or(0.0);
  j["ascending_node_lon_deg"] = p.ascending_node_lon_deg;
  j["source"] = w.source;
  return j;
}

class PredictOverpassesCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--mode", m_mode,
                   "planner: auto (the ESA plan where it covers the days and satellites, TLE "
                   "prediction elsewhere), tle (SGP4 from TLEs, days from --start), backfill "
                   "(past days before --start) or esa_plan (an ESA acquisition plan, KML or "
                   "CSV); default satellite_tracking.mode")
        ->check(CLI::IsMember({"auto", "tle", "backfill", "esa_plan"}));
    sub.add_option("--esa-kml", m_esa_kml,
                   "ESA acquisition plan KML, a file or an http(s) URL (default satellite_tracking.esa_kml_path)");
    sub.add_option("--esa-csv", m_esa_csv,
                   "ESA plan as the seed's CSV, a file or an http(s) URL (default satellite_tracking.esa_csv_path)");
    sub.add_option("--tle", m_tle,
                   "TLE or OMM (CSV/JSON/XML) file (default satellite_tracking.tle_file, else a "
                   "download of satellite_tracking.tle_source through the cache)");
    sub.add_option("--tiles", m_tiles, "MGRS tile ids, comma separated (default satellite_tracking.tiles)")
        ->delimiter(',');
    sub.add_option("--satellites", m_satellites, "S2A,S2B,S2C subset (default satellite_tracking.satellites)")
        ->delimiter(',');
    sub.add_option("--start", m_start, "YYYY-MM-DD (UTC midnight) or ISO 8601 time; default today 00:00 UTC");
    sub.add_option("--days", m_days, "days to plan (default satellite_tracking.prediction_days)");
    sub.add_option("--out", m_out, "schedule CSV (default storage.layout.schedule under the dataset root)");
    sub.add_option("--json", m_json, "also write per-pass details as a JSON array to FILE (\"-\": stdout)");
  }

  int run(const GlobalOptions& global) override {
    const Config config = load_app_config(global);
    const SatelliteTrackingConfig& st = config.satellite_tracking;
    const std::string mode = m_mode.empty() ? std::string(to_string(st.mode)) : m_mode;
    if (mode == "esa_plan") return run_esa(config);
    if (mode != "auto" && !planners().contains(mode))
      throw Error(ErrorCode::invalid_argument,
                  "--mode: satellite_tracking.mode is \"" + mode + "\"; give --mode auto, tle, backfill or esa_plan");

    plan::PlannerRequest request;
    request.tiles = m_tiles.empty() ? st.tiles : m_tiles;
    request.satellites = m_satellites.empty() ? st.satellites : m_satellites;
    request.start = m_start.empty() ? std::chrono::floor<std::chrono::days>(utc_now()) : parse_iso8601(m_start);
    request.days = m_days > 0 ? m_days : st.prediction_days;
    if (m_days < 0 || request.days < 1) throw Error(ErrorCode::invalid_argument, "--days: must be at least 1");
    request.window_minutes = st.overpass_window_minutes;
    request.min_sun_elevation_deg = st.min_sun_elevation_deg;
    request.tle_max_age_days = st.tle_max_age_days;

    std::vector<plan::OverpassWindow> windows;
    std::vector<plan::PredictedPass> passes;
    if (mode == "auto") {
      plan::AutoPlanRequest auto_request;
      auto_request.planner = request;
      const auto [kml, csv] = esa_plan_files(config);
      auto_request.esa_kml = kml;
      auto_request.esa_csv = csv;
      auto_request.load_element_sets = [&] { return load_element_sets(config); };
      plan::AutoPlanResult result = plan::plan_auto(auto_request);
      windows = std::move(result.windows);
      passes = std::move(result.passes);
    } else {
      request.element_sets = load_element_sets(config);
      plan::PlannerResult result = planners().at(mode)(request);
      windows = result.windows();
      passes = std::move(result.passes);
    }
    const std::filesystem::path out = write_output(config, windows);
    spdlog::info("predict-overpasses: {} window(s) ({} mode, {} tile(s), {} day(s)) -> {}", windows.size(), mode,
                 request.tiles.size(), request.days, out.string());

    if (!m_json.empty()) {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const plan::PredictedPass& p : passes) arr.push_back(pass_json(p));
      const std::string text = arr.dump(2) + "\n";
      if (m_json == "-")
        std::cout << text;
      else
        write_file_atomic(m_json, text);
    }
    return 0;
  }

 private:
  // --tle, else satellite_tracking.tle_file, else a download of tle_source through the cache.
  std::vector<orbit::Tle> load_element_sets(const Config& config) const {
    const SatelliteTrackingConfig& st = config.satellite_tracking;
    if (!m_tle.empty()) return plan::read_element_sets(m_tle);
    if (!st.tle_file.empty()) return plan::read_element_sets(resolve_path(config, st.tle_file));
    plan::TleSourceOptions options;
    options.url = st.tle_source;
    options.cache_dir = dataset_path(config, "plan/tle_cache");
    options.cache_hours = st.tle_cache_hours;
    HttpClient client;
    plan::TleFetch fetched = plan::fetch_tles(options, client);
    spdlog::info("predict-overpasses: {} element set(s) from {} ({}, fetched {})", fetched.element_sets.size(),
                 st.tle_source, plan::to_string(fetched.origin), format_iso8601(fetched.fetched_at, 0));
    return std::move(fetched.element_sets);
  }

  // --esa-kml / --esa-csv, else the configured paths (KML first); both empty when none. A URL
  // is downloaded through the cache in <dataset_root>/plan/esa_cache.
  std::pair<std::string, std::string> esa_plan_files(const Config& config) const {
    const SatelliteTrackingConfig& st = config.satellite_tracking;
    std::string kml = m_esa_kml, csv = m_esa_csv;
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
    return {kml, csv};
  }

  std::filesystem::path write_output(const Config& config, const std::vector<plan::OverpassWindow>& windows) const {
    const std::filesystem::path out =
        m_out.empty() ? dataset_path(config, config.storage.layout.schedule) : std::filesystem::path(m_out);
    plan::write_schedule_versioned(out, windows, config.satellite_tracking.schedule_versions_keep);
    return out;
  }

  int run_esa(const Config& config) const {
    const SatelliteTrackingConfig& st = config.satellite_tracking;
    plan::EsaPlanRequest request;
    const auto [kml, csv] = esa_plan_files(config);
    request.kml = kml;
    request.csv = csv;
    request.tiles = m_tiles.empty() ? st.tiles : m_tiles;
    request.satellites = m_satellites.empty() ? st.satellites : m_satellites;
    if (!m_start.empty()) request.start = parse_iso8601(m_start);
    request.days = m_days > 0 ? m_days : st.prediction_days;
    request.window_minutes = st.overpass_window_minutes;
    const auto windows = plan::plan_esa(request);
    const std::filesystem::path out = write_output(config, windows);
    spdlog::info("predict-overpasses: {} window(s) (esa_plan mode, {} tile(s)) -> {}", windows.size(),
                 request.tiles.size(), out.string());
    return 0;
  }

  std::string m_mode;
  std::string m_esa_kml;
  std::string m_esa_csv;
  std::string m_tle;
  std::vector<std::string> m_tiles;
  std::vector<std::string> m_satellites;
  std::string m_start;
  int m_days = 0;
  std::string m_out;
  std::string m_json;
};

RegisterCommand reg{"predict-overpasses",
                    "Overpass windows of S2A/S2B/S2C over tiles (auto: ESA plans + TLE; tle: SGP4; backfill: past "
                    "days; esa_plan: ESA plans)",
                    [] { return std::make_unique<PredictOverpassesCommand>(); }};

}  // namespace
}  // namespace shipchips::app
