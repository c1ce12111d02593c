#pragma once
// The commands that change data but are not a batch `run` — chip, ops-retry, predict-overpasses, collect-ais,
// index rebuild / export, publish (and its rollback), publish-stac, prune, gc and ais import — each as a recorded
// run of one step (ops/run_recorder.hpp): a runs row, the step's manifest under
// storage.layout.manifests/<step>/date=/run=/ and the run record under storage.layout.runs. The
// CLI and the service call these, so a step recorded from either looks the same. A step's
// Error is recorded with its class, then rethrown.
//
// The manifest fillers are shared with the batch run's steps (pipeline/batch_run.cpp), so a
// predict step reads the same whether `run` or `predict-overpasses` ran it.

#include "ais/readers_csv.hpp"
#include "ais/track_store.hpp"
#include "core/config.hpp"
#include "dataset/index_export.hpp"
#include "dataset/index_rebuild.hpp"
#include "dataset/publish_pointer.hpp"
#include "dataset/stac_catalog.hpp"
#include "ops/gc.hpp"
#include "ops/run_manifest.hpp"
#include "ops/run_recorder.hpp"
#include "pipeline/chip_run.hpp"
#include "pipeline/collect_ais.hpp"
#include "pipeline/predict.hpp"
#include "pipeline/prune.hpp"
#include "pipeline/retry_pass.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace shipchips::pipeline {

template <class T>
struct Recorded {
  T result;
  std::string run_id;
  std::filesystem::path run_record;  // <dataset_root>/<storage.layout.runs>/<run_id>.json
};

// One step `step` of a recorded run of `command`; `work` gets the manifest to fill and the run
// id. Returns the run id and the run record's path.
struct RecordedRun {
  std::string run_id;
  std::filesystem::path run_record;
};
RecordedRun record_one_step(const Config& config, std::string_view command, nlohmann::json args, std::string_view step,
                            const std::function<void(ops::StepManifest&, const std::string& run_id)>& work,
                            ops::RunRecorder::Space space = ops::RunRecorder::Space::required);

// What a predict step read (element sets, ESA plans) and wrote (the schedule), with its counts.
void fill_predict_manifest(const Config& config, const PredictResult& result, ops::StepManifest& m);
// What an index step wrote, with its counts.
void fill_export_manifest(const dataset::ExportReport& report, ops::StepManifest& m);

// `shipchips chip`: one AIS file chipped as a run of its own (options.run_id is set here). The
// chips that failed are in the report (the command turns them into its error line).
Recorded<ChipFileReport> chip_recorded(const Config& config, const std::string& ais_path, ChipRunOptions options,
                                       const ais::ReadOptions& read = {});
// `shipchips ops-retry`: one retry pass (options.run_id is set here).
Recorded<RetryPassReport> retry_recorded(const Config& config, RetryPassOptions options);
Recorded<PredictResult> predict_recorded(const Config& config, const PredictRequest& request);
Recorded<CollectReport> collect_ais_recorded(const Config& config, const CollectOptions& options);
Recorded<dataset::RebuildReport> rebuild_index_recorded(const Config& config, const dataset::RebuildOptions& options);
Recorded<dataset::ExportReport> export_index_recorded(const Config& config);
// The version id is the run id (options.version_id and options.created are set here).
Recorded<dataset::PublishReport> publish_recorded(const Config& config, dataset::PublishOptions options);
Recorded<dataset::PublishedPointer> rollback_recorded(const Config& config);
Recorded<dataset::StacReport> publish_stac_recorded(const Config& config, const dataset::StacOptions& options);
Recorded<PruneReport> prune_recorded(const Config& config, const PruneOptions& options);
// gc starts whatever the free space (it is what frees it); its dry run is not recorded.
Recorded<ops::GcReport> gc_recorded(const Config& config, const ops::GcOptions& options);

// `shipchips ais import`: every file checked first (a misspelt name leaves no empty track store
// behind), then imported into the dataset's track store in turn; `progress(file, records)`
// reports the rows read so far.
struct AisImport {
  std::vector<ais::ImportReport> files;
  ais::TrackCounts store;  // the track store's totals afterwards
  std::filesystem::path store_path;
};
Recorded<AisImport> import_ais_recorded(const Config& config, const std::vector<std::string>& files, bool strict,
                                        const std::function<void(const std::string&, long)>& progress = {});

}  // namespace shipchips::pipeline
