// The job store conformance suite (see job_store_conformance.hpp): lifecycle, leases, the
// reaper, retries by error class, counts, observations, runs — the same for every backend.
#include "job_store_conformance.hpp"

#include "../support/temp_dir.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

using namespace shipchips;
using namespace shipchips::ops;
using namespace std::chrono_literals;
using shipchips::testing::FakeClock;
using shipchips::testing::JobStoreConformance;
using shipchips::testing::TempDir;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(JobStoreConformance);

namespace {

RetryPolicy test_policy() {
  RetryPolicy p;
  p.max_retries = 2;
  p.initial_backoff = 5min;
  p.max_backoff = 1h;
  return p;
}

ChipJobSpec spec(int n) {
  char id[17];
  std::snprintf(id, sizeof id, "%016x", n);
  return {id, 200000000 + n, "S2B_30STF_20240523_0_L2A", "{\"n\":" + std::to_string(n) + "}"};
}

std::string id(int n) {
  return spec(n).chip_id;
}

Lease lease(const std::string& owner, std::chrono::seconds duration = 600s) {
  return {owner, duration, "20261201T120000Z-00000001"};
}

JobFinish done(int n) {
  return {id(n), JobFinish::Kind::done, "", ErrorCode::internal};
}
JobFinish failed(int n, ErrorCode code, std::string message = "it broke") {
  return {id(n), JobFinish::Kind::failed, std::move(message), code};
}
JobFinish rejected(int n, std::string reason) {
  return {id(n), JobFinish::Kind::rejected, std::move(reason), ErrorCode::internal};
}

// Per test: a scratch folder, a clock, and stores opened on it.
struct Fixture {
  TempDir dir;
  FakeClock clock;
  const shipchips::testing::JobStoreBackend& backend;
  explicit Fixture(const shipchips::testing::JobStoreBackend& b) : dir("shipchips-jobstore"), backend(b) {
    backend.reset(dir.path.string());
  }
  std::unique_ptr<JobStore> open(RetryPolicy policy = test_policy(), std::uint64_t seed = 7) {
    return backend.open(dir.path.string(), policy, clock.fn(), seed);
  }
};

std::vector<std::string> ids_of(const std::vector<ChipJob>& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs) out.push_back(j.chip_id);
  return out;
}

}  // namespace

TEST_P(JobStoreConformance, EnqueueIsIdempotentAndRefreshesThePayload) {
  Fixture f(GetParam());
  auto store = f.open();
  std::vector<ChipJobSpec> jobs{spec(1), spec(2), spec(3)};
  EXPECT_EQ(store->enqueue(jobs, "run-a"), 3u);
  EXPECT_EQ(store->enqueue(jobs, "run-b"), 0u);
  jobs[1].payload = "{\"n\":22}";
  EXPECT_EQ(store->enqueue(jobs, "run-b"), 0u);
  const auto j2 = store->get(id(2));
  ASSERT_TRUE(j2);
  EXPECT_EQ(j2->status, JobStatus::queued);
  EXPECT_EQ(j2->payload, "{\"n\":22}");
  EXPECT_EQ(j2->run_id, "run-a");  // the enqueue that made it
  EXPECT_EQ(j2->attempts, 0);
  EXPECT_EQ(j2->created_at, f.clock.get());
  EXPECT_EQ(store->list().size(), 3u);
  EXPECT_EQ(store->list(JobStatus::queued).size(), 3u);
  EXPECT_FALSE(store->get("ffffffffffffffff"));
}

TEST_P(JobStoreConformance, AClaimComesBeforeWorkAndStampsLeaseAttemptAndRun) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1)}, "run-a");
  const std::vector<std::string> ask{id(1)};
  const auto claimed = store->claim(ask, lease("host:1:1", 600s));
  ASSERT_EQ(claimed.size(), 1u);
  const ChipJob& job = claimed[0];
  EXPECT_EQ(job.status, JobStatus::running);
  EXPECT_EQ(job.lease_owner, "host:1:1");
  EXPECT_EQ(job.lease_expires_at, f.clock.get() + 600s);
  EXPECT_EQ(job.heartbeat_at, f.clock.get());
  EXPECT_EQ(job.last_attempt_at, f.clock.get());
  EXPECT_EQ(job.attempts, 1);
  EXPECT_EQ(job.run_id, "20261201T120000Z-00000001");
  EXPECT_EQ(job.payload, "{\"n\":1}");
  EXPECT_EQ(store->get(id(1))->status, JobStatus::running);
}

