#pragma once
// Finds the Sentinel-2 scenes that could image given points (ships) at given times, with as few
// STAC searches as possible and every search reusable: points are keyed by their home tile
// (the Sentinel-2 tile on the 100 km MGRS square holding the point) and UTC day, and one paged
// search per (tile, day) — the tile's box, the day widened by the widest time window any
// relaxation step allows — serves every point with that key. Candidates for a point are the
// items whose footprint holds it, within the time window and the cloud limit, closest in time
// first. The cloud limit is applied here, not in the STAC query, so that a point without a
// scene gets the true reason.
//
// Relaxation (stac.relax_steps): when no item passes the configured limits, the steps are
// applied one after the other, each loosening the limits further on top of the previous
// ones, until one yields candidates; the steps applied are returned with them (and recorded in
// the chip metadata). Without a step that helps, the reason is that of the loosest limits.

#include "core/config.hpp"
#include "core/time.hpp"
#include "stac/item.hpp"
#include "stac/search.hpp"

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  std::vector<StacRelaxStep> relax_steps;  // tried in order when nothing passes the limits above
  int page_limit = 100;
  std::size_t max_items_per_search = 2000;
};

// The stac section of the config: collection, window, cloud limit, relaxation steps, paging.
SceneLookupOptions scene_lookup_options_from(const StacConfig& config);

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
  std::vector<std::string> relax_steps;  // the steps applied to find the candidates, in order
};

class SceneLookup {
 public:
  SceneLookup(StacClient& client, SceneLookupOptions options);

  // Runs the searches for every point's (tile, day) not searched yet.
  void prefetch(const std::vector<ScenePoint>& points);
  // Candidates for one point (searching its tile and day first if needed), closest in time
  // first, or why there is none.
  LookupResult lookup(const ScenePoint& point);

  int searches() const { return m_searches; }
  std::size_t items_cached() const { return m_items.size(); }

  // The search key of a point: its home tile id ("31UFU"; "lat,lon" of a 1° cell where the
  // grid has no tile) and UTC day number.
  static std::pair<std::string, long> key_of(const ScenePoint& point);

 private:
  using Key = std::pair<std::string, long>;
  const std::vector<const Item*>& items_for(const ScenePoint& point);
  void search(const Key& key, const ScenePoint& sample);

  StacClient& m_client;
  SceneLookupOptions m_options;
  double m_widest_window_hours = 0;
  std::deque<Item> m_items;                    // stable addresses for SceneCandidate::item
  std::map<std::string, const Item*> m_by_id;  // collection/id → item, deduplicates searches
  std::map<Key, std::vector<const Item*>> m_by_key;
  int m_searches = 0;
};

}  // namespace shipchips::stac
