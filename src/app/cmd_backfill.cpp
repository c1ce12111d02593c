// `shipchips backfill --start D --end D [--ais FILE...] [--max-parallel N] [--resume]`: the
// batch run once per UTC-day partition, resumable from its manifests (pipeline/backfill.hpp).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/error.hpp"
#include "pipeline/backfill.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace shipchips::app {
namespace {

class BackfillCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--start", m_options.start, "First UTC day (YYYY-MM-DD)")->required();
    sub.add_option("--end", m_options.end, "Last UTC day (YYYY-MM-DD), inclusive")->required();
    sub.add_option("--ais", m_options.ais_files, "AIS files: each partition chips their pings of its day")
        ->check(CLI::ExistingFile);
    sub.add_option("--max-parallel", m_options.max_parallel, "Partitions run at once")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    sub.add_flag("--resume", m_options.resume,
                 "Skip partitions whose manifests show success; run failed and missing ones");
    sub.add_flag("--include-swir", m_options.include_swir, "Add B11/B12 resampled onto the 10 m grid");
    sub.add_option("--seed", m_options.seed, "Seed of the synthetic AIS (without --ais)")->capture_default_str();
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const GlobalOptions& global) override {
    const Config config = load_app_config(global);
    const pipeline::BackfillReport r = pipeline::run_backfill(config, m_options);
    if (m_json) {
      nlohmann::json parts = nlohmann::json::array();
      for (const auto& p : r.partitions)
        parts.push_back({{"date", p.date}, {"status", p.status}, {"run_id", p.run_id}, {"error", p.error}});
      std::cout << nlohmann::json{{"backfill_id", r.backfill_id}, {"summary", r.summary.string()},
                                  {"succeeded", r.succeeded()},   {"failed", r.failed()},
                                  {"skipped", r.skipped()},       {"partitions", parts}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "backfill " << r.backfill_id << ": " << r.partitions.size() << " partitions, " << r.succeeded()
                << " succeeded, " << r.failed() << " failed, " << r.skipped() << " skipped (succeeded before)\n";
      for (const auto& p : r.partitions) {
        std::cout << "  " << p.date << " " << p.status << " run " << p.run_id;
        if (!p.error.empty()) std::cout << ": " << p.error;
        std::cout << "\n";
      }
      std::cout << "summary: " << r.summary.string() << "\n";
    }
    if (r.failed() > 0) {
      for (const auto& p : r.partitions) {
        if (p.status != "failed") continue;
        // The first failed partition's error decides the exit code (a retryable outage is not a
        // bad input); `backfill --resume` runs the failed partitions again.
        const ErrorCode code = p.error_code.value_or(ErrorCode::internal);
        throw Error(code, std::to_string(r.failed()) + " of " + std::to_string(r.partitions.size()) +
                              " partitions failed (rerun with --resume); first: " + p.date + ": " + p.error);
      }
    }
    return 0;
  }

 private:
  pipeline::BackfillOptions m_options;
  bool m_json = false;
};

RegisterCommand reg{"backfill", "The batch run per UTC-day partition from --start to --end, resumable (--resume)",
                    [] { return std::make_unique<BackfillCommand>(); }};

}  // namespace
}  // namespace shipchips::app
