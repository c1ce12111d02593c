#pragma once
// The fixture world's AIS (ais/ais_upload.csv) as each ship's track ordered by time: the input
// `pipeline::run_chipping` takes (header-only; for the pipeline tests).

#include "ais/readers_csv.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

namespace shipchips::testing {

inline std::map<std::int64_t, std::vector<ais::PositionReport>> world_tracks(const std::filesystem::path& world) {
  std::map<std::int64_t, std::vector<ais::PositionReport>> tracks;
  ais::AisSink sink;
  sink.position = [&](const ais::PositionReport& p) { tracks[p.mmsi].push_back(p); };
  ais::read_ais_file((world / "ais" / "ais_upload.csv").string(), sink);
  for (auto& [mmsi, track] : tracks)
    std::stable_sort(track.begin(), track.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  return tracks;
}

}  // namespace shipchips::testing
