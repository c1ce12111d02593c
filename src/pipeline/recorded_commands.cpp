#include "pipeline/recorded_commands.hpp"

#include "ais/track_store.hpp"
#include "core/atomic_file.hpp"
#include "core/input_file.hpp"
#include "dataset/dataset_manifest.hpp"
#include "ops/job_store.hpp"
#include "ops/run_recorder.hpp"

namespace shipchips::pipeline {
namespace {

// A file the step read or wrote: hashed when it is there, named only when it is not (an ESA
// plan the auto planner was pointed at but did not need may be absent).
ops::ManifestFile file_entry(const Config& config, const std::filesystem::path& given) {
  const std::filesystem::path path = std::filesystem::absolute(given);
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return ops::describe_file(path, dataset_root(config));
  return {path.string(), std::nullopt, ""};
}

// A path relative to the dataset root when inside it (not hashed: a database changes under
// every writer).
std::string rel_or_abs(const Config& config, const std::filesystem::path& path) {
  std::error_code ec;
  const auto rel = std::filesystem::relative(std::filesystem::absolute(path), dataset_root(config), ec);
  return ec || rel.empty() || *rel.begin() == ".." ? path.string() : rel.generic_string();
}

template <class T, class F>
Recorded<T> one_step(const Config& config, std::string_view command, nlohmann::json args, std::string_view step,
                     F&& work, ops::RunRecorder::Space space = ops::RunRecorder::Space::required) {
  Recorded<T> out;
  const RecordedRun run = record_one_step(
      config, command, std::move(args), step,
      [&](ops::StepManifest& m, const std::string& run_id) { out.result = work(m, run_id); }, space);
  out.run_id = run.run_id;
  out.run_record = run.run_record;
  return out;
}

}  // namespace

RecordedRun record_one_step(const Config& config, std::string_view command, nlohmann::json args, std::string_view step,
                            const std::function<void(ops::StepManifest&, const std::string& run_id)>& work,
                            ops::RunRecorder::Space space) {
  if (space == ops::RunRecorder::Space::required) ops::require_free_space(config);  // before the store is created
  auto store = ops::open_job_store(config);
  ops::RunRecorder run(*store, config, std::string(command), std::move(args), {}, space);
  RecordedRun out;
  out.run_id = run.run_id();
  try {
    run.step(step, [&](ops::StepManifest& m) { work(m, out.run_id); });
  } catch (const Error& e) {
    run.finish(e);
    throw;
  }
  out.run_record = run.finish();
  return out;
}

void fill_predict_manifest(const Config& config, const PredictResult& r, ops::StepManifest& m) {
  for (const auto& source : r.sources) m.inputs.push_back(file_entry(config, source));
  m.outputs.push_back(file_entry(config, r.out));
  m.counts = {{"mode", r.mode}, {"windows", r.windows.size()}, {"tiles", r.tiles}, {"days", r.days}};
}

void fill_export_manifest(const dataset::ExportReport& report, ops::StepManifest& m) {
  for (const auto& f : report.written) m.outputs.push_back({f, std::nullopt, ""});
  m.counts["rows"] = report.rows;
  m.counts["written"] = report.written.size();
  m.counts["unchanged"] = report.unchanged.size();
  m.counts["removed"] = report.removed.size();
}

Recorded<ChipFileReport> chip_recorded(const Config& config, const std::string& ais_path, ChipRunOptions options,
                                       const ais::ReadOptions& read) {
  nlohmann::json args = {{"ais", ais_path},
                         {"max_ships", options.max_ships},
                         {"max_chips", options.max_chips},
                         {"include_swir", options.include_swir},
                         {"retry_rejected", options.retry_rejected}};
  return one_step<ChipFileReport>(
      config, "chip", std::move(args), "chip", [&](ops::StepManifest& m, const std::string& run_id) {
        options.run_id = run_id;
        ChipFileReport result = chip_ais_file(ais_path, config, options, read);
        m.inputs.push_back(ops::describe_file(ais_path));
        m.counts = {{"ais_rows", result.read.records}, {"bad_rows", result.read.bad_rows},
                    {"ships", result.run.ships},       {"chips_planned", result.run.chips_planned},
                    {"written", result.run.written},   {"skipped_existing", result.run.skipped_existing},
                    {"failed", result.run.failed},     {"skipped_busy", result.run.skipped_busy}};
        std::size_t rejected = 0;
        for (const auto& [reason, n] : result.run.rejected) rejected += n;
        m.counts["rejected"] = rejected;
        for (std::size_t k = 0; k < kStageCount; ++k)
          m.durations_ms[std::string(to_string(static_cast<Stage>(k)))] = result.run.stage_ms[k];
        return result;
      });
}

Recorded<RetryPassReport> retry_recorded(const Config& config, RetryPassOptions options) {
  nlohmann::json args{
      {"limit", options.filter.limit},
      {"class", options.filter.error_class ? nlohmann::json(std::string(to_string(*options.filter.error_class)))
                                           : nlohmann::json("")},
      {"force", options.filter.force},
      {"include_swir", options.include_swir}};
  return one_step<RetryPassReport>(config, "ops-retry", std::move(args), "retry",
                                   [&](ops::StepManifest& m, const std::string& run_id) {
                                     options.run_id = run_id;
                                     RetryPassReport report = run_retry_pass(config, options);
                                     m.counts = {{"due", report.due},
                                                 {"written", report.written},
                                                 {"rejected", report.rejected},
                                                 {"failed", report.failed},
                                                 {"unplannable", report.unplannable},
                                                 {"sources", report.sources},
                                                 {"reclaimed_leases", report.reclaimed_leases},
                                                 {"skipped_busy", report.skipped_busy}};
                                     return report;
                                   });
}

Recorded<PredictResult> predict_recorded(const Config& config, const PredictRequest& request) {
  nlohmann::json args = {{"mode", request.mode},
                         {"esa_kml", request.esa_kml},
                         {"esa_csv", request.esa_csv},
                         {"tle", request.tle},
                         {"tiles", request.tiles},
                         {"satellites", request.satellites},
                         {"start", request.start ? nlohmann::json(format_iso8601(*request.start, 0)) : nullptr},
                         {"days", request.days},
                         {"out", request.out.string()}};
  return one_step<PredictResult>(config, "predict-overpasses", std::move(args), "predict",
                                 [&](ops::StepManifest& m, const std::string&) {
                                   PredictResult r = predict_overpasses(config, request);
                                   fill_predict_manifest(config, r, m);
                                   return r;
                                 });
}

Recorded<CollectReport> collect_ais_recorded(const Config& config, const CollectOptions& options) {
  // The API key is never part of the recorded arguments.
  nlohmann::json args = {{"dry_run", options.dry_run},
                         {"restrict_to_schedule", options.restrict_to_schedule},
                         {"once", options.once},
                         {"window_min", options.window_min},
                         {"schedule", options.schedule.string()},
                         {"now", options.now ? nlohmann::json(format_iso8601(*options.now, 0)) : nullptr},
                         {"seed", options.seed},
                         {"ships", options.synthetic_ships}};
  return one_step<CollectReport>(
      config, "collect-ais", std::move(args), "collect", [&](ops::StepManifest& m, const std::string&) {
        if (options.restrict_to_schedule) {
          const auto schedule = options.schedule.empty() ? dataset_path(config, config.storage.layout.schedule)
                                                         : std::filesystem::path(options.schedule);
          m.inputs.push_back(file_entry(config, schedule));
        }
        CollectReport r = collect_ais(config, options);
        for (auto p : r.snapshots) {
          m.outputs.push_back(file_entry(config, p));
          m.outputs.push_back(file_entry(config, p.replace_extension(".xlsx")));
        }
        m.counts = {{"mode", options.dry_run ? "synthetic" : "live"},
                    {"tiles", r.tiles.size()},
                    {"positions_received", r.positions_received},
                    {"positions_inserted", r.positions_inserted},
                    {"static_received", r.static_received},
                    {"error_frames", r.error_frames},
                    {"reconnects", r.reconnects},
                    {"snapshot_rows", r.snapshot_rows},
                    {"ended", r.ended}};
        return r;
      });
}

Recorded<dataset::RebuildReport> rebuild_index_recorded(const Config& config, const dataset::RebuildOptions& options) {
  dataset::require_chips_folder(config);  // a wrong dataset_root gets no run records either
  return one_step<dataset::RebuildReport>(config, "index rebuild", {{"strict", options.strict}}, "index",
                                          [&](ops::StepManifest& m, const std::string&) {
                                            dataset::RebuildReport r = dataset::rebuild_index(config, options);
                                            fill_export_manifest(r.exports, m);
                                            m.counts["sidecars"] = r.sidecars;
                                            m.counts["indexed"] = r.indexed;
                                            m.counts["inserted"] = r.inserted;
                                            m.counts["updated"] = r.updated;
                                            m.counts["unchanged_rows"] = r.unchanged;
                                            m.counts["removed_rows"] = r.removed;
                                            m.counts["issues"] = r.issues.size();
                                            return r;
                                          });
}

Recorded<dataset::ExportReport> export_index_recorded(const Config& config) {
  dataset::require_chip_index(config);  // nothing to export from: refused before a run starts
  return one_step<dataset::ExportReport>(config, "index export", nlohmann::json::object(), "index",
                                         [&](ops::StepManifest& m, const std::string&) {
                                           dataset::ExportReport r = dataset::export_from_database(config);
                                           fill_export_manifest(r, m);
                                           return r;
                                         });
}

Recorded<dataset::PublishReport> publish_recorded(const Config& config, dataset::PublishOptions options) {
  nlohmann::json args = {{"sample_limit", options.sample_limit}, {"out_manifest", options.out_manifest.string()}};
  return one_step<dataset::PublishReport>(
      config, "publish", std::move(args), "publish", [&](ops::StepManifest& m, const std::string& run_id) {
        options.version_id = run_id;
        options.created = utc_now();
        const std::vector<dataset::ChipRecord> records = dataset::load_index_records(config);
        dataset::PublishReport r = dataset::publish_dataset(records, config, options);
        m.outputs.push_back(file_entry(config, r.out_manifest));
        m.outputs.push_back(file_entry(config, dataset::current_pointer_path(dataset_root(config))));
        m.counts = {{"version_id", r.pointer.version_id},
                    {"chips", r.pointer.chips},
                    {"files", r.file_count},
                    {"bytes", r.total_bytes}};
        return r;
      });
}

Recorded<dataset::PublishedPointer> rollback_recorded(const Config& config) {
  return one_step<dataset::PublishedPointer>(
      config, "publish --rollback", nlohmann::json::object(), "rollback",
      [&](ops::StepManifest& m, const std::string&) {
        const std::optional<dataset::PublishedPointer> before = dataset::read_current_pointer(dataset_root(config));
        dataset::PublishedPointer p =
            dataset::rollback_published(dataset_root(config), config.storage.layout.manifests);
        m.outputs.push_back(file_entry(config, dataset::current_pointer_path(dataset_root(config))));
        m.counts = {{"from_version", before ? nlohmann::json(before->version_id) : nlohmann::json(nullptr)},
                    {"to_version", p.version_id},
                    {"chips", p.chips}};
        return p;
      });
}

Recorded<dataset::StacReport> publish_stac_recorded(const Config& config, const dataset::StacOptions& options) {
  nlohmann::json args = {{"out_dir", options.out_dir.string()},
                         {"base_url", options.base_url ? nlohmann::json(*options.base_url) : nullptr}};
  return one_step<dataset::StacReport>(
      config, "publish-stac", std::move(args), "publish-stac", [&](ops::StepManifest& m, const std::string&) {
        const std::vector<dataset::ChipRecord> records = dataset::load_index_records(config);
        dataset::StacReport r =
            dataset::write_stac_catalog(records, dataset_root(config), config.storage.layout.chips, options);
        m.outputs.push_back(file_entry(config, r.out_dir / "catalog.json"));
        m.counts = {{"items", r.items}, {"files", r.files}, {"changed", r.changed}};
        return r;
      });
}

Recorded<PruneReport> prune_recorded(const Config& config, const PruneOptions& options) {
  nlohmann::json args = {{"time_tol_min", options.time_tol_min}, {"dist_tol_m", options.dist_tol_m}};
  return one_step<PruneReport>(config, "prune", std::move(args), "prune",
                               [&](ops::StepManifest& m, const std::string&) {
                                 PruneReport r = prune_chips(config, options);
                                 m.counts = {{"chips", r.chips},
                                             {"kept", r.kept},
                                             {"pruned", r.pruned.size()},
                                             {"unverifiable", r.unverifiable},
                                             {"files_removed", r.files_removed}};
                                 return r;
                               });
}

Recorded<ops::GcReport> gc_recorded(const Config& config, const ops::GcOptions& options) {
  nlohmann::json args = {{"cache_ttl_days", options.ttl_days}, {"watermark", options.watermark}};
  return one_step<ops::GcReport>(
      config, "gc", std::move(args), "gc",
      [&](ops::StepManifest& m, const std::string&) {
        ops::GcReport r = ops::run_gc(config, options);
        std::uintmax_t bytes = 0;
        for (const auto& c : r.deleted) {
          bytes += c.bytes;
          m.outputs.push_back({c.path.string(), c.bytes, ""});  // deleted: named with their size
        }
        m.counts = {{"candidates", r.candidates},   {"deleted", r.deleted.size()},
                    {"bytes_deleted", bytes},       {"usage_before", r.usage_before},
                    {"usage_after", r.usage_after}, {"below_watermark", r.below_watermark}};
        return r;
      },
      ops::RunRecorder::Space::not_required);
}

Recorded<AisImport> import_ais_recorded(const Config& config, const std::vector<std::string>& files, bool strict,
                                        const std::function<void(const std::string&, long)>& progress) {
  for (const std::string& file : files) check_input_file(file, "AIS file");
  return one_step<AisImport>(config, "ais import", {{"files", files}, {"strict", strict}}, "import",
                             [&](ops::StepManifest& m, const std::string&) {
                               AisImport out;
                               out.store_path = track_store_path(config);
                               make_directories(out.store_path.parent_path());
                               ais::TrackStore store(out.store_path.string());
                               std::size_t positions = 0, duplicates = 0, statics = 0;
                               long bad_rows = 0;
                               for (const std::string& file : files) {
                                 m.inputs.push_back(file_entry(config, file));
                                 ais::ReadOptions options;
                                 options.strict = strict;
                                 options.progress_every = 20000;
                                 if (progress) options.progress = [&](long records) { progress(file, records); };
                                 out.files.push_back(ais::import_ais_file(file, store, options));
                                 positions += out.files.back().positions.inserted;
                                 duplicates += out.files.back().positions.duplicates;
                                 statics += out.files.back().statics.inserted;
                                 bad_rows += out.files.back().read.bad_rows;
                               }
                               out.store = store.counts();
                               m.outputs.push_back({rel_or_abs(config, out.store_path), std::nullopt, ""});
                               m.counts = {{"files", files.size()},         {"positions_inserted", positions},
                                           {"duplicates", duplicates},      {"static_inserted", statics},
                                           {"bad_rows", bad_rows},          {"store_positions", out.store.positions},
                                           {"store_ships", out.store.ships}};
                               return out;
                             });
}

}  // namespace shipchips::pipeline
