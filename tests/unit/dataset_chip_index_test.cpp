#include "core/error.hpp"
#include "core/sqlite_db.hpp"
#include "dataset/chip_geojson.hpp"
#include "dataset/chip_index.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/index_export.hpp"
#include "dataset/index_rebuild.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace shipchips;
using namespace shipchips::dataset;
namespace fs = std::filesystem;

namespace shipchips::dataset::test_data {
ChipRecord sample_record(std::int64_t mmsi, const std::string& scene_id, const std::string& scene_time, double lat,
                         double lon);
}

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("shipchips_ds_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ChipRecord rec(std::int64_t mmsi, const std::string& date = "20240523", double dlat = 0.0) {
  std::string scene = "S2B_30STF_" + date + "_0_L2A";
  std::string time = date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2) + "T11:06:29.024Z";
  return test_data::sample_record(mmsi, scene, time, 36.1251 + dlat, -5.4302);
}

// Writes the chip's sidecars and a stand-in .tif where the layout puts them.
void place(const fs::path& root, const ChipRecord& r, bool with_tif = true) {
  ChipPaths p = chip_paths(root, "chips/{split}/{mmsi}/{YYYYMMDD}", r.split, r.mmsi, r.scene_datetime, r.chip_id);
  ASSERT_EQ(p.relative_tif, r.path);
  write_chip_sidecars(r, p);
  if (with_tif) std::ofstream(p.tif) << "II*";  // a stand-in: rebuild only checks that the file exists
}

}  // namespace

TEST(DatasetChipIndex, UpsertGetListRemove) {
  fs::path dir = fresh_dir("index1");
  ChipIndex index(dir / "ops.db");
  ChipRecord a = rec(244660123), b = rec(244660124), c = rec(244660125);
  EXPECT_EQ(index.upsert(b), UpsertResult::inserted);
  EXPECT_EQ(index.upsert(a), UpsertResult::inserted);
  EXPECT_EQ(index.upsert(c), UpsertResult::inserted);
  EXPECT_EQ(index.upsert(a), UpsertResult::unchanged);
  ChipRecord a2 = a;
  a2.cloud_cover = 7.5;
  EXPECT_EQ(index.upsert(a2), UpsertResult::updated);
  EXPECT_EQ(index.count(), 3u);
  ASSERT_TRUE(index.get(a.chip_id).has_value());
  EXPECT_EQ(*index.get(a.chip_id), a2);
  EXPECT_FALSE(index.get("0000000000000000").has_value());

  std::vector<std::string> ids = index.list_ids();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  std::vector<ChipRecord> all = index.list();
  ASSERT_EQ(all.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(all[i].chip_id, ids[i]);

  EXPECT_TRUE(index.remove(b.chip_id));
  EXPECT_FALSE(index.remove(b.chip_id));
  EXPECT_EQ(index.count(), 2u);

  // Queryable columns mirror the record.
  sqlite::Statement q = index.database().prepare(
      "SELECT mmsi, scene_date, bands, cloud_cover, gate_passed FROM chips WHERE chip_id = ?1");
  q.bind(1, a.chip_id);
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.int64(0), 244660123);
  EXPECT_EQ(q.text(1), "20240523");
  EXPECT_EQ(q.text(2), "B02,B03,B04,B08");
  EXPECT_EQ(q.real(3), 7.5);
  EXPECT_EQ(q.int64(4), 1);
  EXPECT_THROW(index.upsert(ChipRecord{}), Error);
  ChipRecord nan = a;
  nan.lat = std::nan("");
  EXPECT_THROW(index.upsert(nan), Error);
  EXPECT_EQ(*index.get(a.chip_id), a2);
  fs::remove_all(dir);
}

