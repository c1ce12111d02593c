#pragma once
// The chips index: the `chips` table of the dataset's SQLite database (storage.db_path under
// the dataset root, the same file as the job store's chip_jobs table). It is the source of
// truth for every published index (see index_export.hpp); the sidecars on disk are its
// durable copy (index_rebuild.hpp recreates it from them).
//
// One row per chip_id. The full record is kept as its sidecar JSON text (record_json); the
// other columns repeat the fields people query and filter on (SQL over the index without
// parsing JSON). Schema component "dataset.chips" in schema_versions (sqlite_db.hpp).

#include "core/sqlite_db.hpp"
#include "dataset/chip_record.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::dataset {

enum class UpsertResult { inserted, updated, unchanged };
std::string_view to_string(UpsertResult result);

class ChipIndex {
 public:
  static constexpr std::string_view schema_component = "dataset.chips";
  static constexpr int schema_version = 2;

  // Opens (creating when needed) and migrates the database.
  explicit ChipIndex(const std::filesystem::path& db_path);

  // Whether `db_path` holds a chips index (its schema is recorded), read without changing the
  // file. The job store shares the database file, so a file that exists may still hold no chips
  // index (a run was recorded before anything was chipped).
  static bool exists(const std::filesystem::path& db_path);

  // Inserts or replaces the row of record.chip_id; unchanged when the stored JSON is
  // byte-identical (nothing is written then). Error(invalid_argument) for a record that
  // check_record refuses.
  UpsertResult upsert(const ChipRecord& record);
  std::optional<ChipRecord> get(std::string_view chip_id);
  // Every record, ordered by chip_id (the order of every export).
  std::vector<ChipRecord> list();
  std::vector<std::string> list_ids();
  // True when a row was deleted.
  bool remove(std::string_view chip_id);
  std::size_t count();
  // The creation time of the newest chip (indexed: no scan), nullopt when there is none.
  std::optional<UtcTime> newest_created();

  sqlite::Database& database() { return m_db; }

 private:
  sqlite::Database m_db;
};

}  // namespace shipchips::dataset
