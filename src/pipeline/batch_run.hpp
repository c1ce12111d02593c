#pragma once
// `shipchips run`: the seed's batch as one run of the job store (ops/run_recorder.hpp), every
// step a recorded step with its manifest:
//
//   predict  the overpass schedule (pipeline/predict.hpp), unless AIS files are given
//   collect  AIS for the schedule's windows: synthetic (--dry-run-ais, the default) around each
//            window of the planned days, or live from aisstream.io (--no-dry-run-ais) for the
//            windows open now; skipped when AIS files are given (they are the step's inputs)
//   chip     every AIS input chipped (pipeline/chip_run.hpp) under one cap of ships and chips
//   index    the exports rewritten from the chips table and checked (rows = chips, every
//            indexed chip's files present, no chip id twice)
//   retry    a retry pass over due jobs, at most ops.retry_batch_limit (pipeline/retry_pass.hpp)
//
// A step that fails stops the run (its error and class are in its manifest and the run
// record); chip failures are job outcomes, kept in the job store for ops-retry. The same
// function serves `backfill` (one partition = one UTC day) and, later, the service.

#include "core/config.hpp"
#include "core/time.hpp"
#include "ops/run_recorder.hpp"
#include "pipeline/chip_run.hpp"
#include "pipeline/retry_pass.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::pipeline {

struct BatchRunOptions {
  std::vector<std::string> ais_files;  // given: no predict/collect capture
  bool dry_run_ais = true;
  bool restrict_to_schedule = false;  // live capture: only inside windows open now
  std::size_t max_ships = 0;
  std::size_t max_chips = 0;
  bool include_swir = false;
  // Planning: the first day and the number of days (0: satellite_tracking.prediction_days);
  // a backfill partition sets one day.
  std::optional<UtcTime> start;
  int days = 0;
  std::string partition;  // YYYY-MM-DD of a backfill partition, "" otherwise
  // With AIS files: chip only their pings in [first, second) (a backfill partition's day).
  std::optional<std::pair<UtcTime, UtcTime>> ping_window;
  std::string api_key;     // live capture
  std::uint64_t seed = 1;  // synthetic AIS
  std::string command = "run";
};

struct BatchRunReport {
  std::string run_id;
  bool succeeded = false;
  std::optional<Error> error;  // the step error that stopped the run
  std::filesystem::path schedule;
  std::size_t windows = 0;
  std::vector<std::filesystem::path> ais_inputs;
  std::size_t ships = 0;
  std::size_t chips_planned = 0;
  std::size_t written = 0;
  std::size_t skipped_existing = 0;
  std::size_t rejected = 0;
  std::size_t failed = 0;
  std::vector<std::string> errors;  // failed chips (first 50)
  std::optional<ErrorCode> first_failure;
  std::size_t index_rows = 0;
  RetryPassReport retry;
  std::vector<ops::StepOutcome> steps;
  std::filesystem::path run_record;
};

BatchRunReport run_batch(const Config& config, const BatchRunOptions& options);

}  // namespace shipchips::pipeline