TEST(DatasetChipIndex, WalModeAndVersionedSchema) {
  fs::path dir = fresh_dir("index2");
  {
    ChipIndex index(dir / "ops.db");
    sqlite::Statement q = index.database().prepare("PRAGMA journal_mode");
    ASSERT_TRUE(q.step());
    EXPECT_EQ(q.text(0), "wal");
    EXPECT_EQ(sqlite::schema_version(index.database(), ChipIndex::schema_component), ChipIndex::schema_version);
    EXPECT_EQ(ChipIndex::schema_version, 2);
    // v2: the index behind newest_created().
    sqlite::Statement idx =
        index.database().prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'chips_created'");
    ASSERT_TRUE(idx.step());
    EXPECT_EQ(idx.int64(0), 1);
    EXPECT_FALSE(index.newest_created());
  }
  {
    ChipIndex reopened(dir / "ops.db");  // migrations are not re-applied
    EXPECT_EQ(sqlite::schema_version(reopened.database(), ChipIndex::schema_component), ChipIndex::schema_version);
    reopened.database().exec("UPDATE schema_versions SET version = 99 WHERE component = 'dataset.chips'");
  }
  try {
    ChipIndex newer(dir / "ops.db");
    FAIL() << "a newer schema was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
    EXPECT_NE(std::string(e.what()).find("version 99"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(DatasetIndexExport, DeterministicAndUnchangedFilesAreLeftAlone) {
  fs::path root = fresh_dir("export1");
  StorageLayout layout;
  std::vector<ChipRecord> rows{rec(244660123), rec(244660124), rec(244660125, "20240526")};
  std::sort(rows.begin(), rows.end(), [](auto& x, auto& y) { return x.chip_id < y.chip_id; });

  ExportReport first = export_indexes(rows, root, layout);
  EXPECT_EQ(first.rows, 3u);
  ASSERT_EQ(first.written.size(), 3u);  // parquet + two days
  EXPECT_EQ(first.written[0], "indexes/tiles.parquet");
  EXPECT_EQ(first.written[1], "indexes/tiles_20240523.geojson");
  EXPECT_EQ(first.written[2], "indexes/tiles_20240526.geojson");
  std::string parquet = slurp(root / "indexes/tiles.parquet");
  EXPECT_EQ(parquet.substr(0, 4), "PAR1");
  EXPECT_EQ(parquet.substr(parquet.size() - 4), "PAR1");
  EXPECT_NE(parquet.find("\"primary_column\":\"geometry\""), std::string::npos);
  EXPECT_EQ(parquet, tiles_parquet_bytes(rows));
  auto day = nlohmann::json::parse(slurp(root / "indexes/tiles_20240523.geojson"));
  EXPECT_EQ(day["features"].size(), 2u);

  // Make the files look old: an unchanged export must not touch them.
  auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24);
  for (const char* f : {"indexes/tiles.parquet", "indexes/tiles_20240523.geojson", "indexes/tiles_20240526.geojson"}) {
    fs::last_write_time(root / f, old_time);
  }
  ExportReport second = export_indexes(rows, root, layout);
  EXPECT_TRUE(second.written.empty());
  EXPECT_EQ(second.unchanged.size(), 3u);
  EXPECT_EQ(fs::last_write_time(root / "indexes/tiles.parquet"), old_time);
  EXPECT_EQ(slurp(root / "indexes/tiles.parquet"), parquet);

  // One day loses its only chip: its file goes, the other day's file is rewritten only if changed.
  std::vector<ChipRecord> fewer;
  for (const auto& r : rows) {
    if (r.mmsi != 244660125) fewer.push_back(r);
  }
  ExportReport third = export_indexes(fewer, root, layout);
  ASSERT_EQ(third.removed.size(), 1u);
  EXPECT_EQ(third.removed[0], "indexes/tiles_20240526.geojson");
  EXPECT_FALSE(fs::exists(root / "indexes/tiles_20240526.geojson"));
  EXPECT_EQ(third.written, std::vector<std::string>{"indexes/tiles.parquet"});
  EXPECT_EQ(fs::last_write_time(root / "indexes/tiles_20240523.geojson"), old_time);
  // No temporary files are left behind.
  for (const auto& e : fs::directory_iterator(root / "indexes")) EXPECT_NE(e.path().filename().string()[0], '.');

  // Empty index: a valid zero-row file, no daily files.
  ExportReport empty = export_indexes({}, root, layout);
  EXPECT_EQ(empty.removed.size(), 1u);
  EXPECT_EQ(slurp(root / "indexes/tiles.parquet").substr(0, 4), "PAR1");
  fs::remove_all(root);
}

TEST(DatasetIndexExport, RefusesUnsortedOrDuplicateRows) {
  std::vector<ChipRecord> rows{rec(244660123), rec(244660124)};
  std::sort(rows.begin(), rows.end(), [](auto& x, auto& y) { return x.chip_id > y.chip_id; });
  EXPECT_THROW(tiles_parquet_bytes(rows), Error);
  std::vector<ChipRecord> dup{rec(244660123), rec(244660123)};
  EXPECT_THROW(tiles_parquet_bytes(dup), Error);
}

TEST(DatasetIndexRebuild, RebuildsFromSidecarsAndReportsProblems) {
  fs::path root = fresh_dir("rebuild1");
  StorageLayout layout;
  ChipRecord a = rec(244660123), b = rec(244660124), c = rec(244660125, "20240526");
  place(root, a);
  place(root, b);
  place(root, c);
  // A temporary file of an interrupted writer and an unrelated file: ignored.
  ChipPaths pa = chip_paths(root, layout.chips, a.split, a.mmsi, a.scene_datetime, a.chip_id);
  std::ofstream(pa.dir / ("." + a.chip_id + ".json.tmp.123.4.0.json")) << "{";
  std::ofstream(pa.dir / "notes.json") << "{}";
  // A broken sidecar.
  ChipRecord d = rec(244660126);
  place(root, d);
  ChipPaths pd = chip_paths(root, layout.chips, d.split, d.mmsi, d.scene_datetime, d.chip_id);
  std::ofstream(pd.json) << "{\"record_version\": 1, \"chip_id\": 5}";
  // A sidecar without its raster.
  ChipRecord e = rec(244660127);
  place(root, e, false);

  ChipIndex index(root / "ops.db");
  // A stale row whose chip is gone from disk.
  ChipRecord gone = rec(244660199);
  index.upsert(gone);

  RebuildReport report = rebuild_index(index, root, layout);
  EXPECT_EQ(report.sidecars, 5u);
  EXPECT_EQ(report.indexed, 3u);
  EXPECT_EQ(report.inserted, 3u);
  EXPECT_EQ(report.removed, 1u);
  ASSERT_EQ(report.issues.size(), 2u);
  std::map<std::string, RebuildIssue> by_kind;
  for (const auto& i : report.issues) by_kind[i.kind] = i;
  ASSERT_TRUE(by_kind.count("broken_sidecar"));
  EXPECT_EQ(by_kind["broken_sidecar"].path,
            chip_paths(fs::path(), layout.chips, d.split, d.mmsi, d.scene_datetime, d.chip_id).relative_dir + "/" +
                d.chip_id + ".json");
  EXPECT_NE(by_kind["broken_sidecar"].message.find(pd.json.string() + ": chip_id: expected a string"),
            std::string::npos)
      << by_kind["broken_sidecar"].message;
  ASSERT_TRUE(by_kind.count("missing_tif"));
  EXPECT_EQ(index.count(), 3u);
  EXPECT_FALSE(index.get(gone.chip_id).has_value());
  EXPECT_TRUE(fs::exists(root / "indexes/tiles_20240526.geojson"));
  auto json = report.to_json();
  EXPECT_EQ(json["indexed"], 3);
  EXPECT_EQ(json["problems"].size(), 2u);

  // Rerun: nothing changes, no export is rewritten.
  std::string parquet = slurp(root / "indexes/tiles.parquet");
  RebuildReport again = rebuild_index(index, root, layout);
  EXPECT_EQ(again.unchanged, 3u);
  EXPECT_EQ(again.inserted + again.updated + again.removed, 0u);
  EXPECT_TRUE(again.exports.written.empty());
  EXPECT_EQ(slurp(root / "indexes/tiles.parquet"), parquet);

  // The export from the table equals the export from the scan.
  Config config = default_config();
  config.storage.dataset_root = root.string();
  fs::remove(root / "indexes/tiles.parquet");
  ExportReport from_db = export_indexes(index, config);
  EXPECT_EQ(from_db.written, std::vector<std::string>{"indexes/tiles.parquet"});
  EXPECT_EQ(slurp(root / "indexes/tiles.parquet"), parquet);

  // Strict: any problem fails before anything changes.
  fs::remove(pa.tif);
  try {
    rebuild_index(index, root, layout, RebuildOptions{true});
    FAIL() << "strict rebuild passed";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), ErrorCode::input_invalid);
    EXPECT_NE(std::string(err.what()).find("nothing was changed"), std::string::npos);
  }
  EXPECT_EQ(index.count(), 3u);
  EXPECT_EQ(slurp(root / "indexes/tiles.parquet"), parquet);
  // Lenient: the chip whose raster disappeared leaves the index.
  RebuildReport after = rebuild_index(index, root, layout);
  EXPECT_EQ(after.removed, 1u);
  EXPECT_EQ(index.count(), 2u);
  fs::remove_all(root);
}

TEST(DatasetIndexRebuild, DetectsMisplacedAndForeignIds) {
  fs::path root = fresh_dir("rebuild2");
  StorageLayout layout;
  ChipRecord a = rec(244660123);
  place(root, a);
  // The same sidecar copied into another split's folder: its path field no longer matches.
  std::string other_split = a.split == "train" ? "val" : "train";
  ChipPaths moved = chip_paths(root, layout.chips, other_split, a.mmsi, a.scene_datetime, a.chip_id);
  write_chip_sidecars(a, moved);
  std::ofstream(moved.tif) << "x";
  // A sidecar whose chip_id is not the hash of its mmsi and scene.
  ChipRecord forged = rec(244660124);
  forged.chip_id = "0123456789abcdef";
  forged.path = chip_paths(fs::path(), layout.chips, forged.split, forged.mmsi, forged.scene_datetime, forged.chip_id)
                    .relative_tif;
  place(root, forged);

  SidecarScan scan = scan_sidecars(root, layout);
  EXPECT_EQ(scan.sidecars, 3u);
  ASSERT_EQ(scan.records.size(), 1u);
  EXPECT_EQ(scan.records[0].chip_id, a.chip_id);
  std::set<std::string> kinds;
  for (const auto& i : scan.issues) kinds.insert(i.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"misplaced", "broken_sidecar"}));
  fs::remove_all(root);
}

