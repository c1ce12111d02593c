#include "dataset/dataset_manifest.hpp"

#include "core/error.hpp"
#include "dataset/chip_id.hpp"
#include "dataset/file_digest.hpp"
#include "dataset/stac_catalog.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "../support/small_dataset.hpp"
#include "../support/temp_dir.hpp"

using namespace shipchips;
using namespace shipchips::dataset;
using shipchips::testing::slurp;
namespace fs = std::filesystem;

namespace {

ManifestOptions options(std::string id = "20261203T133619Z-9f3a61c2", std::size_t limit = 100) {
  ManifestOptions o;
  o.version_id = std::move(id);
  o.created = parse_iso8601("2026-12-03T13:36:19Z");
  o.sample_limit = limit;
  return o;
}

}  // namespace

TEST(DatasetManifest, FileDigestMatchesSha256OfTheBytes) {
  shipchips::testing::TempDir dir("shipchips-manifest-digest");
  std::string text(3 << 20, 'x');  // several read blocks
  text += "tail";
  fs::path p = dir.write("big.bin", text);
  FileDigest d = file_digest(p);
  EXPECT_EQ(d.size, text.size());
  EXPECT_EQ(d.sha256, sha256_hex(text));
  EXPECT_EQ(sha256_multihash(d), "1220" + sha256_hex(text));
  // printf '' | sha256sum
  EXPECT_EQ(file_digest(dir.write("empty", "")).sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  try {
    file_digest(dir.path / "missing");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found);
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos);
  }
}

TEST(DatasetManifest, CountsSamplesAndEveryFileWithItsSha256) {
  shipchips::testing::TempDir dir("shipchips-manifest-counts");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  fs::create_directories(dir.path / "labels");
  std::ofstream(dir.path / "labels" / "coco.json") << "{\"images\":[]}\n";
  std::ofstream(dir.path / "ops.db") << "not published";

  auto m = dataset_manifest(ds.records, ds.root, ds.config.storage.layout, options("20261203T133619Z-9f3a61c2", 2));
  EXPECT_EQ(m["manifest_version"], 1);
  EXPECT_EQ(m["version_id"], "20261203T133619Z-9f3a61c2");
  EXPECT_EQ(m["created"], "2026-12-03T13:36:19Z");
  EXPECT_EQ(m["counts"]["chips"], 3);
  EXPECT_EQ(m["counts"]["ships"], 3);
  EXPECT_EQ(m["counts"]["scenes"], 2);
  EXPECT_EQ(m["counts"]["days"]["20240523"], 2);
  EXPECT_EQ(m["counts"]["days"]["20240526"], 1);
  std::size_t in_splits = 0;
  for (const auto& [split, n] : m["counts"]["splits"].items()) in_splits += n.get<std::size_t>();
  EXPECT_EQ(in_splits, 3u);
  EXPECT_EQ(m["extent"]["scene_datetime"]["min"], "2024-05-23T11:06:29.024Z");
  EXPECT_EQ(m["extent"]["scene_datetime"]["max"], "2024-05-26T11:06:29.024Z");
  ASSERT_EQ(m["samples"].size(), 2u);  // --sample-limit, first chips by chip_id
  EXPECT_EQ(m["samples"][0]["chip_id"], ds.records[0].chip_id);
  EXPECT_EQ(m["samples"][1]["chip_id"], ds.records[1].chip_id);

  // 3 chips x 4 files + tiles.parquet + 2 daily files + labels; not the database.
  ASSERT_EQ(m["file_count"], 3 * 4 + 1 + 2 + 1);
  std::set<std::string> paths;
  std::uint64_t total = 0;
  for (const auto& f : m["files"]) {
    std::string path = f["path"];
    paths.insert(path);
    std::string bytes = slurp(ds.root / path);
    EXPECT_EQ(f["sha256"], sha256_hex(bytes)) << path;
    EXPECT_EQ(f["size"], bytes.size()) << path;
    total += bytes.size();
  }
  EXPECT_EQ(m["total_bytes"], total);
  EXPECT_TRUE(paths.count("indexes/tiles.parquet"));
  EXPECT_TRUE(paths.count("indexes/tiles_20240523.geojson"));
  EXPECT_TRUE(paths.count("labels/coco.json"));
  EXPECT_TRUE(paths.count(ds.records[0].path));
  EXPECT_FALSE(paths.count("ops.db"));
  std::vector<std::string> listed;
  for (const auto& f : m["files"]) listed.push_back(f["path"]);
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
}

