#pragma once
// The one retry delay of the project: capped exponential backoff with full jitter
// ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015): before retry n (n = 1 for the
// first retry) wait uniform(0, min(max, initial * 2^(n-1))). Full jitter spreads clients apart
// after an outage; the cap keeps a large retry count from growing the wait without bound. Used
// by the HTTP client (STAC, downloads), the COG chip reads and the aisstream reconnects; the job
// store's retry schedule (ops.*) is the same rule on a longer scale.

#include <chrono>
#include <cstdint>
#include <random>

namespace shipchips {

struct BackoffPolicy {
  std::chrono::milliseconds initial{250};
  std::chrono::milliseconds max{8000};
};

// The ceiling of retry `attempt` (≥ 1; smaller counts as 1): min(max, initial * 2^(attempt-1)),
// without overflow for any attempt.
std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, int attempt);

// The delay of retry `attempt` for a point `unit` in [0, 1) of the jitter: floor(ceiling * unit).
// Pure, so tests check the schedule without sleeping.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt, double unit);

// Draws the jitter. Seeded from std::random_device unless a test fixes the seed.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy);
  Backoff(BackoffPolicy policy, std::uint64_t seed);
  std::chrono::milliseconds delay(int attempt);
  const BackoffPolicy& policy() const { return m_policy; }
  void seed(std::uint64_t seed) { m_rng.seed(seed); }

 private:
  BackoffPolicy m_policy;
  std::mt19937_64 m_rng;
};

}  // namespace shipchips
