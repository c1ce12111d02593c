#include "dataset/publish_pointer.hpp"

#include "core/error.hpp"
#include "dataset/chip_id.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <functional>

#include "../support/small_dataset.hpp"
#include "../support/temp_dir.hpp"

using namespace shipchips;
using namespace shipchips::dataset;
using shipchips::testing::slurp;
namespace fs = std::filesystem;

namespace {

PublishOptions opts(const std::string& id, const std::string& time = "2026-12-03T13:36:19Z") {
  PublishOptions o;
  o.version_id = id;
  o.created = parse_iso8601(time);
  return o;
}

ErrorCode code_of(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::internal;
}

}  // namespace

TEST(DatasetPublishPointer, PublishWritesManifestCopyAndPointer) {
  shipchips::testing::TempDir dir("shipchips-publish-ok");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  PublishReport r = publish_dataset(ds.records, ds.config, opts("20261203T133619Z-00000001"));
  EXPECT_EQ(r.out_manifest, ds.root / "manifests" / "dataset_manifest.json");
  EXPECT_EQ(r.pointer.manifest, "manifests/published/20261203T133619Z-00000001/dataset_manifest.json");
  std::string manifest = slurp(ds.root / r.pointer.manifest);
  EXPECT_EQ(slurp(r.out_manifest), manifest);
  EXPECT_EQ(r.pointer.manifest_sha256, sha256_hex(manifest));
  EXPECT_EQ(r.pointer.chips, 3u);
  EXPECT_FALSE(r.pointer.previous.has_value());
  EXPECT_EQ(r.file_count, 3u * 4 + 3);

  std::string current = slurp(current_pointer_path(ds.root));
  EXPECT_EQ(current, pointer_text(r.pointer));
  EXPECT_EQ(slurp(ds.root / "manifests/published/20261203T133619Z-00000001/pointer.json"), current);
  auto read = read_current_pointer(ds.root);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->version_id, "20261203T133619Z-00000001");
  EXPECT_EQ(read->published, "2026-12-03T13:36:19Z");

  // A second version names the first as previous; --out-manifest elsewhere.
  PublishOptions second = opts("20261203T140000Z-00000002");
  second.out_manifest = dir.path / "elsewhere" / "m.json";
  PublishReport r2 = publish_dataset(ds.records, ds.config, second);
  ASSERT_TRUE(r2.pointer.previous.has_value());
  EXPECT_EQ(*r2.pointer.previous, "20261203T133619Z-00000001");
  EXPECT_EQ(slurp(dir.path / "elsewhere" / "m.json"), slurp(ds.root / r2.pointer.manifest));
  // The same id twice is refused (the copies are immutable).
  EXPECT_EQ(code_of([&] { publish_dataset(ds.records, ds.config, opts("20261203T140000Z-00000002")); }),
            ErrorCode::io_error);
}

TEST(DatasetPublishPointer, MissingChipFileRefusesAndLeavesThePointer) {
  shipchips::testing::TempDir dir("shipchips-publish-refused");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  publish_dataset(ds.records, ds.config, opts("20261203T133619Z-00000001"));
  const std::string before = slurp(current_pointer_path(ds.root));
  const std::string manifest_before = slurp(ds.root / "manifests" / "dataset_manifest.json");
  fs::remove(ds.paths(ds.records[1]).geojson);

  std::string message;
  EXPECT_EQ(code_of([&] { publish_dataset(ds.records, ds.config, opts("20261203T140000Z-00000002")); }, &message),
            ErrorCode::input_invalid);
  EXPECT_EQ(message, "publish: " + ds.paths(ds.records[1]).relative_dir + "/" + ds.records[1].chip_id +
                         ".geojson: missing (indexed chip " + ds.records[1].chip_id + "); current.json unchanged");
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_EQ(slurp(current_pointer_path(ds.root)), before);
  EXPECT_EQ(slurp(ds.root / "manifests" / "dataset_manifest.json"), manifest_before);
  EXPECT_FALSE(fs::exists(ds.root / "manifests/published/20261203T140000Z-00000002"));
}

