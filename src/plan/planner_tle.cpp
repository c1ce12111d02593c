// The TLE planner (see planner_tle.hpp).
#include "plan/planner_tle.hpp"

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "geo/s2_grid.hpp"

#include <spdlog/spdlog.h>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

namespace shipchips::plan {

std::vector<OverpassWindow> PlannerResult::windows() const {
  std::vector<OverpassWindow> out;
  out.reserve(passes.size());
  for (const PredictedPass& p : passes) out.push_back(p.window);
  return out;
}

orbit::Tle tle_from_omm(const orbit::Omm& omm) {
  using namespace std::chrono;
  orbit::Tle t;
  t.name = omm.object_name;
  t.catalog_number = omm.catalog_number;
  t.classification = omm.classification;
  t.international_designator = omm.object_id;
  const sys_days day0 = floor<days>(omm.epoch);
  const year_month_day ymd(day0);
  t.epoch_year = static_cast<int>(ymd.year());
  const sys_days jan1 = sys_days(ymd.year() / January / 1);
  t.epoch_day = 1.0 + duration<double, std::ratio<86400>>(omm.epoch -
                                                          UtcTime(duration_cast<microseconds>(jan1.time_since_epoch())))
                          .count();
  t.ndot_rev_day2 = omm.mean_motion_dot;
  t.nddot_rev_day3 = omm.mean_motion_ddot;
  t.bstar = omm.bstar;
  t.ephemeris_type = omm.ephemeris_type;
  t.element_set_number = omm.element_set_number;
  t.inclination_deg = omm.inclination_deg;
  t.raan_deg = omm.raan_deg;
  t.eccentricity = omm.eccentricity;
  t.arg_perigee_deg = omm.arg_perigee_deg;
  t.mean_anomaly_deg = omm.mean_anomaly_deg;
  t.mean_motion_rev_day = omm.mean_motion_rev_day;
  t.revolution_number = omm.rev_at_epoch;
  t.source_line = omm.source_line;
  return t;
}

std::vector<orbit::Tle> parse_element_sets(std::string_view text, std::string_view source) {
  const std::string_view head = text.substr(0, 4096);
  const std::size_t first = head.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  const std::string_view first_line = head.substr(0, head.find('\n'));
  const bool omm = first != std::string_view::npos && (head[first] == '[' || head[first] == '{' || head[first] == '<' ||
                                                       first_line.find("NORAD_CAT_ID") != std::string_view::npos);
  if (!omm) return orbit::parse_tle_text(text, source);
  std::vector<orbit::Tle> out;
  for (const orbit::Omm& o : orbit::parse_omm_text(text, source)) out.push_back(tle_from_omm(o));
  return out;
}

std::vector<orbit::Tle> read_element_sets(const std::filesystem::path& path) {
  std::vector<orbit::Tle> sets = parse_element_sets(read_input_file(path, "element set file"), path.string());
  if (sets.empty())
    throw Error(ErrorCode::input_invalid, path.string() + ": no element set (an empty TLE or OMM file?)");
  return sets;
}

namespace detail {

PlannerResult plan_window(const PlannerRequest& request, UtcTime start, UtcTime end, const std::string& source) {
  if (request.days < 1) throw Error(ErrorCode::invalid_argument, "days: must be at least 1");
  if (request.window_minutes < 0)
    throw Error(ErrorCode::invalid_argument, "overpass_window_minutes: must not be negative");
  if (request.tiles.empty()) throw Error(ErrorCode::invalid_argument, "tiles: no tile given");
  std::vector<TileGeometry> tiles;
  tiles.reserve(request.tiles.size());
  std::set<std::string> seen;  // "T31UFU" and "31ufu" name one tile: plan it once
  for (const std::string& id : request.tiles) {
    const geo::S2Tile tile = geo::s2_tile(id);
    if (seen.insert(tile.id).second) tiles.push_back(tile_geometry(tile));
  }
  PlannerResult result;
  const std::vector<SatelliteElements> sats =
      select_elements(request.element_sets, request.satellites, start, end, result.warnings, request.tle_max_age_days);
  PassOptions o;
  o.start = start;
  o.end = end;
  o.min_sun_elevation_deg = request.min_sun_elevation_deg;
  o.window_minutes = request.window_minutes;
  o.threads = request.threads;
  o.source = source;
  result.passes = predict_passes(sats, tiles, o);
  std::set<std::string> before_launch;
  std::erase_if(result.passes, [&](const PredictedPass& p) {
    if (p.closest_approach >= satellite_launch(p.window.satellite)) return false;
    before_launch.insert(p.window.satellite);
    return true;
  });
  for (const std::string& sat : before_launch) {
    result.warnings.push_back(sat + ": no passes before its launch on " +
                              format_iso8601(satellite_launch(sat), 0).substr(0, 10) + " (dropped)");
    spdlog::warn("{}", result.warnings.back());
  }
  return result;
}

}  // namespace detail

PlannerResult plan_tle(const PlannerRequest& request) {
  return detail::plan_window(request, request.start, request.start + std::chrono::days(request.days), "tle");
}

}  // namespace shipchips::plan
