#pragma once
// The job store's data model, shared by every backend (SQLite now, PostgreSQL next): chip jobs
// with their lifecycle, the retry policy, input AIS observation groups with their outcome, and
// runs with their steps.
//
// A chip job is one (ship, scene) chip. Its lifecycle:
//
//   queued ──claim──► running ──complete──► done
//      ▲                │  │ ──reject───► rejected   (expected outcome: gate, no AIS near sensing
//      │                │  │                          time, ...; class permanent)
//      │                │  └──fail──────► failed     (an Error; its code's class decides:)
//      │                │                   retryable  next_retry_at = now + backoff, until
//      │                │                              attempts > max_retries ("exhausted")
//      │                │                   permanent  recorded; retried only when asked
//      │                │                   contract   terminal until an operator forces it
//      │                └──lease expired / owner dead──► failed, retryable, code lease_expired,
//      │                                                  due at once (the reaper)
//      └── a claim also takes failed and rejected jobs when the caller asks for them.
//
// A job is claimed before work starts: the claim sets lease_owner and lease_expires_at = now +
// lease (ops.stuck_job_minutes), counts the attempt and stamps the run. The owner heartbeats
// while it works (extending the lease); complete/reject/fail succeed only for the owner of a
// running job, so a job the reaper took away cannot be finished twice. The reaper re-checks
// the state in the same statement: a job that finished after its lease expired (but before the
// reaper looked) stays finished.

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ops {

enum class JobStatus { queued, running, done, rejected, failed };
std::string_view to_string(JobStatus status);
// Error(input_invalid) on an unknown name.
JobStatus parse_job_status(std::string_view text);
// Error(invalid_argument) on an unknown name (retryable, permanent, contract).
ErrorCategory parse_error_class(std::string_view text);

// The retry schedule of failed jobs (ops.max_retries, ops.initial_backoff_min,
// ops.max_backoff_hours): after failure n of a job (n = 1 first), wait
//   min(initial_backoff_min · 2^(n-1) minutes, max_backoff_hours) × (1 ± jitter)
// (core/backoff's ceiling, with ±10 % jitter so failed jobs of one outage spread apart without
// a retry ever coming much earlier than its schedule). A job that has failed more than
// max_retries times is exhausted: no next_retry_at.
struct RetryPolicy {
  int max_retries = 5;
  std::chrono::seconds initial_backoff{5 * 60};
  std::chrono::seconds max_backoff{24 * 3600};
  double jitter = 0.1;
  // The delay after failure `failures` (≥ 1) for a point `unit` in [0, 1) of the jitter:
  // ceiling × (1 − jitter + 2·jitter·unit), whole seconds.
  std::chrono::seconds delay(int failures, double unit) const;
};
RetryPolicy retry_policy_from(const OpsConfig& ops);
// The lease of a claim and the staleness limit of a run: ops.stuck_job_minutes (at least 1 s).
std::chrono::seconds lease_duration(const OpsConfig& ops);

// What the caller knows when it enqueues a chip job. `payload` is what a later attempt needs
// without the original input (JSON text: the scene item, the ship's pings near the sensing
// time, its static data); the store keeps it opaque.
struct ChipJobSpec {
  std::string chip_id;
  std::int64_t mmsi = 0;
  std::string scene_id;
  std::string payload;
};

struct ChipJob {
  std::string chip_id;
  std::int64_t mmsi = 0;
  std::string scene_id;
  JobStatus status = JobStatus::queued;
  std::string error;                         // failure message or reject reason; "" otherwise
  std::optional<ErrorCode> error_code;       // failed only
  std::optional<ErrorCategory> error_class;  // failed (its code's class) and rejected (permanent)
  int attempts = 0;                          // claims so far
  UtcTime created_at{};
  std::optional<UtcTime> last_attempt_at;  // the latest claim
  std::optional<UtcTime> finished_at;      // the latest done/rejected/failed
  std::string lease_owner;                 // "" when not running
  std::optional<UtcTime> lease_expires_at;
  std::optional<UtcTime> heartbeat_at;
  std::optional<UtcTime> next_retry_at;  // failed retryable and not exhausted only
  std::string run_id;                    // the run of the latest claim (or of the enqueue)
  std::string payload;
};

// A claim: who works (ops/lease_owner.hpp) and for how long without a heartbeat.
struct Lease {
  std::string owner;
  std::chrono::seconds duration{3600};
  std::string run_id;
};

// Which jobs claim_due takes (ops-retry, the run's retry pass, workers):
//   default  queued jobs and failed retryable jobs whose next_retry_at has come
//   error_class  only failed jobs of that class (permanent also takes rejected jobs);
//   force    ignore next_retry_at and exhaustion (an operator fixed the cause);
//            contract jobs are only ever taken with force and error_class = contract.
struct DueFilter {
  std::size_t limit = 50;
  std::optional<ErrorCategory> error_class;
  bool force = false;
};

// One finished attempt, for batched finishing.
struct JobFinish {
  enum class Kind { done, rejected, failed };
  std::string chip_id;
  Kind kind = Kind::done;
  std::string message;                   // reject reason or error message
  ErrorCode code = ErrorCode::internal;  // failed only
};

struct JobCounts {
  std::map<JobStatus, std::size_t> by_status;
  std::map<ErrorCategory, std::size_t> failed_by_class;  // failed jobs
  std::size_t due_retries = 0;                           // failed retryable, next_retry_at <= now
  std::size_t exhausted = 0;                             // failed retryable, no next retry
  std::optional<UtcTime> oldest_running_since;           // the earliest last_attempt_at of running jobs
  std::size_t expired_leases = 0;                        // running with lease_expires_at < now
};

// One input observation group (one ship of one AIS input: the pings between first and last)
// and what became of it — the seed's ais_observations row. id is deterministic:
// "<mmsi>|<first ping, ISO 8601>|<tile_id>", so rerunning the same input updates its row.
struct Observation {
  std::string id;
  std::int64_t mmsi = 0;
  double lat = 0, lon = 0;  // the ping the group is placed at (nearest its scene)
  std::string tile_id;      // MGRS tile of the scene it was chipped on ("" when none)
  UtcTime captured_time{};  // first ping
  UtcTime last_ping{};
  std::optional<UtcTime> overpass_time;  // the sensing time of its scene (none when no scene)
  std::size_t pings = 0;
  std::string source;  // the input: file path, "aisstream", "synthetic"
  std::string provider;
  std::string status;     // captured, chipped, gate_rejected, rejected,
                          // no_ais_near_sensing_time, no_scene, failed
  std::string reason;     // why, for anything but chipped ("" otherwise)
  std::size_t chips = 0;  // its chips that exist
  int retry_count = 0;    // failed outcomes so far
  std::string last_error;
  std::optional<UtcTime> created_at;  // set by the store
  std::optional<UtcTime> last_attempt_at;
  std::optional<UtcTime> next_retry_at;  // its earliest due chip retry
  std::string run_id;
};

enum class RunStatus { running, succeeded, failed };
std::string_view to_string(RunStatus status);
RunStatus parse_run_status(std::string_view text);

struct RunRecord {
  std::string run_id;
  std::string command;    // run, chip, backfill, publish, ...
  std::string args;       // the options, as JSON text
  std::string partition;  // the UTC day of a backfill partition, "" otherwise
  RunStatus status = RunStatus::running;
  UtcTime started_at{};
  std::optional<UtcTime> finished_at;
  std::string owner;  // the process (ops/lease_owner.hpp)
  std::optional<UtcTime> heartbeat_at;
  std::string error;
  std::optional<ErrorCategory> error_class;
};

struct RunStep {
  std::string run_id;
  std::string step;  // predict, collect, chip, index, retry, publish, ...
  int seq = 0;       // order within the run
  RunStatus status = RunStatus::running;
  UtcTime started_at{};
  std::optional<UtcTime> finished_at;
  std::string manifest;  // path of its manifest, relative to the dataset root
  std::string counts;    // JSON object text
  std::string error;
  std::optional<ErrorCategory> error_class;
};

}  // namespace shipchips::ops
