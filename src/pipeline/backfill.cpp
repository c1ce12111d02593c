#include "pipeline/backfill.hpp"

#include "core/atomic_file.hpp"
#include "ops/run_id.hpp"
#include "ops/run_manifest.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <thread>

namespace shipchips::pipeline {
namespace {

constexpr std::array<std::string_view, 4> kSteps{"collect", "chip", "index", "retry"};

UtcTime day_start(const std::string& date, std::string_view field) {
  if (date.size() != 10)
    throw Error(ErrorCode::invalid_argument, std::string(field) + ": '" + date + "' is not YYYY-MM-DD");
  try {
    return parse_iso8601(date + "T00:00:00Z");
  } catch (const Error&) {
    throw Error(ErrorCode::invalid_argument, std::string(field) + ": '" + date + "' is not a date (YYYY-MM-DD)");
  }
}

nlohmann::ordered_json summary_json(const BackfillReport& report, const BackfillOptions& options,
                                    const std::string& started, bool finished) {
  nlohmann::ordered_json out;
  out["backfill_id"] = report.backfill_id;
  out["start"] = options.start;
  out["end"] = options.end;
  out["resume"] = options.resume;
  out["max_parallel"] = options.max_parallel;
  out["ais"] = options.ais_files;
  out["started_at"] = started;
  out["finished_at"] = finished ? nlohmann::json(format_iso8601(utc_now(), 0)) : nlohmann::json(nullptr);
  out["status"] = !finished ? "running" : report.failed() ? "failed" : "succeeded";
  nlohmann::json counts{{"partitions", report.partitions.size()},
                        {"succeeded", report.succeeded()},
                        {"failed", report.failed()},
                        {"skipped", report.skipped()}};
  out["counts"] = counts;
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : report.partitions) {
    nlohmann::json e{{"date", p.date},
                     {"status", p.status.empty() ? "pending" : p.status},
                     {"run_id", p.run_id},
                     {"chips_written", p.written},
                     {"chips_failed", p.failed_chips}};
    if (!p.error.empty()) {
      e["error"] = p.error;
      e["class"] = p.error_class ? std::string(to_string(*p.error_class)) : "";
    }
    parts.push_back(std::move(e));
  }
  out["partitions"] = std::move(parts);
  return out;
}

}  // namespace

std::size_t BackfillReport::succeeded() const {
  return static_cast<std::size_t>(
      std::count_if(partitions.begin(), partitions.end(), [](const auto& p) { return p.status == "succeeded"; }));
}
std::size_t BackfillReport::failed() const {
  return static_cast<std::size_t>(
      std::count_if(partitions.begin(), partitions.end(), [](const auto& p) { return p.status == "failed"; }));
}
std::size_t BackfillReport::skipped() const {
  return static_cast<std::size_t>(
      std::count_if(partitions.begin(), partitions.end(), [](const auto& p) { return p.status == "skipped"; }));
}

std::vector<std::string> partition_days(const std::string& start, const std::string& end) {
  const UtcTime first = day_start(start, "--start");
  const UtcTime last = day_start(end, "--end");
  if (last < first) throw Error(ErrorCode::invalid_argument, "--end: " + end + " is before --start " + start);
  const auto days = std::chrono::duration_cast<std::chrono::hours>(last - first).count() / 24 + 1;
  if (days > 3660)
    throw Error(ErrorCode::invalid_argument, "backfill: more than 3660 days from " + start + " to " + end);
  std::vector<std::string> out;
  for (UtcTime d = first; d <= last; d += std::chrono::hours(24)) out.push_back(format_iso8601(d, 0).substr(0, 10));
  return out;
}

std::string succeeded_run_of(const Config& config, const std::string& date, bool with_predict) {
  for (const ops::StepManifest& last : ops::manifests_of(config, "retry", date)) {
    if (!last.succeeded) continue;
    bool all = true;
    std::vector<std::string_view> steps(kSteps.begin(), kSteps.end());
    if (with_predict) steps.push_back("predict");
    for (std::string_view step : steps) {
      const auto path = ops::manifest_path(config, step, date, last.run_id);
      if (!std::filesystem::exists(path) || !ops::read_manifest(path).succeeded) {
        all = false;
        break;
      }
    }
    if (all) return last.run_id;
  }
  return {};
}

BackfillReport run_backfill(const Config& config, const BackfillOptions& options) {
  if (options.max_parallel < 1) throw Error(ErrorCode::invalid_argument, "--max-parallel: must be at least 1");
  BackfillReport report;
  const std::vector<std::string> days = partition_days(options.start, options.end);
  const std::string started = format_iso8601(utc_now(), 0);
  report.backfill_id = ops::make_run_id();
  report.summary =
      dataset_path(config, config.storage.layout.manifests) / "backfills" / report.backfill_id / "summary.json";
  make_directories(report.summary.parent_path());
  const bool with_predict = options.ais_files.empty();
  std::vector<std::size_t> to_run;
  for (const auto& day : days) {
    PartitionOutcome p;
    p.date = day;
    if (options.resume) {
      const std::string earlier = succeeded_run_of(config, day, with_predict);
      if (!earlier.empty()) {
        p.status = "skipped";
        p.run_id = earlier;
        spdlog::info("backfill {}: partition {} succeeded in run {}: skipped", report.backfill_id, day, earlier);
      }
    }
    if (p.status.empty()) to_run.push_back(report.partitions.size());
    report.partitions.push_back(std::move(p));
  }
  std::mutex mutex;
  auto write_summary = [&](bool finished) {
    write_file_atomic(report.summary, summary_json(report, options, started, finished).dump(2) + "\n");
  };
  write_summary(false);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < to_run.size(); i = next++) {
      PartitionOutcome outcome;
      {
        std::lock_guard lock(mutex);
        outcome.date = report.partitions[to_run[i]].date;
      }
      BatchRunOptions run;
      run.command = "backfill";
      run.partition = outcome.date;
      run.ais_files = options.ais_files;
      run.include_swir = options.include_swir;
      run.seed = options.seed;
      const UtcTime day = day_start(outcome.date, "partition");
      run.start = day;
      run.days = 1;
      if (!options.ais_files.empty()) run.ping_window = std::make_pair(day, day + std::chrono::hours(24));
      try {
        const BatchRunReport r = run_batch(config, run);
        outcome.run_id = r.run_id;
        outcome.written = r.written;
        outcome.failed_chips = r.failed;
        outcome.status = r.succeeded ? "succeeded" : "failed";
        if (r.error) {
          outcome.error = r.error->what();
          outcome.error_class = r.error->category();
          outcome.error_code = r.error->code();
        }
      } catch (const Error& e) {
        outcome.status = "failed";
        outcome.error = e.what();
        outcome.error_class = e.category();
        outcome.error_code = e.code();
      } catch (const std::exception& e) {
        outcome.status = "failed";
        outcome.error = e.what();
        outcome.error_class = ErrorCategory::permanent;
        outcome.error_code = ErrorCode::internal;
      }
      spdlog::info("backfill {}: partition {}: {} (run {})", report.backfill_id, outcome.date, outcome.status,
                   outcome.run_id);
      std::lock_guard lock(mutex);
      report.partitions[to_run[i]] = std::move(outcome);
      write_summary(false);
    }
  };
  const int threads = std::min<int>(options.max_parallel, static_cast<int>(std::max<std::size_t>(to_run.size(), 1)));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  write_summary(true);
  return report;
}

}  // namespace shipchips::pipeline