TEST(DatasetIndexRebuild, SplitFolderMustMatchTheRecord) {
  fs::path root = fresh_dir("rebuild3");
  StorageLayout layout;
  ChipRecord a = rec(244660123);
  // Hand-edited: the record says another split but still sits (and points) in the old folder.
  std::string real_split = a.split;
  a.split = real_split == "train" ? "test" : "train";
  ChipPaths p = chip_paths(root, layout.chips, real_split, a.mmsi, a.scene_datetime, a.chip_id);
  a.path = p.relative_tif;
  write_chip_sidecars(a, p);
  std::ofstream(p.tif) << "x";
  SidecarScan scan = scan_sidecars(root, layout);
  EXPECT_TRUE(scan.records.empty());
  ASSERT_EQ(scan.issues.size(), 1u);
  EXPECT_EQ(scan.issues[0].kind, "misplaced");
  EXPECT_NE(scan.issues[0].message.find("is not where storage.layout.chips puts this chip"), std::string::npos);
  fs::remove_all(root);
}

TEST(DatasetIndexRebuild, RefusesAMissingChipsFolderAndAMissingDatabase) {
  fs::path root = fresh_dir("rebuild4");
  Config config = default_config();
  config.storage.dataset_root = root.string();
  try {
    rebuild_index(config);
    FAIL() << "rebuilt from a chips folder that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found);
    EXPECT_NE(std::string(e.what()).find((root / "chips").string()), std::string::npos) << e.what();
  }
  try {
    export_from_database(config);
    FAIL() << "exported without a database";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found);
    EXPECT_NE(std::string(e.what()).find("index rebuild"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(root / "indexes"));
  // An empty chips folder is an empty dataset.
  fs::create_directories(root / "chips");
  RebuildReport report = rebuild_index(config);
  EXPECT_EQ(report.indexed, 0u);
  EXPECT_TRUE(fs::exists(root / "indexes/tiles.parquet"));
  EXPECT_EQ(export_from_database(config).rows, 0u);
  fs::remove_all(root);
}

TEST(DatasetIndexRebuild, TwoCopiesOfAChipKeepTheNewest) {
  fs::path root = fresh_dir("rebuild5");
  StorageLayout layout;
  ChipRecord old_copy = rec(244660123);
  place(root, old_copy);
  // The same chip written again later into another split (the splits config changed).
  ChipRecord new_copy = old_copy;
  new_copy.split = old_copy.split == "train" ? "val" : "train";
  new_copy.path =
      chip_paths(fs::path(), layout.chips, new_copy.split, new_copy.mmsi, new_copy.scene_datetime, new_copy.chip_id)
          .relative_tif;
  new_copy.created = old_copy.created + std::chrono::hours(1);
  place(root, new_copy);

  SidecarScan scan = scan_sidecars(root, layout);
  ASSERT_EQ(scan.records.size(), 1u);
  EXPECT_EQ(scan.records[0], new_copy);
  ASSERT_EQ(scan.issues.size(), 1u);
  EXPECT_EQ(scan.issues[0].kind, "duplicate_chip_id");
  EXPECT_EQ(scan.issues[0].path, fs::path(old_copy.path).replace_extension(".json").generic_string());
  EXPECT_NE(
      scan.issues[0].message.find("is also at " + fs::path(new_copy.path).replace_extension(".json").generic_string()),
      std::string::npos)
      << scan.issues[0].message;

  // The index never holds the chip twice.
  ChipIndex index(root / "ops.db");
  RebuildReport report = rebuild_index(index, root, layout);
  EXPECT_EQ(report.indexed, 1u);
  EXPECT_EQ(index.count(), 1u);
  EXPECT_EQ(index.get(new_copy.chip_id)->split, new_copy.split);
  fs::remove_all(root);
}
