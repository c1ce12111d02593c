// The SQLite job store's observations, runs and run steps (the chip jobs: sqlite_job_store.cpp).
#include "ops/sqlite_job_rows.hpp"
#include "ops/sqlite_job_store.hpp"

#include <set>

namespace shipchips::ops {
namespace {

using namespace rows;

const std::set<std::string_view> kObservationStatuses{
    "captured", "chipped", "gate_rejected", "rejected", "no_ais_near_sensing_time", "no_scene", "failed"};

}  // namespace

void SqliteJobStore::record_observations(std::span<const Observation> observations) {
  std::lock_guard lock(m_mutex);
  const std::string now = db_time(m_options.clock());
  sqlite::Transaction tx(m_db);
  sqlite::Statement q = m_db.prepare(
      "INSERT INTO ais_observations(id, mmsi, lat, lon, tile_id, captured_time, last_ping, overpass_time, pings,"
      "  source, provider, status, reason, chips, created_at, updated_at, retry_count, last_error, last_attempt_at,"
      "  next_retry_at, run_id)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15,"
      "  CASE ?12 WHEN 'failed' THEN 1 ELSE 0 END, ?16, ?17, ?18, ?19)"
      " ON CONFLICT(id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, tile_id = excluded.tile_id,"
      "  last_ping = excluded.last_ping, overpass_time = excluded.overpass_time, pings = excluded.pings,"
      "  source = excluded.source, provider = excluded.provider, status = excluded.status,"
      "  reason = excluded.reason, chips = excluded.chips, updated_at = excluded.updated_at,"
      "  retry_count = ais_observations.retry_count + (excluded.status = 'failed'),"
      "  last_error = CASE WHEN excluded.last_error <> '' THEN excluded.last_error ELSE ais_observations.last_error "
      "END,"
      "  last_attempt_at = coalesce(excluded.last_attempt_at, ais_observations.last_attempt_at),"
      "  next_retry_at = excluded.next_retry_at, run_id = excluded.run_id");
  for (const Observation& o : observations) {
    if (o.id.empty()) throw Error(ErrorCode::invalid_argument, "job store: an observation needs an id");
    if (!kObservationStatuses.count(o.status))
      throw Error(ErrorCode::invalid_argument,
                  "job store: observation " + o.id + ": unknown status '" + o.status + "'");
    q.reset();
    q.bind(1, o.id)
        .bind(2, o.mmsi)
        .bind(3, o.lat)
        .bind(4, o.lon)
        .bind(5, o.tile_id)
        .bind(6, db_time(o.captured_time))
        .bind(7, db_time(o.last_ping))
        .bind(8, db_time(o.overpass_time))
        .bind(9, static_cast<std::int64_t>(o.pings))
        .bind(10, o.source)
        .bind(11, o.provider)
        .bind(12, o.status)
        .bind(13, o.reason)
        .bind(14, static_cast<std::int64_t>(o.chips))
        .bind(15, now)
        .bind(16, o.last_error)
        .bind(17, db_time(o.last_attempt_at))
        .bind(18, db_time(o.next_retry_at))
        .bind(19, o.run_id);
    q.run();
  }
  tx.commit();
}

std::vector<Observation> SqliteJobStore::observations() {
  std::lock_guard lock(m_mutex);
  sqlite::Statement q = m_db.prepare("SELECT " + std::string(kObservationColumns) +
                                     " FROM ais_observations ORDER BY mmsi, captured_time, id");
  std::vector<Observation> out;
  while (q.step()) out.push_back(observation_of(q));
  return out;
}

void SqliteJobStore::start_run(const RunRecord& run) {
  std::lock_guard lock(m_mutex);
  sqlite::Transaction tx(m_db);
  sqlite::Statement q = m_db.prepare(
      "INSERT INTO runs(run_id, command, args, partition, status, started_at, owner, heartbeat_at)"
      " VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?5)");
  q.bind(1, run.run_id)
      .bind(2, run.command)
      .bind(3, run.args.empty() ? std::string("{}") : run.args)
      .bind(4, run.partition)
      .bind(5, db_time(run.started_at))
      .bind(6, run.owner);
  q.run();
  tx.commit();
}

void SqliteJobStore::heartbeat_run(std::string_view run_id) {
  std::lock_guard lock(m_mutex);
  sqlite::Transaction tx(m_db);
  sqlite::Statement q = m_db.prepare("UPDATE runs SET heartbeat_at = ?2 WHERE run_id = ?1 AND status = 'running'");
  q.bind(1, run_id).bind(2, db_time(m_options.clock()));
  q.run();
  tx.commit();
}

void SqliteJobStore::finish_run(std::string_view run_id, RunStatus status, std::string_view error,
                                std::optional<ErrorCategory> error_class) {
  std::lock_guard lock(m_mutex);
  sqlite::Transaction tx(m_db);
  sqlite::Statement q =
      m_db.prepare("UPDATE runs SET status = ?2, finished_at = ?3, error = ?4, error_class = ?5 WHERE run_id = ?1");
  q.bind(1, run_id)
      .bind(2, to_string(status))
      .bind(3, db_time(m_options.clock()))
      .bind(4, error)
      .bind(5, class_text(error_class));
  q.run();
  if (m_db.changes() != 1) throw Error(ErrorCode::internal, "job store: finish_run: no run " + std::string(run_id));
  tx.commit();
}

void SqliteJobStore::start_step(const RunStep& step) {
  std::lock_guard lock(m_mutex);
  sqlite::Transaction tx(m_db);
  sqlite::Statement q = m_db.prepare(
      "INSERT INTO run_steps(run_id, step, seq, status, started_at) VALUES (?1, ?2, ?3, 'running', ?4)"
      " ON CONFLICT(run_id, step) DO UPDATE SET status = 'running', started_at = excluded.started_at,"
      "  finished_at = NULL, error = '', error_class = NULL");
  q.bind(1, step.run_id).bind(2, step.step).bind(3, step.seq).bind(4, db_time(step.started_at));
  q.run();
  tx.commit();
}

void SqliteJobStore::finish_step(const RunStep& step) {
  std::lock_guard lock(m_mutex);
  sqlite::Transaction tx(m_db);
  sqlite::Statement q = m_db.prepare(
      "UPDATE run_steps SET status = ?3, finished_at = ?4, manifest = ?5, counts = ?6, error = ?7, error_class = ?8"
      " WHERE run_id = ?1 AND step = ?2");
  q.bind(1, step.run_id)
      .bind(2, step.step)
      .bind(3, to_string(step.status))
      .bind(4, db_time(step.finished_at.value_or(m_options.clock())))
      .bind(5, step.manifest)
      .bind(6, step.counts.empty() ? std::string("{}") : step.counts)
      .bind(7, step.error)
      .bind(8, class_text(step.error_class));
  q.run();
  if (m_db.changes() != 1)
    throw Error(ErrorCode::internal, "job store: finish_step: no step " + step.step + " in run " + step.run_id);
  tx.commit();
}

std::vector<std::string> SqliteJobStore::reap_runs(std::span<const std::string> dead_owners,
                                                   std::chrono::seconds stale) {
  std::lock_guard lock(m_mutex);
  const UtcTime now = m_options.clock();
  const std::string now_text = db_time(now);
  const std::string stale_before = db_time(now - stale);
  const std::set<std::string> dead(dead_owners.begin(), dead_owners.end());
  sqlite::Transaction tx(m_db);
  std::vector<std::pair<std::string, std::string>> abandoned;  // run_id, why
  {
    sqlite::Statement q = m_db.prepare("SELECT run_id, owner, heartbeat_at FROM runs WHERE status = 'running'");
    while (q.step()) {
      const std::string owner = q.text(1);
      const bool is_dead = dead.count(owner) > 0;
      const bool is_stale = q.is_null(2) || q.text(2) < stale_before;
      if (is_dead) {
        abandoned.emplace_back(q.text(0), "abandoned: its process " + owner + " died");
      } else if (is_stale) {
        abandoned.emplace_back(q.text(0), "abandoned: no heartbeat from " + owner + " since " +
                                              (q.is_null(2) ? std::string("its start") : q.text(2)));
      }
    }
  }
  sqlite::Statement run = m_db.prepare(
      "UPDATE runs SET status = 'failed', finished_at = ?2, error = ?3, error_class = 'retryable'"
      " WHERE run_id = ?1 AND status = 'running'");
  sqlite::Statement steps = m_db.prepare(
      "UPDATE run_steps SET status = 'failed', finished_at = ?2, error = ?3, error_class = 'retryable'"
      " WHERE run_id = ?1 AND status = 'running'");
  std::vector<std::string> ids;
  for (const auto& [id, why] : abandoned) {
    run.reset();
    run.bind(1, id).bind(2, now_text).bind(3, why);
    run.run();
    if (m_db.changes() != 1) continue;
    steps.reset();
    steps.bind(1, id).bind(2, now_text).bind(3, why);
    steps.run();
    ids.push_back(id);
  }
  tx.commit();
  return ids;
}

std::optional<RunRecord> SqliteJobStore::get_run(std::string_view run_id) {
  std::lock_guard lock(m_mutex);
  sqlite::Statement q = m_db.prepare("SELECT " + std::string(kRunColumns) + " FROM runs WHERE run_id = ?1");
  q.bind(1, run_id);
  if (!q.step()) return std::nullopt;
  return run_of(q);
}

std::vector<RunRecord> SqliteJobStore::list_runs(std::size_t limit) {
  std::lock_guard lock(m_mutex);
  sqlite::Statement q =
      m_db.prepare("SELECT " + std::string(kRunColumns) + " FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?1");
  q.bind(1, static_cast<std::int64_t>(limit));
  std::vector<RunRecord> runs;
  while (q.step()) runs.push_back(run_of(q));
  return runs;
}

std::vector<RunStep> SqliteJobStore::steps(std::string_view run_id) {
  std::lock_guard lock(m_mutex);
  sqlite::Statement q = m_db.prepare(
      "SELECT run_id, step, seq, status, started_at, finished_at, manifest, counts, error, error_class"
      " FROM run_steps WHERE run_id = ?1 ORDER BY seq, step");
  q.bind(1, run_id);
  std::vector<RunStep> out;
  while (q.step()) {
    RunStep s;
    s.run_id = q.text(0);
    s.step = q.text(1);
    s.seq = static_cast<int>(q.int64(2));
    s.status = parse_run_status(q.text(3));
    s.started_at = parse_iso8601(q.text(4));
    s.finished_at = opt_time(q, 5);
    s.manifest = q.text(6);
    s.counts = q.text(7);
    s.error = q.text(8);
    s.error_class = opt_class(q, 9);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace shipchips::ops
