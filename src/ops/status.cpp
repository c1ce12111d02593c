#include "ops/status.hpp"

#include <sstream>

namespace shipchips::ops {
namespace {

nlohmann::json opt_time(const std::optional<UtcTime>& t) {
  return t ? nlohmann::json(format_iso8601(*t, 0)) : nlohmann::json(nullptr);
}

std::size_t by_state_count(const JobCounts& counts, JobStatus status) {
  const auto it = counts.by_status.find(status);
  return it == counts.by_status.end() ? 0 : it->second;
}

}  // namespace

nlohmann::ordered_json status_report(JobStore& store, const StatusOptions& options) {
  nlohmann::ordered_json out;
  out["store"] = store.describe();
  out["generated_at"] = format_iso8601(utc_now(), 0);
  const JobCounts counts = store.counts();
  nlohmann::ordered_json by_state;
  std::size_t total = 0;
  for (JobStatus s : {JobStatus::queued, JobStatus::running, JobStatus::done, JobStatus::rejected, JobStatus::failed}) {
    const auto it = counts.by_status.find(s);
    const std::size_t n = it == counts.by_status.end() ? 0 : it->second;
    by_state[std::string(to_string(s))] = n;
    total += n;
  }
  nlohmann::ordered_json by_class;
  for (ErrorCategory c : {ErrorCategory::retryable, ErrorCategory::permanent, ErrorCategory::contract}) {
    const auto it = counts.failed_by_class.find(c);
    by_class[std::string(to_string(c))] = it == counts.failed_by_class.end() ? 0 : it->second;
  }
  nlohmann::ordered_json jobs;
  jobs["total"] = total;
  jobs["by_state"] = std::move(by_state);
  jobs["failed_by_class"] = std::move(by_class);
  jobs["due_retries"] = counts.due_retries;
  jobs["exhausted_retries"] = counts.exhausted;
  jobs["oldest_in_progress_since"] = opt_time(counts.oldest_running_since);
  jobs["expired_leases"] = counts.expired_leases;
  const std::size_t finished =
      total - by_state_count(counts, JobStatus::queued) - by_state_count(counts, JobStatus::running);
  jobs["failure_rate"] =
      finished == 0 ? 0.0 : static_cast<double>(by_state_count(counts, JobStatus::failed)) / finished;
  out["jobs"] = std::move(jobs);

  nlohmann::json failures = nlohmann::json::array();
  for (const ChipJob& j : store.recent_failures(options.recent_failures)) {
    failures.push_back({{"chip_id", j.chip_id},
                        {"mmsi", j.mmsi},
                        {"scene_id", j.scene_id},
                        {"status", to_string(j.status)},
                        {"class", j.error_class ? nlohmann::json(to_string(*j.error_class)) : nlohmann::json(nullptr)},
                        {"code", j.error_code ? nlohmann::json(to_string(*j.error_code)) : nlohmann::json(nullptr)},
                        {"error", j.error},
                        {"attempts", j.attempts},
                        {"finished_at", opt_time(j.finished_at)},
                        {"next_retry_at", opt_time(j.next_retry_at)}});
  }
  out["recent_failures"] = std::move(failures);

  std::map<std::string, std::size_t> outcomes;
  nlohmann::json without_chip = nlohmann::json::array();
  const auto observations = store.observations();
  for (const Observation& o : observations) {
    ++outcomes[o.status];
    if (o.status != "chipped" && without_chip.size() < options.ships_listed) {
      without_chip.push_back({{"mmsi", o.mmsi},
                              {"first_ping", format_iso8601(o.captured_time, 0)},
                              {"pings", o.pings},
                              {"outcome", o.status},
                              {"reason", o.reason},
                              {"source", o.source}});
    }
  }
  nlohmann::ordered_json ships;
  ships["observations"] = observations.size();
  ships["by_outcome"] = outcomes;
  ships["without_chip"] = std::move(without_chip);
  out["ships"] = std::move(ships);

  nlohmann::json runs = nlohmann::json::array();
  for (const RunRecord& r : store.list_runs(options.runs)) {
    nlohmann::json steps = nlohmann::json::array();
    for (const RunStep& s : store.steps(r.run_id)) {
      steps.push_back({{"step", s.step},
                       {"status", to_string(s.status)},
                       {"manifest", s.manifest},
                       {"error", s.error},
                       {"class", s.error_class ? nlohmann::json(to_string(*s.error_class)) : nlohmann::json(nullptr)}});
    }
    runs.push_back({{"run_id", r.run_id},
                    {"command", r.command},
                    {"status", to_string(r.status)},
                    {"started_at", format_iso8601(r.started_at, 0)},
                    {"finished_at", opt_time(r.finished_at)},
                    {"error", r.error},
                    {"steps", std::move(steps)}});
  }
  out["runs"] = std::move(runs);
  return out;
}

std::string format_status(const nlohmann::ordered_json& r) {
  std::ostringstream out;
  const auto& jobs = r["jobs"];
  out << "job store: " << r["store"].get<std::string>() << "\n";
  out << "chip jobs: " << jobs["total"].get<std::size_t>();
  for (const auto& [state, n] : jobs["by_state"].items()) out << ", " << n.get<std::size_t>() << " " << state;
  out << "\n";
  out << "  failed by class:";
  for (const auto& [c, n] : jobs["failed_by_class"].items()) out << " " << c << " " << n.get<std::size_t>();
  out << "\n  retries: " << jobs["due_retries"].get<std::size_t>() << " due now, "
      << jobs["exhausted_retries"].get<std::size_t>() << " exhausted (ops-retry --force takes them)\n";
  if (!jobs["oldest_in_progress_since"].is_null())
    out << "  oldest in progress since " << jobs["oldest_in_progress_since"].get<std::string>() << "\n";
  if (jobs["expired_leases"].get<std::size_t>() > 0)
    out << "  " << jobs["expired_leases"].get<std::size_t>()
        << " expired leases (their worker stopped; the next run or ops-retry reclaims them)\n";
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f %%", 100.0 * jobs["failure_rate"].get<double>());
  out << "  failure rate of finished jobs: " << rate << "\n";
  const auto& failures = r["recent_failures"];
  if (!failures.empty()) {
    out << "recent failures and rejects (latest first):\n";
    for (const auto& f : failures) {
      out << "  " << f["chip_id"].get<std::string>() << " mmsi " << f["mmsi"].get<std::int64_t>() << " "
          << f["scene_id"].get<std::string>() << " [" << f["status"].get<std::string>();
      if (!f["class"].is_null()) out << ", " << f["class"].get<std::string>();
      if (!f["code"].is_null()) out << ", " << f["code"].get<std::string>();
      out << "] " << f["error"].get<std::string>();
      if (!f["next_retry_at"].is_null()) out << " (retry at " << f["next_retry_at"].get<std::string>() << ")";
      out << "\n";
    }
  }
  const auto& ships = r["ships"];
  out << "ships (input observation groups): " << ships["observations"].get<std::size_t>();
  for (const auto& [k, n] : ships["by_outcome"].items()) out << ", " << n.get<std::size_t>() << " " << k;
  out << "\n";
  for (const auto& s : ships["without_chip"]) {
    out << "  mmsi " << s["mmsi"].get<std::int64_t>() << " (" << s["pings"].get<std::size_t>() << " pings from "
        << s["first_ping"].get<std::string>() << "): " << s["outcome"].get<std::string>() << ": "
        << s["reason"].get<std::string>() << "\n";
  }
  const auto& runs = r["runs"];
  if (!runs.empty()) {
    out << "latest runs:\n";
    for (const auto& run : runs) {
      out << "  " << run["run_id"].get<std::string>() << " " << run["command"].get<std::string>() << " "
          << run["status"].get<std::string>() << " (started " << run["started_at"].get<std::string>() << ")";
      for (const auto& s : run["steps"])
        out << " " << s["step"].get<std::string>() << ":" << s["status"].get<std::string>();
      if (!run["error"].get<std::string>().empty()) out << " — " << run["error"].get<std::string>();
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace shipchips::ops