TEST_P(JobStoreConformance, ALiveLeaseIsNotClaimedByAnotherOwnerAnExpiredOneIs) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1), spec(2)}, "r");
  const std::vector<std::string> one{id(1)};
  ASSERT_EQ(store->claim(one, lease("a:1:1", 600s)).size(), 1u);
  EXPECT_TRUE(store->claim(one, lease("b:1:1", 600s)).empty());
  EXPECT_TRUE(store->claim(one, lease("a:1:1", 600s)).empty()) << "not even by its own owner twice";
  f.clock.advance(601s);
  const auto again = store->claim(one, lease("b:1:1", 600s));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].lease_owner, "b:1:1");
  EXPECT_EQ(again[0].attempts, 2);
  // The order asked is the order returned; unknown ids are not claimed.
  const std::vector<std::string> mixed{id(2), "ffffffffffffffff"};
  EXPECT_EQ(ids_of(store->claim(mixed, lease("b:1:1"))), std::vector<std::string>{id(2)});
}

TEST_P(JobStoreConformance, OnlyTheOwnerOfARunningJobFinishesIt) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1), spec(2)}, "r");
  const std::vector<std::string> both{id(1), id(2)};
  ASSERT_EQ(store->claim(both, lease("a:1:1")).size(), 2u);
  const std::vector<JobFinish> finishes{done(1), done(2)};
  EXPECT_EQ(store->finish(finishes, "b:1:1"), 0u);
  EXPECT_EQ(store->get(id(1))->status, JobStatus::running);
  EXPECT_EQ(store->finish(finishes, "a:1:1"), 2u);
  const auto j = store->get(id(1));
  EXPECT_EQ(j->status, JobStatus::done);
  EXPECT_EQ(j->finished_at, f.clock.get());
  EXPECT_EQ(j->lease_owner, "");
  EXPECT_FALSE(j->lease_expires_at);
  EXPECT_FALSE(j->error_class);
  // Finishing twice applies nothing; a done job is never claimed again.
  EXPECT_EQ(store->finish(finishes, "a:1:1"), 0u);
  EXPECT_TRUE(store->claim(both, lease("a:1:1")).empty());
  DueFilter any;
  any.force = true;
  EXPECT_TRUE(store->claim_due(any, lease("a:1:1")).empty());
}

TEST_P(JobStoreConformance, RetryableFailuresBackOffExponentiallyWithJitterUntilExhausted) {
  Fixture f(GetParam());
  auto store = f.open();  // max_retries 2, 5 min doubling, cap 1 h
  store->enqueue(std::vector{spec(1)}, "r");
  const std::vector<std::string> one{id(1)};
  std::vector<std::chrono::seconds> delays;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_EQ(store->claim(one, lease("a:1:1")).size(), 1u) << attempt;
    ASSERT_EQ(store->finish(std::vector{failed(1, ErrorCode::network_transient, "HTTP 503")}, "a:1:1"), 1u);
    const auto j = store->get(id(1));
    EXPECT_EQ(j->status, JobStatus::failed);
    EXPECT_EQ(j->error, "HTTP 503");
    EXPECT_EQ(j->error_code, ErrorCode::network_transient);
    EXPECT_EQ(j->error_class, ErrorCategory::retryable);
    EXPECT_EQ(j->attempts, attempt);
    if (attempt <= 2) {
      ASSERT_TRUE(j->next_retry_at) << attempt;
      const auto delay = std::chrono::duration_cast<std::chrono::seconds>(*j->next_retry_at - f.clock.get());
      delays.push_back(delay);
      // Not due before its time: neither for the retry pass nor counted as due.
      EXPECT_TRUE(store->claim_due({}, lease("a:1:1")).empty());
      EXPECT_EQ(store->counts().due_retries, 0u);
      f.clock.advance(delay);
      EXPECT_EQ(store->counts().due_retries, 1u);
    } else {
      EXPECT_FALSE(j->next_retry_at) << "exhausted after max_retries";
    }
  }
  ASSERT_EQ(delays.size(), 2u);
  EXPECT_GE(delays[0], 270s);  // 5 min ± 10 %
  EXPECT_LE(delays[0], 330s);
  EXPECT_GE(delays[1], 540s);  // 10 min ± 10 %
  EXPECT_LE(delays[1], 660s);
  f.clock.advance(24h);
  EXPECT_TRUE(store->claim_due({}, lease("a:1:1")).empty()) << "exhausted jobs are not due";
  EXPECT_EQ(store->counts().exhausted, 1u);
  DueFilter force;
  force.force = true;
  EXPECT_EQ(store->claim_due(force, lease("a:1:1")).size(), 1u) << "forced";
}

