#include "ops/backup.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/sqlite_db.hpp"
#include "ops/lease_owner.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>

namespace shipchips::ops {
namespace fs = std::filesystem;
namespace {

std::string stamp(UtcTime t) {
  std::string out;
  for (char c : format_iso8601(t, 0))
    if (c != '-' && c != ':') out.push_back(c);
  return out;  // 20261203T145500Z
}

std::optional<UtcTime> time_of_backup_name(const std::string& name) {
  // ops-YYYYMMDDTHHMMSSZ.db.gz
  if (name.size() != 4 + 16 + 6 || name.rfind("ops-", 0) != 0 || name.substr(20) != ".db.gz") return std::nullopt;
  const std::string s = name.substr(4, 16);
  if (s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  try {
    return parse_iso8601(s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T" + s.substr(9, 2) + ":" +
                         s.substr(11, 2) + ":" + s.substr(13, 2) + "Z");
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string check_integrity(const fs::path& db) {
  sqlite::Database d(db, sqlite::OpenMode::read_only);
  sqlite::Statement q = d.prepare("PRAGMA integrity_check");
  std::string out;
  while (q.step()) out += (out.empty() ? "" : "; ") + q.text(0);
  return out;
}

void gzip_file(const fs::path& from, const fs::path& to) {
  std::FILE* in = std::fopen(from.c_str(), "rb");
  if (!in) throw Error(ErrorCode::io_error, from.string() + ": cannot open: " + std::strerror(errno));
  gzFile out = gzopen(to.c_str(), "wb6");
  if (!out) {
    std::fclose(in);
    throw Error(ErrorCode::io_error, to.string() + ": cannot create: " + std::strerror(errno));
  }
  std::vector<char> buffer(1 << 20);
  bool ok = true;
  for (;;) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), in);
    if (n > 0 && gzwrite(out, buffer.data(), static_cast<unsigned>(n)) != static_cast<int>(n)) {
      ok = false;
      break;
    }
    if (n < buffer.size()) {
      ok = !std::ferror(in);
      break;
    }
  }
  std::fclose(in);
  if (gzclose(out) != Z_OK || !ok) throw Error(ErrorCode::io_error, to.string() + ": write failed (disk full?)");
  // Durable before the rename that publishes it.
  const int fd = ::open(to.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    throw Error(ErrorCode::io_error, to.string() + ": fsync failed: " + std::strerror(errno));
  }
  ::close(fd);
}

// Decompresses a gzip file (or copies a plain one: gzread passes it through).
void gunzip_file(const fs::path& from, const fs::path& to) {
  gzFile in = gzopen(from.c_str(), "rb");
  if (!in) throw Error(ErrorCode::not_found, from.string() + ": cannot open: " + std::strerror(errno));
  std::FILE* out = std::fopen(to.c_str(), "wb");
  if (!out) {
    gzclose(in);
    throw Error(ErrorCode::io_error, to.string() + ": cannot create: " + std::strerror(errno));
  }
  std::vector<char> buffer(1 << 20);
  int n = 0;
  bool ok = true;
  while ((n = gzread(in, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0) {
    if (std::fwrite(buffer.data(), 1, static_cast<std::size_t>(n), out) != static_cast<std::size_t>(n)) {
      ok = false;
      break;
    }
  }
  int gz_error = 0;
  const char* message = gzerror(in, &gz_error);
  const bool read_failed = n < 0 || (gz_error != Z_OK && gz_error != Z_STREAM_END);
  gzclose(in);
  ok = (std::fflush(out) == 0) && ok;
  ok = (::fsync(fileno(out)) == 0) && ok;
  std::fclose(out);
  if (read_failed)
    throw Error(ErrorCode::input_invalid, from.string() + ": not a readable gzip file: " + (message ? message : "?"));
  if (!ok) throw Error(ErrorCode::io_error, to.string() + ": write failed");
}

}  // namespace

fs::path backup_dir(const Config& config) {
  const fs::path dir(config.ops.backup_dir);
  return dir.is_absolute() ? dir : dataset_path(config, config.ops.backup_dir);
}

std::vector<BackupFile> list_backups(const fs::path& dir) {
  std::vector<BackupFile> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto t = time_of_backup_name(entry.path().filename().string());
    if (!t || !entry.is_regular_file(ec)) continue;
    out.push_back({entry.path(), *t, entry.file_size(ec)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.time > b.time; });
  return out;
}

std::vector<BackupFile> retained(const std::vector<BackupFile>& backups, int hourly, int daily) {
  std::set<std::string> hours, days;
  std::vector<BackupFile> keep;
  for (const auto& b : backups) {  // newest first: the first of each hour/day is its newest
    const std::string iso = format_iso8601(b.time, 0);
    const std::string hour = iso.substr(0, 13), day = iso.substr(0, 10);
    bool kept = false;
    if (!hours.count(hour) && static_cast<int>(hours.size()) < hourly) {
      hours.insert(hour);
      kept = true;
    }
    if (!days.count(day) && static_cast<int>(days.size()) < daily) {
      days.insert(day);
      kept = true;
    }
    if (kept) keep.push_back(b);
  }
  return keep;
}

BackupReport backup_database(const Config& config, UtcTime now) {
  const fs::path db = dataset_path(config, config.storage.db_path);
  if (!fs::exists(db)) throw Error(ErrorCode::not_found, db.string() + ": no job store to back up yet");
  const fs::path dir = backup_dir(config);
  make_directories(dir);
  BackupReport report;
  report.backup = dir / ("ops-" + stamp(now) + ".db.gz");
  if (fs::exists(report.backup))
    throw Error(ErrorCode::invalid_argument, report.backup.string() + ": a backup of this second exists already");
  // Temporaries named as core/atomic_file names them, so a killed backup's are swept.
  const std::string pid = std::to_string(::getpid());
  const fs::path copy = dir / (".ops-" + stamp(now) + ".tmp." + pid + ".0.0.db");
  const fs::path packed = dir / (".ops-" + stamp(now) + ".tmp." + pid + ".0.1.gz");
  struct Cleanup {
    std::vector<fs::path> paths;
    ~Cleanup() {
      std::error_code ec;
      for (const auto& p : paths) fs::remove(p, ec);
    }
  } cleanup{{copy, fs::path(copy.string() + "-wal"), fs::path(copy.string() + "-shm"), packed}};
  {
    sqlite::Database source(db, sqlite::OpenMode::read_only);
    sqlite3* target = nullptr;
    if (sqlite3_open_v2(copy.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      const std::string why = target ? sqlite3_errmsg(target) : "out of memory";
      sqlite3_close(target);
      throw Error(ErrorCode::io_error, copy.string() + ": cannot create: " + why);
    }
    sqlite3_backup* b = sqlite3_backup_init(target, "main", source.handle(), "main");
    int rc = b ? SQLITE_OK : sqlite3_errcode(target);
    while (b && (rc = sqlite3_backup_step(b, 256)) == SQLITE_OK) {
    }
    // BUSY/LOCKED mid-copy: a writer changed the source; the backup API restarts itself, but
    // give up after its step reports a hard error.
    if (b) sqlite3_backup_finish(b);
    // The copy carries the source's WAL flag; a backup is one self-contained file.
    if (rc == SQLITE_DONE) sqlite3_exec(target, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
    const std::string why = sqlite3_errmsg(target);
    sqlite3_close(target);
    if (rc != SQLITE_DONE) throw Error(sqlite::error_code_of(rc), db.string() + ": online backup failed: " + why);
  }
  const std::string integrity = check_integrity(copy);
  if (integrity != "ok")
    throw Error(ErrorCode::database_corrupt, db.string() + ": the backup copy fails integrity_check: " + integrity);
  report.database_bytes = fs::file_size(copy);
  gzip_file(copy, packed);
  fs::rename(packed, report.backup);
  fsync_directory(dir);
  report.backup_bytes = fs::file_size(report.backup);
  const auto all = list_backups(dir);
  report.kept = retained(all, config.ops.backup_keep_hourly, config.ops.backup_keep_daily);
  std::set<fs::path> keep;
  for (const auto& b : report.kept) keep.insert(b.path);
  keep.insert(report.backup);  // the one just made always stays
  for (const auto& b : all) {
    std::error_code ec;
    if (!keep.count(b.path) && fs::remove(b.path, ec)) report.removed.push_back(b.path);
  }
  if (!report.removed.empty()) fsync_directory(dir);
  return report;
}

RestoreReport restore_database(const Config& config, const fs::path& backup) {
  const fs::path db = dataset_path(config, config.storage.db_path);
  if (!fs::is_regular_file(backup)) throw Error(ErrorCode::not_found, backup.string() + ": no such backup file");
  RestoreReport report;
  report.database = db;
  if (fs::exists(db)) {
    // Nobody may hold it: no live process with a lease or a running run, and a checkpoint that
    // no other connection blocks.
    sqlite::Database current(db);
    {
      sqlite::Statement q = current.prepare(
          "SELECT lease_owner FROM chip_jobs WHERE status = 'running' AND lease_owner IS NOT NULL"
          " UNION SELECT owner FROM runs WHERE status = 'running' AND owner <> ''");
      std::vector<std::string> owners;
      try {
        while (q.step()) owners.push_back(q.text(0));
      } catch (const Error&) {
        // A database without those tables has no holders to ask.
      }
      for (const auto& owner : owners) {
        if (owner != this_owner() && !owner_is_dead(owner))
          throw Error(ErrorCode::database_busy,
                      db.string() + ": process " + owner + " is working on it (a live lease or run): stop it first");
      }
    }
    sqlite::Statement cp = current.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    if (cp.step() && cp.int64(0) != 0)
      throw Error(ErrorCode::database_busy,
                  db.string() + ": another process has the database open (checkpoint blocked): stop it first");
  }
  const fs::path dir = db.parent_path();
  make_directories(dir);
  const fs::path temp = dir / ("." + db.stem().string() + ".tmp." + std::to_string(::getpid()) + ".0.2.db");
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove(p, ec);
    }
  } cleanup{temp};
  gunzip_file(backup, temp);
  std::string integrity;
  try {
    integrity = check_integrity(temp);
  } catch (const Error& e) {
    throw Error(ErrorCode::input_invalid, backup.string() + ": not a database backup: " + e.what());
  }
  if (integrity != "ok")
    throw Error(ErrorCode::input_invalid, backup.string() + ": fails integrity_check: " + integrity);
  if (fs::exists(db)) {
    report.previous = db.string() + ".before-restore-" + stamp(utc_now());
    fs::rename(db, report.previous);
  }
  std::error_code ec;
  fs::remove(db.string() + "-wal", ec);
  fs::remove(db.string() + "-shm", ec);
  fs::rename(temp, db);
  fsync_directory(dir);
  return report;
}

namespace {

struct TableCopy {
  std::int64_t rows = 0;
  bool damaged = false;
};

// Copies the readable rows of `table` (a rowid table) from `src` to `dst`: an ascending scan until
// the first unreadable page, a descending scan from the top until the first one, and seeks at
// doubling distances past each damaged stretch to find readable rows between them.
TableCopy copy_table(sqlite3* src, sqlite3* dst, const std::string& table) {
  TableCopy result;
  const std::string quoted = "\"" + table + "\"";
  sqlite3_stmt* cols = nullptr;
  if (sqlite3_prepare_v2(src, ("SELECT * FROM " + quoted + " LIMIT 0").c_str(), -1, &cols, nullptr) != SQLITE_OK) {
    sqlite3_finalize(cols);
    result.damaged = true;
    return result;
  }
  const int n = sqlite3_column_count(cols);
  sqlite3_finalize(cols);
  // Columns by position: the target table was created from the same CREATE TABLE text.
  std::string insert = "INSERT OR IGNORE INTO " + quoted + "(rowid";
  sqlite3_stmt* names = nullptr;
  sqlite3_prepare_v2(src, ("SELECT * FROM " + quoted + " LIMIT 0").c_str(), -1, &names, nullptr);
  for (int i = 0; i < n; ++i) insert += std::string(", \"") + sqlite3_column_name(names, i) + "\"";
  sqlite3_finalize(names);
  insert += ") VALUES (?1";
  for (int i = 0; i < n; ++i) insert += ", ?" + std::to_string(i + 2);
  insert += ")";
  sqlite3_stmt* put = nullptr;
  if (sqlite3_prepare_v2(dst, insert.c_str(), -1, &put, nullptr) != SQLITE_OK) {
    sqlite3_finalize(put);
    result.damaged = true;
    return result;
  }
  std::set<std::int64_t> seen;
  // Reads rows from `sql` (bound with `from`) until done or an error; true when it ended clean.
  auto scan = [&](const std::string& sql, std::optional<std::int64_t> from, std::int64_t& last) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(src, sql.c_str(), -1, &q, nullptr) != SQLITE_OK) {
      sqlite3_finalize(q);
      return false;
    }
    if (from) sqlite3_bind_int64(q, 1, *from);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      const std::int64_t rowid = sqlite3_column_int64(q, 0);
      last = rowid;
      if (!seen.insert(rowid).second) continue;
      sqlite3_reset(put);
      for (int i = 0; i <= n; ++i) sqlite3_bind_value(put, i + 1, sqlite3_column_value(q, i));
      if (sqlite3_step(put) == SQLITE_DONE) ++result.rows;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE;
  };
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  const std::string asc = "SELECT rowid, * FROM " + quoted + " WHERE rowid > ?1 ORDER BY rowid";
  const std::string desc = "SELECT rowid, * FROM " + quoted + " ORDER BY rowid DESC";
  if (!scan(asc, last, last)) {
    result.damaged = true;
    std::int64_t top = std::numeric_limits<std::int64_t>::max();
    scan(desc, std::nullopt, top);
    // Probe past the damage: seeks at doubling distances from the last row read.
    std::int64_t base = last == std::numeric_limits<std::int64_t>::min() ? 0 : last;
    for (std::int64_t step = 1; step > 0 && step < (std::int64_t(1) << 40) && base + step < top; step *= 2) {
      std::int64_t reached = base + step;
      if (scan(asc, base + step, reached)) break;
      if (reached > base + step) base = reached, step = 1;
    }
  }
  sqlite3_finalize(put);
  return result;
}

}  // namespace

RecoverReport recover_database(const Config& config, const fs::path& source, const fs::path& out) {
  if (!fs::is_regular_file(source)) throw Error(ErrorCode::not_found, source.string() + ": no such database");
  RecoverReport report;
  report.source = source;
  report.recovered = out.empty() ? fs::path(source.string() + ".recovered-" + stamp(utc_now()) + ".db") : out;
  if (fs::exists(report.recovered))
    throw Error(ErrorCode::invalid_argument, report.recovered.string() + ": exists already (choose another --out)");
  const fs::path dir = report.recovered.parent_path().empty() ? fs::path(".") : report.recovered.parent_path();
  make_directories(dir);
  const std::string tag = std::to_string(::getpid());
  // Read from a copy (with its WAL): the damaged file is never opened for writing.
  const fs::path copy = dir / (".recover.tmp." + tag + ".0.3.db");
  const fs::path temp = dir / (".recovered.tmp." + tag + ".0.6.db");
  struct Cleanup {
    std::vector<fs::path> paths;
    ~Cleanup() {
      std::error_code ec;
      for (const auto& p : paths) fs::remove(p, ec);
    }
  } cleanup{{copy, fs::path(copy.string() + "-wal"), fs::path(copy.string() + "-shm"), temp,
             fs::path(temp.string() + "-wal"), fs::path(temp.string() + "-shm")}};
  fs::copy_file(source, copy, fs::copy_options::overwrite_existing);
  if (fs::exists(source.string() + "-wal"))
    fs::copy_file(source.string() + "-wal", copy.string() + "-wal", fs::copy_options::overwrite_existing);
  {
    sqlite::Database src(copy);
    sqlite::Database dst(temp);
    std::vector<std::pair<std::string, std::string>> tables, indexes;  // name, sql
    try {
      sqlite::Statement q = src.prepare(
          "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY "
          "rowid");
      while (q.step()) (q.text(0) == "table" ? tables : indexes).emplace_back(q.text(1), q.text(2));
    } catch (const Error& e) {
      throw Error(ErrorCode::database_corrupt,
                  source.string() + ": its schema is unreadable, nothing can be recovered: " + e.what());
    }
    dst.exec("BEGIN");
    for (const auto& [name, sql] : tables) dst.exec(sql);
    for (const auto& [name, sql] : tables) {
      const TableCopy copied = copy_table(src.handle(), dst.handle(), name);
      report.rows[name] = copied.rows;
      if (copied.damaged) report.damaged_tables.push_back(name);
    }
    for (const auto& [name, sql] : indexes) {
      try {
        dst.exec(sql);
      } catch (const Error& e) {
        report.skipped_indexes.push_back(name + ": " + e.what());
      }
    }
    dst.exec("COMMIT");
    dst.exec("PRAGMA journal_mode=DELETE");
    std::set<std::string> recovered_chips;
    if (report.rows.count("chips")) {
      sqlite::Statement q = dst.prepare("SELECT chip_id FROM chips");
      while (q.step()) recovered_chips.insert(q.text(0));
    }
    const fs::path chips_root = dataset_path(config, "chips");
    std::error_code ec;
    if (fs::is_directory(chips_root, ec)) {
      for (auto it = fs::recursive_directory_iterator(chips_root, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        const auto& p = it->path();
        if (p.extension() != ".json" || p.filename().string().front() == '.') continue;
        ++report.chips_on_disk;
        const std::string id = p.stem().string();
        if (!recovered_chips.count(id)) report.chips_missing.push_back(id);
      }
    }
    std::sort(report.chips_missing.begin(), report.chips_missing.end());
  }
  report.integrity = check_integrity(temp);
  if (report.integrity != "ok")
    throw Error(ErrorCode::database_corrupt,
                report.recovered.string() + ": the recovered file fails integrity_check: " + report.integrity);
  fs::rename(temp, report.recovered);
  fsync_directory(dir);
  return report;
}

}  // namespace shipchips::ops
