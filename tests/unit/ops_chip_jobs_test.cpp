#include "core/error.hpp"
#include "dataset/chip_index.hpp"
#include "ops/chip_jobs.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

using namespace shipchips;
using namespace shipchips::ops;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("shipchips_jobs_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A clock the test moves by hand.
struct FakeClock {
  UtcTime now = parse_iso8601("2024-05-26T12:00:00Z");
  ChipJobs::Clock fn() {
    return [this] { return now; };
  }
};

}  // namespace

TEST(OpsChipJobs, DoneAfterStart) {
  fs::path dir = fresh_dir("done");
  FakeClock clock;
  ChipJobs jobs(dir / "ops.db", clock.fn());
  EXPECT_EQ(jobs.start_attempt("bda90879eff2229b", 244660123, "S2B_30STF_20240523_0_L2A"), 1);
  auto started = jobs.get("bda90879eff2229b");
  ASSERT_TRUE(started);
  EXPECT_EQ(started->status, ChipJobStatus::started);
  EXPECT_EQ(started->mmsi, 244660123);
  EXPECT_EQ(started->scene_id, "S2B_30STF_20240523_0_L2A");
  EXPECT_EQ(started->attempts, 1);
  EXPECT_EQ(started->created_at, clock.now);
  EXPECT_FALSE(started->finished_at);

  clock.now += std::chrono::seconds(7);
  jobs.finish_done("bda90879eff2229b");
  auto done = jobs.get("bda90879eff2229b");
  EXPECT_EQ(done->status, ChipJobStatus::done);
  EXPECT_EQ(done->error, "");
  EXPECT_FALSE(done->error_category);
  EXPECT_EQ(done->finished_at, parse_iso8601("2024-05-26T12:00:07Z"));
  EXPECT_EQ(done->last_attempt_at, parse_iso8601("2024-05-26T12:00:00Z"));
  fs::remove_all(dir);
}

TEST(OpsChipJobs, FailuresKeepCodeAndCategoryAndRetriesCount) {
  fs::path dir = fresh_dir("failed");
  FakeClock clock;
  ChipJobs jobs(dir / "ops.db", clock.fn());
  jobs.start_attempt("0000000000000001", 1, "S2A_X");
  jobs.finish_failed("0000000000000001",
                     Error(ErrorCode::network_transient, "GET https://x/B04.tif: timed out after 4 retries"));
  auto failed = jobs.get("0000000000000001");
  EXPECT_EQ(failed->status, ChipJobStatus::failed);
  EXPECT_EQ(failed->error, "GET https://x/B04.tif: timed out after 4 retries");
  EXPECT_EQ(failed->error_code, ErrorCode::network_transient);
  EXPECT_EQ(failed->error_category, ErrorCategory::retryable);
  // As stored, for SQL consumers (ops-status, alerts).
  sqlite::Statement q =
      jobs.database().prepare("SELECT error_code, error_category FROM chip_jobs WHERE chip_id = '0000000000000001'");
  ASSERT_TRUE(q.step());
  EXPECT_EQ(q.text(0), "network_transient");
  EXPECT_EQ(q.text(1), "retryable");
  q.reset();

  // A retry: attempts 2, error cleared while running, created_at kept.
  clock.now += std::chrono::minutes(5);
  EXPECT_EQ(jobs.start_attempt("0000000000000001", 1, "S2A_X"), 2);
  auto retry = jobs.get("0000000000000001");
  EXPECT_EQ(retry->status, ChipJobStatus::started);
  EXPECT_EQ(retry->error, "");
  EXPECT_FALSE(retry->error_code);
  EXPECT_EQ(retry->created_at, parse_iso8601("2024-05-26T12:00:00Z"));
  EXPECT_EQ(retry->last_attempt_at, parse_iso8601("2024-05-26T12:05:00Z"));
  jobs.finish_failed("0000000000000001", Error(ErrorCode::contract_violation, "item has no scl asset"));
  EXPECT_EQ(jobs.get("0000000000000001")->error_category, ErrorCategory::contract);

  jobs.start_attempt("0000000000000002", 2, "S2A_X");
  jobs.finish_failed("0000000000000002", ErrorCode::input_invalid, "bad row");
  EXPECT_EQ(jobs.get("0000000000000002")->error_category, ErrorCategory::permanent);
  fs::remove_all(dir);
}

