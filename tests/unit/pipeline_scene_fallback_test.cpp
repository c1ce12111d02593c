// Scene choice in the chip step when the closest scene has no data at the ship: STAC footprints
// are outlines, and a real edge-of-swath tile can hold a point in its footprint and still have
// no pixels there. The fixture world's 2024 scene of 30STF is such a tile (its west is outside
// the swath); here its item claims the whole crop, a ship anchored in the missing strip pings
// only around that scene's sensing time, and the 2020 scene of the same tile (full crop) is the
// next candidate. Also: stac.relax_steps lets a too-cloudy point find a scene, recorded in the
// chip's metadata.
#include "ais/model.hpp"
#include "core/config.hpp"
#include "dataset/chip_id.hpp"
#include "fixture/server_fixture.hpp"
#include "fixture/world_build.hpp"
#include "fixture/world_scene.hpp"
#include "geo/s2_grid.hpp"
#include "ops/sqlite_job_store.hpp"
#include "pipeline/chip_run.hpp"
#include "stac/from_config.hpp"
#include "stac/scene_lookup.hpp"
#include "stac/search.hpp"

#include "../support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace shipchips;

namespace {

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

void write_json(const fs::path& p, const nlohmann::json& j) {
  std::ofstream out(p);
  out << j.dump(1);
}

// Makes an item's footprint the whole crop (as a coarse real footprint may be).
void widen_footprint(const fs::path& item_path, const fixture::SceneSpec& s) {
  nlohmann::json item = read_json(item_path);
  nlohmann::json ring = nlohmann::json::array();
  double west = 180, east = -180, south = 90, north = -90;
  for (auto [x, y] : {std::pair{s.x0, s.y0}, {s.x0, s.y1()}, {s.x1(), s.y1()}, {s.x1(), s.y0}, {s.x0, s.y0}}) {
    const geo::LonLat p = geo::utm_to_lonlat(s.tile.utm_zone, s.tile.north, x, y);
    ring.push_back({p.lon, p.lat});
    west = std::min(west, p.lon);
    east = std::max(east, p.lon);
    south = std::min(south, p.lat);
    north = std::max(north, p.lat);
  }
  item["geometry"] = {{"type", "Polygon"}, {"coordinates", {ring}}};
  item["bbox"] = {west, south, east, north};
  write_json(item_path, item);
}

}  // namespace

TEST(PipelineSceneFallback, NodataAtTheShipFallsBackToTheNextSceneAndRerunsOffline) {
  shipchips::testing::TempDir tmp("shipchips-scene-fallback");
  fixture::WorldOptions wo;
  wo.out_dir = tmp.path / "world";
  wo.scenes = 3;
  wo.seed = 7;
  wo.ships_per_scene = 1;
  fixture::build_world(wo);
  const auto specs = fixture::plan_scenes(wo);
  ASSERT_EQ(specs.size(), 3u);
  const fixture::SceneSpec& edge = specs[2];
  const fixture::SceneSpec& full = specs[0];
  ASSERT_TRUE(edge.has_swath_edge);
  ASSERT_FALSE(full.has_swath_edge);
  ASSERT_EQ(edge.tile.id, full.tile.id);
  ASSERT_EQ(edge.x0, full.x0);
  widen_footprint(wo.out_dir / "items" / (edge.item_id + ".json"), edge);

  // A point in the edge scene's missing strip: 5 % of the width in from the west, half-way
  // down (the edge leaves ≥ 14 % missing there); the full scene has data everywhere.
  const double x = edge.x0 + 0.05 * edge.width10 * 10.0;
  const double y = edge.y0 - 0.5 * edge.height10 * 10.0;
  ASSERT_LT(edge.edge_nx * (x - edge.x0) + edge.edge_ny * (edge.y0 - y), edge.edge_c);
  const geo::LonLat ship = geo::utm_to_lonlat(edge.tile.utm_zone, edge.tile.north, x, y);

  const std::int64_t mmsi = 219000777;
  std::map<std::int64_t, std::vector<ais::PositionReport>> tracks;
  for (int k = -2; k <= 2; ++k) {
    ais::PositionReport p;
    p.mmsi = mmsi;
    p.time = edge.sensing_time + std::chrono::seconds(60 * k);
    p.lat = ship.lat;
    p.lon = ship.lon;
    p.sog_kn = 0.0;
    p.cog_deg = 0.0;
    p.provider = "test";
    tracks[mmsi].push_back(p);
  }

  fixture::FixtureServerOptions so;
  so.dir = wo.out_dir;
  fixture::FixtureServer server(so);
  server.start();

  Config config;
  config.storage.dataset_root = (tmp.path / "ds").string();
  config.stac.endpoint = server.base_url();
  // Years between the two scenes: a wide window, and an anchored ship may be dead-reckoned
  // that far (sog 0); the gate is off so only the nodata decision matters.
  const double years_s = std::chrono::duration<double>(edge.sensing_time - full.sensing_time).count() + 86400.0;
  config.stac.search_window_hours = years_s / 3600.0;
  config.stac.cloud_cover_max = 100;
  config.ais.max_extrapolation_s = years_s;
  config.gate.enabled = false;
  config.tiling.workers = 1;
  stac::StacClient client(config.stac.endpoint, stac::http_options_from(config.stac));

  const auto first = pipeline::run_chipping(tracks, client, config, {});
  EXPECT_EQ(first.failed, 0u) << (first.errors.empty() ? "" : first.errors.front());
  EXPECT_EQ(first.written, 1u);
  ASSERT_EQ(first.rejected.size(), 1u);
  EXPECT_EQ(first.rejected.begin()->first, "nodata at the ship's position");
  ops::SqliteJobStore jobs(dataset_path(config, config.storage.db_path));
  const auto edge_job = jobs.get(dataset::make_chip_id(mmsi, edge.item_id));
  ASSERT_TRUE(edge_job.has_value());
  EXPECT_EQ(ops::to_string(edge_job->status), "rejected");
  const auto full_job = jobs.get(dataset::make_chip_id(mmsi, full.item_id));
  ASSERT_TRUE(full_job.has_value());
  EXPECT_EQ(ops::to_string(full_job->status), "done");

  // Rerun: the fallback is known from the job store, the chip exists: no COG byte fetched.
  server.reset_stats();
  const auto second = pipeline::run_chipping(tracks, client, config, {});
  EXPECT_EQ(second.written, 0u);
  EXPECT_EQ(second.skipped_existing, 1u);
  EXPECT_EQ(second.skipped_rejected, 1u);
  EXPECT_TRUE(second.rejected.empty());
  const auto stats = server.stats();
  for (const auto& [path, count] : stats.per_path) {
    EXPECT_EQ(path.find("/cogs/"), std::string::npos) << path << " fetched " << count << " times on the rerun";
  }
}

