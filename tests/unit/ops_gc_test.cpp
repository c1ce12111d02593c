// shipchips gc (ops/gc.hpp): what may go goes oldest first down to the watermark; what must stay
// stays.
#include "core/config.hpp"
#include "ops/gc.hpp"
#include "ops/run_manifest.hpp"

#include "../support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

using namespace shipchips;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text, int age_days) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(24 * age_days));
}

void manifest(const Config& config, const std::string& step, const std::string& date, const std::string& run,
              bool succeeded, int age_days) {
  ops::StepManifest m;
  m.run_id = run;
  m.step = step;
  m.date = date;
  m.succeeded = succeeded;
  if (!succeeded) m.error = "HTTP 503";
  const auto path = ops::write_manifest(config, m);
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(24 * age_days));
}

struct Dataset {
  shipchips::testing::TempDir dir{"shipchips-gc"};
  Config config;
  Dataset() {
    config.base_dir = dir.path;
    config.storage.dataset_root = "ds";
    const fs::path root = dataset_root(config);
    write(root / "plan/tle_cache/a.tle", std::string(1000, 't'), 60);
    write(root / "plan/tle_cache/b.tle", "fresh", 1);
    write(root / "plan/history/overpass_schedule_20240101T000000Z.csv", "old", 90);
    write(root / "plan/overpass_schedule.csv", "live", 90);
    write(root / "chips/train/1/20240523/x.tif", "chip", 400);
    write(root / "manifests/published/v1/dataset_manifest.json", "{}", 400);
    manifest(config, "chip", "2024-05-23", "20240601T000000Z-00000001", true, 100);   // superseded
    manifest(config, "chip", "2024-05-23", "20240602T000000Z-00000002", false, 100);  // failed
    manifest(config, "chip", "2024-05-23", "20240603T000000Z-00000003", true, 100);   // newest success
    manifest(config, "chip", "2024-05-24", "20240603T000000Z-00000004", false, 1);    // failed, young
  }
};

std::set<std::string> kinds_and_names(const std::vector<ops::GcCandidate>& cs) {
  std::set<std::string> out;
  for (const auto& c : cs) out.insert(c.kind + ":" + c.path.filename().string());
  return out;
}

}  // namespace

TEST(OpsGc, CandidatesAreOldCachesHistoryAndSupersededOrFailedManifestsOnly) {
  Dataset d;
  ops::GcOptions options;
  options.ttl_days = 30;
  const auto candidates = ops::gc_candidates(d.config, options);
  EXPECT_EQ(
      kinds_and_names(candidates),
      (std::set<std::string>{"tle_cache:a.tle", "schedule_history:overpass_schedule_20240101T000000Z.csv",
                             "manifest:run=20240601T000000Z-00000001", "manifest:run=20240602T000000Z-00000002"}));
  EXPECT_EQ(candidates.front().kind, "tle_cache") << "caches go first";
}

TEST(OpsGc, DeletesDownToTheWatermarkAndDryRunDeletesNothing) {
  Dataset d;
  const fs::path root = dataset_root(d.config);
  ops::GcOptions options;
  options.ttl_days = 30;
  options.watermark = 0.0;  // never reached: every candidate goes
  options.dry_run = true;
  const auto dry = ops::run_gc(d.config, options);
  EXPECT_EQ(dry.deleted.size(), 4u);
  EXPECT_TRUE(fs::exists(root / "plan/tle_cache/a.tle"));
  options.dry_run = false;
  const auto done = ops::run_gc(d.config, options);
  EXPECT_EQ(done.deleted.size(), 4u);
  EXPECT_FALSE(fs::exists(root / "plan/tle_cache/a.tle"));
  EXPECT_FALSE(fs::exists(root / "manifests/chip/date=2024-05-23/run=20240601T000000Z-00000001"));
  // What must stay.
  EXPECT_TRUE(fs::exists(root / "plan/tle_cache/b.tle"));
  EXPECT_TRUE(fs::exists(root / "plan/overpass_schedule.csv"));
  EXPECT_TRUE(fs::exists(root / "chips/train/1/20240523/x.tif"));
  EXPECT_TRUE(fs::exists(root / "manifests/published/v1/dataset_manifest.json"));
  EXPECT_TRUE(fs::exists(root / "manifests/chip/date=2024-05-23/run=20240603T000000Z-00000003/manifest.json"));
  EXPECT_TRUE(fs::exists(root / "manifests/chip/date=2024-05-24/run=20240603T000000Z-00000004/manifest.json"));
  // Usage already below the watermark: nothing more goes.
  write(root / "plan/tle_cache/c.tle", "old", 60);
  options.watermark = 1.0;
  EXPECT_TRUE(ops::run_gc(d.config, options).deleted.empty());
  EXPECT_TRUE(fs::exists(root / "plan/tle_cache/c.tle"));
}
