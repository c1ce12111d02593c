#include "ops/chip_jobs.hpp"

#include <array>

namespace shipchips::ops {
namespace {

constexpr std::array<sqlite::Migration, 1> kMigrations{{
    {1,
     "CREATE TABLE chip_jobs ("
     " chip_id TEXT PRIMARY KEY NOT NULL,"
     " mmsi INTEGER NOT NULL,"
     " scene_id TEXT NOT NULL,"
     " status TEXT NOT NULL CHECK (status IN ('started', 'done', 'failed', 'rejected')),"
     " error TEXT,"
     " error_code TEXT,"
     " error_category TEXT CHECK (error_category IN ('retryable', 'permanent', 'contract')),"
     " attempts INTEGER NOT NULL,"
     " created_at TEXT NOT NULL,"
     " last_attempt_at TEXT NOT NULL,"
     " finished_at TEXT);"
     "CREATE INDEX chip_jobs_status ON chip_jobs(status, last_attempt_at);"},
}};

std::optional<ErrorCode> code_from(const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  // A name written by a newer shipchips: treat it as not retryable.
  return error_code_from_name(*name).value_or(ErrorCode::internal);
}

// Fixed-width (6 fraction digits) so text order is time order in SQL.
std::string db_time(UtcTime t) {
  return format_iso8601(t, 6);
}

constexpr std::string_view kColumns =
    "chip_id, mmsi, scene_id, status, error, error_code, attempts, created_at, last_attempt_at, finished_at";

ChipJob row_of(const sqlite::Statement& q) {
  ChipJob job;
  job.chip_id = q.text(0);
  job.mmsi = q.int64(1);
  job.scene_id = q.text(2);
  job.status = parse_chip_job_status(q.text(3));
  job.error = q.opt_text(4).value_or("");
  job.error_code = code_from(q.opt_text(5));
  if (job.error_code) job.error_category = category_of(*job.error_code);
  job.attempts = static_cast<int>(q.int64(6));
  job.created_at = parse_iso8601(q.text(7));
  job.last_attempt_at = parse_iso8601(q.text(8));
  if (auto finished = q.opt_text(9)) job.finished_at = parse_iso8601(*finished);
  return job;
}

}  // namespace

std::string_view to_string(ChipJobStatus status) {
  switch (status) {
    case ChipJobStatus::started:
      return "started";
    case ChipJobStatus::done:
      return "done";
    case ChipJobStatus::failed:
      return "failed";
    case ChipJobStatus::rejected:
      return "rejected";
  }
  return "started";
}

ChipJobStatus parse_chip_job_status(std::string_view text) {
  for (ChipJobStatus s :
       {ChipJobStatus::started, ChipJobStatus::done, ChipJobStatus::failed, ChipJobStatus::rejected}) {
    if (to_string(s) == text) return s;
  }
  throw Error(ErrorCode::input_invalid, "chip_jobs: unknown status '" + std::string(text) + "'");
}

ChipJobs::ChipJobs(const std::filesystem::path& db_path, Clock clock) : m_db(db_path), m_clock(std::move(clock)) {
  sqlite::migrate(m_db, schema_component, kMigrations);
}

int ChipJobs::start_attempt(std::string_view chip_id, std::int64_t mmsi, std::string_view scene_id) {
  if (chip_id.empty() || scene_id.empty()) {
    throw Error(ErrorCode::invalid_argument, "chip_jobs: start_attempt needs a chip_id and a scene_id");
  }
  std::string now = db_time(m_clock());
  sqlite::Transaction tx(m_db);
  sqlite::Statement up = m_db.prepare(
      "INSERT INTO chip_jobs(chip_id, mmsi, scene_id, status, attempts, created_at, last_attempt_at)"
      " VALUES(?1, ?2, ?3, 'started', 1, ?4, ?4)"
      " ON CONFLICT(chip_id) DO UPDATE SET mmsi = excluded.mmsi, scene_id = excluded.scene_id, status = 'started',"
      " error = NULL, error_code = NULL, error_category = NULL, attempts = chip_jobs.attempts + 1,"
      " last_attempt_at = excluded.last_attempt_at, finished_at = NULL");
  up.bind(1, chip_id).bind(2, mmsi).bind(3, scene_id).bind(4, now);
  up.run();
  sqlite::Statement q = m_db.prepare("SELECT attempts FROM chip_jobs WHERE chip_id = ?1");
  q.bind(1, chip_id);
  q.step();
  int attempts = static_cast<int>(q.int64(0));
  q.reset();
  tx.commit();
  return attempts;
}

void ChipJobs::finish(std::string_view chip_id, ChipJobStatus status, std::string_view error,
                      std::optional<ErrorCode> code) {
  sqlite::Statement up = m_db.prepare(
      "UPDATE chip_jobs SET status = ?2, error = ?3, error_code = ?4, error_category = ?5, finished_at = ?6"
      " WHERE chip_id = ?1 AND status = 'started'");
  up.bind(1, chip_id).bind(2, to_string(status)).bind(6, db_time(m_clock()));
  if (status == ChipJobStatus::done) {
    up.bind(3, std::nullopt);
  } else {
    up.bind(3, error);
  }
  if (code) {
    up.bind(4, to_string(*code)).bind(5, to_string(category_of(*code)));
  } else {
    up.bind(4, std::nullopt).bind(5, std::nullopt);
  }
  up.run();
  if (m_db.changes() != 1) {
    auto job = get(chip_id);
    throw Error(ErrorCode::internal,
                "chip_jobs: cannot mark " + std::string(chip_id) + " " + std::string(to_string(status)) + ": " +
                    (job ? "its attempt is " + std::string(to_string(job->status)) : "no attempt was started"));
  }
}

void ChipJobs::finish_done(std::string_view chip_id) {
  finish(chip_id, ChipJobStatus::done, "", std::nullopt);
}

void ChipJobs::finish_failed(std::string_view chip_id, const Error& error) {
  finish_failed(chip_id, error.code(), error.what());
}

void ChipJobs::finish_failed(std::string_view chip_id, ErrorCode code, std::string_view message) {
  finish(chip_id, ChipJobStatus::failed, message, code);
}

void ChipJobs::finish_rejected(std::string_view chip_id, std::string_view reason) {
  finish(chip_id, ChipJobStatus::rejected, reason, std::nullopt);
}

std::optional<ChipJob> ChipJobs::get(std::string_view chip_id) {
  sqlite::Statement q = m_db.prepare("SELECT " + std::string(kColumns) + " FROM chip_jobs WHERE chip_id = ?1");
  q.bind(1, chip_id);
  if (!q.step()) return std::nullopt;
  return row_of(q);
}

std::vector<ChipJob> ChipJobs::list(std::optional<ChipJobStatus> status) {
  std::string sql = "SELECT " + std::string(kColumns) + " FROM chip_jobs";
  if (status) sql += " WHERE status = ?1";
  sql += " ORDER BY chip_id";
  sqlite::Statement q = m_db.prepare(sql);
  if (status) q.bind(1, to_string(*status));
  std::vector<ChipJob> out;
  while (q.step()) out.push_back(row_of(q));
  return out;
}

std::map<ChipJobStatus, std::size_t> ChipJobs::counts() {
  std::map<ChipJobStatus, std::size_t> out;
  sqlite::Statement q = m_db.prepare("SELECT status, count(*) FROM chip_jobs GROUP BY status");
  while (q.step()) out[parse_chip_job_status(q.text(0))] = static_cast<std::size_t>(q.int64(1));
  return out;
}

}  // namespace shipchips::ops
