#pragma once
// Backups of the job store's database (storage.db_path): `shipchips backup`, `restore`,
// `recover`.
//
// backup   SQLite's online backup API copies the live database (a consistent snapshot while
//          workers keep writing) into a temporary file in ops.backup_dir; PRAGMA
//          integrity_check must answer ok on the copy; it is gzipped (zlib) to
//          ops-YYYYMMDDTHHMMSSZ.db.gz (temporary name, fsync, rename), then retention runs:
//          the newest backup of each of the last ops.backup_keep_hourly hours and of each of the
//          last ops.backup_keep_daily days is kept, every other ops-*.db.gz removed.
// restore  FILE (.db.gz or a plain database) is decompressed next to the database and must pass
//          integrity_check; it replaces the database atomically (rename), the old one kept as
//          <db>.before-restore-<time>. Refused (database_busy) while a process holds the
//          database: a live lease or run in it, or a WAL checkpoint that other connections block.
// recover  reads what is readable from a damaged database into a new file: the schema, then each
//          table's rows by rowid — an ascending scan to the first unreadable page, a descending
//          scan from the top, seeks past the damage — then the indexes (Debian's sqlite3 is
//          built without the sqlite_dbpage table its .recover needs). It checks the new file
//          and reports per table the rows recovered, the tables that were damaged, and which
//          chips on disk (their sidecars) the recovered chips table lacks (`shipchips index
//          rebuild` restores those).

#include "core/config.hpp"
#include "core/time.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::ops {

struct BackupFile {
  std::filesystem::path path;
  UtcTime time{};
  std::uintmax_t bytes = 0;
};

struct BackupReport {
  std::filesystem::path backup;
  std::uintmax_t database_bytes = 0;
  std::uintmax_t backup_bytes = 0;
  std::vector<std::filesystem::path> removed;  // by retention
  std::vector<BackupFile> kept;
};

std::filesystem::path backup_dir(const Config& config);
// ops-*.db.gz in the folder, newest first.
std::vector<BackupFile> list_backups(const std::filesystem::path& dir);
// Which of `backups` (newest first) retention keeps: the newest of each of the last
// `hourly` distinct UTC hours and of each of the last `daily` distinct UTC days.
std::vector<BackupFile> retained(const std::vector<BackupFile>& backups, int hourly, int daily);

BackupReport backup_database(const Config& config, UtcTime now = utc_now());

struct RestoreReport {
  std::filesystem::path database;
  std::filesystem::path previous;  // where the replaced database was kept ("" when there was none)
};
RestoreReport restore_database(const Config& config, const std::filesystem::path& backup);

struct RecoverReport {
  std::filesystem::path source;
  std::filesystem::path recovered;
  std::map<std::string, std::int64_t> rows;  // table → rows recovered
  std::vector<std::string> damaged_tables;   // a scan hit an unreadable page
  std::vector<std::string> skipped_indexes;  // could not be rebuilt ("name: why")
  std::size_t chips_on_disk = 0;             // sidecars under the chips tree
  std::vector<std::string> chips_missing;    // chip ids with a sidecar but no recovered row
  std::string integrity;                     // integrity_check of the recovered file
};
// `out`: empty = <db>.recovered-<time>.db beside it. Never changes the source.
RecoverReport recover_database(const Config& config, const std::filesystem::path& source,
                               const std::filesystem::path& out = {});

}  // namespace shipchips::ops
