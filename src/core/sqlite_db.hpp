#pragma once
// A thin RAII layer over the SQLite C API for the dataset's database (storage.db_path under
// the dataset root), shared by the chips index and the chip_jobs table of the job store.
// It has no domain knowledge; it lives here until core grows a database module.
//
// Opening sets: WAL journal (readers never block the writer; the pragma's answer is checked and
// anything but "wal" is refused, except "memory" for ":memory:"), synchronous=NORMAL (with WAL:
// a killed process loses no commit and the file never corrupts; an OS crash or power loss may
// roll back the last commits before a checkpoint — see ops/sqlite_job_store.hpp for why that is
// the right trade), foreign keys on, busy timeout 10 s (several processes may write the file).
//
// Schema versions: several components share one database file, so instead of the single
// PRAGMA user_version each component keeps its own row in
//   schema_versions(component TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT)
// and migrate() applies, in one transaction, the migrations above the stored version. A
// database newer than this program (stored version > the last migration) is refused.

#include "core/backoff.hpp"
#include "core/error.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace shipchips::sqlite {

class Statement;

// The error code of an SQLite result, so the job store retries only what can succeed later:
// busy/locked → database_busy (retryable); corrupt/not a database → database_corrupt
// (contract); schema/SQL errors → contract_violation; constraint/misuse → internal; the rest
// (I/O, full disk, permissions) → io_error.
ErrorCode error_code_of(int sqlite_result);

enum class OpenMode {
  read_write,  // creates the file (and its folder) when missing; WAL, synchronous=NORMAL, foreign keys
  read_only,   // an existing file, changed in no way (no journal mode or folder set up): checks, reports
};

class Database {
 public:
  // Errors name the path (codes: error_code_of).
  explicit Database(const std::filesystem::path& path, OpenMode mode = OpenMode::read_write);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  std::int64_t changes() const;
  const std::filesystem::path& path() const { return m_path; }
  sqlite3* handle() const { return m_db; }
  // How long a statement waits for another connection's lock before failing database_busy
  // (10 s by default).
  void set_busy_timeout(std::chrono::milliseconds timeout);
  // Error(error_code_of(last result)) "<path>: <what>: <sqlite message>".
  [[noreturn]] void fail(std::string_view what) const;

 private:
  std::filesystem::path m_path;
  sqlite3* m_db = nullptr;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, std::nullopt_t);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }

  // True while a row is available; false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<std::string> opt_text(int column) const;
  std::optional<double> opt_real(int column) const;

 private:
  Database* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

// BEGIN IMMEDIATE (takes the write lock up front, so two writers never deadlock on upgrade);
// the destructor rolls back unless commit() was called.
//
// SQLite's busy handler polls for the lock (sleeps of up to 100 ms) rather than queueing, so
// under a burst of writers one connection can lose every race for its whole busy timeout while
// the lock is never held long. A BEGIN IMMEDIATE that times out is therefore tried again, up to
// kBeginRetries times after jittered backoff (kBeginBackoff), with a warning each time; then
// database_busy (retryable) goes to the caller.
inline constexpr int kBeginRetries = 4;
inline constexpr BackoffPolicy kBeginBackoff{std::chrono::milliseconds(100), std::chrono::milliseconds(2000)};

class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Database& m_db;
  bool m_done = false;
};

struct Migration {
  int version;           // 1, 2, 3, ... in order
  std::string_view sql;  // one or more statements
};

// The stored version of `component` (0 when it has none yet).
int schema_version(Database& db, std::string_view component);
// Applies migrations[i] for every version above the stored one; returns the new version.
int migrate(Database& db, std::string_view component, std::span<const Migration> migrations);
// For a component whose files predate schema_versions and counted their migrations in PRAGMA
// user_version: when `component` has no row yet and user_version is above 0, records that
// version for it (so migrate() applies only what is newer). Returns the component's version.
int adopt_user_version(Database& db, std::string_view component);

}  // namespace shipchips::sqlite
