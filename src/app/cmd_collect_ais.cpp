// `shipchips collect-ais (--dry-run | --no-dry-run) [--restrict-to-schedule] [--schedule FILE]
//   [--window-min N] [--once] [--now TIME] [--seed N] [--ships N] [--json]`: AIS into the track
// store and per-tile/day snapshots (pipeline/collect_ais.hpp). One of --dry-run (synthetic,
// provider=synthetic) and --no-dry-run (aisstream.io) must be given: synthetic data is never
// what a run gets by default. SIGINT/SIGTERM end a live capture cleanly (queue drained,
// everything flushed, snapshots written). Recorded as a run with a collect step manifest
// (pipeline/recorded_commands.hpp).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/error.hpp"
#include "pipeline/recorded_commands.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>

namespace shipchips::app {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
}

class CollectAisCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    // Exactly one source: the synthetic one or aisstream.io.
    CLI::Option_group* source = sub.add_option_group("source", "Where the AIS comes from (exactly one)");
    source->add_flag("--dry-run", m_dry, "Synthetic AIS (realistic tracks, provider=synthetic); no network");
    source->add_flag("--no-dry-run", m_live, "Live AIS from aisstream.io (ais.endpoint; key AISSTREAM_API_KEY)");
    source->require_option(1);
    sub.add_flag("--restrict-to-schedule", m_restrict,
                 "Listen only to tiles with an open overpass window (else satellite_tracking.tiles)");
    sub.add_option("--schedule", m_schedule, "Overpass schedule CSV (default storage.layout.schedule)");
    sub.add_option("--window-min", m_window_min,
                   "Capture this many minutes, then flush and write snapshots (0: until stopped; dry run: 30)");
    sub.add_flag("--once", m_once, "End when no window is open instead of waiting for the next");
    sub.add_option("--now", m_now, "Dry run: the simulated start time (ISO 8601; default now)")
        ->check(iso8601_time)
        ->excludes(source->get_option("--no-dry-run"));
    sub.add_option("--seed", m_seed, "Dry run: random seed of the synthetic traffic");
    sub.add_option("--ships", m_ships, "Dry run: synthetic ships per area (default 12)")->check(CLI::Range(1, 10000));
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
  }

  int run(const GlobalOptions& global) override {
    const Config config = load_app_config(global);
    pipeline::CollectOptions options;
    options.dry_run = m_dry;
    options.restrict_to_schedule = m_restrict;
    options.once = m_once;
    options.window_min = m_window_min;
    options.schedule = m_schedule;
    options.seed = m_seed;
    options.synthetic_ships = m_ships;
    if (!m_now.empty()) {
      options.now = parse_iso8601(m_now);
    }
    if (m_live) {
      const char* key = std::getenv("AISSTREAM_API_KEY");
      options.api_key = key ? key : "";
    }
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    options.stop = &g_stop;

    const auto recorded = pipeline::collect_ais_recorded(config, options);
    const pipeline::CollectReport& r = recorded.result;
    if (m_json) {
      nlohmann::json snaps = nlohmann::json::array();
      for (const auto& p : r.snapshots) snaps.push_back(p.string());
      std::cout << nlohmann::json{{"run_id", recorded.run_id},
                                  {"mode", m_dry ? "dry-run" : "live"},
                                  {"tiles", r.tiles},
                                  {"positions_received", r.positions_received},
                                  {"positions_inserted", r.positions_inserted},
                                  {"static_received", r.static_received},
                                  {"error_frames", r.error_frames},
                                  {"reconnects", r.reconnects},
                                  {"snapshots", snaps},
                                  {"snapshot_rows", r.snapshot_rows},
                                  {"ended", r.ended}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "collect-ais (" << (m_dry ? "dry run, synthetic" : "live") << "): " << r.positions_received
                << " positions (" << r.positions_inserted << " new in the track store), " << r.static_received
                << " static reports; tiles " << (r.tiles.empty() ? std::string("none") : nlohmann::json(r.tiles).dump())
                << "; ended: " << r.ended << "\n";
      for (const auto& p : r.snapshots) std::cout << "  snapshot " << p.string() << " (+ .xlsx)\n";
    }
    return 0;
  }

 private:
  bool m_dry = false;
  bool m_live = false;
  bool m_restrict = false;
  bool m_once = false;
  std::string m_schedule;
  double m_window_min = 0;
  std::string m_now;
  std::uint64_t m_seed = 1;
  int m_ships = 12;
  bool m_json = false;
};

RegisterCommand reg{"collect-ais",
                    "Capture AIS (aisstream.io, or synthetic with --dry-run) into the track store and "
                    "per-tile/day snapshots",
                    [] { return std::make_unique<CollectAisCommand>(); }};

}  // namespace
}  // namespace shipchips::app
