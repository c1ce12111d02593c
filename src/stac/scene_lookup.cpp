#include "stac/scene_lookup.hpp"

#include "geo/polygon.hpp"

#include <algorithm>
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

} // namespace

SceneLookup::SceneLookup(StacClient& client, SceneLookupOptions options)
    : m_client(client), m_options(std::move(options)) {}

void SceneLookup::prefetch(const std::vector<ScenePoint>& points) {
  std::map<long, std::vector<ScenePoint>> groups;
  for (const auto& p : points) {
    long day = utc_day(p.time);
    if (!m_by_day.count(day)) groups[day].push_back(p);
  }
  for (const auto& [day, group] : groups) search_day(day, group);
}

void SceneLookup::search_day(long day, const std::vector<ScenePoint>& points) {
  // A small margin keeps points on a footprint edge from being lost to bbox rounding.
  constexpr double kMarginDeg = 0.01;
  double west = 180, south = 90, east = -180, north = -90;
  UtcTime first = points.front().time, last = points.front().time;
  for (const auto& p : points) {
    west = std::min(west, p.lon);
    east = std::max(east, p.lon);
    south = std::min(south, p.lat);
    north = std::max(north, p.lat);
    first = std::min(first, p.time);
    last = std::max(last, p.time);
  }
  auto window = std::chrono::microseconds{static_cast<long long>(m_options.window_hours * 3600e6)};
  SearchRequest request;
  request.collections = m_options.collections;
  request.bbox = std::array<double, 4>{std::max(-180.0, west - kMarginDeg), std::max(-90.0, south - kMarginDeg),
                                       std::min(180.0, east + kMarginDeg), std::min(90.0, north + kMarginDeg)};
  request.datetime = format_datetime_interval(first - window, last + window);
  request.limit = m_options.page_limit;
  request.sort_datetime = SortOrder::ascending;
  SearchOptions search_options;
  search_options.max_items = m_options.max_items_per_search;
  SearchResult result = m_client.search(request, search_options);
  ++m_searches;
  auto& day_items = m_by_day[day];
  for (auto& item : result.items) {
    std::string key = item.collection + "/" + item.id;
    auto it = m_by_id.find(key);
    if (it == m_by_id.end()) {
      m_items.push_back(std::move(item));
      it = m_by_id.emplace(key, &m_items.back()).first;
    }
    day_items.push_back(it->second);
  }
}

LookupResult SceneLookup::lookup(const ScenePoint& point) {
  long day = utc_day(point.time);
  if (!m_by_day.count(day)) search_day(day, {point});
  LookupResult result;
  bool covered = false, in_window = false;
  double window_s = m_options.window_hours * 3600.0;
  for (const Item* item : m_by_day[day]) {
    if (!footprint_contains(*item, point.lon, point.lat)) continue;
    covered = true;
    double dt = std::chrono::duration<double>(item->datetime - point.time).count();
    if (std::abs(dt) > window_s) continue;
    in_window = true;
    if (m_options.cloud_cover_max && item->cloud_cover && *item->cloud_cover > *m_options.cloud_cover_max) continue;
    result.candidates.push_back({item, dt});
  }
  std::sort(result.candidates.begin(), result.candidates.end(), [](const SceneCandidate& a, const SceneCandidate& b) {
    if (std::abs(a.dt_seconds) != std::abs(b.dt_seconds)) return std::abs(a.dt_seconds) < std::abs(b.dt_seconds);
    return a.item->id < b.item->id;
  });
  if (result.candidates.empty()) {
    result.reason = !covered ? NoSceneReason::not_covered
                    : !in_window ? NoSceneReason::outside_window
                                 : NoSceneReason::too_cloudy;
  }
  return result;
}

std::string_view to_string(NoSceneReason reason) {
  switch (reason) {
  case NoSceneReason::none: return "none";
  case NoSceneReason::not_covered: return "no scene covers the point";
  case NoSceneReason::outside_window: return "no scene within the time window";
  case NoSceneReason::too_cloudy: return "every scene in the window is over the cloud limit";
  }
  return "none";
}

} // namespace shipchips::stac
