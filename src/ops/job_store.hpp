#pragma once
// The job store: one interface, one behaviour, any backend. SQLite (sqlite_job_store.hpp) is the
// default, in the dataset's database (storage.db_path); PostgreSQL follows behind the same
// interface for many workers. The behaviour is pinned by one conformance suite
// (tests/unit/job_store_conformance.hpp) that every backend runs.
//
// It owns four tables (the seed's columns are all there; names in job_model.hpp):
//   chip_jobs         one row per chip (ship, scene): lifecycle, lease, retries, payload
//   ais_observations  one row per input observation group and its outcome
//   runs, run_steps   every command that changes data, and each step of it
//
// Every method is one transaction; methods are safe to call from several threads (a backend
// serialises what its connection cannot share). Times come from the store's clock, so tests
// move time without sleeping; random jitter from its own generator (seedable).

#include "ops/job_model.hpp"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ops {

class JobStore {
 public:
  using Clock = std::function<UtcTime()>;
  virtual ~JobStore() = default;

  // ---- chip jobs
  // New chip ids become queued jobs of `run_id`; an existing job keeps its state and history
  // and gets the new payload (a newer input knows the ship better). Returns how many were new.
  virtual std::size_t enqueue(std::span<const ChipJobSpec> jobs, std::string_view run_id) = 0;
  // Claims, in one transaction, those of `chip_ids` that are queued, failed or rejected (a
  // caller that should not redo failed or rejected ones leaves them out), or running under a
  // lease that has expired; never a done job or one under a live lease. Returns the claimed
  // jobs (status running, attempts + 1), in the order asked.
  virtual std::vector<ChipJob> claim(std::span<const std::string> chip_ids, const Lease& lease) = 0;
  // Claims up to filter.limit jobs that are due (see DueFilter), oldest due first.
  virtual std::vector<ChipJob> claim_due(const DueFilter& filter, const Lease& lease) = 0;
  // The jobs claim_due would take, without claiming them (a retry pass replans them first).
  virtual std::vector<ChipJob> due(const DueFilter& filter) = 0;
  // Extends the lease of every running job of `owner` to now + duration; returns how many.
  virtual std::size_t heartbeat(std::string_view owner, std::chrono::seconds duration) = 0;
  // Finishes attempts of `owner`, in one transaction. An attempt whose job is no longer running
  // under `owner` (the reaper took it) is not applied; returns how many were.
  virtual std::size_t finish(std::span<const JobFinish> finishes, std::string_view owner) = 0;
  // Expired leases (lease_expires_at < now), and every running job of an owner in
  // `dead_owners`, back to failed/retryable/lease_expired, due at once (counted against
  // max_retries like any failure). The state is re-checked in the same statement, so a job
  // finished meanwhile is untouched. Returns the jobs reclaimed (as they were before).
  virtual std::vector<ChipJob> reap(std::span<const std::string> dead_owners = {}) = 0;
  // Distinct owners of running jobs and of running runs (for the dead-owner check).
  virtual std::vector<std::string> lease_owners() = 0;

  virtual std::optional<ChipJob> get(std::string_view chip_id) = 0;
  // Ordered by chip_id; all jobs, or those of one status.
  virtual std::vector<ChipJob> list(std::optional<JobStatus> status = std::nullopt) = 0;
  // Failed and rejected jobs, latest finished first.
  virtual std::vector<ChipJob> recent_failures(std::size_t limit) = 0;
  virtual JobCounts counts() = 0;

  // ---- observations
  // Inserts or updates (by id) in one transaction: created_at is kept; retry_count grows by
  // one when the new status is failed.
  virtual void record_observations(std::span<const Observation> observations) = 0;
  // Ordered by mmsi, captured_time.
  virtual std::vector<Observation> observations() = 0;

  // ---- runs and steps
  virtual void start_run(const RunRecord& run) = 0;
  virtual void heartbeat_run(std::string_view run_id) = 0;
  virtual void finish_run(std::string_view run_id, RunStatus status, std::string_view error = {},
                          std::optional<ErrorCategory> error_class = std::nullopt) = 0;
  virtual void start_step(const RunStep& step) = 0;
  // Sets status, finished_at, manifest, counts, error and class of (run_id, step).
  virtual void finish_step(const RunStep& step) = 0;
  // Runs left running by a dead owner, or whose heartbeat is older than `stale`, become failed
  // (retryable, "abandoned") with their running steps; returns their ids.
  virtual std::vector<std::string> reap_runs(std::span<const std::string> dead_owners, std::chrono::seconds stale) = 0;
  virtual std::optional<RunRecord> get_run(std::string_view run_id) = 0;
  // Latest started first.
  virtual std::vector<RunRecord> list_runs(std::size_t limit) = 0;
  virtual std::vector<RunStep> steps(std::string_view run_id) = 0;

  // ---- the policy it was opened with
  virtual const RetryPolicy& policy() const = 0;
  // Where it lives, for messages ("sqlite:/data/ops.db").
  virtual std::string describe() const = 0;
};

// The store config names: today SQLite at storage.db_path under the dataset root.
std::unique_ptr<JobStore> open_job_store(const Config& config);

}  // namespace shipchips::ops
