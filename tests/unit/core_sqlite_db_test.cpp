// core/sqlite_db: failures carry the code the job store retries by, and name the database.
#include "../support/temp_dir.hpp"
#include "core/error.hpp"
#include "core/sqlite_db.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <thread>

using namespace shipchips;
using shipchips::testing::TempDir;

namespace {

ErrorCode code_of(const std::function<void()>& f, std::string* what = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (what) *what = e.what();
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::internal;
}

}  // namespace

TEST(CoreSqliteDb, ALockHeldByAnotherWriterIsBusyAndRetryable) {
  TempDir dir("shipchips-sqlite-busy");
  const auto path = dir.path / "jobs.sqlite";
  sqlite::Database a(path);
  a.exec("CREATE TABLE t (x INTEGER)");
  sqlite::Database b(path);
  b.set_busy_timeout(std::chrono::milliseconds(50));
  a.exec("BEGIN IMMEDIATE");
  std::string what;
  const ErrorCode code = code_of([&] { b.exec("INSERT INTO t VALUES (1)"); }, &what);
  EXPECT_EQ(code, ErrorCode::database_busy) << what;
  EXPECT_EQ(category_of(code), ErrorCategory::retryable);
  EXPECT_NE(what.find(path.string()), std::string::npos) << what;
  a.exec("COMMIT");
  b.exec("INSERT INTO t VALUES (1)");  // free again
}

// A writer that loses the race for the lock past its busy timeout tries again (kBeginRetries):
// the lock is released 120 ms in, after b's first 50 ms busy timeout has run out.
TEST(CoreSqliteDb, ATransactionTriesAgainAfterTheBusyTimeout) {
  TempDir dir("shipchips-sqlite-begin-retry");
  const auto path = dir.path / "jobs.sqlite";
  sqlite::Database a(path);
  a.exec("CREATE TABLE t (x INTEGER)");
  sqlite::Database b(path);
  b.set_busy_timeout(std::chrono::milliseconds(50));
  a.exec("BEGIN IMMEDIATE");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    a.exec("COMMIT");
  });
  const auto t0 = std::chrono::steady_clock::now();
  {
    sqlite::Transaction tx(b);
    b.exec("INSERT INTO t VALUES (1)");
    tx.commit();
  }
  const auto waited = std::chrono::steady_clock::now() - t0;
  release.join();
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  sqlite::Statement q = b.prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.int64(0), 1);
}

// A lock that is never released ends in database_busy (retryable) once the retries are spent.
TEST(CoreSqliteDb, ATransactionGivesUpAsBusyWhenTheLockStaysHeld) {
  TempDir dir("shipchips-sqlite-begin-busy");
  const auto path = dir.path / "jobs.sqlite";
  sqlite::Database a(path);
  a.exec("CREATE TABLE t (x INTEGER)");
  sqlite::Database b(path);
  b.set_busy_timeout(std::chrono::milliseconds(20));
  a.exec("BEGIN IMMEDIATE");
  const auto t0 = std::chrono::steady_clock::now();
  std::string what;
  EXPECT_EQ(code_of([&] { sqlite::Transaction tx(b); }, &what), ErrorCode::database_busy) << what;
  // Every attempt ran its busy timeout: 1 + kBeginRetries of them.
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(20 * (1 + sqlite::kBeginRetries)));
  a.exec("COMMIT");
}

TEST(CoreSqliteDb, AFileThatIsNoDatabaseIsCorruptNamingThePath) {
  TempDir dir("shipchips-sqlite-notadb");
  const auto path = dir.path / "index.sqlite";
  std::ofstream(path) << std::string(8192, 'x');
  std::string what;
  const ErrorCode code = code_of([&] { sqlite::Database db(path); }, &what);
  EXPECT_EQ(code, ErrorCode::database_corrupt) << what;
  EXPECT_EQ(category_of(code), ErrorCategory::contract);
  EXPECT_NE(what.find(path.string()), std::string::npos) << what;
}

TEST(CoreSqliteDb, ConstraintAndSchemaFailuresAreNotIoErrors) {
  TempDir dir("shipchips-sqlite-rules");
  sqlite::Database db(dir.path / "a.sqlite");
  db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY)");
  db.exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(code_of([&] { db.exec("INSERT INTO t VALUES (1)"); }), ErrorCode::internal);
  EXPECT_EQ(code_of([&] { db.prepare("SELECT y FROM missing"); }), ErrorCode::contract_violation);
  auto insert = db.prepare("INSERT INTO t VALUES (?)");
  insert.bind(1, static_cast<std::int64_t>(1));
  EXPECT_EQ(code_of([&] { insert.step(); }), ErrorCode::internal);
}

TEST(CoreSqliteDb, PrimaryCodesMapAsDocumented) {
  EXPECT_EQ(sqlite::error_code_of(SQLITE_BUSY_SNAPSHOT), ErrorCode::database_busy);
  EXPECT_EQ(sqlite::error_code_of(SQLITE_LOCKED_SHAREDCACHE), ErrorCode::database_busy);
  EXPECT_EQ(sqlite::error_code_of(SQLITE_CORRUPT_INDEX), ErrorCode::database_corrupt);
  EXPECT_EQ(sqlite::error_code_of(SQLITE_FULL), ErrorCode::io_error);
  EXPECT_EQ(sqlite::error_code_of(SQLITE_IOERR_FSYNC), ErrorCode::io_error);
  EXPECT_EQ(sqlite::error_code_of(SQLITE_READONLY), ErrorCode::io_error);
  EXPECT_EQ(sqlite::error_code_of(SQLITE_CONSTRAINT_UNIQUE), ErrorCode::internal);
}

TEST(CoreSqliteDb, ReadOnlyOpenChangesNothing) {
  using namespace shipchips::sqlite;
  TempDir dir("shipchips-sqlite-readonly");
  const auto missing = dir.path / "sub" / "none.db";
  try {
    Database db(missing, OpenMode::read_only);
    FAIL() << "a missing database was opened read-only";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io_error) << e.what();
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(missing.parent_path())) << "read-only must not create folders";

  const auto path = dir.path / "rollback.db";
  {
    Database db(path);
    db.exec("PRAGMA journal_mode=DELETE; CREATE TABLE t(x); INSERT INTO t VALUES (7)");
  }
  Database reader(path, OpenMode::read_only);
  Statement mode = reader.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "delete") << "a read-only open must not switch the file to WAL";
  Statement q = reader.prepare("SELECT x FROM t");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.int64(0), 7);
  try {
    reader.exec("INSERT INTO t VALUES (8)");
    FAIL() << "a write through a read-only handle succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}