TEST_P(JobStoreConformance, TheBackoffIsCappedAtMaxBackoff) {
  Fixture f(GetParam());
  RetryPolicy p = test_policy();
  p.max_retries = 10;
  p.max_backoff = 12min;
  auto store = f.open(p);
  store->enqueue(std::vector{spec(1)}, "r");
  const std::vector<std::string> one{id(1)};
  for (int attempt = 1; attempt <= 5; ++attempt) {
    ASSERT_EQ(store->claim(one, lease("a:1:1")).size(), 1u);
    store->finish(std::vector{failed(1, ErrorCode::io_error)}, "a:1:1");
    const auto j = store->get(id(1));
    const auto delay = std::chrono::duration_cast<std::chrono::seconds>(*j->next_retry_at - f.clock.get());
    EXPECT_LE(delay, 12min * 11 / 10) << attempt;
    if (attempt >= 3) {
      EXPECT_GE(delay, 12min * 9 / 10) << attempt;
    }
  }
}

TEST_P(JobStoreConformance, PermanentOutcomesAreRecordedAndRetriedOnlyWhenAsked) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1), spec(2), spec(3)}, "r");
  const std::vector<std::string> all{id(1), id(2), id(3)};
  ASSERT_EQ(store->claim(all, lease("a:1:1")).size(), 3u);
  store->finish(std::vector{failed(1, ErrorCode::not_found, "item gone"), rejected(2, "gate: cloud 0.61 > 0.2"),
                            failed(3, ErrorCode::http_client_error, "HTTP 403")},
                "a:1:1");
  const auto j1 = store->get(id(1));
  EXPECT_EQ(j1->status, JobStatus::failed);
  EXPECT_EQ(j1->error_class, ErrorCategory::permanent);
  EXPECT_FALSE(j1->next_retry_at);
  const auto j2 = store->get(id(2));
  EXPECT_EQ(j2->status, JobStatus::rejected);
  EXPECT_EQ(j2->error, "gate: cloud 0.61 > 0.2");
  EXPECT_EQ(j2->error_class, ErrorCategory::permanent);
  EXPECT_FALSE(j2->error_code);
  f.clock.advance(1000h);
  EXPECT_TRUE(store->claim_due({}, lease("a:1:1")).empty());
  DueFilter retryable_forced;
  retryable_forced.error_class = ErrorCategory::retryable;
  retryable_forced.force = true;
  EXPECT_TRUE(store->claim_due(retryable_forced, lease("a:1:1")).empty());
  DueFilter permanent;
  permanent.error_class = ErrorCategory::permanent;
  permanent.limit = 2;
  const auto first = store->claim_due(permanent, lease("a:1:1"));
  EXPECT_EQ(first.size(), 2u) << "the limit holds";
  const auto rest = store->claim_due(permanent, lease("a:1:1"));
  EXPECT_EQ(rest.size(), 1u);
}

TEST_P(JobStoreConformance, ContractFailuresAreTerminalUnlessForced) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1)}, "r");
  const std::vector<std::string> one{id(1)};
  store->claim(one, lease("a:1:1"));
  store->finish(std::vector{failed(1, ErrorCode::contract_violation, "item has no assets.red")}, "a:1:1");
  const auto j = store->get(id(1));
  EXPECT_EQ(j->error_class, ErrorCategory::contract);
  EXPECT_FALSE(j->next_retry_at);
  f.clock.advance(1000h);
  EXPECT_TRUE(store->claim_due({}, lease("a:1:1")).empty());
  DueFilter any_forced;
  any_forced.force = true;
  EXPECT_TRUE(store->claim_due(any_forced, lease("a:1:1")).empty());
  DueFilter contract;
  contract.error_class = ErrorCategory::contract;
  EXPECT_TRUE(store->claim_due(contract, lease("a:1:1")).empty());
  contract.force = true;
  EXPECT_EQ(store->claim_due(contract, lease("a:1:1")).size(), 1u);
}

