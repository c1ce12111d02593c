#pragma once
// Maintenance of a dataset (`shipchips vacuum`): the job store's database compacted (a WAL
// checkpoint, VACUUM, another checkpoint that truncates the WAL, then quick_check), and with
// rm_empty the empty folders under the dataset root removed (bottom up; never the root itself).
// VACUUM needs the database to itself: while another process reads or writes it, this fails
// as database_busy (retryable) and changes nothing.

#include "core/config.hpp"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace shipchips::ops {

struct VacuumReport {
  std::filesystem::path db;
  std::uintmax_t bytes_before = 0;  // database + WAL
  std::uintmax_t bytes_after = 0;
  bool database_found = false;
  std::vector<std::filesystem::path> removed_dirs;
};

VacuumReport vacuum_dataset(const Config& config, bool rm_empty);

// The empty folders under `root` (not `root`), deepest first, removed; a folder emptied by
// removing its empty children goes too. Returns what was removed.
std::vector<std::filesystem::path> remove_empty_dirs(const std::filesystem::path& root);

}  // namespace shipchips::ops
