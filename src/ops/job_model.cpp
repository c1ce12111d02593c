#include "ops/job_model.hpp"

#include "core/backoff.hpp"

#include <array>
#include <cmath>

namespace shipchips::ops {
namespace {

constexpr std::array<JobStatus, 5> kStatuses{JobStatus::queued, JobStatus::running, JobStatus::done,
                                             JobStatus::rejected, JobStatus::failed};
constexpr std::array<RunStatus, 3> kRunStatuses{RunStatus::running, RunStatus::succeeded, RunStatus::failed};

}  // namespace

std::string_view to_string(JobStatus status) {
  switch (status) {
    case JobStatus::queued:
      return "queued";
    case JobStatus::running:
      return "running";
    case JobStatus::done:
      return "done";
    case JobStatus::rejected:
      return "rejected";
    case JobStatus::failed:
      return "failed";
  }
  return "failed";
}

JobStatus parse_job_status(std::string_view text) {
  for (JobStatus s : kStatuses)
    if (to_string(s) == text) return s;
  throw Error(ErrorCode::input_invalid, "job status: unknown '" + std::string(text) + "'");
}

ErrorCategory parse_error_class(std::string_view text) {
  for (ErrorCategory c : {ErrorCategory::retryable, ErrorCategory::permanent, ErrorCategory::contract})
    if (to_string(c) == text) return c;
  throw Error(ErrorCode::invalid_argument,
              "error class: '" + std::string(text) + "' is not one of retryable, permanent, contract");
}

std::string_view to_string(RunStatus status) {
  switch (status) {
    case RunStatus::running:
      return "running";
    case RunStatus::succeeded:
      return "succeeded";
    case RunStatus::failed:
      return "failed";
  }
  return "failed";
}

RunStatus parse_run_status(std::string_view text) {
  for (RunStatus s : kRunStatuses)
    if (to_string(s) == text) return s;
  throw Error(ErrorCode::input_invalid, "run status: unknown '" + std::string(text) + "'");
}

std::chrono::seconds RetryPolicy::delay(int failures, double unit) const {
  const BackoffPolicy backoff{std::chrono::duration_cast<std::chrono::milliseconds>(initial_backoff),
                              std::chrono::duration_cast<std::chrono::milliseconds>(max_backoff)};
  const double ceiling_s = static_cast<double>(backoff_ceiling(backoff, failures).count()) / 1000.0;
  const double clamped = std::min(std::max(unit, 0.0), 1.0);
  const double factor = 1.0 - jitter + 2.0 * jitter * clamped;
  return std::chrono::seconds(static_cast<std::int64_t>(std::llround(ceiling_s * factor)));
}

RetryPolicy retry_policy_from(const OpsConfig& ops) {
  RetryPolicy policy;
  policy.max_retries = ops.max_retries;
  policy.initial_backoff =
      std::chrono::seconds(static_cast<std::int64_t>(std::llround(std::max(ops.initial_backoff_min, 0.0) * 60.0)));
  policy.max_backoff =
      std::chrono::seconds(static_cast<std::int64_t>(std::llround(std::max(ops.max_backoff_hours, 0.0) * 3600.0)));
  return policy;
}

std::chrono::seconds lease_duration(const OpsConfig& ops) {
  return std::chrono::seconds(
      std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(ops.stuck_job_minutes * 60.0))));
}

}  // namespace shipchips::ops
