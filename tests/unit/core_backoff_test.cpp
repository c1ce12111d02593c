// core/backoff: the one retry delay rule (capped exponential, full jitter).
#include "core/backoff.hpp"

#include <gtest/gtest.h>

#include <set>

using shipchips::Backoff;
using shipchips::backoff_ceiling;
using shipchips::backoff_delay;
using shipchips::BackoffPolicy;
using std::chrono::milliseconds;

TEST(CoreBackoff, CeilingDoublesUntilCapped) {
  const BackoffPolicy p{milliseconds(250), milliseconds(8000)};
  const long expected[] = {250, 500, 1000, 2000, 4000, 8000, 8000};
  for (int attempt = 1; attempt <= 7; ++attempt) EXPECT_EQ(backoff_ceiling(p, attempt).count(), expected[attempt - 1]);
  EXPECT_EQ(backoff_ceiling(p, 0).count(), 250);         // attempt < 1 counts as the first retry
  EXPECT_EQ(backoff_ceiling(p, 1000000).count(), 8000);  // no overflow, no unbounded growth
}

TEST(CoreBackoff, TwentyRetriesStayWithinTheCap) {
  // The old chip-read retry slept 200 ms << attempt: at 20 retries that summed to ~58 hours.
  const BackoffPolicy p{milliseconds(200), milliseconds(30000)};
  long total = 0;
  for (int attempt = 1; attempt <= 20; ++attempt) total += backoff_ceiling(p, attempt).count();
  EXPECT_LE(total, 20L * 30000L);
  EXPECT_EQ(total, 200 + 400 + 800 + 1600 + 3200 + 6400 + 12800 + 25600 + 12 * 30000);
}

TEST(CoreBackoff, FullJitterSpansZeroToTheCeiling) {
  const BackoffPolicy p{milliseconds(250), milliseconds(8000)};
  EXPECT_EQ(backoff_delay(p, 3, 0.0).count(), 0);
  EXPECT_EQ(backoff_delay(p, 3, 0.5).count(), 500);
  EXPECT_EQ(backoff_delay(p, 3, 0.999999999).count(), 999);
  EXPECT_EQ(backoff_delay(p, 4, 1.0).count(), 2000);
  EXPECT_EQ(backoff_delay(p, 2, 7.0).count(), 500);  // the unit is clamped to [0, 1]
  EXPECT_EQ(backoff_delay(p, 2, -1.0).count(), 0);
}

TEST(CoreBackoff, InitialAboveMaxIsCapped) {
  const BackoffPolicy p{milliseconds(5000), milliseconds(1000)};
  EXPECT_EQ(backoff_ceiling(p, 1).count(), 1000);
}

TEST(CoreBackoff, DrawsAreSeededAndSpread) {
  const BackoffPolicy p{milliseconds(1000), milliseconds(1000)};
  Backoff a(p, 42);
  Backoff b(p, 42);
  std::set<long> seen;
  for (int i = 0; i < 200; ++i) {
    const auto da = a.delay(1);
    EXPECT_EQ(da, b.delay(1));  // same seed, same sequence
    EXPECT_GE(da.count(), 0);
    EXPECT_LE(da.count(), 1000);
    seen.insert(da.count() / 100);
  }
  EXPECT_GE(seen.size(), 9u);  // 200 draws land in (nearly) every tenth of the range
}
