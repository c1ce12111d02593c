#pragma once
// `shipchips backfill --start D --end D`: the batch run (pipeline/batch_run.hpp) once per UTC-day
// partition from start to end (inclusive), each partition its own run with its own manifests
// (manifests/<step>/date=<D>/run=<run_id>/manifest.json). With AIS files, a partition chips
// their pings of its day; without, it plans that day and captures synthetic AIS for its windows.
//
// --resume: a partition is skipped when one run has succeeded manifests for every step of it
// (the manifests are the record, not the job store); failed and missing partitions run again.
// Up to max_parallel partitions run at once. The summary
// manifests/backfills/<backfill_id>/summary.json lists every partition with its status
// (succeeded, failed, skipped), run id, manifests and error; written atomically when the
// backfill ends (and after each partition, so a killed backfill leaves what it finished).

#include "core/config.hpp"
#include "pipeline/batch_run.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace shipchips::pipeline {

struct BackfillOptions {
  std::string start;  // YYYY-MM-DD
  std::string end;    // YYYY-MM-DD, >= start
  std::vector<std::string> ais_files;
  int max_parallel = 1;
  bool resume = false;
  bool include_swir = false;
  std::uint64_t seed = 1;
};

struct PartitionOutcome {
  std::string date;
  std::string status;  // succeeded, failed, skipped
  std::string run_id;  // the run (for skipped: the earlier run that succeeded)
  std::string error;
  std::optional<ErrorCategory> error_class;
  std::optional<ErrorCode> error_code;
  std::size_t written = 0;
  std::size_t failed_chips = 0;
};

struct BackfillReport {
  std::string backfill_id;
  std::vector<PartitionOutcome> partitions;
  std::filesystem::path summary;
  std::size_t succeeded() const;
  std::size_t failed() const;
  std::size_t skipped() const;
};

// The days start..end. Error(invalid_argument) for a bad date, end before start, or more than
// 3660 days.
std::vector<std::string> partition_days(const std::string& start, const std::string& end);

// The run id whose manifests show every step of `date` succeeded, or "" when none does.
std::string succeeded_run_of(const Config& config, const std::string& date, bool with_predict);

BackfillReport run_backfill(const Config& config, const BackfillOptions& options);

}  // namespace shipchips::pipeline
