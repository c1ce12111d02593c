// The parallel chip step (tiling.workers > 1) against the sequential one (workers = 1) on the
// fixture world over loopback: the same chips, the same GeoTIFF pixels (read back by GDAL), the
// same sidecars except their `created` time, the same job outcomes — and blocks shared by the
// chips of a scene fetched once (the COG bytes served stay near the bytes of the blocks).
#include "ais/readers_csv.hpp"
#include "core/config.hpp"
#include "fixture/server_fixture.hpp"
#include "fixture/world_build.hpp"
#include "ops/ship_outcomes.hpp"
#include "ops/sqlite_job_store.hpp"
#include "pipeline/chip_run.hpp"
#include "stac/from_config.hpp"
#include "stac/search.hpp"

#include <gdal_priv.h>
#include "../support/temp_dir.hpp"
#include "../support/world_tracks.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace shipchips;

namespace {

struct RunResult {
  pipeline::ChipRunReport report;
  std::map<std::string, fs::path> tifs;  // path relative to the dataset root → absolute
  std::map<std::string, nlohmann::json> sidecars;
  std::map<std::string, std::string> job_status;  // chip_id → status
};

RunResult run(const fs::path& world, const std::string& endpoint, const fs::path& root, int workers) {
  const auto tracks = shipchips::testing::world_tracks(world);

  Config config;
  config.storage.dataset_root = root.string();
  config.stac.endpoint = endpoint;
  config.tiling.workers = workers;
  stac::StacClient client(config.stac.endpoint, stac::http_options_from(config.stac));
  RunResult out;
  out.report = pipeline::run_chipping(tracks, client, config, {});
  for (const auto& e : fs::recursive_directory_iterator(root / "chips")) {
    const std::string rel = fs::relative(e.path(), root).string();
    if (e.path().extension() == ".tif") out.tifs[rel] = e.path();
    if (e.path().extension() == ".json") {
      std::ifstream in(e.path());
      auto j = nlohmann::json::parse(in);
      EXPECT_TRUE(j.contains("created")) << rel;
      j.erase("created");
      out.sidecars[rel] = j;
    }
  }
  ops::SqliteJobStore jobs(dataset_path(config, config.storage.db_path));
  for (const auto& job : jobs.list())
    out.job_status[job.chip_id] = std::string(ops::to_string(job.status)) + " " + job.error;
  return out;
}

// Every band of a GeoTIFF as float32, NaN kept as read.
std::vector<std::vector<float>> pixels(const fs::path& tif) {
  std::unique_ptr<GDALDataset> ds(static_cast<GDALDataset*>(GDALOpen(tif.c_str(), GA_ReadOnly)));
  if (!ds) throw std::runtime_error("cannot open " + tif.string());
  std::vector<std::vector<float>> bands;
  const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
  for (int b = 1; b <= ds->GetRasterCount(); ++b) {
    std::vector<float> v(static_cast<std::size_t>(w) * h);
    if (ds->GetRasterBand(b)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, GDT_Float32, 0, 0, nullptr) != CE_None)
      throw std::runtime_error("cannot read " + tif.string());
    bands.push_back(std::move(v));
  }
  return bands;
}

}  // namespace

