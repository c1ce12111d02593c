#include "ais/track_set.hpp"

#include <algorithm>

namespace shipchips::ais {

TrackSet read_track_set(const std::string& path, const ReadOptions& options) {
  TrackSet set;
  AisSink sink;
  sink.position = [&](const PositionReport& p) { set.tracks[p.mmsi].push_back(p); };
  sink.static_data = [&](const StaticData& s) { merge_static(set.statics[s.mmsi], s); };
  set.read = read_ais_file(path, sink, options);
  for (auto& [mmsi, track] : set.tracks) {
    std::stable_sort(track.begin(), track.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
    track.erase(std::unique(track.begin(), track.end()), track.end());
  }
  return set;
}

}  // namespace shipchips::ais
