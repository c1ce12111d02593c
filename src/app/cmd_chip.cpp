// `shipchips chip --ais FILE`: the seed's "chip from AIS file" — every ship of an AIS file
// (upload CSV, DMA, MarineCadastre or NMEA) chipped on the scenes that imaged it, centred on
// where it was at each scene's sensing time (see pipeline/chip_run.hpp).
#include "ais/readers_csv.hpp"
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/error.hpp"
#include "ops/job_store.hpp"
#include "pipeline/chip_run.hpp"
#include "pipeline/recorded_commands.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace shipchips::app {
namespace {

class ChipCommand : public Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--ais", m_ais,
                   "AIS file: upload CSV or XLSX (mmsi, lat, lon, overpass_time), DMA, MarineCadastre, NMEA")
        ->required();
    sub.add_option("--max-ships", m_options.max_ships, "Ships to process (0: all)");
    sub.add_option("--max-chips", m_options.max_chips, "Chips to write at most (0: no cap)");
    sub.add_flag("--include-swir", m_options.include_swir, "Add B11/B12 resampled onto the 10 m grid");
    sub.add_flag("--retry-rejected", m_options.retry_rejected,
                 "Evaluate again chips rejected in earlier runs (e.g. after changing gate thresholds)");
    sub.add_flag("--strict", m_strict, "A bad AIS row is fatal");
    sub.add_flag("--json", m_json, "Print the summary as JSON");
  }

  int run(const GlobalOptions& global) override {
    const Config config = load_app_config(global);
    ais::ReadOptions read_options;
    read_options.strict = m_strict;
    // The chip step as a run of its own (run_id on every job it claims, a manifest, a run record).
    const pipeline::ChipFileReport result = pipeline::chip_recorded(config, m_ais, m_options, read_options).result;
    print(result.read, result.run, config);
    const pipeline::ChipRunReport& r = result.run;
    if (r.failed > 0) {
      // One error line with the first failure's code (so its exit code and category): the
      // summary above lists them, the job store's chip_jobs keeps every one for ops-retry.
      throw Error(r.first_failure.value_or(ErrorCode::internal),
                  std::to_string(r.failed) + " of " + std::to_string(r.chips_planned) +
                      " chips failed; first: " + (r.errors.empty() ? std::string("?") : r.errors.front()));
    }
    return 0;
  }

 private:
  void print(const ais::ReadReport& read, const pipeline::ChipRunReport& r, const Config& config) const {
    if (m_json) {
      nlohmann::json out{{"ais_rows", read.records},
                         {"bad_rows", read.bad_rows},
                         {"ships", r.ships},
                         {"pings", r.pings},
                         {"chips_planned", r.chips_planned},
                         {"written", r.written},
                         {"skipped_existing", r.skipped_existing},
                         {"skipped_rejected", r.skipped_rejected},
                         {"failed", r.failed},
                         {"skipped_busy", r.skipped_busy},
                         {"reclaimed_leases", r.reclaimed_leases},
                         {"rejected", r.rejected},
                         {"no_scene_pings", r.no_scene},
                         {"stac_searches", r.stac_searches},
                         {"cog_opens", r.cog_opens},
                         {"prefetched_blocks", r.prefetched_blocks},
                         {"workers", r.workers},
                         {"readers", r.readers},
                         {"errors", r.errors},
                         {"dataset_root", dataset_root(config).string()}};
      nlohmann::json ships = nlohmann::json::array();
      for (const auto& o : r.ship_outcomes) {
        ships.push_back({{"mmsi", o.mmsi},
                         {"first_ping", format_iso8601(o.first_ping, 6)},
                         {"last_ping", format_iso8601(o.last_ping, 6)},
                         {"pings", o.pings},
                         {"outcome", ops::to_string(o.kind)},
                         {"reason", o.reason},
                         {"chips", o.chips}});
      }
      out["ship_outcomes"] = std::move(ships);
      nlohmann::json stages = nlohmann::json::object();
      for (std::size_t k = 0; k < kStageCount; ++k)
        stages[std::string(to_string(static_cast<Stage>(k)))] = std::round(r.stage_ms[k] * 10.0) / 10.0;
      out["stage_ms"] = std::move(stages);
      std::cout << out.dump(2) << "\n";
      return;
    }
    std::printf("AIS: %ld rows (%ld bad) from %s, %zu ships, %zu pings\n", read.records, read.bad_rows, m_ais.c_str(),
                r.ships, r.pings);
    std::printf(
        "scenes: %d STAC searches, %zu (ship, scene) chips planned, %zu COG opens, %zu blocks prefetched, "
        "%zu workers, %zu readers\n",
        r.stac_searches, r.chips_planned, r.cog_opens, r.prefetched_blocks, r.workers, r.readers);
    for (const auto& [reason, count] : r.no_scene)
      std::printf("  pings without a scene: %s: %zu\n", reason.c_str(), count);
    std::printf("chips: %zu written, %zu already present, %zu rejected earlier, %zu failed", r.written,
                r.skipped_existing, r.skipped_rejected, r.failed);
    if (r.skipped_busy) std::printf(", %zu being made by another worker", r.skipped_busy);
    if (r.reclaimed_leases) std::printf(" (%zu stale leases reclaimed first)", r.reclaimed_leases);
    std::printf("\n");
    for (const auto& [reason, count] : r.rejected) std::printf("  rejected: %s: %zu\n", reason.c_str(), count);
    for (const auto& error : r.errors) std::printf("  failed: %s\n", error.c_str());
    std::map<std::string, std::size_t> kinds;
    for (const auto& o : r.ship_outcomes) ++kinds[std::string(ops::to_string(o.kind))];
    std::printf("ships:");
    for (const auto& [kind, count] : kinds) std::printf(" %zu %s", count, kind.c_str());
    std::printf(" (each ship's outcome and reason: --json, or shipchips ops-status)\n");
    std::printf("time by stage (ms; CPU, fetch_wait and search wall):");
    for (std::size_t k = 0; k < kStageCount; ++k)
      std::printf(" %s %.0f", std::string(to_string(static_cast<Stage>(k))).c_str(), r.stage_ms[k]);
    std::printf("\n");
    std::printf("outputs: %s (chips/, indexes/tiles.parquet, indexes/tiles_YYYYMMDD.geojson)\n",
                dataset_root(config).string().c_str());
    for (const auto& problem : read.problems) std::fprintf(stderr, "skipped: %s\n", problem.c_str());
  }

  std::string m_ais;
  pipeline::ChipRunOptions m_options;
  bool m_strict = false;
  bool m_json = false;
};

RegisterCommand reg{"chip", "Chip every ship of an AIS file on the Sentinel-2 scenes that imaged it",
                    [] { return std::make_unique<ChipCommand>(); }};

}  // namespace
}  // namespace shipchips::app