TEST_P(JobStoreConformance, DueJobsComeOldestFirstAndQueuedJobsAreDue) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1), spec(2), spec(3)}, "r");
  DueFilter two;
  two.limit = 2;
  EXPECT_EQ(ids_of(store->due(two)), (std::vector<std::string>{id(1), id(2)})) << "a look claims nothing";
  EXPECT_EQ(store->get(id(1))->status, JobStatus::queued);
  const auto claimed = store->claim_due(two, lease("a:1:1"));
  EXPECT_EQ(ids_of(claimed), (std::vector<std::string>{id(1), id(2)}));
  EXPECT_EQ(store->claim_due(two, lease("a:1:1")).size(), 1u);
  EXPECT_TRUE(store->claim_due(two, lease("a:1:1")).empty());
}

TEST_P(JobStoreConformance, TheReaperReclaimsExpiredLeasesAsDueRetryableFailures) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1), spec(2)}, "r");
  const std::vector<std::string> both{id(1), id(2)};
  store->claim(both, lease("a:1:1", 600s));
  f.clock.advance(300s);
  EXPECT_TRUE(store->reap().empty()) << "leases still live";
  EXPECT_EQ(store->counts().expired_leases, 0u);
  f.clock.advance(301s);
  EXPECT_EQ(store->counts().expired_leases, 2u);
  const auto reclaimed = store->reap();
  EXPECT_EQ(ids_of(reclaimed), both);
  EXPECT_EQ(reclaimed[0].lease_owner, "a:1:1") << "as it was before";
  const auto j = store->get(id(1));
  EXPECT_EQ(j->status, JobStatus::failed);
  EXPECT_EQ(j->error_code, ErrorCode::lease_expired);
  EXPECT_EQ(j->error_class, ErrorCategory::retryable);
  EXPECT_NE(j->error.find("a:1:1"), std::string::npos) << j->error;
  EXPECT_EQ(j->next_retry_at, f.clock.get()) << "due at once";
  EXPECT_EQ(j->lease_owner, "");
  // The old owner can no longer finish it; the retry pass takes it.
  EXPECT_EQ(store->finish(std::vector{done(1)}, "a:1:1"), 0u);
  EXPECT_EQ(store->claim_due({}, lease("b:1:1")).size(), 2u);
}

TEST_P(JobStoreConformance, AJobFinishedAfterItsLeaseExpiredIsNeverReset) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1)}, "r");
  store->claim(std::vector{id(1)}, lease("a:1:1", 60s));
  f.clock.advance(120s);  // expired, but nobody reclaimed it yet
  EXPECT_EQ(store->finish(std::vector{done(1)}, "a:1:1"), 1u);
  EXPECT_TRUE(store->reap().empty());
  EXPECT_EQ(store->get(id(1))->status, JobStatus::done);
}

TEST_P(JobStoreConformance, HeartbeatsKeepALeaseAlive) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1), spec(2)}, "r");
  store->claim(std::vector{id(1)}, lease("a:1:1", 60s));
  store->claim(std::vector{id(2)}, lease("b:1:1", 60s));
  for (int i = 0; i < 5; ++i) {
    f.clock.advance(50s);
    EXPECT_EQ(store->heartbeat("a:1:1", 60s), 1u);
  }
  const auto reclaimed = store->reap();
  EXPECT_EQ(ids_of(reclaimed), std::vector<std::string>{id(2)});
  EXPECT_EQ(store->get(id(1))->status, JobStatus::running);
  EXPECT_EQ(store->get(id(1))->heartbeat_at, f.clock.get());
  EXPECT_EQ(store->heartbeat("nobody:1:1", 60s), 0u);
}

TEST_P(JobStoreConformance, JobsOfADeadOwnerAreReclaimedBeforeTheirLeaseExpires) {
  Fixture f(GetParam());
  auto store = f.open();
  store->enqueue(std::vector{spec(1), spec(2)}, "r");
  store->claim(std::vector{id(1)}, lease("dead:1:1", 3600s));
  store->claim(std::vector{id(2)}, lease("alive:1:1", 3600s));
  EXPECT_EQ(store->lease_owners(), (std::vector<std::string>{"alive:1:1", "dead:1:1"}));
  const std::vector<std::string> dead{"dead:1:1"};
  const auto reclaimed = store->reap(dead);
  EXPECT_EQ(ids_of(reclaimed), std::vector<std::string>{id(1)});
  EXPECT_NE(store->get(id(1))->error.find("died"), std::string::npos) << store->get(id(1))->error;
  EXPECT_EQ(store->get(id(2))->status, JobStatus::running);
}

