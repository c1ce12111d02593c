#pragma once
// A whole AIS file in memory as each ship's track: what the chipping step takes
// (pipeline::run_chipping). Positions of one ship ordered by time, exact repeats dropped; static
// data, which arrives in parts (type 5, or 24 A and B; CSV rows repeat it), merged to the newest
// value of each field.

#include "ais/model.hpp"
#include "ais/readers_csv.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shipchips::ais {

struct TrackSet {
  std::map<std::int64_t, std::vector<PositionReport>> tracks;
  std::map<std::int64_t, StaticData> statics;
  ReadReport read;
};

// Reads `path` (any format read_ais_file knows) into tracks. Bad rows as read_ais_file: counted
// in read.bad_rows and skipped, or with options.strict thrown as Error(input_invalid).
TrackSet read_track_set(const std::string& path, const ReadOptions& options = {});

}  // namespace shipchips::ais
