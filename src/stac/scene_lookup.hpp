#pragma once
// Finds the Sentinel-2 scenes that could image given points (ships) at given times, with as few
// STAC searches as possible: points are grouped by UTC day, one paged search per day covers the
// bounding box of that day's points and the time window around them, and its items serve every
// point of the group. Candidates for a point are the items whose footprint holds it, within the
// time window and the cloud limit, closest in time first. The cloud limit is applied here, not
// in the STAC query, so that a point without a scene gets the true reason.

#include "core/time.hpp"
#include "stac/item.hpp"
#include "stac/search.hpp"

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::stac {

struct ScenePoint {
  double lon = 0;
  double lat = 0;
  UtcTime time{};
};

struct SceneLookupOptions {
  std::vector<std::string> collections{"sentinel-2-l2a"};
  double window_hours = 12;                // |sensing time - point time| allowed
  std::optional<double> cloud_cover_max;   // eo:cloud_cover <= this
  int page_limit = 100;
  std::size_t max_items_per_search = 2000;
};

struct SceneCandidate {
  const Item* item = nullptr;  // owned by the SceneLookup
  double dt_seconds = 0;       // sensing time - point time
};

enum class NoSceneReason {
  none,            // there are candidates
  not_covered,     // no scene footprint holds the point in the searched days
  outside_window,  // scenes hold the point, but none within the time window
  too_cloudy,      // scenes hold the point within the window, all above the cloud limit
};
std::string_view to_string(NoSceneReason reason);

struct LookupResult {
  std::vector<SceneCandidate> candidates;  // closest in time first
  NoSceneReason reason = NoSceneReason::none;
};

class SceneLookup {
public:
  SceneLookup(StacClient& client, SceneLookupOptions options);

  // Runs the searches for every point's UTC day not searched yet, grouping the points.
  void prefetch(const std::vector<ScenePoint>& points);
  // Candidates for one point (searching its day first if needed), closest in time first, or
  // why there is none.
  LookupResult lookup(const ScenePoint& point);

  int searches() const { return m_searches; }
  std::size_t items_cached() const { return m_items.size(); }

private:
  void search_day(long day, const std::vector<ScenePoint>& points);

  StacClient& m_client;
  SceneLookupOptions m_options;
  std::deque<Item> m_items;                       // stable addresses for SceneCandidate::item
  std::map<std::string, const Item*> m_by_id;     // collection/id → item, deduplicates searches
  std::map<long, std::vector<const Item*>> m_by_day;
  int m_searches = 0;
};

} // namespace shipchips::stac