TEST(PipelineChipRun, ParallelRunEqualsSequentialRun) {
  shipchips::testing::TempDir tmp("shipchips-chip-run-test");
  fixture::WorldOptions wo;
  wo.out_dir = tmp.path / "world";
  wo.scenes = 3;
  wo.seed = 21;
  wo.ships_per_scene = 8;
  const auto built = fixture::build_world(wo);
  std::printf("world built in %.1f s\n", built.seconds);
  fixture::FixtureServerOptions so;
  so.dir = wo.out_dir;
  fixture::FixtureServer server(so);
  server.start();

  auto t0 = std::chrono::steady_clock::now();
  const RunResult one = run(wo.out_dir, server.base_url(), tmp.path / "ds1", 1);
  server.reset_stats();
  const RunResult two = run(wo.out_dir, server.base_url(), tmp.path / "ds2", 2);
  const auto stats = server.stats();
  std::printf("two runs in %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  EXPECT_EQ(one.report.workers, 1u);
  EXPECT_EQ(two.report.workers, 2u);
  EXPECT_EQ(one.report.failed, 0u) << (one.report.errors.empty() ? "" : one.report.errors.front());
  EXPECT_EQ(two.report.failed, 0u) << (two.report.errors.empty() ? "" : two.report.errors.front());
  ASSERT_GE(one.report.written, 5u);
  EXPECT_EQ(one.report.written, two.report.written);
  EXPECT_EQ(one.report.rejected, two.report.rejected);
  EXPECT_EQ(one.report.chips_planned, two.report.chips_planned);
  // Each COG opened once per run, whichever worker reads its scene: at most 3 scenes × (B02 B03
  // B04 B08 SCL), and as often as with one worker.
  EXPECT_EQ(two.report.cog_opens, one.report.cog_opens);
  EXPECT_LE(two.report.cog_opens, 15u);
  EXPECT_EQ(two.report.cog_opens % 5, 0u);
  EXPECT_GT(two.report.prefetched_blocks, 0u);

  ASSERT_EQ(one.tifs.size(), one.report.written);
  ASSERT_EQ(one.sidecars.size(), two.sidecars.size());
  for (const auto& [rel, j] : one.sidecars) {
    auto it = two.sidecars.find(rel);
    ASSERT_NE(it, two.sidecars.end()) << rel;
    EXPECT_EQ(j, it->second) << rel;
  }
  ASSERT_EQ(one.tifs.size(), two.tifs.size());
  for (const auto& [rel, path] : one.tifs) {
    auto it = two.tifs.find(rel);
    ASSERT_NE(it, two.tifs.end()) << rel;
    const auto a = pixels(path), b = pixels(it->second);
    ASSERT_EQ(a.size(), 4u) << rel;
    ASSERT_EQ(a.size(), b.size()) << rel;
    for (std::size_t band = 0; band < a.size(); ++band) {
      // Bit-identical, NaN included.
      EXPECT_EQ(0, std::memcmp(a[band].data(), b[band].data(), a[band].size() * sizeof(float)))
          << rel << " band " << band;
    }
  }
  EXPECT_EQ(one.job_status, two.job_status);

  // The parallel run's COG traffic: per scene and band one header read, then the blocks.
  std::uint64_t cog_requests = 0;
  for (const auto& [path, n] : stats.per_path)
    if (path.find("/cogs/") != std::string::npos) cog_requests += n;
  EXPECT_LE(cog_requests, 15u * 2u + 15u * 4u) << "requests per chip: " << double(cog_requests) / two.report.written;
}

// GDAL retries a reset or a 5xx on /vsicurl/ but not a truncated body ("Cannot read N bytes"):
// the chip step retries such reads itself. 15 % of all requests truncated, and the run
// still writes every chip, with the pixels of a clean run.
TEST(PipelineChipRun, TruncatedCogReadsAreRetried) {
  shipchips::testing::TempDir tmp("shipchips-chip-run-test");
  fixture::WorldOptions wo;
  wo.out_dir = tmp.path / "world";
  wo.scenes = 3;
  wo.seed = 42;
  fixture::build_world(wo);
  fixture::FixtureServerOptions clean_options;
  clean_options.dir = wo.out_dir;
  fixture::FixtureServer clean_server(clean_options);
  clean_server.start();
  const RunResult clean = run(wo.out_dir, clean_server.base_url(), tmp.path / "clean", 1);
  ASSERT_EQ(clean.report.failed, 0u);
  ASSERT_GE(clean.report.written, 5u);

  fixture::FixtureServerOptions faulty_options = clean_options;
  faulty_options.fault_rate = 0.15;
  faulty_options.fault_kinds = {fixture::FaultKind::truncate};
  faulty_options.seed = 3;
  fixture::FixtureServer faulty_server(faulty_options);
  faulty_server.start();
  const RunResult faulty = run(wo.out_dir, faulty_server.base_url(), tmp.path / "faulty", 1);
  const auto stats = faulty_server.stats();
  ASSERT_GT(stats.faults.count("truncate") ? stats.faults.at("truncate") : 0u, 2u)
      << "too few truncations fired: the test proves nothing";
  EXPECT_EQ(faulty.report.failed, 0u) << (faulty.report.errors.empty() ? "" : faulty.report.errors.front());
  EXPECT_EQ(faulty.report.written, clean.report.written);
  ASSERT_EQ(faulty.tifs.size(), clean.tifs.size());
  for (const auto& [rel, path] : clean.tifs) {
    auto it = faulty.tifs.find(rel);
    ASSERT_NE(it, faulty.tifs.end()) << rel;
    const auto a = pixels(path), b = pixels(it->second);
    ASSERT_EQ(a.size(), b.size()) << rel;
    for (std::size_t band = 0; band < a.size(); ++band)
      EXPECT_EQ(0, std::memcmp(a[band].data(), b[band].data(), a[band].size() * sizeof(float)))
          << rel << " band " << band;
  }
}

// Every input ship gets one outcome, in the report and in the job store, and the outcomes
// agree with the chips on disk: a ship is "chipped" exactly when a sidecar of its MMSI exists.
TEST(PipelineChipRun, EveryInputShipHasOneRecordedOutcome) {
  shipchips::testing::TempDir tmp("shipchips-ship-outcomes-test");
  fixture::WorldOptions wo;
  wo.out_dir = tmp.path / "world";
  wo.scenes = 3;
  wo.seed = 42;
  wo.ships_per_scene = 5;
  fixture::build_world(wo);
  fixture::FixtureServerOptions so;
  so.dir = wo.out_dir;
  fixture::FixtureServer server(so);
  server.start();
  const RunResult r = run(wo.out_dir, server.base_url(), tmp.path / "ds", 2);
  ASSERT_EQ(r.report.ship_outcomes.size(), r.report.ships);
  std::set<std::int64_t> with_chips;
  for (const auto& [rel, sidecar] : r.sidecars) with_chips.insert(sidecar["mmsi"].get<std::int64_t>());
  std::map<ops::ShipOutcomeKind, std::size_t> kinds;
  std::size_t chips = 0;
  for (const auto& o : r.report.ship_outcomes) {
    ++kinds[o.kind];
    chips += o.chips;
    EXPECT_EQ(o.kind == ops::ShipOutcomeKind::chipped, with_chips.contains(o.mmsi)) << o.mmsi;
    EXPECT_EQ(o.reason.empty(), o.kind == ops::ShipOutcomeKind::chipped) << o.mmsi << " " << o.reason;
    EXPECT_GT(o.pings, 0u);
    EXPECT_LE(o.first_ping, o.last_ping);
  }
  EXPECT_EQ(chips, r.report.written);
  EXPECT_GT(kinds[ops::ShipOutcomeKind::chipped], 0u);
  // The demo world leaves some ships without a usable scene (too cloudy, outside the crop):
  // they are listed with that reason, not only counted.
  EXPECT_GT(r.report.ship_outcomes.size(), kinds[ops::ShipOutcomeKind::chipped]);
  // The job store's ais_observations hold the same outcomes, one row per ship.
  ops::SqliteJobStore store(tmp.path / "ds" / "ops.db");
  const auto stored = store.observations();
  ASSERT_EQ(stored.size(), r.report.ship_outcomes.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const auto& o = r.report.ship_outcomes[i];
    EXPECT_EQ(stored[i].mmsi, o.mmsi);
    EXPECT_EQ(stored[i].captured_time, o.first_ping);
    EXPECT_EQ(stored[i].last_ping, o.last_ping);
    EXPECT_EQ(stored[i].pings, o.pings);
    EXPECT_EQ(stored[i].status, ops::to_string(o.kind));
    EXPECT_EQ(stored[i].reason, o.reason);
    EXPECT_EQ(stored[i].chips, o.chips);
    if (o.kind == ops::ShipOutcomeKind::chipped) {
      EXPECT_FALSE(stored[i].tile_id.empty()) << o.mmsi;
      EXPECT_TRUE(stored[i].overpass_time) << o.mmsi;
    }
  }
}
