#include "stac/scene_lookup.hpp"

#include "core/error.hpp"
#include "geo/polygon.hpp"
#include "geo/s2_grid.hpp"
#include "geo/s2_grid_lookup.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

namespace shipchips::stac {
namespace {

long utc_day(UtcTime t) {
  return static_cast<long>(std::chrono::floor<std::chrono::days>(t).time_since_epoch().count());
}

bool footprint_contains(const Item& item, double lon, double lat) {
  for (const auto& polygon : item.footprint) {
    if (geo::polygon_contains(polygon, lon, lat)) return true;
  }
  return false;
}

// The tile on the 100 km MGRS square holding the point, in the point's MGRS zone: exactly one
// per point, so the key is stable whichever ships share it.
std::optional<geo::S2Tile> home_tile(double lon, double lat) {
  const int zone = geo::mgrs_zone(lon, lat);
  if (zone == 0) return std::nullopt;
  const bool north = lat >= 0;
  const geo::UtmXY xy = geo::lonlat_to_utm(zone, north, lon, lat);
  return geo::s2_tile_for_square(zone, north, std::floor(xy.x / 1e5) * 1e5, std::floor(xy.y / 1e5) * 1e5);
}

// Search box: the tile's WGS-84 footprint box (a 1° cell without a tile), with a margin so a
// point on an edge is not lost to rounding. Items holding any point of the tile intersect it.
std::array<double, 4> key_bbox(const std::string& tile_key, const ScenePoint& sample) {
  constexpr double kMarginDeg = 0.01;
  double west = 180, south = 90, east = -180, north = -90;
  if (std::isdigit(static_cast<unsigned char>(tile_key.front())) && tile_key.find(',') == std::string::npos) {
    for (const geo::LonLat& p : geo::s2_tile_footprint(geo::s2_tile(tile_key))) {
      west = std::min(west, p.lon);
      east = std::max(east, p.lon);
      south = std::min(south, p.lat);
      north = std::max(north, p.lat);
    }
  } else {
    west = std::floor(sample.lon);
    east = west + 1;
    south = std::floor(sample.lat);
    north = south + 1;
  }
  return {std::max(-180.0, west - kMarginDeg), std::max(-90.0, south - kMarginDeg), std::min(180.0, east + kMarginDeg),
          std::min(90.0, north + kMarginDeg)};
}

struct Limits {
  double window_hours = 0;
  std::optional<double> cloud_cover_max;
};

}  // namespace

SceneLookupOptions scene_lookup_options_from(const StacConfig& config) {
  SceneLookupOptions options;
  options.collections = {config.collection};
  options.window_hours = config.search_window_hours;
  options.cloud_cover_max = config.cloud_cover_max;
  options.page_limit = config.page_limit;
  options.max_items_per_search = static_cast<std::size_t>(config.max_items);
  for (const std::string& step : config.relax_steps) options.relax_steps.push_back(parse_stac_relax_step(step));
  return options;
}

SceneLookup::SceneLookup(StacClient& client, SceneLookupOptions options)
    : m_client(client), m_options(std::move(options)), m_widest_window_hours(m_options.window_hours) {
  for (const StacRelaxStep& step : m_options.relax_steps) {
    m_widest_window_hours = std::max(m_widest_window_hours, step.search_window_hours);
  }
}

std::pair<std::string, long> SceneLookup::key_of(const ScenePoint& point) {
  if (!std::isfinite(point.lon) || !std::isfinite(point.lat) || std::fabs(point.lat) > 90.0)
    throw Error(ErrorCode::invalid_argument, "scene lookup: position (" + std::to_string(point.lat) + ", " +
                                                 std::to_string(point.lon) + ") is not a valid latitude/longitude");
  std::string tile;
  if (auto home = home_tile(point.lon, point.lat)) {
    tile = home->id;
  } else {
    tile = std::to_string(static_cast<int>(std::floor(point.lat))) + "," +
           std::to_string(static_cast<int>(std::floor(point.lon)));
  }
  return {tile, utc_day(point.time)};
}

void SceneLookup::prefetch(const std::vector<ScenePoint>& points) {
  for (const auto& p : points) {
    const Key key = key_of(p);
    if (!m_by_key.count(key)) search(key, p);
  }
}

const std::vector<const Item*>& SceneLookup::items_for(const ScenePoint& point) {
  const Key key = key_of(point);
  if (!m_by_key.count(key)) search(key, point);
  return m_by_key.at(key);
}

void SceneLookup::search(const Key& key, const ScenePoint& sample) {
  const UtcTime day_start{std::chrono::days{key.second}};
  const auto window = std::chrono::microseconds{static_cast<long long>(m_widest_window_hours * 3600e6)};
  SearchRequest request;
  request.collections = m_options.collections;
  request.bbox = key_bbox(key.first, sample);
  request.datetime = format_datetime_interval(day_start - window, day_start + std::chrono::days{1} + window);
  request.limit = m_options.page_limit;
  request.sort_datetime = SortOrder::ascending;
  SearchOptions search_options;
  search_options.max_items = m_options.max_items_per_search;
  SearchResult result = m_client.search(request, search_options);
  ++m_searches;
  auto& key_items = m_by_key[key];
  for (auto& item : result.items) {
    std::string id = item.collection + "/" + item.id;
    auto it = m_by_id.find(id);
    if (it == m_by_id.end()) {
      m_items.push_back(std::move(item));
      it = m_by_id.emplace(id, &m_items.back()).first;
    }
    key_items.push_back(it->second);
  }
}

LookupResult SceneLookup::lookup(const ScenePoint& point) {
  const std::vector<const Item*>& items = items_for(point);
  auto evaluate = [&](const Limits& limits) {
    LookupResult result;
    bool covered = false, in_window = false;
    const double window_s = limits.window_hours * 3600.0;
    for (const Item* item : items) {
      if (!footprint_contains(*item, point.lon, point.lat)) continue;
      covered = true;
      const double dt = std::chrono::duration<double>(item->datetime - point.time).count();
      if (std::abs(dt) > window_s) continue;
      in_window = true;
      if (limits.cloud_cover_max && item->cloud_cover && *item->cloud_cover > *limits.cloud_cover_max) continue;
      result.candidates.push_back({item, dt});
    }
    std::sort(result.candidates.begin(), result.candidates.end(), [](const SceneCandidate& a, const SceneCandidate& b) {
      if (std::abs(a.dt_seconds) != std::abs(b.dt_seconds)) return std::abs(a.dt_seconds) < std::abs(b.dt_seconds);
      return a.item->id < b.item->id;
    });
    if (result.candidates.empty()) {
      result.reason = !covered     ? NoSceneReason::not_covered
                      : !in_window ? NoSceneReason::outside_window
                                   : NoSceneReason::too_cloudy;
    }
    return result;
  };

  Limits limits{m_options.window_hours, m_options.cloud_cover_max};
  LookupResult result = evaluate(limits);
  std::vector<std::string> applied;
  for (const StacRelaxStep& step : m_options.relax_steps) {
    if (!result.candidates.empty()) break;
    if (step.cloud_cover_max >= 0) limits.cloud_cover_max = step.cloud_cover_max;
    if (step.search_window_hours > 0) limits.window_hours = step.search_window_hours;
    applied.push_back(step.text);
    result = evaluate(limits);
    if (!result.candidates.empty()) result.relax_steps = applied;
  }
  return result;
}

std::string_view to_string(NoSceneReason reason) {
  switch (reason) {
    case NoSceneReason::none:
      return "none";
    case NoSceneReason::not_covered:
      return "no scene covers the point";
    case NoSceneReason::outside_window:
      return "no scene within the time window";
    case NoSceneReason::too_cloudy:
      return "every scene in the window is over the cloud limit";
  }
  return "none";
}

}  // namespace shipchips::stac