TEST(DatasetPublishPointer, EmptyIndexOverAPublishedVersionIsRefused) {
  shipchips::testing::TempDir dir("shipchips-publish-empty");
  shipchips::testing::SmallDataset ds(dir.path, 2);
  publish_dataset(ds.records, ds.config, opts("20261203T133619Z-00000001"));
  std::string message;
  EXPECT_EQ(code_of([&] { publish_dataset({}, ds.config, opts("20261203T140000Z-00000002")); }, &message),
            ErrorCode::input_invalid);
  EXPECT_NE(message.find("index is empty but the published version 20261203T133619Z-00000001 has 2 chips"),
            std::string::npos)
      << message;
  // A first publish of an empty dataset is fine: a version with no chips.
  shipchips::testing::TempDir fresh("shipchips-publish-first-empty");
  Config config = ds.config;
  config.storage.dataset_root = fresh.path.string();
  PublishReport r = publish_dataset({}, config, opts("20261203T133619Z-00000003"));
  EXPECT_EQ(r.pointer.chips, 0u);
  EXPECT_EQ(r.file_count, 0u);
}

TEST(DatasetPublishPointer, RollbackWithoutHistoryIsAnError) {
  shipchips::testing::TempDir dir("shipchips-rollback-none");
  shipchips::testing::SmallDataset ds(dir.path, 2);
  std::string message;
  EXPECT_EQ(code_of([&] { rollback_published(ds.root); }, &message), ErrorCode::not_found);
  EXPECT_NE(message.find("nothing is published yet"), std::string::npos) << message;
  publish_dataset(ds.records, ds.config, opts("20261203T133619Z-00000001"));
  const std::string before = slurp(current_pointer_path(ds.root));
  EXPECT_EQ(code_of([&] { rollback_published(ds.root); }, &message), ErrorCode::not_found);
  EXPECT_NE(message.find("no previous version to roll back to"), std::string::npos) << message;
  EXPECT_EQ(slurp(current_pointer_path(ds.root)), before);
}

TEST(DatasetPublishPointer, RollbackRestoresThePreviousPointerBytes) {
  shipchips::testing::TempDir dir("shipchips-rollback");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  publish_dataset(ds.records, ds.config, opts("20261203T133619Z-00000001"));
  const std::string first = slurp(current_pointer_path(ds.root));
  publish_dataset(ds.records, ds.config, opts("20261203T140000Z-00000002", "2026-12-03T14:00:00Z"));
  const std::string second = slurp(current_pointer_path(ds.root));
  publish_dataset(ds.records, ds.config, opts("20261203T150000Z-00000003", "2026-12-03T15:00:00Z"));
  EXPECT_NE(first, second);

  PublishedPointer p = rollback_published(ds.root);
  EXPECT_EQ(p.version_id, "20261203T140000Z-00000002");
  EXPECT_EQ(slurp(current_pointer_path(ds.root)), second);
  p = rollback_published(ds.root);
  EXPECT_EQ(p.version_id, "20261203T133619Z-00000001");
  EXPECT_EQ(slurp(current_pointer_path(ds.root)), first);
  EXPECT_EQ(code_of([&] { rollback_published(ds.root); }), ErrorCode::not_found);
  EXPECT_EQ(slurp(current_pointer_path(ds.root)), first);
}

TEST(DatasetPublishPointer, RollbackRefusesATamperedPreviousManifest) {
  shipchips::testing::TempDir dir("shipchips-rollback-tampered");
  shipchips::testing::SmallDataset ds(dir.path, 2);
  publish_dataset(ds.records, ds.config, opts("20261203T133619Z-00000001"));
  publish_dataset(ds.records, ds.config, opts("20261203T140000Z-00000002", "2026-12-03T14:00:00Z"));
  const std::string before = slurp(current_pointer_path(ds.root));
  std::ofstream(ds.root / "manifests/published/20261203T133619Z-00000001/dataset_manifest.json", std::ios::app) << " ";
  std::string message;
  EXPECT_EQ(code_of([&] { rollback_published(ds.root); }, &message), ErrorCode::input_invalid);
  EXPECT_NE(message.find("sha256 differs"), std::string::npos) << message;
  EXPECT_EQ(slurp(current_pointer_path(ds.root)), before);
}

