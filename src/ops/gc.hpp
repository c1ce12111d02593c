#pragma once
// `shipchips gc --cache-ttl-days N --watermark-disk F [--dry-run]`: frees disk under the dataset
// root, oldest first, and stops as soon as the file system's usage is below the watermark.
//
// What it may delete, in this order (each older than the TTL by modification time):
//   1. temporaries of atomic writes whose process is gone (any age: they are garbage)
//   2. download caches: plan/tle_cache/, plan/esa_cache/
//   3. old schedule versions: the schedule's history/ folder (the live schedule stays)
//   4. manifests of runs that failed, or that a later succeeded run of the same step and day
//      superseded (the newest succeeded manifest of every step and day stays: backfill --resume
//      reads it), and backfill summaries but the newest
// Never: chips, indexes, the job store, backups, the live schedule, run records, and anything
// under manifests/published/ (current.json's versions) or named by current.json.
// usage = 1 − available / capacity of the dataset root's file system; --dry-run lists what would
// go (counting each file's size as freed) and deletes nothing.

#include "core/config.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace shipchips::ops {

struct GcOptions {
  double ttl_days = 30;
  double watermark = 0.8;  // 0..1
  bool dry_run = false;
};

struct GcCandidate {
  std::filesystem::path path;  // a file, or a manifest's run=<id> folder
  std::string kind;            // temporary, tle_cache, esa_cache, schedule_history, manifest, backfill_summary
  std::uintmax_t bytes = 0;
};

struct GcReport {
  double usage_before = 0;
  double usage_after = 0;
  std::vector<GcCandidate> deleted;  // or, with dry_run, what would be
  std::size_t candidates = 0;
  bool below_watermark = false;
};

// Usage (0..1) of the file system holding `path`.
double disk_usage(const std::filesystem::path& path);

// The candidates, in deletion order (see above).
std::vector<GcCandidate> gc_candidates(const Config& config, const GcOptions& options);

// Usage is measured again after each deletion.
GcReport run_gc(const Config& config, const GcOptions& options);

}  // namespace shipchips::ops
