#pragma once
// One run of a command that changes data, recorded as it goes: a runs row (with this process as
// owner, heartbeating), a run_steps row per step, a manifest per step (ops/run_manifest.hpp)
// and, at the end, a run record dataset_root/<storage.layout.runs>/<run_id>.json with every
// step's status and manifest path. A run does not start when the dataset's file system has
// less than storage.min_free_gb free (io_error, nothing recorded) unless it frees space itself. Runs that a dead
// process (or one silent for ops.stuck_job_minutes) left running are marked failed when a new run starts.
//
// A step is a function that fills its manifest (inputs, outputs, counts, checks). It succeeds
// when it returns and every check passed; a failed check fails the step as a contract
// violation naming the check. A step's Error is recorded (manifest, run_steps, with its class)
// and rethrown, so the caller decides whether the run goes on.

#include "core/config.hpp"
#include "ops/job_store.hpp"
#include "ops/lease_keeper.hpp"
#include "ops/run_manifest.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::ops {

struct StepOutcome {
  std::string step;
  bool succeeded = false;
  std::string manifest;  // path relative to the dataset root
  std::string error;
  std::optional<ErrorCategory> error_class;
};

// Error(io_error) naming the dataset root when its file system (or, before the root exists, the
// nearest folder above it that does) has less than storage.min_free_gb free. Called before a
// run opens the job store, so a full disk gets no half-created database either.
void require_free_space(const Config& config);

class RunRecorder {
 public:
  // `partition`: the UTC day (YYYY-MM-DD) of a backfill partition, "" for the day it starts.
  // `space`: whether the run needs storage.min_free_gb free to start (gc, which frees space,
  // does not).
  enum class Space { required, not_required };
  RunRecorder(JobStore& store, const Config& config, std::string command, nlohmann::json args,
              std::string partition = {}, Space space = Space::required);
  RunRecorder(const RunRecorder&) = delete;
  RunRecorder& operator=(const RunRecorder&) = delete;
  // A run not finished (an exception left the caller) is recorded as failed.
  ~RunRecorder();

  const std::string& run_id() const { return m_run_id; }
  const std::string& date() const { return m_date; }

  StepManifest step(std::string_view name, const std::function<void(StepManifest&)>& work);
  // Records the run's end and writes its run record; returns its path. With an error, recording
  // is best effort (a warning when it cannot be written; the caller rethrows the error).
  std::filesystem::path finish(std::optional<Error> error = std::nullopt);

  const std::vector<StepOutcome>& steps() const { return m_steps; }
  bool succeeded() const;

 private:
  std::filesystem::path record_end(std::optional<Error> error);

  JobStore& m_store;
  const Config& m_config;
  std::string m_command;
  nlohmann::json m_args;
  std::string m_run_id;
  std::string m_date;
  UtcTime m_started{};
  std::vector<StepOutcome> m_steps;
  std::optional<LeaseKeeper> m_keeper;
  bool m_finished = false;
};

}  // namespace shipchips::ops
