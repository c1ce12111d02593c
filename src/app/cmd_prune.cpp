// shipchips prune --time-tol-min M --dist-tol-m D [--dry-run] [--json]: drop the chips the AIS in
// the track store does not support (pipeline/prune.hpp), recorded as a run
// (pipeline/recorded_commands.hpp).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "pipeline/recorded_commands.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace {

using namespace shipchips;

class PruneCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--time-tol-min", m_options.time_tol_min, "Keep chips whose nearest ping is this close in time")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 100000.0));
    sub.add_option("--dist-tol-m", m_options.dist_tol_m,
                   "Keep chips whose ship, interpolated to sensing time, is this close to the centre")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1e7));
    sub.add_flag("--dry-run", m_options.dry_run, "List what would be pruned; change nothing");
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const app::GlobalOptions& global) override {
    const Config config = app::load_app_config(global);
    std::string run_id;
    pipeline::PruneReport r;
    if (m_options.dry_run) {
      r = pipeline::prune_chips(config, m_options);
    } else {
      auto recorded = pipeline::prune_recorded(config, m_options);
      r = std::move(recorded.result);
      run_id = recorded.run_id;
    }
    if (m_json) {
      nlohmann::json pruned = nlohmann::json::array();
      for (const auto& p : r.pruned) {
        pruned.push_back({{"chip_id", p.chip_id},
                          {"mmsi", p.mmsi},
                          {"scene_id", p.scene_id},
                          {"reason", p.reason},
                          {"dt_nearest_s", p.dt_nearest_s ? nlohmann::json(*p.dt_nearest_s) : nlohmann::json(nullptr)},
                          {"distance_m", p.distance_m ? nlohmann::json(*p.distance_m) : nlohmann::json(nullptr)}});
      }
      std::cout << nlohmann::json{{"dry_run", m_options.dry_run},
                                  {"run_id", run_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(run_id)},
                                  {"chips", r.chips},
                                  {"kept", r.kept},
                                  {"unverifiable", r.unverifiable},
                                  {"pruned", pruned},
                                  {"files_removed", r.files_removed},
                                  {"resumed_journal", r.resumed_journal}}
                       .dump(2)
                << "\n";
      return 0;
    }
    std::printf("prune%s: %zu chips, %zu kept (%zu without any ping in the track store: kept unverified), %zu %s\n",
                m_options.dry_run ? " (dry run)" : "", r.chips, r.kept, r.unverifiable, r.pruned.size(),
                m_options.dry_run ? "would be pruned" : "pruned");
    for (const auto& p : r.pruned)
      std::printf("  %s mmsi %lld %s: %s\n", p.chip_id.c_str(), static_cast<long long>(p.mmsi), p.scene_id.c_str(),
                  p.reason.c_str());
    return 0;
  }

 private:
  pipeline::PruneOptions m_options;
  bool m_json = false;
};

app::RegisterCommand reg{"prune", "Drop chips the AIS track does not put within the time and distance tolerances",
                         [] { return std::make_unique<PruneCommand>(); }};

}  // namespace