TEST_P(JobStoreConformance, ReclaimedLeasesCountAgainstMaxRetries) {
  Fixture f(GetParam());
  auto store = f.open();  // max_retries 2
  store->enqueue(std::vector{spec(1)}, "r");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_EQ(store->claim(std::vector{id(1)}, lease("a:1:1", 60s)).size(), 1u);
    f.clock.advance(61s);
    ASSERT_EQ(store->reap().size(), 1u);
  }
  const auto j = store->get(id(1));
  EXPECT_EQ(j->attempts, 3);
  EXPECT_FALSE(j->next_retry_at) << "a job that kills its worker every time stops being retried";
}

TEST_P(JobStoreConformance, CountsByStateAndClassOldestInProgressAndRecentFailures) {
  Fixture f(GetParam());
  auto store = f.open();
  std::vector<ChipJobSpec> jobs;
  for (int n = 1; n <= 6; ++n) jobs.push_back(spec(n));
  store->enqueue(jobs, "r");
  store->claim(std::vector{id(1), id(2), id(3), id(4)}, lease("a:1:1"));
  f.clock.advance(10s);
  store->claim(std::vector{id(5)}, lease("a:1:1"));
  store->finish(std::vector{done(1), failed(2, ErrorCode::network_transient),
                            failed(3, ErrorCode::input_invalid, "upload.csv:7: lat: not a number")},
                "a:1:1");
  f.clock.advance(10s);
  store->finish(std::vector{rejected(4, "no AIS near sensing time")}, "a:1:1");
  const JobCounts c = store->counts();
  EXPECT_EQ(c.by_status.at(JobStatus::done), 1u);
  EXPECT_EQ(c.by_status.at(JobStatus::failed), 2u);
  EXPECT_EQ(c.by_status.at(JobStatus::rejected), 1u);
  EXPECT_EQ(c.by_status.at(JobStatus::running), 1u);
  EXPECT_EQ(c.by_status.at(JobStatus::queued), 1u);
  EXPECT_EQ(c.failed_by_class.at(ErrorCategory::retryable), 1u);
  EXPECT_EQ(c.failed_by_class.at(ErrorCategory::contract), 1u);
  EXPECT_EQ(c.failed_by_class.count(ErrorCategory::permanent), 0u);
  EXPECT_EQ(c.oldest_running_since, f.clock.get() - 10s);
  const auto recent = store->recent_failures(10);
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0].chip_id, id(4)) << "latest first";
  EXPECT_EQ(store->recent_failures(1).size(), 1u);
}

