#pragma once
// The fixture world's AIS (ais/ais_upload.csv) as each ship's track ordered by time: the input
// `pipeline::run_chipping` takes (header-only; for the pipeline tests).

#include "ais/track_set.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

namespace shipchips::testing {

inline std::map<std::int64_t, std::vector<ais::PositionReport>> world_tracks(const std::filesystem::path& world) {
  return ais::read_track_set((world / "ais" / "ais_upload.csv").string()).tracks;
}

}  // namespace shipchips::testing
