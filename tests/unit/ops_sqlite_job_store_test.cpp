// The SQLite job store: the conformance suite on SQLite, plus what only SQLite has (the
// connection's pragmas, the migration of databases written before leases existed).
#include "core/sqlite_db.hpp"
#include "job_store_conformance.hpp"
#include "ops/sqlite_job_store.hpp"

#include "../support/temp_dir.hpp"

#include <sys/wait.h>
#include <unistd.h>

using namespace shipchips;
using namespace shipchips::ops;
using shipchips::testing::JobStoreBackend;
using shipchips::testing::JobStoreConformance;
using shipchips::testing::TempDir;

namespace {

JobStoreBackend sqlite_backend() {
  JobStoreBackend b;
  b.name = "sqlite";
  b.open = [](const std::string& location, const RetryPolicy& policy, JobStore::Clock clock, std::uint64_t seed) {
    SqliteJobStoreOptions options;
    options.policy = policy;
    options.clock = std::move(clock);
    options.jitter_seed = seed;
    return std::unique_ptr<JobStore>(std::make_unique<SqliteJobStore>(location + "/ops.db", options));
  };
  return b;
}

std::string pragma(sqlite::Database& db, const std::string& name) {
  sqlite::Statement q = db.prepare("PRAGMA " + name);
  return q.step() ? q.text(0) : "";
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Sqlite, JobStoreConformance, ::testing::Values(sqlite_backend()),
                         [](const auto& info) { return info.param.name; });

TEST(OpsSqliteJobStore, RunsOnWalWithNormalSyncAndABusyTimeout) {
  TempDir dir("shipchips-sqlite-jobstore-pragmas");
  SqliteJobStore store(dir.path / "ops.db");
  EXPECT_EQ(pragma(store.database(), "journal_mode"), "wal");
  EXPECT_EQ(pragma(store.database(), "synchronous"), "1");  // NORMAL
  EXPECT_EQ(pragma(store.database(), "busy_timeout"), "10000");
  EXPECT_EQ(store.describe(), "sqlite:" + (dir.path / "ops.db").string());
  // Every component has its version in the one table.
  EXPECT_EQ(sqlite::schema_version(store.database(), "ops.chip_jobs"), 2);
  EXPECT_EQ(sqlite::schema_version(store.database(), "ops.ais_observations"), 1);
  EXPECT_EQ(sqlite::schema_version(store.database(), "ops.runs"), 1);
}

TEST(OpsSqliteJobStore, ADatabaseWithoutWalIsRefused) {
  // A database whose WAL cannot be created (its folder is read-only to the process) must not be
  // used silently in the blocking rollback-journal mode. Tests run as root, which ignores folder
  // permissions: the open is tried in a child process that drops to the nobody user.
  TempDir dir("shipchips-sqlite-jobstore-nowal");
  {
    sqlite::Database db(dir.path / "ops.db");
    db.exec("CREATE TABLE t(x); PRAGMA journal_mode=DELETE");
  }
  namespace fs = std::filesystem;
  fs::permissions(dir.path / "ops.db",
                  fs::perms::all & ~(fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec));
  fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const pid_t child = ::fork();
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) _exit(3);
    try {
      SqliteJobStore store(dir.path / "ops.db");
      _exit(1);  // opened without WAL
    } catch (const Error& e) {
      _exit(std::string(e.what()).find("WAL") != std::string::npos ? 0 : 2);
    } catch (...) {
      _exit(4);
    }
  }
  ASSERT_GT(child, 0);
  int status = 0;
  ::waitpid(child, &status, 0);
  fs::permissions(dir.path, fs::perms::owner_all);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: opened without WAL, 2: another error, 3: cannot drop to nobody";
}

