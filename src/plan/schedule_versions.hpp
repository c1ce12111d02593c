#pragma once
// Versioned schedule writes. predict-overpasses (every mode) replaces plan/overpass_schedule.csv
// with write_schedule_versioned: the schedule it replaces is first kept as
// plan/history/overpass_schedule_<yyyymmddThhmmssZ>.csv, stamped with the time it was written
// (its modification time), so an operator can see what the AIS capture was following at any
// time and how a new plan changed it. History is pruned to the newest `keep` versions
// (satellite_tracking.schedule_versions_keep; 0 keeps all). A new schedule identical to the
// current one is not a new version: nothing is archived. Every file is written atomically
// (copy to history first, then the new schedule), so the schedule path always holds a whole
// schedule; when the new schedule cannot be written, the copy is removed again, leaving the
// schedule and its history as they were.

#include "core/time.hpp"
#include "plan/schedule.hpp"

#include <filesystem>
#include <optional>
#include <vector>

namespace shipchips::plan {

struct ScheduleWriteResult {
  std::optional<std::filesystem::path> archived;  // the previous schedule's copy, if one was made
  std::vector<std::filesystem::path> pruned;      // history files removed
};

// Throws Error(invalid_argument) for keep < 0, Error(io_error) naming the path on I/O failure.
ScheduleWriteResult write_schedule_versioned(const std::filesystem::path& path,
                                             const std::vector<OverpassWindow>& windows, int keep);

// "20260321T060000Z" (UTC, whole seconds).
std::string version_stamp(UtcTime time);

// The history folder of a schedule path (<folder of path>/history) and its versions there,
// oldest first (file names sort by stamp).
std::filesystem::path schedule_history_dir(const std::filesystem::path& schedule_path);
std::vector<std::filesystem::path> schedule_versions(const std::filesystem::path& schedule_path);

}  // namespace shipchips::plan
