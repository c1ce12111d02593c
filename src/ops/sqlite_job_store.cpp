#include "ops/sqlite_job_store.hpp"

#include <array>
#include <set>

namespace shipchips::ops {
namespace {

constexpr std::string_view kChipJobsV1 =
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
    "CREATE INDEX chip_jobs_status ON chip_jobs(status, last_attempt_at);";

// v2 rebuilds the table (SQLite cannot change a CHECK in place): the v1 rows carry over, an
// attempt left 'started' (a process died) becomes a due retryable failure, a reject gets the
// permanent class.
constexpr std::string_view kChipJobsV2 =
    "CREATE TABLE chip_jobs_v2 ("
    " chip_id TEXT PRIMARY KEY NOT NULL,"
    " mmsi INTEGER NOT NULL,"
    " scene_id TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'rejected', 'failed')),"
    " error TEXT,"
    " error_code TEXT,"
    " error_class TEXT CHECK (error_class IN ('retryable', 'permanent', 'contract')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " created_at TEXT NOT NULL,"
    " last_attempt_at TEXT,"
    " finished_at TEXT,"
    " lease_owner TEXT,"
    " lease_expires_at TEXT,"
    " heartbeat_at TEXT,"
    " next_retry_at TEXT,"
    " run_id TEXT,"
    " payload TEXT NOT NULL DEFAULT '');"
    "INSERT INTO chip_jobs_v2(chip_id, mmsi, scene_id, status, error, error_code, error_class, attempts, created_at,"
    "  last_attempt_at, finished_at, next_retry_at)"
    " SELECT chip_id, mmsi, scene_id,"
    "  CASE status WHEN 'started' THEN 'failed' ELSE status END,"
    "  CASE status WHEN 'started' THEN 'attempt never finished (the process ended before it recorded an outcome)'"
    "   ELSE error END,"
    "  CASE status WHEN 'started' THEN 'lease_expired' ELSE error_code END,"
    "  CASE status WHEN 'started' THEN 'retryable' WHEN 'rejected' THEN 'permanent' ELSE error_category END,"
    "  attempts, created_at, last_attempt_at, coalesce(finished_at, last_attempt_at),"
    "  CASE WHEN status = 'started' OR (status = 'failed' AND error_category = 'retryable') THEN last_attempt_at END"
    " FROM chip_jobs;"
    "DROP TABLE chip_jobs;"
    "ALTER TABLE chip_jobs_v2 RENAME TO chip_jobs;"
    "CREATE INDEX chip_jobs_due ON chip_jobs(status, error_class, next_retry_at);"
    "CREATE INDEX chip_jobs_queue ON chip_jobs(status, created_at, chip_id);"
    "CREATE INDEX chip_jobs_owner ON chip_jobs(lease_owner) WHERE status = 'running';"
    "CREATE INDEX chip_jobs_finished ON chip_jobs(finished_at) WHERE status IN ('failed', 'rejected');"
    "CREATE INDEX chip_jobs_run ON chip_jobs(run_id);";

constexpr std::array<sqlite::Migration, 2> kChipJobMigrations{{{1, kChipJobsV1}, {2, kChipJobsV2}}};

constexpr std::array<sqlite::Migration, 1> kObservationMigrations{{
    {1,
     "CREATE TABLE ais_observations ("
     " id TEXT PRIMARY KEY NOT NULL,"
     " mmsi INTEGER NOT NULL,"
     " lat REAL NOT NULL,"
     " lon REAL NOT NULL,"
     " tile_id TEXT NOT NULL DEFAULT '',"
     " captured_time TEXT NOT NULL,"
     " last_ping TEXT NOT NULL,"
     " overpass_time TEXT,"
     " pings INTEGER NOT NULL DEFAULT 0,"
     " source TEXT NOT NULL DEFAULT '',"
     " provider TEXT NOT NULL DEFAULT '',"
     " status TEXT NOT NULL CHECK (status IN ('captured', 'chipped', 'gate_rejected', 'rejected',"
     "   'no_ais_near_sensing_time', 'no_scene', 'failed')),"
     " reason TEXT NOT NULL DEFAULT '',"
     " chips INTEGER NOT NULL DEFAULT 0,"
     " created_at TEXT NOT NULL,"
     " updated_at TEXT NOT NULL,"
     " retry_count INTEGER NOT NULL DEFAULT 0,"
     " last_error TEXT NOT NULL DEFAULT '',"
     " last_attempt_at TEXT,"
     " next_retry_at TEXT,"
     " run_id TEXT NOT NULL DEFAULT '');"
     "CREATE INDEX ais_observations_status ON ais_observations(status, next_retry_at);"
     "CREATE INDEX ais_observations_mmsi ON ais_observations(mmsi, captured_time);"},
}};

constexpr std::array<sqlite::Migration, 1> kRunMigrations{{
    {1,
     "CREATE TABLE runs ("
     " run_id TEXT PRIMARY KEY NOT NULL,"
     " command TEXT NOT NULL,"
     " args TEXT NOT NULL DEFAULT '{}',"
     " partition TEXT NOT NULL DEFAULT '',"
     " status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),"
     " started_at TEXT NOT NULL,"
     " finished_at TEXT,"
     " owner TEXT NOT NULL DEFAULT '',"
     " heartbeat_at TEXT,"
     " error TEXT NOT NULL DEFAULT '',"
     " error_class TEXT CHECK (error_class IN ('retryable', 'permanent', 'contract')));"
     "CREATE INDEX runs_started ON runs(started_at);"
     "CREATE TABLE run_steps ("
     " run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,"
     " step TEXT NOT NULL,"
     " seq INTEGER NOT NULL,"
     " status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),"
     " started_at TEXT NOT NULL,"
     " finished_at TEXT,"
     " manifest TEXT NOT NULL DEFAULT '',"
     " counts TEXT NOT NULL DEFAULT '{}',"
     " error TEXT NOT NULL DEFAULT '',"
     " error_class TEXT CHECK (error_class IN ('retryable', 'permanent', 'contract')),"
     " PRIMARY KEY (run_id, step));"},
}};

std::string db_time(UtcTime t) {
  return format_iso8601(t, 6);
}
std::optional<std::string> db_time(const std::optional<UtcTime>& t) {
  if (!t) return std::nullopt;
  return db_time(*t);
}
std::optional<UtcTime> opt_time(const sqlite::Statement& q, int column) {
  if (q.is_null(column)) return std::nullopt;
  return parse_iso8601(q.text(column));
}
std::string opt_string(const sqlite::Statement& q, int column) {
  return q.is_null(column) ? std::string() : q.text(column);
}
std::optional<ErrorCategory> opt_class(const sqlite::Statement& q, int column) {
  if (q.is_null(column)) return std::nullopt;
  return parse_error_class(q.text(column));
}
std::optional<std::string> class_text(std::optional<ErrorCategory> c) {
  if (!c) return std::nullopt;
  return std::string(to_string(*c));
}

constexpr std::string_view kJobColumns =
    "chip_id, mmsi, scene_id, status, error, error_code, error_class, attempts, created_at, last_attempt_at,"
    " finished_at, lease_owner, lease_expires_at, heartbeat_at, next_retry_at, run_id, payload";

ChipJob job_of(const sqlite::Statement& q) {
  ChipJob job;
  job.chip_id = q.text(0);
  job.mmsi = q.int64(1);
  job.scene_id = q.text(2);
  job.status = parse_job_status(q.text(3));
  job.error = opt_string(q, 4);
  if (!q.is_null(5)) job.error_code = error_code_from_name(q.text(5)).value_or(ErrorCode::internal);
  job.error_class = opt_class(q, 6);
  job.attempts = static_cast<int>(q.int64(7));
  job.created_at = parse_iso8601(q.text(8));
  job.last_attempt_at = opt_time(q, 9);
  job.finished_at = opt_time(q, 10);
  job.lease_owner = opt_string(q, 11);
  job.lease_expires_at = opt_time(q, 12);
  job.heartbeat_at = opt_time(q, 13);
  job.next_retry_at = opt_time(q, 14);
  job.run_id = opt_string(q, 15);
  job.payload = opt_string(q, 16);
  return job;
}

constexpr std::string_view kObservationColumns =
    "id, mmsi, lat, lon, tile_id, captured_time, last_ping, overpass_time, pings, source, provider, status, reason,"
    " chips, retry_count, last_error, created_at, last_attempt_at, next_retry_at, run_id";

Observation observation_of(const sqlite::Statement& q) {
  Observation o;
  o.id = q.text(0);
  o.mmsi = q.int64(1);
  o.lat = q.real(2);
  o.lon = q.real(3);
  o.tile_id = q.text(4);
  o.captured_time = parse_iso8601(q.text(5));
  o.last_ping = parse_iso8601(q.text(6));
  o.overpass_time = opt_time(q, 7);
  o.pings = static_cast<std::size_t>(q.int64(8));
  o.source = q.text(9);
  o.provider = q.text(10);
  o.status = q.text(11);
  o.reason = q.text(12);
  o.chips = static_cast<std::size_t>(q.int64(13));
  o.retry_count = static_cast<int>(q.int64(14));
  o.last_error = q.text(15);
  o.created_at = opt_time(q, 16);
  o.last_attempt_at = opt_time(q, 17);
  o.next_retry_at = opt_time(q, 18);
  o.run_id = q.text(19);
  return o;
}

constexpr std::string_view kRunColumns =
    "run_id, command, args, partition, status, started_at, finished_at, owner, heartbeat_at, error, error_class";

RunRecord run_of(const sqlite::Statement& q) {
  RunRecord r;
  r.run_id = q.text(0);
  r.command = q.text(1);
  r.args = q.text(2);
  r.partition = q.text(3);
  r.status = parse_run_status(q.text(4));
  r.started_at = parse_iso8601(q.text(5));
  r.finished_at = opt_time(q, 6);
  r.owner = q.text(7);
  r.heartbeat_at = opt_time(q, 8);
  r.error = q.text(9);
  r.error_class = opt_class(q, 10);
  return r;
}

// The claim of one job: the row must be claimable now (re-checked in the statement itself).
constexpr std::string_view kClaimSql =
    "UPDATE chip_jobs SET status = 'running', lease_owner = ?2, lease_expires_at = ?3, heartbeat_at = ?4,"
    " attempts = attempts + 1, last_attempt_at = ?4, run_id = ?5"
    " WHERE chip_id = ?1 AND (status IN ('queued', 'failed', 'rejected')"
    "  OR (status = 'running' AND lease_expires_at < ?4))"
    " RETURNING chip_id, mmsi, scene_id, status, error, error_code, error_class, attempts, created_at,"
    "  last_attempt_at, finished_at, lease_owner, lease_expires_at, heartbeat_at, next_retry_at, run_id, payload";

const std::set<std::string_view> kObservationStatuses{
    "captured", "chipped", "gate_rejected", "rejected", "no_ais_near_sensing_time", "no_scene", "failed"};

}  // namespace

SqliteJobStore::SqliteJobStore(const std::filesystem::path& db_path, SqliteJobStoreOptions options)
    : m_db(db_path), m_options(std::move(options)) {
  if (m_options.jitter_seed) {
    m_rng.seed(*m_options.jitter_seed);
  } else {
    std::random_device device;
    m_rng.seed((static_cast<std::uint64_t>(device()) << 32) ^ device());
  }
  sqlite::migrate(m_db, "ops.chip_jobs", kChipJobMigrations);
  sqlite::migrate(m_db, "ops.runs", kRunMigrations);
  const int observations_before = sqlite::schema_version(m_db, "ops.ais_observations");
  sqlite::migrate(m_db, "ops.ais_observations", kObservationMigrations);
  if (observations_before == 0 && sqlite::schema_version(m_db, "ops.ship_outcomes") > 0) {
    // The outcomes recorded before ais_observations existed become its rows (id without tile).
    sqlite::Transaction tx(m_db);
    m_db.exec(
        "INSERT OR IGNORE INTO ais_observations(id, mmsi, lat, lon, captured_time, last_ping, pings, status, reason,"
        "  chips, created_at, updated_at, retry_count, last_error)"
        " SELECT mmsi || '|' || first_ping || '|', mmsi, 0, 0, first_ping, last_ping, pings, outcome,"
        "  reason, chips, updated_at, updated_at, CASE outcome WHEN 'failed' THEN 1 ELSE 0 END,"
        "  CASE outcome WHEN 'failed' THEN reason ELSE '' END FROM ship_outcomes;"
        "DROP TABLE ship_outcomes;"
        "DELETE FROM schema_versions WHERE component = 'ops.ship_outcomes';");
    tx.commit();
  }
}

std::string SqliteJobStore::describe() const {
  return "sqlite:" + m_db.path().string();
}

std::optional<UtcTime> SqliteJobStore::next_retry(int attempts, ErrorCategory category) {
  if (category != ErrorCategory::retryable || attempts > m_options.policy.max_retries) return std::nullopt;
  const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(m_rng);
  return m_options.clock() + m_options.policy.delay(std::max(attempts, 1), unit);
}

std::size_t SqliteJobStore::enqueue(std::span<const ChipJobSpec> jobs, std::string_view run_id) {
  std::lock_guard lock(m_mutex);
  const std::string now = db_time(m_options.clock());
  sqlite::Transaction tx(m_db);
  sqlite::Statement insert = m_db.prepare(
      "INSERT INTO chip_jobs(chip_id, mmsi, scene_id, status, attempts, created_at, run_id, payload)"
      " VALUES (?1, ?2, ?3, 'queued', 0, ?4, ?5, ?6)"
      " ON CONFLICT(chip_id) DO NOTHING");
  sqlite::Statement refresh = m_db.prepare("UPDATE chip_jobs SET payload = ?2 WHERE chip_id = ?1 AND payload <> ?2");
  std::size_t added = 0;
  for (const ChipJobSpec& job : jobs) {
    if (job.chip_id.empty() || job.scene_id.empty())
      throw Error(ErrorCode::invalid_argument, "job store: a chip job needs a chip_id and a scene_id");
    insert.reset();
    insert.bind(1, job.chip_id)
        .bind(2, job.mmsi)
        .bind(3, job.scene_id)
        .bind(4, now)
        .bind(5, run_id)
        .bind(6, job.payload);
    insert.run();
    if (m_db.changes() == 1) {
      ++added;
    } else {
      refresh.reset();
      refresh.bind(1, job.chip_id).bind(2, job.payload);
      refresh.run();
    }
  }
  tx.commit();
  return added;
}

std::vector<ChipJob> SqliteJobStore::claim(std::span<const std::string> chip_ids, const Lease& lease) {
  std::lock_guard lock(m_mutex);
  const UtcTime now = m_options.clock();
  const std::string now_text = db_time(now);
  const std::string expires = db_time(now + lease.duration);
  sqlite::Transaction tx(m_db);
  sqlite::Statement q = m_db.prepare(kClaimSql);
  std::vector<ChipJob> claimed;
  for (const std::string& id : chip_ids) {
    q.reset();
    q.bind(1, id).bind(2, lease.owner).bind(3, expires).bind(4, now_text).bind(5, lease.run_id);
    if (q.step()) claimed.push_back(job_of(q));
    while (q.step()) {
    }
  }
  tx.commit();
  return claimed;
}

std::vector<std::string> SqliteJobStore::due_ids(const DueFilter& filter, const std::string& now) {
  std::string where;
  if (!filter.error_class) {
    // Queued jobs by age and due retries by due time, each from its index, then merged: a claim
    // costs the same with 10 or 10 million jobs in the table.
    const std::string retries = filter.force ? "status = 'failed' AND error_class = 'retryable'"
                                             : "status = 'failed' AND error_class = 'retryable'"
                                               " AND next_retry_at IS NOT NULL AND next_retry_at <= ?1";
    sqlite::Statement select = m_db.prepare(
        "SELECT chip_id FROM ("
        " SELECT * FROM (SELECT chip_id, coalesce(next_retry_at, finished_at, created_at) AS k FROM chip_jobs"
        "  WHERE " +
        retries +
        " ORDER BY next_retry_at LIMIT ?2)"
        " UNION ALL"
        " SELECT * FROM (SELECT chip_id, created_at AS k FROM chip_jobs WHERE status = 'queued'"
        "  ORDER BY created_at, chip_id LIMIT ?2))"
        " ORDER BY k, chip_id LIMIT ?2");
    if (!filter.force) select.bind(1, now);
    select.bind(2, static_cast<std::int64_t>(filter.limit));
    std::vector<std::string> ids;
    while (select.step()) ids.push_back(select.text(0));
    return ids;
  } else if (*filter.error_class == ErrorCategory::retryable) {
    where = filter.force ? "status = 'failed' AND error_class = 'retryable'"
                         : "status = 'failed' AND error_class = 'retryable' AND next_retry_at IS NOT NULL"
                           " AND next_retry_at <= ?1";
  } else if (*filter.error_class == ErrorCategory::permanent) {
    where = "status = 'rejected' OR (status = 'failed' AND error_class = 'permanent')";
  } else {
    if (!filter.force) return {};  // contract failures are terminal unless an operator forces them
    where = "status = 'failed' AND error_class = 'contract'";
  }
  sqlite::Statement select = m_db.prepare("SELECT chip_id FROM chip_jobs WHERE (" + where +
                                          ") ORDER BY coalesce(next_retry_at, finished_at, created_at), chip_id"
                                          " LIMIT ?2");
  if (where.find("?1") != std::string::npos) select.bind(1, now);
  select.bind(2, static_cast<std::int64_t>(filter.limit));
  std::vector<std::string> ids;
  while (select.step()) ids.push_back(select.text(0));
  return ids;
}

std::vector<ChipJob> SqliteJobStore::claim_due(const DueFilter& filter, const Lease& lease) {
  std::lock_guard lock(m_mutex);
  const UtcTime now = m_options.clock();
  const std::string now_text = db_time(now);
  const std::string expires = db_time(now + lease.duration);
  sqlite::Transaction tx(m_db);
  const std::vector<std::string> ids = due_ids(filter, now_text);
  sqlite::Statement q = m_db.prepare(kClaimSql);
  std::vector<ChipJob> claimed;
  for (const std::string& id : ids) {
    q.reset();
    q.bind(1, id).bind(2, lease.owner).bind(3, expires).bind(4, now_text).bind(5, lease.run_id);
    if (q.step()) claimed.push_back(job_of(q));
    while (q.step()) {
    }
  }
  tx.commit();
  return claimed;
}

std::vector<ChipJob> SqliteJobStore::due(const DueFilter& filter) {
  std::lock_guard lock(m_mutex);
  const std::vector<std::string> ids = due_ids(filter, db_time(m_options.clock()));
  sqlite::Statement q = m_db.prepare("SELECT " + std::string(kJobColumns) + " FROM chip_jobs WHERE chip_id = ?1");
  std::vector<ChipJob> jobs;
  for (const std::string& id : ids) {
    q.reset();
    q.bind(1, id);
    if (q.step()) jobs.push_back(job_of(q));
    while (q.step()) {
    }
  }
  return jobs;
}

std::size_t SqliteJobStore::heartbeat(std::string_view owner, std::chrono::seconds duration) {
  std::lock_guard lock(m_mutex);
  const UtcTime now = m_options.clock();
  sqlite::Transaction tx(m_db);
  sqlite::Statement q = m_db.prepare(
      "UPDATE chip_jobs SET heartbeat_at = ?2, lease_expires_at = ?3 WHERE status = 'running' AND lease_owner = ?1");
  q.bind(1, owner).bind(2, db_time(now)).bind(3, db_time(now + duration));
  q.run();
  const auto n = static_cast<std::size_t>(m_db.changes());
  tx.commit();
  return n;
}

std::size_t SqliteJobStore::finish(std::span<const JobFinish> finishes, std::string_view owner) {
  std::lock_guard lock(m_mutex);
  const std::string now = db_time(m_options.clock());
  sqlite::Transaction tx(m_db);
  sqlite::Statement attempts_of =
      m_db.prepare("SELECT attempts FROM chip_jobs WHERE chip_id = ?1 AND status = 'running' AND lease_owner = ?2");
  sqlite::Statement update = m_db.prepare(
      "UPDATE chip_jobs SET status = ?3, error = ?4, error_code = ?5, error_class = ?6, finished_at = ?7,"
      " next_retry_at = ?8, lease_owner = NULL, lease_expires_at = NULL"
      " WHERE chip_id = ?1 AND status = 'running' AND lease_owner = ?2");
  std::size_t applied = 0;
  for (const JobFinish& f : finishes) {
    attempts_of.reset();
    attempts_of.bind(1, f.chip_id).bind(2, owner);
    if (!attempts_of.step()) continue;  // no longer ours: the reaper took it back
    const int attempts = static_cast<int>(attempts_of.int64(0));
    while (attempts_of.step()) {
    }
    update.reset();
    update.bind(1, f.chip_id).bind(2, owner).bind(7, now);
    switch (f.kind) {
      case JobFinish::Kind::done:
        update.bind(3, "done").bind(4, std::nullopt).bind(5, std::nullopt).bind(6, std::nullopt).bind(8, std::nullopt);
        break;
      case JobFinish::Kind::rejected:
        update.bind(3, "rejected")
            .bind(4, f.message)
            .bind(5, std::nullopt)
            .bind(6, to_string(ErrorCategory::permanent))
            .bind(8, std::nullopt);
        break;
      case JobFinish::Kind::failed: {
        const ErrorCategory category = category_of(f.code);
        update.bind(3, "failed")
            .bind(4, f.message)
            .bind(5, to_string(f.code))
            .bind(6, to_string(category))
            .bind(8, db_time(next_retry(attempts, category)));
        break;
      }
    }
    update.run();
    applied += static_cast<std::size_t>(m_db.changes());
  }
  tx.commit();
  return applied;
}

std::vector<ChipJob> SqliteJobStore::reap(std::span<const std::string> dead_owners) {
  std::lock_guard lock(m_mutex);
  const UtcTime now = m_options.clock();
  const std::string now_text = db_time(now);
  const std::set<std::string> dead(dead_owners.begin(), dead_owners.end());
  sqlite::Transaction tx(m_db);
  std::vector<ChipJob> candidates;
  {
    sqlite::Statement q = m_db.prepare("SELECT " + std::string(kJobColumns) +
                                       " FROM chip_jobs WHERE status = 'running' ORDER BY chip_id");
    while (q.step()) {
      ChipJob job = job_of(q);
      const bool expired = !job.lease_expires_at || *job.lease_expires_at < now;
      if (expired || dead.count(job.lease_owner)) candidates.push_back(std::move(job));
    }
  }
  // The same owner and state are required again by the update itself.
  sqlite::Statement update = m_db.prepare(
      "UPDATE chip_jobs SET status = 'failed', error = ?3, error_code = 'lease_expired', error_class = 'retryable',"
      " finished_at = ?4, next_retry_at = ?5, lease_owner = NULL, lease_expires_at = NULL"
      " WHERE chip_id = ?1 AND status = 'running' AND coalesce(lease_owner, '') = ?2");
  std::vector<ChipJob> reclaimed;
  for (ChipJob& job : candidates) {
    const bool owner_dead = dead.count(job.lease_owner) > 0;
    const std::string why =
        owner_dead ? "reclaimed: its worker " + job.lease_owner + " died (process gone) during attempt " +
                         std::to_string(job.attempts)
                   : "reclaimed: the lease of " +
                         (job.lease_owner.empty() ? std::string("an unknown worker") : job.lease_owner) +
                         " expired at " + (job.lease_expires_at ? format_iso8601(*job.lease_expires_at, 0) : "?") +
                         " without a heartbeat (attempt " + std::to_string(job.attempts) + ")";
    const std::optional<UtcTime> due =
        job.attempts > m_options.policy.max_retries ? std::nullopt : std::optional<UtcTime>(now);
    update.reset();
    update.bind(1, job.chip_id).bind(2, job.lease_owner).bind(3, why).bind(4, now_text).bind(5, db_time(due));
    update.run();
    if (m_db.changes() == 1) reclaimed.push_back(std::move(job));
  }
  tx.commit();
  return reclaimed;
}

std::vector<std::string> SqliteJobStore::lease_owners() {
  std::lock_guard lock(m_mutex);
  sqlite::Statement q = m_db.prepare(
      "SELECT lease_owner FROM chip_jobs WHERE status = 'running' AND lease_owner IS NOT NULL"
      " UNION SELECT owner FROM runs WHERE status = 'running' AND owner <> '' ORDER BY 1");
  std::vector<std::string> owners;
  while (q.step()) owners.push_back(q.text(0));
  return owners;
}

std::optional<ChipJob> SqliteJobStore::get(std::string_view chip_id) {
  std::lock_guard lock(m_mutex);
  sqlite::Statement q = m_db.prepare("SELECT " + std::string(kJobColumns) + " FROM chip_jobs WHERE chip_id = ?1");
  q.bind(1, chip_id);
  if (!q.step()) return std::nullopt;
  return job_of(q);
}

std::vector<ChipJob> SqliteJobStore::list(std::optional<JobStatus> status) {
  std::lock_guard lock(m_mutex);
  std::string sql = "SELECT " + std::string(kJobColumns) + " FROM chip_jobs";
  if (status) sql += " WHERE status = ?1";
  sql += " ORDER BY chip_id";
  sqlite::Statement q = m_db.prepare(sql);
  if (status) q.bind(1, to_string(*status));
  std::vector<ChipJob> jobs;
  while (q.step()) jobs.push_back(job_of(q));
  return jobs;
}

std::vector<ChipJob> SqliteJobStore::recent_failures(std::size_t limit) {
  std::lock_guard lock(m_mutex);
  sqlite::Statement q = m_db.prepare("SELECT " + std::string(kJobColumns) +
                                     " FROM chip_jobs WHERE status IN ('failed', 'rejected')"
                                     " ORDER BY finished_at DESC, chip_id LIMIT ?1");
  q.bind(1, static_cast<std::int64_t>(limit));
  std::vector<ChipJob> jobs;
  while (q.step()) jobs.push_back(job_of(q));
  return jobs;
}

JobCounts SqliteJobStore::counts() {
  std::lock_guard lock(m_mutex);
  const std::string now = db_time(m_options.clock());
  JobCounts counts;
  {
    sqlite::Statement q = m_db.prepare("SELECT status, count(*) FROM chip_jobs GROUP BY status");
    while (q.step()) counts.by_status[parse_job_status(q.text(0))] = static_cast<std::size_t>(q.int64(1));
  }
  {
    sqlite::Statement q = m_db.prepare(
        "SELECT error_class, count(*) FROM chip_jobs WHERE status = 'failed' AND error_class IS NOT NULL"
        " GROUP BY error_class");
    while (q.step()) counts.failed_by_class[parse_error_class(q.text(0))] = static_cast<std::size_t>(q.int64(1));
  }
  {
    sqlite::Statement q = m_db.prepare(
        "SELECT coalesce(sum(next_retry_at IS NOT NULL AND next_retry_at <= ?1), 0),"
        " coalesce(sum(next_retry_at IS NULL), 0)"
        " FROM chip_jobs WHERE status = 'failed' AND error_class = 'retryable'");
    q.bind(1, now);
    if (q.step()) {
      counts.due_retries = static_cast<std::size_t>(q.int64(0));
      counts.exhausted = static_cast<std::size_t>(q.int64(1));
    }
  }
  {
    sqlite::Statement q = m_db.prepare(
        "SELECT min(last_attempt_at), coalesce(sum(lease_expires_at IS NULL OR lease_expires_at < ?1), 0)"
        " FROM chip_jobs WHERE status = 'running'");
    q.bind(1, now);
    if (q.step()) {
      counts.oldest_running_since = opt_time(q, 0);
      counts.expired_leases = static_cast<std::size_t>(q.int64(1));
    }
  }
  return counts;
}

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

std::unique_ptr<JobStore> open_job_store(const Config& config) {
  SqliteJobStoreOptions options;
  options.policy = retry_policy_from(config.ops);
  return std::make_unique<SqliteJobStore>(dataset_path(config, config.storage.db_path), std::move(options));
}

}  // namespace shipchips::ops