TEST(OpsSqliteJobStore, MigratesChipJobsV1AndShipOutcomes) {
  TempDir dir("shipchips-sqlite-jobstore-migrate");
  const auto path = dir.path / "ops.db";
  {
    // The tables as the previous release wrote them.
    sqlite::Database db(path);
    db.exec(
        "CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT);"
        "INSERT INTO schema_versions VALUES ('ops.chip_jobs', 1, '2026-01-01T00:00:00Z'),"
        " ('ops.ship_outcomes', 1, '2026-01-01T00:00:00Z');"
        "CREATE TABLE chip_jobs (chip_id TEXT PRIMARY KEY NOT NULL, mmsi INTEGER NOT NULL, scene_id TEXT NOT NULL,"
        " status TEXT NOT NULL CHECK (status IN ('started', 'done', 'failed', 'rejected')), error TEXT,"
        " error_code TEXT, error_category TEXT CHECK (error_category IN ('retryable', 'permanent', 'contract')),"
        " attempts INTEGER NOT NULL, created_at TEXT NOT NULL, last_attempt_at TEXT NOT NULL, finished_at TEXT);"
        "INSERT INTO chip_jobs VALUES"
        " ('0000000000000001', 1, 'S', 'started', NULL, NULL, NULL, 1, '2026-01-01T00:00:00.000000Z',"
        "  '2026-01-01T00:00:00.000000Z', NULL),"
        " ('0000000000000002', 2, 'S', 'rejected', 'gate: land', NULL, NULL, 1, '2026-01-01T00:00:00.000000Z',"
        "  '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:01.000000Z'),"
        " ('0000000000000003', 3, 'S', 'failed', 'HTTP 503', 'network_transient', 'retryable', 2,"
        "  '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:01.000000Z'),"
        " ('0000000000000004', 4, 'S', 'done', NULL, NULL, NULL, 1, '2026-01-01T00:00:00.000000Z',"
        "  '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:01.000000Z');"
        "CREATE TABLE ship_outcomes (mmsi INTEGER NOT NULL, first_ping TEXT NOT NULL, last_ping TEXT NOT NULL,"
        " pings INTEGER NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL, chips INTEGER NOT NULL,"
        " updated_at TEXT NOT NULL, PRIMARY KEY (mmsi, first_ping, last_ping));"
        "INSERT INTO ship_outcomes VALUES (1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:10:00.000000Z', 12,"
        " 'failed', 'HTTP 503', 0, '2026-01-01T00:00:01.000000Z');");
  }
  SqliteJobStore store(path);
  const auto started = store.get("0000000000000001");
  ASSERT_TRUE(started);
  EXPECT_EQ(started->status, JobStatus::failed) << "an attempt no process finished";
  EXPECT_EQ(started->error_code, ErrorCode::lease_expired);
  EXPECT_EQ(started->error_class, ErrorCategory::retryable);
  EXPECT_TRUE(started->next_retry_at) << "due again";
  EXPECT_EQ(store.get("0000000000000002")->error_class, ErrorCategory::permanent);
  EXPECT_EQ(store.get("0000000000000002")->status, JobStatus::rejected);
  EXPECT_EQ(store.get("0000000000000003")->attempts, 2);
  EXPECT_TRUE(store.get("0000000000000003")->next_retry_at);
  EXPECT_EQ(store.get("0000000000000004")->status, JobStatus::done);
  const auto observations = store.observations();
  ASSERT_EQ(observations.size(), 1u);
  EXPECT_EQ(observations[0].status, "failed");
  EXPECT_EQ(observations[0].pings, 12u);
  EXPECT_EQ(sqlite::schema_version(store.database(), "ops.ship_outcomes"), 0) << "the old table is gone";
  // Opening again changes nothing.
  SqliteJobStore again(path);
  EXPECT_EQ(again.list().size(), 4u);
  EXPECT_EQ(again.observations().size(), 1u);
}

TEST(OpsSqliteJobStore, ANewerSchemaIsRefused) {
  TempDir dir("shipchips-sqlite-jobstore-newer");
  { SqliteJobStore store(dir.path / "ops.db"); }
  {
    sqlite::Database db(dir.path / "ops.db");
    db.exec("UPDATE schema_versions SET version = 99 WHERE component = 'ops.chip_jobs'");
  }
  try {
    SqliteJobStore store(dir.path / "ops.db");
    FAIL() << "opened a newer schema";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::contract) << e.what();
  }
}
