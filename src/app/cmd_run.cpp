// `shipchips run`: the seed's end-to-end batch — predict → collect (or the given AIS files) →
// chip → index → retry pass — as one recorded run (pipeline/batch_run.hpp). Prints where every
// output is.
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/error.hpp"
#include "pipeline/batch_run.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>

namespace shipchips::app {
namespace {

class RunCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--ais", m_options.ais_files,
                   "AIS files to chip instead of planning and capturing (any format chip reads)")
        ->check(CLI::ExistingFile);
    auto* live = sub.add_flag("--no-dry-run-ais", m_live, "Capture real AIS from aisstream.io (key AISSTREAM_API_KEY)");
    sub.add_flag("--dry-run-ais", m_synthetic, "Synthetic AIS around each planned window (the default)")
        ->excludes(live);
    sub.add_flag("--restrict-to-schedule", m_options.restrict_to_schedule,
                 "Live capture only inside the predicted windows open now (their tiles' boxes)");
    sub.add_option("--max-ships", m_options.max_ships, "Ships to process over all AIS inputs (0: all)");
    sub.add_option("--max-chips", m_options.max_chips, "Chips to write at most over the run (0: no cap)");
    sub.add_flag("--include-swir", m_options.include_swir, "Add B11/B12 resampled onto the 10 m grid");
    sub.add_option("--start", m_start, "First planned day (YYYY-MM-DD, default today)");
    sub.add_option("--days", m_options.days, "Days to plan (default satellite_tracking.prediction_days)")
        ->check(CLI::Range(0, 60));
    sub.add_option("--seed", m_options.seed, "Seed of the synthetic AIS")->capture_default_str();
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const GlobalOptions& global) override {
    const Config config = load_app_config(global);
    pipeline::BatchRunOptions options = m_options;
    options.dry_run_ais = !m_live;
    if (!m_start.empty()) options.start = parse_iso8601(m_start);
    if (m_live) {
      const char* key = std::getenv("AISSTREAM_API_KEY");
      options.api_key = key ? key : "";
    }
    const pipeline::BatchRunReport r = pipeline::run_batch(config, options);
    print(r, config);
    if (r.error) throw *r.error;
    const std::size_t failures = r.failed;
    if (failures > 0) {
      throw Error(r.first_failure.value_or(ErrorCode::internal),
                  std::to_string(failures) + " chips failed (kept for ops-retry); first: " +
                      (r.errors.empty() ? std::string("?") : r.errors.front()));
    }
    return 0;
  }

 private:
  void print(const pipeline::BatchRunReport& r, const Config& config) const {
    const auto root = dataset_root(config);
    if (m_json) {
      nlohmann::json steps = nlohmann::json::array();
      for (const auto& s : r.steps)
        steps.push_back({{"step", s.step},
                         {"status", s.succeeded ? "succeeded" : "failed"},
                         {"manifest", s.manifest},
                         {"error", s.error}});
      nlohmann::json inputs = nlohmann::json::array();
      for (const auto& p : r.ais_inputs) inputs.push_back(p.string());
      std::cout << nlohmann::json{{"run_id", r.run_id},
                                  {"status", r.succeeded ? "succeeded" : "failed"},
                                  {"error", r.error ? nlohmann::json(r.error->what()) : nlohmann::json(nullptr)},
                                  {"schedule", r.schedule.string()},
                                  {"windows", r.windows},
                                  {"ais_inputs", inputs},
                                  {"ships", r.ships},
                                  {"chips_planned", r.chips_planned},
                                  {"written", r.written},
                                  {"skipped_existing", r.skipped_existing},
                                  {"rejected", r.rejected},
                                  {"failed", r.failed},
                                  {"errors", r.errors},
                                  {"index_rows", r.index_rows},
                                  {"retry_due", r.retry.due},
                                  {"retry_written", r.retry.written},
                                  {"steps", steps},
                                  {"dataset_root", root.string()},
                                  {"run_record", r.run_record.string()}}
                       .dump(2)
                << "\n";
      return;
    }
    std::cout << "run " << r.run_id << ": " << (r.succeeded ? "succeeded" : "failed") << "\n";
    for (const auto& s : r.steps) {
      std::cout << "  " << s.step << ": " << (s.succeeded ? "succeeded" : "failed: " + s.error)
                << (s.manifest.empty() ? "" : "  (" + (root / s.manifest).string() + ")") << "\n";
    }
    if (!r.schedule.empty()) std::cout << "schedule: " << r.schedule.string() << " (" << r.windows << " windows)\n";
    std::cout << "AIS inputs: " << r.ais_inputs.size() << "\n";
    for (const auto& p : r.ais_inputs) std::cout << "  " << p.string() << "\n";
    std::cout << "chips: " << r.written << " written, " << r.skipped_existing << " already present, " << r.rejected
              << " rejected, " << r.failed << " failed (" << r.ships << " ships, " << r.chips_planned << " planned)\n";
    for (const auto& e : r.errors) std::cout << "  failed: " << e << "\n";
    std::cout << "retry pass: " << r.retry.due << " due, " << r.retry.written << " written\n";
    std::cout << "dataset: " << root.string() << "\n";
    std::cout << "  index: " << dataset_path(config, config.storage.layout.tiles_index).string() << " (" << r.index_rows
              << " rows)\n";
    std::cout << "  job store: " << dataset_path(config, config.storage.db_path).string()
              << " (shipchips ops-status)\n";
    std::cout << "  run record: " << r.run_record.string() << "\n";
  }

  pipeline::BatchRunOptions m_options;
  bool m_live = false;
  bool m_synthetic = false;
  bool m_json = false;
  std::string m_start;
};

RegisterCommand reg{"run", "End-to-end batch: predict -> collect (or --ais files) -> chip -> index -> retry pass",
                    [] { return std::make_unique<RunCommand>(); }};

}  // namespace
}  // namespace shipchips::app
