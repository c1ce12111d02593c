#pragma once
// The SQLite job store (ops/job_store.hpp), in the dataset's database file (storage.db_path,
// shared with the chips index and the track store's tables when they live there).
//
// Connection (core/sqlite_db): journal_mode=WAL, checked (the open fails when SQLite answers
// anything else, e.g. on a file system without shared memory), so readers such as ops-status
// never block a worker. synchronous=NORMAL: with WAL a commit is safe against a killed process
// (it is in the WAL, in the OS's page cache) and the database never corrupts; only an OS crash
// or power loss can roll back the last commits before a checkpoint. That is the right trade for
// a job store whose steps are idempotent: a lost "done" is redone, finds the chip present and is
// skipped; FULL would fsync every claim and finish. busy_timeout 10 s (several processes share
// the file); every write is BEGIN IMMEDIATE (the write lock up front: no deadlock on upgrade).
//
// Schema: versioned migrations per component in schema_versions (core/sqlite_db.hpp):
//   ops.chip_jobs        v1 the first chip_jobs (started/done/failed/rejected)
//                        v2 leases, heartbeats, retries, run_id, payload; started → failed
//                           (lease_expired, due at once): an attempt no process finished
//   ops.ais_observations v1 (takes over ops.ship_outcomes' rows, then drops that table)
//   ops.runs             v1 runs and run_steps
// Times are ISO 8601 UTC text with 6 fraction digits, so text order is time order.

#include "core/sqlite_db.hpp"
#include "ops/job_store.hpp"

#include <filesystem>
#include <mutex>
#include <random>

namespace shipchips::ops {

struct SqliteJobStoreOptions {
  RetryPolicy policy;
  JobStore::Clock clock = utc_now;
  std::optional<std::uint64_t> jitter_seed;  // tests fix it
};

class SqliteJobStore final : public JobStore {
 public:
  // Opens (creating when needed) and migrates. Errors name the path.
  explicit SqliteJobStore(const std::filesystem::path& db_path, SqliteJobStoreOptions options = {});

  std::size_t enqueue(std::span<const ChipJobSpec> jobs, std::string_view run_id) override;
  std::vector<ChipJob> claim(std::span<const std::string> chip_ids, const Lease& lease) override;
  std::vector<ChipJob> claim_due(const DueFilter& filter, const Lease& lease) override;
  std::vector<ChipJob> due(const DueFilter& filter) override;
  std::size_t heartbeat(std::string_view owner, std::chrono::seconds duration) override;
  std::size_t finish(std::span<const JobFinish> finishes, std::string_view owner) override;
  std::vector<ChipJob> reap(std::span<const std::string> dead_owners = {}) override;
  std::vector<std::string> lease_owners() override;
  std::optional<ChipJob> get(std::string_view chip_id) override;
  std::vector<ChipJob> list(std::optional<JobStatus> status = std::nullopt) override;
  std::vector<ChipJob> recent_failures(std::size_t limit) override;
  JobCounts counts() override;

  void record_observations(std::span<const Observation> observations) override;
  std::vector<Observation> observations() override;

  void start_run(const RunRecord& run) override;
  void heartbeat_run(std::string_view run_id) override;
  void finish_run(std::string_view run_id, RunStatus status, std::string_view error = {},
                  std::optional<ErrorCategory> error_class = std::nullopt) override;
  void start_step(const RunStep& step) override;
  void finish_step(const RunStep& step) override;
  std::vector<std::string> reap_runs(std::span<const std::string> dead_owners, std::chrono::seconds stale) override;
  std::optional<RunRecord> get_run(std::string_view run_id) override;
  std::vector<RunRecord> list_runs(std::size_t limit) override;
  std::vector<RunStep> steps(std::string_view run_id) override;

  const RetryPolicy& policy() const override { return m_options.policy; }
  std::string describe() const override;

  sqlite::Database& database() { return m_db; }

 private:
  // The ids claim_due takes (the caller holds the lock and a transaction when it claims them).
  std::vector<std::string> due_ids(const DueFilter& filter, const std::string& now);
  std::optional<UtcTime> next_retry(int attempts, ErrorCategory category);

  sqlite::Database m_db;
  SqliteJobStoreOptions m_options;
  std::mutex m_mutex;
  std::mt19937_64 m_rng;
};

}  // namespace shipchips::ops