TEST(PipelineSceneFallback, RelaxStepsFindATooCloudySceneAndAreRecorded) {
  shipchips::testing::TempDir tmp("shipchips-scene-fallback");
  fixture::WorldOptions wo;
  wo.out_dir = tmp.path / "world";
  wo.scenes = 3;
  wo.seed = 42;
  fixture::build_world(wo);
  const auto specs = fixture::plan_scenes(wo);
  fixture::FixtureServerOptions so;
  so.dir = wo.out_dir;
  fixture::FixtureServer server(so);
  server.start();
  stac::StacClient client(server.base_url(), {});

  // The middle of each scene's crop, at its sensing time: the scene's cloud cover decides.
  for (const fixture::SceneSpec& s : specs) {
    const nlohmann::json item = read_json(wo.out_dir / "items" / (s.item_id + ".json"));
    const double cloud = item["properties"]["eo:cloud_cover"].get<double>();
    const geo::LonLat centre =
        geo::utm_to_lonlat(s.tile.utm_zone, s.tile.north, (s.x0 + s.x1()) / 2, (s.y0 + s.y1()) / 2);
    const stac::ScenePoint point{centre.lon, centre.lat, s.sensing_time + std::chrono::minutes(10)};

    stac::SceneLookupOptions strict;
    strict.window_hours = 1;
    strict.cloud_cover_max = cloud - 0.5;
    stac::SceneLookup lookup(client, strict);
    const auto none = lookup.lookup(point);
    EXPECT_TRUE(none.candidates.empty()) << s.item_id;
    EXPECT_EQ(none.reason, stac::NoSceneReason::too_cloudy);

    // The first step is not enough (window only), the second lifts the cloud limit.
    StacConfig sc;
    sc.search_window_hours = 1;
    sc.cloud_cover_max = cloud - 0.5;
    sc.relax_steps = {"search_window_hours=2", "cloud_cover_max=" + std::to_string(cloud + 0.5)};
    stac::SceneLookup relaxed(client, stac::scene_lookup_options_from(sc));
    const auto found = relaxed.lookup(point);
    ASSERT_EQ(found.candidates.size(), 1u) << s.item_id;
    EXPECT_EQ(found.candidates.front().item->id, s.item_id);
    EXPECT_EQ(found.relax_steps, sc.relax_steps);
    // Served by one search for the point's (tile, day): the tile the point is in.
    EXPECT_EQ(relaxed.searches(), 1);
    EXPECT_EQ(stac::SceneLookup::key_of(point).first, s.tile.id);
  }
}
