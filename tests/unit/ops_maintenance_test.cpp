// shipchips vacuum (ops/maintenance.hpp): the database compacted with its rows intact, only
// empty folders removed.
#include "core/config.hpp"
#include "core/sqlite_db.hpp"
#include "ops/maintenance.hpp"
#include "ops/sqlite_job_store.hpp"

#include "../support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace shipchips;
namespace fs = std::filesystem;

TEST(OpsMaintenance, VacuumShrinksTheDatabaseAndKeepsItsRows) {
  shipchips::testing::TempDir dir("shipchips-vacuum");
  Config config;
  config.base_dir = dir.path;
  config.storage.dataset_root = "ds";
  const fs::path db = dataset_path(config, config.storage.db_path);
  {
    ops::SqliteJobStore store(db);
    std::vector<ops::ChipJobSpec> specs;
    for (int n = 0; n < 3000; ++n) {
      char id[17];
      std::snprintf(id, sizeof id, "%016x", n);
      specs.push_back({id, n, "S2B_30STF_20240523_0_L2A", std::string(200, 'p')});
    }
    store.enqueue(specs, "r");
    store.database().exec("DELETE FROM chip_jobs WHERE mmsi >= 10");
  }
  const ops::VacuumReport r = ops::vacuum_dataset(config, false);
  EXPECT_TRUE(r.database_found);
  EXPECT_LT(r.bytes_after, r.bytes_before / 4) << r.bytes_before << " -> " << r.bytes_after;
  EXPECT_FALSE(fs::exists(db.string() + "-wal") && fs::file_size(db.string() + "-wal") > 0) << "WAL truncated";
  EXPECT_EQ(ops::SqliteJobStore(db).list().size(), 10u);
}

TEST(OpsMaintenance, RmEmptyRemovesOnlyEmptyFoldersDeepestFirstNeverTheRoot) {
  shipchips::testing::TempDir dir("shipchips-rm-empty");
  fs::create_directories(dir.path / "chips/train/1/20240523");
  fs::create_directories(dir.path / "chips/val/2/20240523");
  std::ofstream(dir.path / "chips/val/2/20240523/a.tif") << "x";
  fs::create_directories(dir.path / "empty");
  const auto removed = ops::remove_empty_dirs(dir.path);
  EXPECT_EQ(removed.size(), 4u);  // chips/train/1/20240523, chips/train/1, chips/train, empty
  EXPECT_FALSE(fs::exists(dir.path / "chips/train"));
  EXPECT_FALSE(fs::exists(dir.path / "empty"));
  EXPECT_TRUE(fs::exists(dir.path / "chips/val/2/20240523/a.tif"));
  EXPECT_TRUE(fs::exists(dir.path));
  EXPECT_TRUE(ops::remove_empty_dirs(dir.path / "missing").empty());
}

TEST(OpsMaintenance, NoDatabaseIsNothingToCompact) {
  shipchips::testing::TempDir dir("shipchips-vacuum-none");
  Config config;
  config.base_dir = dir.path;
  const ops::VacuumReport r = ops::vacuum_dataset(config, false);
  EXPECT_FALSE(r.database_found);
  EXPECT_FALSE(fs::exists(dataset_path(config, config.storage.db_path))) << "created nothing";
}
