#pragma once
// The alerts of the reference runbook (../shared/seeds 002), adapted to shipchips, defined once:
// each rule is one condition over the service's gauges (ops/metrics.hpp names below), rendered
// two ways from the same thresholds —
//   - as a Prometheus alerting rule (`deploy/prometheus/alerts.yml`, rendered by
//     render_rules_yaml and checked against the committed file and by `promtool test rules`);
//   - evaluated in-process on an OpsSnapshot for `/health` and the webhook (evaluate_rules).
// The snapshot carries exactly the values the gauges export, so both see the same numbers. A
// rule's `for` applies to Prometheus only (the process sees one instant).
//
//   QueueBacklog      queued + due retries > 100 (the runbook's queue depth), for 30 min — warning
//   FailureRate       failed / finished > alerts.threshold_fail_rate with finished >=
//                     alerts.min_jobs, for 15 min — critical
//   DiskSpaceCritical free bytes under storage.min_free_gb (runs refuse to start there), for
//                     5 min — critical
//   ProcessingStuck   jobs running past their lease (ops.stuck_job_minutes) — warning, 10 min
//   StaleSchedule     the schedule's last window ends within a day, or there is none — warning
//   NoChips24h        no chip written for 24 h while chip jobs exist — warning

#include "core/config.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ops {

// The metric names the rules and the service's /metrics share.
namespace metric {
inline constexpr std::string_view jobs = "shipchips_jobs";  // gauge {state}
inline constexpr std::string_view job_retries_due = "shipchips_job_retries_due";
inline constexpr std::string_view jobs_expired_leases = "shipchips_jobs_expired_leases";
inline constexpr std::string_view disk_free_bytes = "shipchips_disk_free_bytes";
inline constexpr std::string_view disk_size_bytes = "shipchips_disk_size_bytes";
inline constexpr std::string_view schedule_end = "shipchips_schedule_last_window_end_timestamp_seconds";
inline constexpr std::string_view last_chip = "shipchips_last_chip_timestamp_seconds";
}  // namespace metric

// The values the rules look at, as /metrics exports them.
struct OpsSnapshot {
  double now = 0;  // seconds since the epoch
  double queued = 0, running = 0, done = 0, rejected = 0, failed = 0;
  double retries_due = 0;
  double expired_leases = 0;
  std::optional<double> disk_free_bytes, disk_size_bytes;
  std::optional<double> schedule_end;  // latest window end in the schedule
  std::optional<double> last_chip;     // newest chip's creation time
};

enum class Severity { warning, critical };
std::string_view to_string(Severity severity);

struct AlertRule {
  std::string name;
  // The same condition in-process: what made it fire, or nullopt.
  std::function<std::optional<std::string>(const OpsSnapshot&)> firing;
  Severity severity = Severity::warning;
  std::string expr;  // PromQL
  std::chrono::seconds for_duration{0};
  std::string summary;      // one line, with the threshold
  std::string description;  // what to look at (docs/runbook.md has the response)
};

struct FiringAlert {
  std::string name;
  Severity severity = Severity::warning;
  std::string detail;  // the values that made it fire
};

// The rules with the thresholds of `config`.
std::vector<AlertRule> alert_rules(const Config& config);

// The rules that fire on `snapshot`, in the order of alert_rules.
std::vector<FiringAlert> evaluate_rules(const Config& config, const OpsSnapshot& snapshot);

// The Prometheus rule file (groups: [shipchips]) for `config`.
std::string render_rules_yaml(const Config& config);

}  // namespace shipchips::ops
