#pragma once
// `shipchips index rebuild`: recreate the chips table and every export from the chips tree.
//
// Scans chips_root (the fixed part of storage.layout.chips, "chips/") recursively for sidecars
// named {chip_id}.json (16 lower-case hex digits; temporary files, which start with '.', and
// other names are ignored). A sidecar is indexed when
//   - it parses strictly (chip_record.hpp),
//   - its chip_id is the file name and equals make_chip_id(mmsi, scene_id),
//   - its path field is where its .tif actually is, which is also where storage.layout.chips
//     puts a chip of its split, mmsi and sensing date (a chip in train/ whose record says val
//     is refused: splits must not leak), and that .tif exists,
//   - no other valid sidecar of the same chip_id has a newer `created` (two copies appear when
//     splits.* changed between runs; the newest wins, ties go to the first in path order).
// Otherwise the problem is reported with the sidecar's path and the sidecar skipped, or, with
// strict, the rebuild stops before changing anything. Then the table is made to match: rows
// of indexed sidecars are upserted, every other row (no artifacts on disk) is deleted, and the
// exports are rewritten (unchanged files keep their bytes and mtime).

#include "core/config.hpp"
#include "dataset/chip_record.hpp"
#include "dataset/index_export.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace shipchips::dataset {

class ChipIndex;

struct RebuildOptions {
  bool strict = false;
};

struct RebuildIssue {
  std::string path;     // the sidecar, relative to the dataset root
  std::string kind;     // broken_sidecar | missing_tif | misplaced | duplicate_chip_id
  std::string message;  // what is wrong (parse errors name the field)
};

struct SidecarScan {
  std::size_t sidecars = 0;         // files named {chip_id}.json
  std::vector<ChipRecord> records;  // the valid ones, sorted by chip_id
  std::vector<RebuildIssue> issues;
};

// Reads and checks every sidecar under the chips tree (no database involved).
// Error(not_found) when the chips folder itself does not exist (wrong dataset_root?).
SidecarScan scan_sidecars(const std::filesystem::path& dataset_root, const StorageLayout& layout);

struct RebuildReport {
  std::size_t sidecars = 0;
  std::size_t indexed = 0;
  std::size_t inserted = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
  std::size_t removed = 0;  // rows deleted because their chip has no valid artifacts
  std::vector<RebuildIssue> issues;
  ExportReport exports;

  nlohmann::ordered_json to_json() const;
  std::string summary() const;  // a few human-readable lines
};

// Error(input_invalid) in strict mode when any sidecar has a problem (nothing changed then).
RebuildReport rebuild_index(ChipIndex& index, const std::filesystem::path& dataset_root, const StorageLayout& layout,
                            const RebuildOptions& options = {});
RebuildReport rebuild_index(const Config& config, const RebuildOptions& options = {});
// Error(not_found) when the chips folder does not exist (most likely a wrong dataset_root or an
// unmounted disk: rebuilding from nothing would empty the index).
void require_chips_folder(const Config& config);

nlohmann::ordered_json export_report_json(const ExportReport& report);

}  // namespace shipchips::dataset