TEST(DatasetPublishPointer, PointerParsingIsStrict) {
  PublishedPointer p;
  p.version_id = "20261203T133619Z-00000001";
  p.published = "2026-12-03T13:36:19Z";
  p.manifest = "manifests/published/20261203T133619Z-00000001/dataset_manifest.json";
  p.manifest_sha256 = std::string(64, 'a');
  p.chips = 4;
  p.previous = "20261202T000000Z-00000000";
  PublishedPointer back = pointer_from_text(pointer_text(p), "current.json");
  EXPECT_EQ(pointer_text(back), pointer_text(p));

  auto error_of = [](const std::string& text) {
    std::string message;
    EXPECT_EQ(code_of([&] { pointer_from_text(text, "current.json"); }, &message), ErrorCode::input_invalid);
    return message;
  };
  auto j = to_json(p);
  j["extra"] = 1;
  EXPECT_NE(error_of(j.dump()).find("current.json: extra: unknown field"), std::string::npos);
  j = to_json(p);
  j["version_id"] = "../../etc";
  EXPECT_NE(error_of(j.dump()).find("version_id: not a valid version id"), std::string::npos);
  j = to_json(p);
  j.erase("manifest_sha256");
  EXPECT_NE(error_of(j.dump()).find("manifest_sha256: missing required field"), std::string::npos);
  EXPECT_NE(error_of("{").find("not valid JSON"), std::string::npos);
}

TEST(DatasetPublishPointer, ASecondPublishWhileOneRunsIsRefused) {
  shipchips::testing::TempDir dir("shipchips-publish-lock");
  shipchips::testing::SmallDataset ds(dir.path, 2);
  publish_dataset(ds.records, ds.config, opts("20261203T133619Z-00000001"));
  publish_dataset(ds.records, ds.config, opts("20261203T140000Z-00000002", "2026-12-03T14:00:00Z"));
  const std::string before = slurp(current_pointer_path(ds.root));
  // Another process's lock: flock locks belong to the open file, so a second open conflicts
  // even inside one process.
  int fd = ::open(publish_lock_path(ds.root).c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  std::string message;
  EXPECT_EQ(code_of([&] { publish_dataset(ds.records, ds.config, opts("20261203T150000Z-00000003")); }, &message),
            ErrorCode::io_error);
  EXPECT_NE(message.find("another publish or rollback of this dataset is running"), std::string::npos) << message;
  EXPECT_EQ(code_of([&] { rollback_published(ds.root); }), ErrorCode::io_error);
  EXPECT_EQ(slurp(current_pointer_path(ds.root)), before);
  ::close(fd);
  EXPECT_EQ(rollback_published(ds.root).version_id, "20261203T133619Z-00000001");
}

TEST(DatasetPublishPointer, VersionsLiveUnderStorageLayoutManifests) {
  shipchips::testing::TempDir dir("shipchips-publish-layout");
  shipchips::testing::SmallDataset ds(dir.path, 2);
  Config config = ds.config;
  config.storage.layout.manifests = "records/manifests";
  PublishReport first = publish_dataset(ds.records, config, opts("20261203T133619Z-00000001"));
  EXPECT_EQ(first.out_manifest, ds.root / "records/manifests/dataset_manifest.json");
  EXPECT_EQ(first.pointer.manifest, "records/manifests/published/20261203T133619Z-00000001/dataset_manifest.json");
  EXPECT_TRUE(std::filesystem::exists(ds.root / "records/manifests/published/.lock"));
  EXPECT_FALSE(std::filesystem::exists(ds.root / "manifests"));
  publish_dataset(ds.records, config, opts("20261203T140000Z-00000002"));
  const PublishedPointer back = rollback_published(ds.root, config.storage.layout.manifests);
  EXPECT_EQ(back.version_id, "20261203T133619Z-00000001");
}