TEST(DatasetManifest, RerunDiffersOnlyInVersionIdAndCreated) {
  shipchips::testing::TempDir dir("shipchips-manifest-rerun");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  const auto& layout = ds.config.storage.layout;
  EXPECT_EQ(dataset_manifest(ds.records, ds.root, layout, options()).dump(2),
            dataset_manifest(ds.records, ds.root, layout, options()).dump(2));
  ManifestOptions later = options("20261204T000000Z-00000001");
  later.created = parse_iso8601("2026-12-04T00:00:00Z");
  auto a = dataset_manifest(ds.records, ds.root, layout, options());
  auto b = dataset_manifest(ds.records, ds.root, layout, later);
  EXPECT_NE(a.dump(2), b.dump(2));
  for (auto* m : {&a, &b}) {
    m->erase("version_id");
    m->erase("created");
  }
  EXPECT_EQ(a.dump(2), b.dump(2));
}

TEST(DatasetManifest, CheckPassesOnAConsistentDataset) {
  shipchips::testing::TempDir dir("shipchips-manifest-ok");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  EXPECT_TRUE(check_publishable(ds.records, ds.root, ds.config.storage.layout).empty());
  // An empty index without exports is publishable (nothing was chipped yet).
  shipchips::testing::TempDir empty("shipchips-manifest-empty");
  EXPECT_TRUE(check_publishable({}, empty.path, ds.config.storage.layout).empty());
}

TEST(DatasetManifest, CheckNamesEachMissingOrInconsistentFile) {
  shipchips::testing::TempDir dir("shipchips-manifest-bad");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  const auto& layout = ds.config.storage.layout;
  fs::remove(ds.paths(ds.records[0]).tif);
  std::ofstream(ds.paths(ds.records[1]).json) << "{ not json";
  auto problems = check_publishable(ds.records, ds.root, layout);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], ds.records[0].path + ": missing (indexed chip " + ds.records[0].chip_id + ")");
  EXPECT_NE(problems[1].find(ds.paths(ds.records[1]).relative_dir + "/" + ds.records[1].chip_id + ".json"),
            std::string::npos)
      << problems[1];
  EXPECT_NE(problems[1].find("not valid JSON"), std::string::npos) << problems[1];
}

TEST(DatasetManifest, CheckRefusesASidecarOfAnotherChip) {
  shipchips::testing::TempDir dir("shipchips-manifest-swap");
  shipchips::testing::SmallDataset ds(dir.path, 2);
  // Chip 0's sidecar replaced by chip 1's record.
  std::ofstream(ds.paths(ds.records[0]).json) << to_sidecar_text(ds.records[1]);
  auto problems = check_publishable(ds.records, ds.root, ds.config.storage.layout);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("chip_id: '" + ds.records[1].chip_id + "', the index row says '" + ds.records[0].chip_id),
            std::string::npos)
      << problems[0];
}

TEST(DatasetManifest, CheckRefusesMissingOrStaleExports) {
  shipchips::testing::TempDir dir("shipchips-manifest-exports");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  const auto& layout = ds.config.storage.layout;
  fs::remove(ds.root / "indexes" / "tiles_20240526.geojson");
  auto problems = check_publishable(ds.records, ds.root, layout);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "indexes/tiles_20240526.geojson: missing (`shipchips index export` writes it)");
  ds.export_all();
  // The index lost a row since the last export: tiles.parquet no longer matches it.
  problems = check_publishable(std::vector<ChipRecord>{ds.records[0], ds.records[2]}, ds.root, layout);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0],
            "indexes/tiles.parquet: does not match the chips index (`shipchips index export` rewrites it)");
}

TEST(DatasetManifest, IncludesTheStacCatalogOnlyWhenItDescribesTheIndex) {
  shipchips::testing::TempDir dir("shipchips-manifest-stac");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  const auto& layout = ds.config.storage.layout;
  StacOptions stac;
  stac.out_dir = ds.root / "stac";
  stac.stac_endpoint = "http://127.0.0.1:9";
  write_stac_catalog(ds.records, ds.root, layout.chips, stac);
  auto m = dataset_manifest(ds.records, ds.root, layout, options());
  EXPECT_EQ(m["stac_catalog"], "stac/catalog.json");
  EXPECT_EQ(m["file_count"], 3 * 4 + 1 + 2 + 2 + 3);  // + catalog, collection, 3 items
  std::set<std::string> paths;
  for (const auto& f : m["files"]) paths.insert(f["path"]);
  EXPECT_TRUE(paths.count("stac/shipchips-chips/collection.json"));

  // A catalog of two of the three chips does not describe this index: left out.
  write_stac_catalog(std::vector<ChipRecord>{ds.records[0], ds.records[1]}, ds.root, layout.chips, stac);
  m = dataset_manifest(ds.records, ds.root, layout, options());
  EXPECT_TRUE(m["stac_catalog"].is_null());
  EXPECT_EQ(m["file_count"], 3 * 4 + 1 + 2);
  for (const auto& f : m["files"]) EXPECT_FALSE(f["path"].get<std::string>().starts_with("stac/")) << f["path"];
}
