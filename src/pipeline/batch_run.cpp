#include "pipeline/batch_run.hpp"

#include "dataset/chip_index.hpp"
#include "dataset/index_export.hpp"
#include "ops/job_store.hpp"
#include "pipeline/collect_ais.hpp"
#include "pipeline/predict.hpp"
#include "pipeline/recorded_commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace shipchips::pipeline {
namespace {

nlohmann::json args_of(const BatchRunOptions& o) {
  return {{"ais", o.ais_files},
          {"dry_run_ais", o.dry_run_ais},
          {"restrict_to_schedule", o.restrict_to_schedule},
          {"max_ships", o.max_ships},
          {"max_chips", o.max_chips},
          {"include_swir", o.include_swir},
          {"start", o.start ? nlohmann::json(format_iso8601(*o.start, 0)) : nlohmann::json(nullptr)},
          {"days", o.days},
          {"partition", o.partition}};
}

// The AIS each collect produced: the .xlsx written beside every .parquet snapshot (the chip
// step reads XLSX; both hold the same rows).
std::vector<std::filesystem::path> xlsx_of(const std::vector<std::filesystem::path>& snapshots) {
  std::vector<std::filesystem::path> out;
  for (auto p : snapshots) {
    p.replace_extension(".xlsx");
    out.push_back(p);
  }
  return out;
}

void step_collect(const Config& config, const BatchRunOptions& options, BatchRunReport& report, ops::StepManifest& m) {
  std::set<std::filesystem::path> inputs;
  std::size_t positions = 0;
  if (!options.ais_files.empty()) {
    for (const auto& f : options.ais_files) {
      m.inputs.push_back(ops::describe_file(f, dataset_root(config)));
      inputs.insert(std::filesystem::absolute(f).lexically_normal());
    }
    m.counts["mode"] = "files";
  } else if (options.dry_run_ais) {
    // Synthetic AIS around every planned window (the archive's scenes are in the past; the
    // windows of the planned days are the ones to simulate).
    const std::vector<plan::OverpassWindow> windows = plan::read_schedule(report.schedule);
    std::set<std::pair<UtcTime, UtcTime>> spans;
    for (const auto& w : windows) spans.insert({w.start, w.end});
    std::uint64_t seed = options.seed;
    for (const auto& [start, end] : spans) {
      CollectOptions c;
      c.dry_run = true;
      c.restrict_to_schedule = true;
      c.schedule = report.schedule;
      c.now = start;
      c.window_min = std::max(1.0, std::chrono::duration<double>(end - start).count() / 60.0);
      c.seed = seed++;
      c.once = true;
      const CollectReport r = collect_ais(config, c);
      positions += r.positions_inserted;
      for (const auto& x : xlsx_of(r.snapshots)) inputs.insert(x);
    }
    m.counts["mode"] = "synthetic";
    m.counts["windows_simulated"] = spans.size();
  } else {
    CollectOptions c;
    c.dry_run = false;
    c.restrict_to_schedule = options.restrict_to_schedule;
    c.schedule = report.schedule;
    c.once = true;
    c.window_min = 2.0 * config.satellite_tracking.overpass_window_minutes;
    c.api_key = options.api_key;
    const CollectReport r = collect_ais(config, c);
    positions += r.positions_inserted;
    for (const auto& x : xlsx_of(r.snapshots)) inputs.insert(x);
    m.counts["mode"] = "live";
    m.counts["ended"] = r.ended;
  }
  report.ais_inputs.assign(inputs.begin(), inputs.end());
  if (options.ais_files.empty()) {
    for (const auto& p : report.ais_inputs) m.outputs.push_back(ops::describe_file(p, dataset_root(config)));
  }
  m.counts["positions_inserted"] = positions;
  m.counts["ais_inputs"] = report.ais_inputs.size();
}

void step_chip(const Config& config, const BatchRunOptions& options, const std::string& run_id, BatchRunReport& report,
               ops::StepManifest& m) {
  std::size_t ships_left = options.max_ships;
  for (const auto& input : report.ais_inputs) {
    if (options.max_chips && report.written >= options.max_chips) break;
    if (options.max_ships && ships_left == 0) break;
    ChipRunOptions chip;
    chip.max_ships = ships_left;
    chip.max_chips = options.max_chips ? options.max_chips - report.written : 0;
    chip.include_swir = options.include_swir;
    chip.run_id = run_id;
    chip.ping_window = options.ping_window;
    const ChipFileReport r = chip_ais_file(input.string(), config, chip);
    m.inputs.push_back(ops::describe_file(input, dataset_root(config)));
    report.ships += r.run.ships;
    if (options.max_ships) ships_left -= std::min(ships_left, r.run.ships);
    report.chips_planned += r.run.chips_planned;
    report.written += r.run.written;
    report.skipped_existing += r.run.skipped_existing;
    report.failed += r.run.failed;
    for (const auto& [reason, n] : r.run.rejected) report.rejected += n;
    for (const auto& e : r.run.errors)
      if (report.errors.size() < 50) report.errors.push_back(e);
    if (!report.first_failure) report.first_failure = r.run.first_failure;
    for (std::size_t k = 0; k < kStageCount; ++k)
      m.durations_ms[std::string(to_string(static_cast<Stage>(k)))] += r.run.stage_ms[k];
  }
  m.counts = {{"ais_inputs", report.ais_inputs.size()},
              {"ships", report.ships},
              {"chips_planned", report.chips_planned},
              {"written", report.written},
              {"skipped_existing", report.skipped_existing},
              {"rejected", report.rejected},
              {"failed", report.failed}};
}

void step_index(const Config& config, BatchRunReport& report, ops::StepManifest& m) {
  // One snapshot of the chips table, exported and checked (another partition of a backfill may
  // add rows meanwhile; its own index step exports them).
  dataset::ChipIndex index(dataset_path(config, config.storage.db_path));
  const std::vector<dataset::ChipRecord> records = index.list();
  const dataset::ExportReport exported = dataset::export_indexes(records, dataset_root(config), config.storage.layout);
  report.index_rows = exported.rows;
  std::set<std::string> ids;
  std::size_t missing = 0;
  std::string first_missing;
  for (const auto& r : records) {
    ids.insert(r.chip_id);
    if (!std::filesystem::exists(dataset_path(config, r.path))) {
      if (missing++ == 0) first_missing = r.path;
    }
  }
  m.checks.push_back(
      {"rows_equal_chips", exported.rows == records.size(),
       std::to_string(exported.rows) + " rows exported, " + std::to_string(records.size()) + " chips indexed"});
  m.checks.push_back({"no_duplicate_chip_ids", ids.size() == records.size(),
                      std::to_string(records.size() - ids.size()) + " duplicate chip ids"});
  m.checks.push_back({"chip_files_present", missing == 0,
                      missing == 0 ? "every indexed chip's .tif exists"
                                   : std::to_string(missing) + " indexed chips without their .tif (first " +
                                         first_missing + "; shipchips index rebuild repairs the index)"});
  fill_export_manifest(exported, m);
}

}  // namespace

