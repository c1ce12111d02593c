// `shipchips fixture build`: writes the offline Sentinel-2 world (see fixture/world_build.hpp).
#include "app/command.hpp"
#include "core/error.hpp"
#include "fixture/world_build.hpp"

#include <unistd.h>
#include <iostream>
#include <nlohmann/json.hpp>

namespace {

class FixtureBuildCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--out", m_out, "Output folder (empty, missing, or an earlier world)")->required();
    sub.add_option("--tiles", m_tiles, "Sentinel-2 tiles, e.g. 30STF,31UFU (default: coastal sample tiles)")
        ->delimiter(',');
    sub.add_option("--scenes", m_options.scenes, "Number of scenes (cycle through the three baseline kinds)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    sub.add_option("--size", m_size, "small (2048 px crop), medium (5120 px) or full (10980 px tile)")
        ->capture_default_str()
        ->check(CLI::IsMember({"small", "medium", "full"}));
    sub.add_option("--seed", m_options.seed, "Random seed; the same seed builds the same world")->capture_default_str();
    sub.add_option("--ships-per-scene", m_options.ships_per_scene, "Ships placed in each scene")
        ->capture_default_str()
        ->check(CLI::Range(0, 200));
    sub.add_option("--threads", m_threads, "Worker threads (0: every core)")->capture_default_str();
    sub.add_flag("--json", m_json, "Print the build report as JSON");
  }

  int run(const shipchips::app::GlobalOptions&) override {
    using namespace shipchips::fixture;
    m_options.out_dir = m_out;
    m_options.tiles = m_tiles;
    m_options.size = parse_world_size(m_size);
    // A progress line on a terminal only; pipes and logs stay clean.
    WorldProgress progress;
    if (::isatty(STDERR_FILENO)) {
      progress = [](int done, int total, const std::string& what) {
        std::cerr << "\r[" << done << "/" << total << "] " << what << "\x1b[K" << (done == total ? "\n" : "")
                  << std::flush;
      };
    }
    const WorldBuildReport report = build_world(m_options, m_threads, progress);
    if (m_json) {
      nlohmann::json j{{"out", m_out},
                       {"scenes", report.scene_ids},
                       {"ships", report.ships},
                       {"ais_positions", report.pings},
                       {"seconds", report.seconds},
                       {"stage_seconds", report.stage_seconds}};
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "fixture world in " << m_out << ": " << report.scene_ids.size() << " scenes, " << report.ships
                << " ships, " << report.pings << " AIS positions (" << report.seconds << " s)\n";
      for (const auto& id : report.scene_ids) std::cout << "  " << id << "\n";
    }
    return 0;
  }

 private:
  std::string m_out;
  std::vector<std::string> m_tiles;
  std::string m_size = "small";
  int m_threads = 0;
  bool m_json = false;
  shipchips::fixture::WorldOptions m_options;
};

shipchips::app::RegisterCommand reg{"fixture build",
                                    "Build the offline Sentinel-2 world (STAC items, COGs, AIS, truth)",
                                    [] { return std::make_unique<FixtureBuildCommand>(); }};

}  // namespace
