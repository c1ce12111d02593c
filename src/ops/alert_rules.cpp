#include "ops/alert_rules.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>
#include <cctype>

namespace shipchips::ops {
namespace {

constexpr double kQueueBacklog = 100;  // the reference runbook's "queue depth > 100"
constexpr double kScheduleMarginS = 86400;
constexpr double kNoChipsS = 86400;

std::string num(double v) {
  return fmt::format("{}", v);
}

std::string jobs(std::string_view state) {
  return fmt::format("{}{{state=\"{}\"}}", metric::jobs, state);
}

// "sum of these states" without the state label (so the ratio's sides match).
std::string jobs_sum(std::string_view states_regex) {
  return fmt::format("sum without (state) ({}{{state=~\"{}\"}})", metric::jobs, states_regex);
}

double min_free_bytes(const Config& c) {
  return c.storage.min_free_gb * 1e9;
}

}  // namespace

std::string_view to_string(Severity severity) {
  return severity == Severity::critical ? "critical" : "warning";
}

std::vector<AlertRule> alert_rules(const Config& c) {
  const double rate = c.alerts.threshold_fail_rate;
  const double min_jobs = c.alerts.min_jobs;
  const double min_free = min_free_bytes(c);
  auto finished = [](const OpsSnapshot& s) { return s.done + s.rejected + s.failed; };
  std::vector<AlertRule> rules;
  rules.push_back(
      {"QueueBacklog",
       [](const OpsSnapshot& s) -> std::optional<std::string> {
         if (!(s.queued + s.retries_due > kQueueBacklog)) return std::nullopt;
         return fmt::format("{} queued + {} due retries", num(s.queued), num(s.retries_due));
       },
       Severity::warning,
       fmt::format("{} + ignoring(state) {} > {}", jobs("queued"), metric::job_retries_due, num(kQueueBacklog)),
       std::chrono::minutes(30),
       fmt::format("More than {} chip jobs waiting (queued + due retries)", num(kQueueBacklog)),
       "Workers are not keeping up or not running: shipchips ops-status; start a worker or run ops-retry."});
  rules.push_back(
      {"FailureRate",
       [=](const OpsSnapshot& s) -> std::optional<std::string> {
         const double n = finished(s);
         if (!(n >= min_jobs && n > 0 && s.failed / n > rate)) return std::nullopt;
         return fmt::format("{} of {} finished jobs failed", num(s.failed), num(n));
       },
       Severity::critical,
       fmt::format("({} / {} > {}) and ({} >= {})", jobs_sum("failed"), jobs_sum("done|rejected|failed"), num(rate),
                   jobs_sum("done|rejected|failed"), num(min_jobs)),
       std::chrono::minutes(15),
       fmt::format("More than {} % of finished chip jobs failed (at least {} finished)", num(100 * rate),
                   num(min_jobs)),
       "shipchips ops-status lists the recent failures by class: retryable ones back off, contract ones need the "
       "input fixed."});
  rules.push_back(
      {"DiskSpaceCritical",
       [=](const OpsSnapshot& s) -> std::optional<std::string> {
         if (!s.disk_free_bytes || !(*s.disk_free_bytes < min_free)) return std::nullopt;
         return fmt::format("{} bytes free", num(*s.disk_free_bytes));
       },
       Severity::critical, fmt::format("{} < {}", metric::disk_free_bytes, num(min_free)), std::chrono::minutes(5),
       fmt::format("Dataset disk below storage.min_free_gb ({} GB): runs refuse to start", num(c.storage.min_free_gb)),
       "shipchips gc --cache-ttl-days 7 --watermark-disk 0.8, then move or prune chips."});
  rules.push_back(
      {"ProcessingStuck",
       [](const OpsSnapshot& s) -> std::optional<std::string> {
         if (!(s.expired_leases > 0)) return std::nullopt;
         return fmt::format("{} expired leases", num(s.expired_leases));
       },
       Severity::warning, fmt::format("{} > 0", metric::jobs_expired_leases), std::chrono::minutes(10),
       fmt::format("Chip jobs running past their lease ({} min without a heartbeat)", num(c.ops.stuck_job_minutes)),
       "Their worker died or hangs: the next run or ops-retry reclaims them; check the worker's log."});
  rules.push_back({"StaleSchedule",
                   [](const OpsSnapshot& s) -> std::optional<std::string> {
                     if (!s.schedule_end) return std::string("no schedule");
                     if (!(*s.schedule_end - s.now < kScheduleMarginS)) return std::nullopt;
                     return fmt::format("the last window ends {} s from now", num(*s.schedule_end - s.now));
                   },
                   Severity::warning,
                   fmt::format("(({} - time()) < {}) or absent({})", metric::schedule_end, num(kScheduleMarginS),
                               metric::schedule_end),
                   std::chrono::minutes(30), "The overpass schedule ends within a day (or there is none)",
                   "shipchips predict-overpasses (the weekly timer runs it); check the TLE source or ESA plan."});
  rules.push_back({"NoChips24h",
                   [=](const OpsSnapshot& s) -> std::optional<std::string> {
                     // Without any chip the series is absent and Prometheus gives no result: neither fires.
                     if (!s.last_chip || !(s.now - *s.last_chip > kNoChipsS)) return std::nullopt;
                     if (!(finished(s) + s.queued + s.running > 0)) return std::nullopt;
                     return fmt::format("the last chip is {} s old", num(s.now - *s.last_chip));
                   },
                   Severity::warning,
                   fmt::format("((time() - {}) > {}) and on() ({} > 0)", metric::last_chip, num(kNoChipsS),
                               jobs_sum("queued|running|done|rejected|failed")),
                   std::chrono::minutes(30), "No chip written in the last 24 hours",
                   "No overpass, no AIS, or every scene rejected: shipchips ops-status and the QA report say which."});
  return rules;
}

std::vector<FiringAlert> evaluate_rules(const Config& config, const OpsSnapshot& snapshot) {
  std::vector<FiringAlert> out;
  for (const AlertRule& rule : alert_rules(config))
    if (auto detail = rule.firing(snapshot)) out.push_back({rule.name, rule.severity, *detail});
  return out;
}

std::string render_rules_yaml(const Config& c) {
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  y << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "shipchips";
  y << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const AlertRule& r : alert_rules(c)) {
    y << YAML::BeginMap;
    y << YAML::Key << "alert" << YAML::Value << r.name;
    y << YAML::Key << "expr" << YAML::Value << YAML::DoubleQuoted << r.expr;
    y << YAML::Key << "for" << YAML::Value << fmt::format("{}m", r.for_duration.count() / 60);
    y << YAML::Key << "labels" << YAML::Value << YAML::BeginMap << YAML::Key << "severity" << YAML::Value
      << std::string(to_string(r.severity)) << YAML::EndMap;
    y << YAML::Key << "annotations" << YAML::Value << YAML::BeginMap;
    y << YAML::Key << "summary" << YAML::Value << YAML::DoubleQuoted << r.summary;
    y << YAML::Key << "description" << YAML::Value << YAML::DoubleQuoted << r.description;
    std::string anchor = r.name;  // the runbook's heading, as GitHub anchors it (lower case)
    for (char& ch : anchor) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    y << YAML::Key << "runbook" << YAML::Value << "docs/runbook.md#" + anchor;
    y << YAML::EndMap << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  return std::string("# Generated from src/ops/alert_rules.cpp with the default config.yaml; do not edit.\n") +
         y.c_str() + "\n";
}

}  // namespace shipchips::ops