BatchRunReport run_batch(const Config& config, const BatchRunOptions& options) {
  BatchRunReport report;
  ops::require_free_space(config);  // before the store is created
  auto store = ops::open_job_store(config);
  ops::RunRecorder run(*store, config, options.command, args_of(options), options.partition);
  report.run_id = run.run_id();
  try {
    if (options.ais_files.empty()) {
      run.step("predict", [&](ops::StepManifest& m) {
        PredictRequest request;
        request.start = options.start;
        request.days = options.days;
        const PredictResult r = predict_overpasses(config, request);
        report.schedule = r.out;
        report.windows = r.windows.size();
        fill_predict_manifest(config, r, m);
      });
    }
    run.step("collect", [&](ops::StepManifest& m) { step_collect(config, options, report, m); });
    run.step("chip", [&](ops::StepManifest& m) { step_chip(config, options, report.run_id, report, m); });
    run.step("index", [&](ops::StepManifest& m) { step_index(config, report, m); });
    run.step("retry", [&](ops::StepManifest& m) {
      RetryPassOptions retry;
      retry.filter.limit = static_cast<std::size_t>(std::max(config.ops.retry_batch_limit, 1));
      retry.include_swir = options.include_swir;
      retry.run_id = report.run_id;
      report.retry = run_retry_pass(config, retry);
      m.counts = {{"due", report.retry.due},
                  {"written", report.retry.written},
                  {"failed", report.retry.failed},
                  {"unplannable", report.retry.unplannable},
                  {"reclaimed_leases", report.retry.reclaimed_leases}};
    });
    report.run_record = run.finish();
    report.succeeded = true;
  } catch (const Error& e) {
    report.error = e;
    report.run_record = run.finish(e);
  }
  report.steps = run.steps();
  return report;
}

}  // namespace shipchips::pipeline
