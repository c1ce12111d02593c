#pragma once
// The chip_jobs table of the job store: one row per chip_id recording its latest attempt, so
// the operations issue can build retries, stuck-job reclaim and failure-rate alerts on it.
//
// Where: the dataset's SQLite database (storage.db_path under the dataset root, "ops.db"),
// beside the chips index (dataset/chip_index.hpp). Schema component "ops.chip_jobs" in
// schema_versions (core/sqlite_db.hpp). Columns — the seed's chip_jobs(chip_id, mmsi,
// scene_id, status, error, created_at, last_attempt_at) plus:
//   error_code      ErrorCode name of a failure ("network_transient"), NULL otherwise
//   error_category  retryable | permanent | contract (core/error.hpp) of a failure
//   attempts        how many attempts were started
//   finished_at     when the latest attempt ended (NULL while started)
//
// Lifecycle of an attempt: start_attempt() → status started; then exactly one of
// finish_done() (chip written), finish_failed(Error) (an exception: error text, code and
// category kept for the retry policy) or finish_rejected(reason) (an expected outcome such as
// a gate reject or no scene: not an error, no category). A row left in started is an attempt
// that never finished (crash); starting it again counts another attempt.

#include "core/error.hpp"
#include "core/sqlite_db.hpp"
#include "core/time.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ops {

enum class ChipJobStatus { started, done, failed, rejected };
std::string_view to_string(ChipJobStatus status);
// Error(input_invalid) on an unknown name.
ChipJobStatus parse_chip_job_status(std::string_view text);

struct ChipJob {
  std::string chip_id;
  std::int64_t mmsi = 0;
  std::string scene_id;
  ChipJobStatus status = ChipJobStatus::started;
  std::string error;                            // failure message or reject reason; "" otherwise
  std::optional<ErrorCode> error_code;          // failed only
  std::optional<ErrorCategory> error_category;  // failed only
  int attempts = 0;
  UtcTime created_at{};
  UtcTime last_attempt_at{};
  std::optional<UtcTime> finished_at;
};

class ChipJobs {
 public:
  using Clock = std::function<UtcTime()>;
  static constexpr std::string_view schema_component = "ops.chip_jobs";

  // Opens (creating when needed) and migrates the table. `clock` is for tests.
  explicit ChipJobs(const std::filesystem::path& db_path, Clock clock = utc_now);

  // New row (attempts 1), or the chip's row back to started with attempts + 1, the error
  // cleared and last_attempt_at = now (created_at kept). Returns the attempt number.
  int start_attempt(std::string_view chip_id, std::int64_t mmsi, std::string_view scene_id);
  // Each requires the chip's row to be in status started, else Error(internal): finishing an
  // attempt that was never started is a programming error in the pipeline.
  void finish_done(std::string_view chip_id);
  void finish_failed(std::string_view chip_id, const Error& error);
  void finish_failed(std::string_view chip_id, ErrorCode code, std::string_view message);
  void finish_rejected(std::string_view chip_id, std::string_view reason);

  std::optional<ChipJob> get(std::string_view chip_id);
  // Ordered by chip_id; all rows, or those of one status.
  std::vector<ChipJob> list(std::optional<ChipJobStatus> status = std::nullopt);
  std::map<ChipJobStatus, std::size_t> counts();

  sqlite::Database& database() { return m_db; }

 private:
  void finish(std::string_view chip_id, ChipJobStatus status, std::string_view error, std::optional<ErrorCode> code);

  sqlite::Database m_db;
  Clock m_clock;
};

}  // namespace shipchips::ops
