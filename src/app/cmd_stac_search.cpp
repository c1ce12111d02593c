// `shipchips stac search`: one STAC search (bbox/point, time, cloud) or, with --points, the
// scenes that could image every point of an AIS upload CSV (grouped searches, see
// stac/scene_lookup.hpp), summarised per ship.
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/error.hpp"
#include "pipeline/scenes_per_ship.hpp"
#include "stac/from_config.hpp"
#include "stac/scene_lookup.hpp"
#include "stac/search.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace shipchips::app {
namespace {

std::vector<double> parse_numbers(const std::string& text, std::size_t count, const char* option) {
  std::vector<double> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      std::size_t used = 0;
      out.push_back(std::stod(part, &used));
      if (used != part.size()) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      throw Error(ErrorCode::invalid_argument, std::string(option) + ": '" + part + "' is not a number");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() != count) {
    throw Error(ErrorCode::invalid_argument,
                std::string(option) + ": expected " + std::to_string(count) + " comma-separated numbers");
  }
  return out;
}

nlohmann::json item_summary(const stac::Item& item) {
  return {{"id", item.id},
          {"collection", item.collection},
          {"datetime", format_iso8601(item.datetime, 3)},
          {"cloud_cover", item.cloud_cover ? nlohmann::json(*item.cloud_cover) : nlohmann::json()},
          {"processing_baseline", item.processing_baseline},
          {"boa_offset_applied", item.boa_offset_applied ? nlohmann::json(*item.boa_offset_applied) : nlohmann::json()},
          {"epsg", item.epsg ? nlohmann::json(*item.epsg) : nlohmann::json()},
          {"tile", item.mgrs_tile}};
}

class StacSearchCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--endpoint", m_endpoint, "STAC API root (default: stac.endpoint)");
    sub.add_option("--collection", m_collection, "Collection (default: stac.collection)");
    sub.add_option("--bbox", m_bbox, "west,south,east,north in degrees");
    sub.add_option("--point", m_point, "lon,lat: items whose footprint intersects this point");
    sub.add_option("--datetime", m_datetime, "instant or interval (start/end, '..' for open ends)");
    sub.add_option("--cloud-max", m_cloud_max, "eo:cloud_cover <= this (default: stac.cloud_cover_max)");
    sub.add_option("--max-items", m_max_items, "stop after this many items (default: stac.max_items)");
    sub.add_option("--points", m_points, "AIS upload CSV (mmsi, lat, lon, overpass_time): scenes per ship");
    sub.add_option("--window-hours", m_window_hours,
                   "with --points: |scene - AIS time| allowed "
                   "(default: stac.search_window_hours)");
    sub.add_flag("--strict", m_strict, "with --points: a bad CSV row is fatal");
    sub.add_flag("--json", m_json, "JSON lines instead of a table");
    sub.get_option("--bbox")->excludes(sub.get_option("--point"));
    sub.get_option("--points")->excludes(sub.get_option("--bbox"))->excludes(sub.get_option("--point"));
  }

  int run(const GlobalOptions& global) override {
    Config config = load_app_config(global);
    if (!m_endpoint.empty()) config.stac.endpoint = m_endpoint;
    if (!m_collection.empty()) config.stac.collection = m_collection;
    stac::StacClient client(config.stac.endpoint, stac::http_options_from(config.stac));
    if (!m_points.empty()) return run_points(config, client);
    return run_single(config, client);
  }

 private:
  int run_single(const Config& config, stac::StacClient& client) {
    stac::SearchRequest request;
    request.collections = {config.stac.collection};
    if (!m_bbox.empty()) {
      auto v = parse_numbers(m_bbox, 4, "--bbox");
      request.bbox = std::array<double, 4>{v[0], v[1], v[2], v[3]};
    }
    if (!m_point.empty()) {
      auto v = parse_numbers(m_point, 2, "--point");
      request.intersects = {{"type", "Point"}, {"coordinates", {v[0], v[1]}}};
    }
    request.datetime = m_datetime;
    request.limit = config.stac.page_limit;
    request.cloud_cover.lte = m_cloud_max.value_or(config.stac.cloud_cover_max);
    request.sort_datetime = stac::SortOrder::ascending;
    stac::SearchOptions options;
    options.max_items = static_cast<std::size_t>(m_max_items.value_or(config.stac.max_items));
    auto result = client.search(request, options);
    for (const auto& item : result.items) {
      if (m_json) {
        std::cout << item_summary(item).dump() << "\n";
      } else {
        std::printf("%-28s %s  cloud %6.2f%%  baseline %-5s  epsg %d\n", item.id.c_str(),
                    format_iso8601(item.datetime, 0).c_str(), item.cloud_cover.value_or(NAN),
                    item.processing_baseline.c_str(), item.epsg.value_or(0));
      }
    }
    if (!m_json) {
      std::printf("%zu items in %d pages (%zu duplicates dropped)%s\n", result.items.size(), result.pages,
                  result.duplicates_dropped, result.hit_max_items ? ", stopped at --max-items" : "");
    }
    return 0;
  }

  int run_points(const Config& config, stac::StacClient& client) {
    stac::SceneLookupOptions options = stac::scene_lookup_options_from(config.stac);
    if (m_window_hours) options.window_hours = *m_window_hours;
    if (m_cloud_max) options.cloud_cover_max = *m_cloud_max;
    const pipeline::ScenesPerShipReport report = pipeline::scenes_per_ship(m_points, m_strict, client, options);
    long ships_with_scene = 0;
    for (const auto& [mmsi, ship] : report.ships) {
      if (!ship.best_dt.empty()) ++ships_with_scene;
      if (m_json) {
        nlohmann::json scenes = nlohmann::json::array();
        for (const auto& [id, dt] : ship.best_dt) scenes.push_back({{"scene_id", id}, {"closest_ping_dt_s", dt}});
        std::cout << nlohmann::json{{"mmsi", mmsi},
                                    {"pings", ship.pings},
                                    {"pings_with_scene", ship.pings_with_scene},
                                    {"scenes", scenes},
                                    {"no_scene", ship.no_scene}}
                         .dump()
                  << "\n";
      } else {
        std::printf("mmsi %09lld  pings %5ld  with a scene %5ld", mmsi, ship.pings, ship.pings_with_scene);
        for (const auto& [id, dt] : ship.best_dt) std::printf("  %s (closest ping %.0f s)", id.c_str(), dt);
        if (ship.best_dt.empty()) {
          for (const auto& [reason, count] : ship.no_scene) std::printf("  no scene: %s (%ld)", reason.c_str(), count);
        }
        std::printf("\n");
      }
    }
    std::FILE* out = m_json ? stderr : stdout;
    std::fprintf(out,
                 "%ld rows read (%ld bad, %ld without a time), %zu ships, %ld with at least one scene; "
                 "%d STAC searches, %zu distinct items\n",
                 report.read.rows, report.read.bad_rows, report.rows_without_time, report.ships.size(),
                 ships_with_scene, report.searches, report.items);
    for (const auto& problem : report.read.problems) std::fprintf(stderr, "skipped: %s\n", problem.c_str());
    return 0;
  }

  std::string m_endpoint, m_collection, m_bbox, m_point, m_datetime, m_points;
  std::optional<double> m_cloud_max, m_window_hours;
  std::optional<long> m_max_items;
  bool m_strict = false;
  bool m_json = false;
};

RegisterCommand reg{"stac search", "Search a STAC API for Sentinel-2 L2A scenes (or scenes per AIS point)",
                    [] { return std::make_unique<StacSearchCommand>(); }};

}  // namespace
}  // namespace shipchips::app
