#pragma once
// `shipchips prune --time-tol-min M --dist-tol-m D [--dry-run]`: drops the chips AIS does not
// support. For each indexed chip, the ship's pings come from the dataset's track store
// (ais/tracks.sqlite; every chip run imports its input there) and are interpolated to the
// scene's sensing time exactly as the chip step does (ais/interpolate.hpp). A chip is kept when
// its nearest ping is within M minutes of the sensing time and that position lies within D
// metres of the chip's centre; otherwise it is pruned, with the reason. A chip whose ship has no
// ping in the track store at all cannot be judged and is kept (reported as unverifiable:
// `shipchips ais import` its AIS first). (The seed compared a chip with the row it was made
// from, so its distance was always 0.)
//
// Removing is one crash-safe step: a journal (manifests/prune/pending.json, atomic) lists the
// chips first; then one SQLite transaction deletes their index rows and marks their jobs
// rejected ("pruned: ...", so a rerun does not make them again unless --retry-rejected); then
// tiles.parquet, the daily GeoJSON and labels are rewritten from the table; then the files go;
// then the journal. A prune that finds a journal finishes it first, so a crash at any point
// leaves either the chips whole or the prune completed on the next run.

#include "core/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::pipeline {

struct PruneOptions {
  double time_tol_min = 10;
  double dist_tol_m = 500;
  bool dry_run = false;
};

struct PrunedChip {
  std::string chip_id;
  std::int64_t mmsi = 0;
  std::string scene_id;
  std::string reason;
  std::optional<double> dt_nearest_s;
  std::optional<double> distance_m;
};

struct PruneReport {
  std::size_t chips = 0;
  std::size_t kept = 0;
  std::size_t unverifiable = 0;
  std::vector<PrunedChip> pruned;
  std::size_t files_removed = 0;
  bool resumed_journal = false;  // an earlier prune's journal was finished first
};

PruneReport prune_chips(const Config& config, const PruneOptions& options);

}  // namespace shipchips::pipeline
