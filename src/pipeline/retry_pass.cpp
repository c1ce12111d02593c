#include "pipeline/retry_pass.hpp"

#include "ops/job_store.hpp"
#include "ops/lease_owner.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>

namespace shipchips::pipeline {
namespace {

std::string source_of(const ops::ChipJob& job) {
  if (job.payload.empty()) return {};
  try {
    const auto payload = nlohmann::json::parse(job.payload);
    if (payload.is_object() && payload.contains("ais_source") && payload["ais_source"].is_string())
      return payload["ais_source"].get<std::string>();
  } catch (const nlohmann::json::exception&) {
  }
  return {};
}

}  // namespace

RetryPassReport run_retry_pass(const Config& config, const RetryPassOptions& options) {
  RetryPassReport report;
  std::unique_ptr<ops::JobStore> store = ops::open_job_store(config);
  report.reclaimed_leases = store->reap(ops::dead_owners(store->lease_owners())).size();
  const std::vector<ops::ChipJob> due = store->due(options.filter);
  report.due = due.size();
  std::map<std::string, std::set<std::string>> by_source;  // ais_source → chip ids
  std::map<std::string, int> attempts_before;
  for (const auto& job : due) {
    by_source[source_of(job)].insert(job.chip_id);
    attempts_before[job.chip_id] = job.attempts;
  }
  ops::Lease lease;
  lease.owner = ops::this_owner();
  lease.duration = ops::lease_duration(config.ops);
  lease.run_id = options.run_id;
  // Jobs nothing can replan: claimed and finished as contract failures that say why.
  auto unplannable = [&](const std::set<std::string>& ids, const std::string& why) {
    const std::vector<std::string> list(ids.begin(), ids.end());
    std::vector<ops::JobFinish> finishes;
    for (const auto& job : store->claim(list, lease)) {
      finishes.push_back({job.chip_id, ops::JobFinish::Kind::failed, why, ErrorCode::input_invalid});
      if (report.errors.size() < 50) report.errors.push_back(job.chip_id + ": " + why);
    }
    report.unplannable += store->finish(finishes, lease.owner);
    if (!finishes.empty() && !report.first_failure) report.first_failure = ErrorCode::input_invalid;
  };
  for (const auto& [source, ids] : by_source) {
    if (source.empty()) {
      unplannable(ids, "retry: the job records no AIS input to replan it from (made before inputs were recorded)");
      continue;
    }
    if (!std::filesystem::exists(source)) {
      unplannable(ids, "retry: its AIS input " + source + " is gone; restore it or rerun chip on a new input");
      continue;
    }
    ++report.sources;
    ChipRunOptions chip;
    chip.include_swir = options.include_swir;
    chip.retry_rejected = options.filter.error_class == ErrorCategory::permanent;
    chip.run_id = options.run_id;
    chip.ais_source = source;
    chip.only_chip_ids = ids;
    spdlog::info("retry: {} due chips from {}", ids.size(), source);
    const ChipFileReport result = chip_ais_file(source, config, chip);
    report.written += result.run.written;
    report.failed += result.run.failed;
    report.skipped_busy += result.run.skipped_busy;
    for (const auto& [reason, n] : result.run.rejected) report.rejected += n;
    for (const auto& e : result.run.errors)
      if (report.errors.size() < 50) report.errors.push_back(e);
    if (!report.first_failure) report.first_failure = result.run.first_failure;
    // The due jobs the input did not plan again (the ship or its scene is no longer found).
    std::set<std::string> missing;
    for (const auto& id : ids) {
      const auto job = store->get(id);
      if (job && job->attempts == attempts_before[id] && job->status != ops::JobStatus::done) missing.insert(id);
    }
    if (!missing.empty())
      unplannable(missing, "retry: " + source + " no longer yields this chip (its ship or scene is not found again)");
  }
  spdlog::info("retry pass: {} due, {} written, {} rejected, {} failed again, {} could not be replanned", report.due,
               report.written, report.rejected, report.failed, report.unplannable);
  return report;
}

}  // namespace shipchips::pipeline
