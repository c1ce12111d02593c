// pipeline/ops_snapshot: what the gauges and alert rules see, read from a real job store, a
// schedule file and a chips index, checked against what the test put there (counts it made,
// timestamps it chose, the file system's figures from statvfs).
#include "../support/temp_dir.hpp"
#include "dataset/chip_index.hpp"
#include "ops/job_store.hpp"
#include "ops/sqlite_job_store.hpp"
#include "pipeline/ops_snapshot.hpp"
#include "plan/schedule.hpp"

#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <cmath>
#include <set>

using namespace shipchips;
using shipchips::testing::TempDir;

namespace shipchips::dataset::test_data {
dataset::ChipRecord sample_record(std::int64_t mmsi, const std::string& scene_id, const std::string& scene_time,
                                  double lat, double lon);
}

namespace {

Config config_for(const TempDir& dir) {
  Config c;
  c.storage.dataset_root = dir.path.string();
  return c;
}

double epoch(std::string_view iso) {
  return std::chrono::duration<double>(parse_iso8601(iso).time_since_epoch()).count();
}

}  // namespace

TEST(PipelineOpsSnapshot, AnEmptyDatasetHasNoScheduleAndNoChip) {
  TempDir dir("shipchips-snapshot-empty");
  const Config c = config_for(dir);
  auto store = ops::open_job_store(c);
  const ops::OpsSnapshot s = pipeline::take_ops_snapshot(c, *store);
  EXPECT_EQ(s.queued + s.running + s.done + s.rejected + s.failed, 0);
  EXPECT_FALSE(s.schedule_end);
  EXPECT_FALSE(s.last_chip);
  ASSERT_TRUE(s.disk_free_bytes && s.disk_size_bytes);
  EXPECT_NEAR(s.now, std::chrono::duration<double>(utc_now().time_since_epoch()).count(), 5);
  // An empty dataset has no schedule: StaleSchedule, and nothing else.
  std::set<std::string> names;
  for (const auto& a : ops::evaluate_rules(c, s)) names.insert(a.name);
  EXPECT_EQ(names, std::set<std::string>{"StaleSchedule"});
}

TEST(PipelineOpsSnapshot, ReadsJobsScheduleDiskAndTheNewestChip) {
  TempDir dir("shipchips-snapshot");
  const Config c = config_for(dir);
  auto store = ops::open_job_store(c);
  std::vector<ops::ChipJobSpec> specs;
  for (int k = 0; k < 6; ++k) specs.push_back({"chip" + std::to_string(k), 200000000 + k, "S2B_X", ""});
  store->enqueue(specs, "run-1");
  const std::vector<std::string> claim_ids{"chip0", "chip1", "chip2", "chip3"};
  ops::Lease lease{"test-owner", std::chrono::seconds(600), "run-1"};
  ASSERT_EQ(store->claim(claim_ids, lease).size(), 4u);
  store->finish(std::vector<ops::JobFinish>{{"chip0", ops::JobFinish::Kind::done, "", ErrorCode::internal},
                                            {"chip1", ops::JobFinish::Kind::rejected, "cloud", ErrorCode::internal},
                                            {"chip2", ops::JobFinish::Kind::failed, "boom", ErrorCode::io_error}},
                "test-owner");

  plan::OverpassWindow a, b;
  a.tile_id = b.tile_id = "30STF";
  a.satellite = "S2A";
  b.satellite = "S2B";
  a.start = parse_iso8601("2031-01-01T10:00:00Z");
  a.end = parse_iso8601("2031-01-01T10:20:00Z");
  b.start = parse_iso8601("2031-01-04T10:00:00Z");
  b.end = parse_iso8601("2031-01-04T10:25:00Z");
  a.source = b.source = "tle";
  plan::write_schedule(dataset_path(c, c.storage.layout.schedule), {b, a});

  {
    dataset::ChipIndex index(dataset_path(c, c.storage.db_path));
    auto r1 =
        dataset::test_data::sample_record(236329008, "S2B_30STF_20200614_0_L2A", "2020-06-14T11:07:00Z", 36.1, -5.4);
    auto r2 =
        dataset::test_data::sample_record(236329009, "S2B_30STF_20200614_0_L2A", "2020-06-14T11:07:00Z", 36.2, -5.3);
    r1.created = parse_iso8601("2026-11-30T08:00:00Z");
    r2.created = parse_iso8601("2026-12-01T09:30:00Z");
    index.upsert(r1);
    index.upsert(r2);
  }

  const ops::OpsSnapshot s = pipeline::take_ops_snapshot(c, *store);
  EXPECT_EQ(s.queued, 2);
  EXPECT_EQ(s.running, 1);
  EXPECT_EQ(s.done, 1);
  EXPECT_EQ(s.rejected, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.expired_leases, 0);
  ASSERT_TRUE(s.schedule_end);
  EXPECT_EQ(*s.schedule_end, epoch("2031-01-04T10:25:00Z"));  // the latest end, whatever the row order
  ASSERT_TRUE(s.last_chip);
  EXPECT_EQ(*s.last_chip, epoch("2026-12-01T09:30:00Z"));

  struct statvfs fs {};
  ASSERT_EQ(::statvfs(dir.path.c_str(), &fs), 0);
  const double size = static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize);
  EXPECT_EQ(*s.disk_size_bytes, size);
  const double avail = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
  EXPECT_LT(std::fabs(*s.disk_free_bytes - avail), 64.0 * 1024 * 1024);  // other writers may run
}
