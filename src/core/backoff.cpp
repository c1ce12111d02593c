#include "core/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace shipchips {

std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, int attempt) {
  using ms = std::chrono::milliseconds;
  const ms cap = std::max(ms{0}, policy.max);
  ms ceiling = std::clamp(policy.initial, ms{0}, cap);
  for (int i = 1; i < attempt && ceiling < cap; ++i) ceiling = std::min(cap, ceiling * 2);
  return ceiling;
}

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt, double unit) {
  const auto ceiling = backoff_ceiling(policy, attempt);
  const double u = std::clamp(unit, 0.0, 1.0);
  const auto delay = static_cast<std::chrono::milliseconds::rep>(std::floor(static_cast<double>(ceiling.count()) * u));
  return std::min(ceiling, std::chrono::milliseconds(delay));
}

Backoff::Backoff(BackoffPolicy policy) : m_policy(policy), m_rng(std::random_device{}()) {}

Backoff::Backoff(BackoffPolicy policy, std::uint64_t seed) : m_policy(policy), m_rng(seed) {}

std::chrono::milliseconds Backoff::delay(int attempt) {
  return backoff_delay(m_policy, attempt, std::uniform_real_distribution<double>(0.0, 1.0)(m_rng));
}

}  // namespace shipchips
