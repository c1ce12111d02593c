// Job store throughput: claim + complete of chip jobs in the SQLite job store (ops/sqlite_job_store),
// side by side in one run for several claim batch sizes and claimer counts.
//
//   job_store_claims [--jobs N] [--repeat R]
//
// Each configuration gets a fresh database in a temporary folder holding N queued jobs (default
// 100000, enqueued in one call, not timed). Then C claimer threads, each with its own connection
// (as separate worker processes would have), loop: claim_due(limit = B) → finish all B as done
// (one transaction each), until nothing is due. Timed from the first claim to the last finish;
// best of R runs (default 3). Prints jobs/s per (B, C) and each configuration's ratio to B = 1,
// C = 1. Every job must end done exactly once (checked).
#include "ops/sqlite_job_store.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace shipchips;
using Clock = std::chrono::steady_clock;

namespace {

double run_once(const fs::path& dir, std::size_t jobs, std::size_t batch, int claimers) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path db = dir / "ops.db";
  {
    ops::SqliteJobStore store(db);
    std::vector<ops::ChipJobSpec> specs;
    specs.reserve(jobs);
    for (std::size_t n = 0; n < jobs; ++n) {
      char id[17];
      std::snprintf(id, sizeof id, "%016zx", n);
      specs.push_back({id, static_cast<std::int64_t>(200000000 + n), "S2B_30STF_20240523_0_L2A",
                       "{\"ais_source\":\"/data/ais/20240523/ais_overpass_30STF.xlsx\"}"});
    }
    store.enqueue(specs, "bench");
  }
  std::vector<std::unique_ptr<ops::SqliteJobStore>> stores;
  for (int c = 0; c < claimers; ++c) stores.push_back(std::make_unique<ops::SqliteJobStore>(db));
  std::atomic<std::size_t> done{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < claimers; ++c) {
    threads.emplace_back([&, c] {
      ops::Lease lease{"bench-host:" + std::to_string(c + 1) + ":1", std::chrono::seconds(600), "bench"};
      ops::DueFilter filter;
      filter.limit = batch;
      std::vector<ops::JobFinish> finishes;
      for (;;) {
        const auto claimed = stores[c]->claim_due(filter, lease);
        if (claimed.empty()) break;
        finishes.clear();
        for (const auto& j : claimed)
          finishes.push_back({j.chip_id, ops::JobFinish::Kind::done, "", ErrorCode::internal});
        done += stores[c]->finish(finishes, lease.owner);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto counts = stores[0]->counts();
  const auto it = counts.by_status.find(ops::JobStatus::done);
  if (done != jobs || it == counts.by_status.end() || it->second != jobs) {
    std::fprintf(stderr, "job_store_claims: %zu of %zu jobs finished once (B=%zu, C=%d)\n", done.load(), jobs, batch,
                 claimers);
    std::exit(1);
  }
  return static_cast<double>(jobs) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t jobs = 100000;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--jobs") && i + 1 < argc) {
      jobs = std::strtoul(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: job_store_claims [--jobs N] [--repeat R]\n");
      return 2;
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const fs::path dir = fs::temp_directory_path() / ("shipchips-bench-jobs-" + std::to_string(::getpid()));
  struct Config {
    std::size_t batch;
    int claimers;
  };
  const Config configs[] = {{1, 1}, {10, 1}, {100, 1}, {1000, 1}, {100, 2}, {100, 4}};
  double base = 0;
  std::printf("SQLite job store, %zu jobs, claim_due(B) + finish(B) per loop, best of %d\n", jobs, repeat);
  std::printf("%8s %9s %12s %8s\n", "batch B", "claimers", "jobs/s", "vs B=1");
  for (const Config& c : configs) {
    // Small batches are slow: fewer jobs keep the run short (throughput does not depend on N).
    const std::size_t n = c.batch == 1 ? std::min<std::size_t>(jobs, 20000) : jobs;
    double best = 0;
    for (int r = 0; r < repeat; ++r) best = std::max(best, run_once(dir, n, c.batch, c.claimers));
    if (c.batch == 1 && c.claimers == 1) base = best;
    std::printf("%8zu %9d %12.0f %7.1fx\n", c.batch, c.claimers, best, best / base);
  }
  fs::remove_all(dir);
  return 0;
}
