#include "core/sqlite_db.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <spdlog/spdlog.h>

#include <thread>

namespace shipchips::sqlite {

ErrorCode error_code_of(int sqlite_result) {
  switch (sqlite_result & 0xff) {  // the primary code of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::database_busy;  // another connection holds it: retry later
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::database_corrupt;
    case SQLITE_SCHEMA:
    case SQLITE_ERROR:  // "no such table/column": the file is not the schema we expect
      return ErrorCode::contract_violation;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      return ErrorCode::internal;  // our own statements broke a rule: a bug, not the disk
    default:
      return ErrorCode::io_error;  // IOERR, FULL, CANTOPEN, READONLY, PERM, NOMEM, ...
  }
}

Database::Database(const std::filesystem::path& path, OpenMode mode) : m_path(path) {
  const bool writable = mode == OpenMode::read_write;
  if (writable) make_directories(path.parent_path());
  const int flags =
      (writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = m_db ? sqlite3_errmsg(m_db) : "out of memory";
    const int code = m_db ? sqlite3_extended_errcode(m_db) : rc;
    sqlite3_close(m_db);
    m_db = nullptr;
    throw Error(error_code_of(code), path.string() + ": cannot open database: " + message);
  }
  sqlite3_busy_timeout(m_db, 10000);
  if (!writable) return;
  try {
    // SQLite answers with the mode it actually uses: anything but "wal" (a file system without
    // shared-memory support, a read-only folder) would silently give rollback journaling, where
    // readers block the writer. ":memory:" databases answer "memory", which is expected.
    std::string mode;
    {
      Statement q(*this, "PRAGMA journal_mode=WAL");
      if (q.step()) mode = q.text(0);
    }
    const bool in_memory = path.string() == ":memory:" || path.empty();
    if (mode != "wal" && !(in_memory && mode == "memory")) {
      throw Error(ErrorCode::io_error, path.string() + ": cannot use the WAL journal (SQLite answered journal_mode='" +
                                           mode + "'); the database needs a local file system with shared memory");
    }
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
  } catch (...) {
    sqlite3_close(m_db);
    m_db = nullptr;
    throw;
  }
}

Database::~Database() {
  if (m_db != nullptr) sqlite3_close_v2(m_db);
}

namespace {
// SQLite says "database or disk is full"; an operator searching the log for the usual words
// should find it.
std::string full_hint(int code) {
  return (code & 0xff) == SQLITE_FULL ? " (no space left on the device)" : "";
}
}  // namespace

void Database::fail(std::string_view what) const {
  const int code = sqlite3_extended_errcode(m_db);
  throw Error(error_code_of(code),
              m_path.string() + ": " + std::string(what) + ": " + sqlite3_errmsg(m_db) + full_hint(code));
}

void Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message); rc != SQLITE_OK) {
    std::string detail = message ? message : sqlite3_errmsg(m_db);
    sqlite3_free(message);
    const int code = sqlite3_extended_errcode(m_db) != SQLITE_OK ? sqlite3_extended_errcode(m_db) : rc;
    throw Error(error_code_of(code),
                m_path.string() + ": " + detail + full_hint(code) + " (in: " + text.substr(0, 80) + ")");
  }
}

Statement Database::prepare(std::string_view sql) {
  return Statement(*this, sql);
}

void Database::set_busy_timeout(std::chrono::milliseconds timeout) {
  sqlite3_busy_timeout(m_db, static_cast<int>(timeout.count()));
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(m_db);
}

Statement::Statement(Database& db, std::string_view sql) : m_db(&db) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) != SQLITE_OK) {
    db.fail("prepare \"" + std::string(sql.substr(0, 80)) + "\"");
  }
}

Statement::Statement(Statement&& other) noexcept : m_db(other.m_db), m_stmt(other.m_stmt) {
  other.m_stmt = nullptr;
}

Statement::~Statement() {
  if (m_stmt != nullptr) sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, std::nullopt_t) {
  if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK) m_db->fail("bind");
  return *this;
}
Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK) m_db->fail("bind");
  return *this;
}
Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK) m_db->fail("bind");
  return *this;
}
Statement& Statement::bind(int index, std::string_view value) {
  // An empty view may have no data pointer, which SQLite would bind as NULL: bind "" instead.
  const char* data = value.data() != nullptr ? value.data() : "";
  if (sqlite3_bind_text64(m_stmt, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) {
    m_db->fail("bind");
  }
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  m_db->fail("step \"" + std::string(sqlite3_sql(m_stmt)).substr(0, 80) + "\"");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}
std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(m_stmt, column);
}
double Statement::real(int column) const {
  return sqlite3_column_double(m_stmt, column);
}
std::string Statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column))) : std::string();
}
std::optional<std::string> Statement::opt_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}
std::optional<double> Statement::opt_real(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}

Transaction::Transaction(Database& db) : m_db(db) {
  Backoff backoff(kBeginBackoff);
  for (int attempt = 1;; ++attempt) {
    try {
      m_db.exec("BEGIN IMMEDIATE");
      return;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::database_busy || attempt > kBeginRetries) throw;
      const auto wait = backoff.delay(attempt);
      spdlog::warn(
          "{}: write lock still held by another connection after the busy timeout; trying again in {} ms "
          "({} of {})",
          m_db.path().string(), wait.count(), attempt, kBeginRetries);
      std::this_thread::sleep_for(wait);
    }
  }
}

Transaction::~Transaction() {
  if (!m_done) {
    try {
      m_db.exec("ROLLBACK");
    } catch (...) {
      // The original exception is what matters; a failed rollback leaves SQLite to roll back
      // the journal when the connection closes.
    }
  }
}

void Transaction::commit() {
  m_db.exec("COMMIT");
  m_done = true;
}

namespace {
void ensure_versions_table(Database& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_versions ("
      " component TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
}
}  // namespace

int schema_version(Database& db, std::string_view component) {
  ensure_versions_table(db);
  Statement q = db.prepare("SELECT version FROM schema_versions WHERE component = ?1");
  q.bind(1, component);
  return q.step() ? static_cast<int>(q.int64(0)) : 0;
}

int migrate(Database& db, std::string_view component, std::span<const Migration> migrations) {
  ensure_versions_table(db);
  Transaction tx(db);
  int current = schema_version(db, component);
  int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    throw Error(ErrorCode::contract_violation, db.path().string() + ": schema of '" + std::string(component) +
                                                   "' is version " + std::to_string(current) +
                                                   ", newer than this shipchips (" + std::to_string(latest) +
                                                   "); upgrade shipchips");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    db.exec(m.sql);
    Statement up = db.prepare(
        "INSERT INTO schema_versions(component, version, applied_at) VALUES(?1, ?2, ?3) "
        "ON CONFLICT(component) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at");
    up.bind(1, component).bind(2, m.version).bind(3, format_iso8601(utc_now(), 0));
    up.run();
    current = m.version;
  }
  tx.commit();
  return current;
}

int adopt_user_version(Database& db, std::string_view component) {
  ensure_versions_table(db);
  Transaction tx(db);
  const int current = schema_version(db, component);
  if (current > 0) return current;
  int legacy = 0;
  {
    Statement q = db.prepare("PRAGMA user_version");
    if (q.step()) legacy = static_cast<int>(q.int64(0));
  }
  if (legacy <= 0) return 0;
  Statement up = db.prepare("INSERT INTO schema_versions(component, version, applied_at) VALUES(?1, ?2, ?3)");
  up.bind(1, component).bind(2, legacy).bind(3, format_iso8601(utc_now(), 0));
  up.run();
  tx.commit();
  return legacy;
}

}  // namespace shipchips::sqlite
