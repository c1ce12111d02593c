#pragma once
// The job store's conformance suite: one set of tests (job_store_conformance.cpp) that every
// backend passes. A backend instantiates it with a factory (ops_sqlite_job_store_test.cpp;
// PostgreSQL's arrives with the scale-out issue):
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, JobStoreConformance, ::testing::Values(sqlite_backend()),
//                            [](const auto& info) { return info.param.name; });

#include "ops/job_store.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

namespace shipchips::testing {

// A clock the tests move by hand (shared by every store a test opens).
struct FakeClock {
  mutable std::mutex mutex;
  UtcTime now = parse_iso8601("2026-12-01T12:00:00Z");
  UtcTime get() const {
    std::lock_guard lock(mutex);
    return now;
  }
  void advance(std::chrono::seconds by) {
    std::lock_guard lock(mutex);
    now += by;
  }
  ops::JobStore::Clock fn() const {
    return [this] { return get(); };
  }
};

struct JobStoreBackend {
  std::string name;
  // A fresh, empty store for one test. `location` is a scratch folder of the test (a backend
  // may ignore it); calling again with the same location opens another connection to the
  // same store (another "process").
  std::function<std::unique_ptr<ops::JobStore>(const std::string& location, const ops::RetryPolicy& policy,
                                               ops::JobStore::Clock clock, std::uint64_t jitter_seed)>
      open;
  // Called once before a test with its scratch folder: make the store empty.
  std::function<void(const std::string& location)> reset = [](const std::string&) {};
};

// gtest prints a parameter with this (its name) instead of its bytes.
inline void PrintTo(const JobStoreBackend& backend, std::ostream* os) {
  *os << backend.name;
}

class JobStoreConformance : public ::testing::TestWithParam<JobStoreBackend> {};

}  // namespace shipchips::testing