TEST_P(JobStoreConformance, ConcurrentClaimersNeverTakeTheSameJob) {
  Fixture f(GetParam());
  constexpr int kJobs = 400;
  {
    auto store = f.open();
    std::vector<ChipJobSpec> jobs;
    for (int n = 0; n < kJobs; ++n) jobs.push_back(spec(n));
    store->enqueue(jobs, "r");
  }
  std::mutex mutex;
  std::multiset<std::string> taken;
  std::atomic<std::size_t> finished{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      auto store = f.open();  // its own connection, as another process would have
      const std::string owner = "w" + std::to_string(w) + ":1:1";
      DueFilter batch;
      batch.limit = 7;
      for (;;) {
        const auto claimed = store->claim_due(batch, lease(owner));
        if (claimed.empty()) break;
        std::vector<JobFinish> finishes;
        {
          std::lock_guard lock(mutex);
          for (const auto& j : claimed) {
            taken.insert(j.chip_id);
            finishes.push_back({j.chip_id, JobFinish::Kind::done, "", ErrorCode::internal});
          }
        }
        finished += store->finish(finishes, owner);
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(taken.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(std::set<std::string>(taken.begin(), taken.end()).size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(finished.load(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(f.open()->counts().by_status.at(JobStatus::done), static_cast<std::size_t>(kJobs));
}

TEST_P(JobStoreConformance, ObservationsUpsertKeepCreationAndCountFailures) {
  Fixture f(GetParam());
  auto store = f.open();
  Observation o;
  o.id = "244660123|2024-05-23T11:00:00.000000Z|30STF";
  o.mmsi = 244660123;
  o.lat = 36.1;
  o.lon = -5.4;
  o.tile_id = "30STF";
  o.captured_time = parse_iso8601("2024-05-23T11:00:00Z");
  o.last_ping = parse_iso8601("2024-05-23T11:20:00Z");
  o.pings = 40;
  o.source = "ais_upload.csv";
  o.provider = "upload";
  o.status = "captured";
  o.run_id = "r1";
  store->record_observations(std::vector{o});
  const UtcTime created = f.clock.get();
  f.clock.advance(60s);
  o.status = "failed";
  o.last_error = "HTTP 503";
  o.overpass_time = parse_iso8601("2024-05-23T11:06:37Z");
  store->record_observations(std::vector{o});
  f.clock.advance(60s);
  store->record_observations(std::vector{o});
  o.status = "chipped";
  o.last_error = "";
  o.chips = 1;
  store->record_observations(std::vector{o});
  const auto all = store->observations();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, "chipped");
  EXPECT_EQ(all[0].retry_count, 2);
  EXPECT_EQ(all[0].last_error, "HTTP 503") << "the last error stays for the record";
  EXPECT_EQ(all[0].created_at, created);
  EXPECT_EQ(all[0].overpass_time, parse_iso8601("2024-05-23T11:06:37Z"));
  EXPECT_EQ(all[0].chips, 1u);
  EXPECT_EQ(all[0].tile_id, "30STF");
  o.status = "sunk";
  EXPECT_THROW(store->record_observations(std::vector{o}), Error);
}

TEST_P(JobStoreConformance, RunsAndStepsAndAbandonedRuns) {
  Fixture f(GetParam());
  auto store = f.open();
  RunRecord run;
  run.run_id = "20261201T120000Z-0000000a";
  run.command = "run";
  run.args = "{\"max_chips\":10}";
  run.started_at = f.clock.get();
  run.owner = "a:1:1";
  store->start_run(run);
  RunStep step{run.run_id, "predict", 0, RunStatus::running, f.clock.get(), {}, "", "", "", {}};
  store->start_step(step);
  f.clock.advance(5s);
  step.status = RunStatus::succeeded;
  step.manifest = "manifests/predict/date=2026-12-01/run=20261201T120000Z-0000000a/manifest.json";
  step.counts = "{\"passes\":3}";
  store->finish_step(step);
  RunStep chip{run.run_id, "chip", 1, RunStatus::running, f.clock.get(), {}, "", "", "", {}};
  store->start_step(chip);
  const auto steps = store->steps(run.run_id);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].step, "predict");
  EXPECT_EQ(steps[0].status, RunStatus::succeeded);
  EXPECT_EQ(steps[0].counts, "{\"passes\":3}");
  EXPECT_EQ(steps[1].status, RunStatus::running);

  RunRecord other = run;
  other.run_id = "20261201T120005Z-0000000b";
  other.owner = "b:1:1";
  other.started_at = f.clock.get();
  store->start_run(other);
  EXPECT_EQ(store->list_runs(10)[0].run_id, other.run_id) << "latest first";
  // a:1:1 died; b:1:1 keeps beating until the stale limit passes.
  const std::vector<std::string> dead{"a:1:1"};
  EXPECT_EQ(store->reap_runs(dead, 3600s), std::vector<std::string>{run.run_id});
  const auto abandoned = store->get_run(run.run_id);
  EXPECT_EQ(abandoned->status, RunStatus::failed);
  EXPECT_EQ(abandoned->error_class, ErrorCategory::retryable);
  EXPECT_EQ(store->steps(run.run_id)[1].status, RunStatus::failed);
  EXPECT_EQ(store->steps(run.run_id)[0].status, RunStatus::succeeded) << "finished steps stay";
  f.clock.advance(1800s);
  store->heartbeat_run(other.run_id);
  f.clock.advance(1800s);
  EXPECT_TRUE(store->reap_runs({}, 3600s).empty());
  f.clock.advance(2000s);
  EXPECT_EQ(store->reap_runs({}, 3600s), std::vector<std::string>{other.run_id});
  store->finish_run(run.run_id, RunStatus::succeeded);  // a late finish of its own is recorded
  EXPECT_EQ(store->get_run(run.run_id)->status, RunStatus::succeeded);
  EXPECT_THROW(store->finish_run("no-such-run", RunStatus::failed), Error);
}
