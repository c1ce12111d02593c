// The auto planner (see planner_auto.hpp).
#include "plan/planner_auto.hpp"

#include "core/error.hpp"
#include "geo/s2_grid.hpp"
#include "plan/esa_plan_csv.hpp"
#include "plan/esa_plan_kml.hpp"
#include "plan/esa_plan_planner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace shipchips::plan {
namespace {

UtcTime compact_time(const std::string& text) {  // "20190912T120000"
  return parse_iso8601(text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2) + "T" + text.substr(9, 2) +
                       ":" + text.substr(11, 2) + ":" + text.substr(13, 2) + "Z");
}

// The Document name of a KML, from its first bytes (ASCII in both the UTF-8 and the
// ISO-8859-1 variants, so no decoding is needed to find it).
std::string kml_document_name(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(16384, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const auto open = head.find("<name>");
  const auto close = head.find("</name>", open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return head.substr(open + 6, close - open - 6);
}

struct PlanPart {
  std::vector<OverpassWindow> windows;
  std::map<std::string, std::pair<UtcTime, UtcTime>> periods;  // satellite → validity period
};

PlanPart read_plan(const AutoPlanRequest& request, const std::vector<std::string>& tiles,
                   std::vector<std::string>& warnings) {
  PlanPart part;
  if (!request.esa_kml.empty()) {
    const std::vector<Datatake> datatakes = read_esa_plan_kml(request.esa_kml);
    std::optional<std::pair<UtcTime, UtcTime>> period = esa_plan_period_from_name(request.esa_kml.filename().string());
    if (!period) period = esa_plan_period_from_name(kml_document_name(request.esa_kml));
    if (!period && !datatakes.empty()) {
      UtcTime from = datatakes.front().start, to = datatakes.front().stop;
      for (const Datatake& d : datatakes) {
        from = std::min(from, d.start);
        to = std::max(to, d.stop);
      }
      period = {from, to};
      warnings.push_back(request.esa_kml.string() +
                         ": no validity period in the file or document name; using the span "
                         "of its datatakes, " +
                         format_iso8601(from, 0) + " to " + format_iso8601(to, 0));
      spdlog::warn("{}", warnings.back());
    }
    for (const Datatake& d : datatakes) part.periods.emplace(d.satellite, *period);
    part.windows = plan_from_datatakes(datatakes, tiles, request.planner.window_minutes);
  } else {
    // The seed's CSV carries no metadata: each satellite's rows span its period.
    std::vector<OverpassWindow> rows = read_esa_plan_csv(request.esa_csv);
    for (const OverpassWindow& w : rows) {
      auto [it, fresh] = part.periods.emplace(w.satellite, std::make_pair(w.start, w.end));
      if (!fresh) {
        it->second.first = std::min(it->second.first, w.start);
        it->second.second = std::max(it->second.second, w.end);
      }
    }
    std::erase_if(rows, [&](const OverpassWindow& w) {
      return std::find(tiles.begin(), tiles.end(), geo::s2_tile(w.tile_id).id) == tiles.end();
    });
    part.windows = std::move(rows);
  }
  return part;
}

}  // namespace

std::optional<std::pair<UtcTime, UtcTime>> esa_plan_period_from_name(std::string_view text) {
  static const std::regex pattern(R"((\d{8}T\d{6})(?:_| to )(\d{8}T\d{6}))");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(text.begin(), text.end(), m, pattern)) return std::nullopt;
  try {
    const UtcTime from = compact_time(m[1].str());
    const UtcTime to = compact_time(m[2].str());
    if (to <= from) return std::nullopt;
    return std::make_pair(from, to);
  } catch (const Error&) {
    return std::nullopt;  // digits that are no date ("20191332T...") are not a period
  }
}

AutoPlanResult plan_auto(const AutoPlanRequest& request) {
  const PlannerRequest& base = request.planner;
  if (!request.esa_kml.empty() && !request.esa_csv.empty())
    throw Error(ErrorCode::invalid_argument, "auto: give at most one ESA plan (--esa-kml or --esa-csv)");
  if (base.days < 1) throw Error(ErrorCode::invalid_argument, "days: must be at least 1");
  if (base.tiles.empty()) throw Error(ErrorCode::invalid_argument, "tiles: no tile given");
  std::vector<std::string> tiles;
  for (const std::string& id : base.tiles) {
    std::string t = geo::s2_tile(id).id;
    if (std::find(tiles.begin(), tiles.end(), t) == tiles.end()) tiles.push_back(std::move(t));
  }
  for (const std::string& s : base.satellites) catalog_for_satellite(s);  // names checked before any work

  const UtcTime start = base.start;
  const UtcTime end = start + std::chrono::days(base.days);
  AutoPlanResult result;
  PlanPart plan;
  if (!request.esa_kml.empty() || !request.esa_csv.empty()) plan = read_plan(request, tiles, result.warnings);

  // Per satellite: the covered interval (if any) and the uncovered rest of [start, end).
  std::map<std::string, std::pair<UtcTime, UtcTime>> covered;
  std::vector<std::pair<std::string, std::pair<UtcTime, UtcTime>>> to_predict;
  for (const std::string& sat : base.satellites) {
    const auto it = plan.periods.find(sat);
    if (it == plan.periods.end() || it->second.second <= start || it->second.first >= end) {
      to_predict.push_back({sat, {start, end}});
      continue;
    }
    const UtcTime from = std::max(start, it->second.first);
    const UtcTime to = std::min(end, it->second.second);
    covered[sat] = {from, to};
    result.esa_coverage.push_back({sat, from, to});
    if (start < from) to_predict.push_back({sat, {start, from}});
    if (to < end) to_predict.push_back({sat, {to, end}});
  }
  for (const OverpassWindow& w : plan.windows) {
    const auto it = covered.find(w.satellite);
    if (it == covered.end()) continue;
    const UtcTime middle = w.start + (w.end - w.start) / 2;
    if (middle >= it->second.first && middle < it->second.second) result.windows.push_back(w);
  }

  if (!to_predict.empty()) {
    PlannerRequest tle = base;
    if (!request.load_element_sets)
      throw Error(ErrorCode::invalid_argument, "auto: no element sets for TLE prediction");
    tle.element_sets = request.load_element_sets();
    for (const auto& [sat, interval] : to_predict) {
      tle.satellites = {sat};
      PlannerResult part = detail::plan_window(tle, interval.first, interval.second, "tle");
      result.warnings.insert(result.warnings.end(), part.warnings.begin(), part.warnings.end());
      for (PredictedPass& p : part.passes) {
        result.windows.push_back(p.window);
        result.passes.push_back(std::move(p));
      }
    }
    std::sort(result.passes.begin(), result.passes.end(), [](const PredictedPass& a, const PredictedPass& b) {
      return std::tie(a.closest_approach, a.window.tile_id, a.window.satellite) <
             std::tie(b.closest_approach, b.window.tile_id, b.window.satellite);
    });
  }
  std::sort(result.windows.begin(), result.windows.end(), [](const OverpassWindow& a, const OverpassWindow& b) {
    return std::tie(a.start, a.tile_id, a.satellite) < std::tie(b.start, b.tile_id, b.satellite);
  });
  for (const PlanCoverage& c : result.esa_coverage)
    spdlog::info("auto: {} from the ESA plan for {} to {}", c.satellite, format_iso8601(c.from, 0),
                 format_iso8601(c.to, 0));
  return result;  // the warnings were logged where they arose
}

}  // namespace shipchips::plan
