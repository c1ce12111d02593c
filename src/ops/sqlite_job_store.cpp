#include "ops/sqlite_job_store.hpp"

#include "ops/sqlite_job_rows.hpp"

#include <array>
#include <set>

namespace shipchips::ops {
namespace {

using namespace rows;

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

// The claim of one job: the row must be claimable now (re-checked in the statement itself).
constexpr std::string_view kClaimSql =
    "UPDATE chip_jobs SET status = 'running', lease_owner = ?2, lease_expires_at = ?3, heartbeat_at = ?4,"
    " attempts = attempts + 1, last_attempt_at = ?4, run_id = ?5"
    " WHERE chip_id = ?1 AND (status IN ('queued', 'failed', 'rejected')"
    "  OR (status = 'running' AND lease_expires_at < ?4))"
    " RETURNING chip_id, mmsi, scene_id, status, error, error_code, error_class, attempts, created_at,"
    "  last_attempt_at, finished_at, lease_owner, lease_expires_at, heartbeat_at, next_retry_at, run_id, payload";

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

std::unique_ptr<JobStore> open_job_store(const Config& config) {
  SqliteJobStoreOptions options;
  options.policy = retry_policy_from(config.ops);
  return std::make_unique<SqliteJobStore>(dataset_path(config, config.storage.db_path), std::move(options));
}

}  // namespace shipchips::ops
