// `shipchips predict-overpasses` (the work: pipeline/predict.hpp): the overpass schedule of the configured (or given)
// tiles, from a planner chosen by --mode (default satellite_tracking.mode), written atomically to
// storage.layout.schedule (or --out); the schedule it replaces is kept under history/
// (plan/schedule_versions.hpp). Element sets come from --tle, satellite_tracking.tle_file, or
// satellite_tracking.tle_source through the download cache <dataset_root>/plan/tle_cache
// (plan/tle_source.hpp). --json FILE ("-" for stdout) adds the per-pass details the schedule
// has no columns for (closest approach to the tile centre, swath entry/exit, cross-track
// distance) of the passes predicted from element sets (tle, backfill, and auto's tle rows).
// Recorded as a run with a predict step manifest (pipeline/recorded_commands.hpp).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/atomic_file.hpp"
#include "core/time.hpp"
#include "pipeline/recorded_commands.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace shipchips::app {
namespace {

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
    sub.add_option("--start", m_start, "YYYY-MM-DD (UTC midnight) or ISO 8601 time; default today 00:00 UTC")
        ->check(iso8601_time);
    sub.add_option("--days", m_days, "days to plan (default satellite_tracking.prediction_days)")
        ->check(positive_number);
    sub.add_option("--out", m_out, "schedule CSV (default storage.layout.schedule under the dataset root)");
    sub.add_option("--json", m_json, "also write per-pass details as a JSON array to FILE (\"-\": stdout)");
  }

  int run(const GlobalOptions& global) override {
    const Config config = load_app_config(global);
    pipeline::PredictRequest request;
    request.mode = m_mode;
    request.esa_kml = m_esa_kml;
    request.esa_csv = m_esa_csv;
    request.tle = m_tle;
    request.tiles = m_tiles;
    request.satellites = m_satellites;
    if (!m_start.empty()) request.start = parse_iso8601(m_start);
    request.days = m_days;
    request.out = m_out;
    const pipeline::PredictResult result = pipeline::predict_recorded(config, request).result;
    if (!m_json.empty()) {
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      for (const plan::PredictedPass& p : result.passes) arr.push_back(pass_json(p));
      const std::string text = arr.dump(2) + "\n";
      if (m_json == "-")
        std::cout << text;
      else
        write_file_atomic(m_json, text);
    }
    return 0;
  }

 private:
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
