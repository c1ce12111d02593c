#pragma once
// `shipchips collect-ais`: AIS into the track store (<dataset_root>/ais/tracks.sqlite), then
// per-tile, per-day snapshots (pipeline/ais_snapshots.hpp).
//
// Areas: with restrict_to_schedule, the tiles whose schedule window (plan/overpass_schedule.csv)
// is open, re-evaluated every second as windows open and close; without it, the configured
// satellite_tracking.tiles all the time. Boxes come from the tile grid, widened by
// ais.bbox_margin_km. With no area (no window open): collect-ais says so and when the next
// window opens, and waits (or ends, with `once`); it never subscribes to the whole world unless
// ais.allow_global is set.
//
// Live (dry_run false): aisstream.io through ais::AisStreamClient (the API key from the
// environment or .env, never logged), frames batched into the store every ais.batch_size
// messages or ais.flush_interval_s. A stop request (SIGINT/SIGTERM in the command) or the end
// of --window-min stops the client, drains its queue, flushes, and writes the snapshots.
//
// Dry run: synthetic traffic (ais/synthetic.hpp; provider "synthetic" on every row) for the
// areas over [now, now + window_min) — each area only within its windows when restricted —
// generated at once rather than in real time, then stored and snapshotted the same way.

#include "core/config.hpp"
#include "core/time.hpp"

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::pipeline {

struct CollectOptions {
  bool dry_run = true;
  bool restrict_to_schedule = false;
  bool once = false;                        // end instead of waiting when no window is open
  double window_min = 0;                    // capture length in minutes; 0: until stopped (live)
  std::filesystem::path schedule;           // default: storage.layout.schedule
  std::optional<UtcTime> now;               // dry run: the simulated start (default: now)
  std::string api_key;                      // live only
  std::uint64_t seed = 1;                   // dry run
  int synthetic_ships = 12;                 // dry run, per area
  const std::atomic<bool>* stop = nullptr;  // set by a signal handler
};

struct CollectReport {
  std::size_t positions_received = 0;
  std::size_t positions_inserted = 0;  // new in the store (exact duplicates dropped)
  std::size_t static_received = 0;
  std::size_t error_frames = 0;
  std::size_t reconnects = 0;
  std::vector<std::string> tiles;                // areas listened to
  std::vector<std::filesystem::path> snapshots;  // .parquet files written (the .xlsx beside each)
  std::size_t snapshot_rows = 0;
  std::string ended;  // why the capture ended
};

// The track store of a dataset.
std::filesystem::path track_store_path(const Config& config);

CollectReport collect_ais(const Config& config, const CollectOptions& options);

}  // namespace shipchips::pipeline