TEST(OpsChipJobs, RejectsAreOutcomesNotErrors) {
  fs::path dir = fresh_dir("rejected");
  ChipJobs jobs(dir / "ops.db");
  jobs.start_attempt("0000000000000003", 3, "S2A_X");
  jobs.finish_rejected("0000000000000003", "cloud 0.35 > 0.20");
  auto r = jobs.get("0000000000000003");
  EXPECT_EQ(r->status, ChipJobStatus::rejected);
  EXPECT_EQ(r->error, "cloud 0.35 > 0.20");
  EXPECT_FALSE(r->error_code);
  EXPECT_FALSE(r->error_category);
  fs::remove_all(dir);
}

TEST(OpsChipJobs, FinishingWithoutAStartedAttemptIsAProgrammingError) {
  fs::path dir = fresh_dir("misuse");
  ChipJobs jobs(dir / "ops.db");
  try {
    jobs.finish_done("00000000000000ff");
    FAIL() << "finished a job that never started";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::internal);
    EXPECT_NE(std::string(e.what()).find("no attempt was started"), std::string::npos) << e.what();
  }
  jobs.start_attempt("00000000000000ff", 255, "S2A_X");
  jobs.finish_done("00000000000000ff");
  try {
    jobs.finish_rejected("00000000000000ff", "late");
    FAIL() << "finished a job twice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::internal);
    EXPECT_NE(std::string(e.what()).find("its attempt is done"), std::string::npos) << e.what();
  }
  EXPECT_EQ(jobs.get("00000000000000ff")->status, ChipJobStatus::done);
  EXPECT_THROW(jobs.start_attempt("", 1, "S2A_X"), Error);
  EXPECT_THROW(parse_chip_job_status("running"), Error);
  fs::remove_all(dir);
}

TEST(OpsChipJobs, ListCountsAndSharedDatabase) {
  fs::path dir = fresh_dir("list");
  {
    ChipJobs jobs(dir / "ops.db");
    for (int i = 9; i >= 1; --i) {
      std::string id = "000000000000000" + std::to_string(i);
      jobs.start_attempt(id, i, "S2A_X");
      if (i % 3 == 0) jobs.finish_done(id);
      if (i % 3 == 1) jobs.finish_rejected(id, "land");
    }
  }
  // Reopened, next to the chips index in the same file.
  dataset::ChipIndex index(dir / "ops.db");
  ChipJobs jobs(dir / "ops.db");
  auto all = jobs.list();
  ASSERT_EQ(all.size(), 9u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].chip_id, all[i].chip_id);
  auto done = jobs.list(ChipJobStatus::done);
  ASSERT_EQ(done.size(), 3u);
  EXPECT_EQ(done[0].chip_id, "0000000000000003");
  auto counts = jobs.counts();
  EXPECT_EQ(counts[ChipJobStatus::done], 3u);
  EXPECT_EQ(counts[ChipJobStatus::rejected], 3u);
  EXPECT_EQ(counts[ChipJobStatus::started], 3u);
  EXPECT_EQ(counts.count(ChipJobStatus::failed), 0u);
  EXPECT_EQ(sqlite::schema_version(jobs.database(), ChipJobs::schema_component), 1);
  EXPECT_EQ(sqlite::schema_version(jobs.database(), dataset::ChipIndex::schema_component), 1);
  EXPECT_EQ(index.count(), 0u);
  fs::remove_all(dir);
}
