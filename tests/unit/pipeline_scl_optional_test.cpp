// Chipping scenes whose items have no SCL asset: masks.use_scl false never reads SCL, and
// masks.scl_optional chips such items on NDWI alone; either way each chip records that no SCL
// was used. Without either, every chip of such an item fails naming the asset.
#include "../support/temp_dir.hpp"
#include "../support/world_tracks.hpp"
#include "ais/readers_csv.hpp"
#include "core/config.hpp"
#include "fixture/server_fixture.hpp"
#include "fixture/world_build.hpp"
#include "pipeline/chip_run.hpp"
#include "stac/from_config.hpp"
#include "stac/search.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;
using namespace shipchips;

namespace {

struct Outcome {
  pipeline::ChipRunReport report;
  std::vector<nlohmann::json> sidecars;
};

Outcome chip(const fs::path& world, const std::string& endpoint, const fs::path& root, bool use_scl,
             bool scl_optional) {
  const auto tracks = shipchips::testing::world_tracks(world);
  Config config;
  config.storage.dataset_root = root.string();
  config.stac.endpoint = endpoint;
  config.masks.use_scl = use_scl;
  config.masks.scl_optional = scl_optional;
  stac::StacClient client(config.stac.endpoint, stac::http_options_from(config.stac));
  Outcome out;
  out.report = pipeline::run_chipping(tracks, client, config, {});
  if (fs::exists(root / "chips"))
    for (const auto& e : fs::recursive_directory_iterator(root / "chips"))
      if (e.path().extension() == ".json") out.sidecars.push_back(nlohmann::json::parse(std::ifstream(e.path())));
  return out;
}

}  // namespace

TEST(PipelineSclOptional, ItemsWithoutSclChipOnNdwiAloneWhenAsked) {
  shipchips::testing::TempDir tmp("shipchips-scl-optional-test");
  fixture::WorldOptions wo;
  wo.out_dir = tmp.path / "world";
  wo.scenes = 3;
  wo.seed = 21;
  wo.ships_per_scene = 8;
  fixture::build_world(wo);
  // Take the SCL asset out of every item, as some catalogues serve them.
  for (const auto& e : fs::directory_iterator(wo.out_dir / "items")) {
    nlohmann::json item = nlohmann::json::parse(std::ifstream(e.path()));
    ASSERT_TRUE(item["assets"].contains("scl")) << e.path();
    item["assets"].erase("scl");
    std::ofstream(e.path()) << item.dump();
  }
  fixture::FixtureServerOptions so;
  so.dir = wo.out_dir;
  fixture::FixtureServer server(so);
  server.start();

  const Outcome strict = chip(wo.out_dir, server.base_url(), tmp.path / "strict", true, false);
  EXPECT_EQ(strict.report.written, 0u);
  ASSERT_GT(strict.report.failed, 0u);
  ASSERT_FALSE(strict.report.errors.empty());
  EXPECT_NE(strict.report.errors.front().find("scl"), std::string::npos) << strict.report.errors.front();

  for (const auto& [name, use_scl, optional] :
       {std::tuple{"no_scl", false, false}, std::tuple{"scl_optional", true, true}}) {
    const Outcome o = chip(wo.out_dir, server.base_url(), tmp.path / name, use_scl, optional);
    EXPECT_EQ(o.report.failed, 0u) << name << ": " << (o.report.errors.empty() ? "" : o.report.errors.front());
    EXPECT_GE(o.report.written, 5u) << name;
    ASSERT_EQ(o.sidecars.size(), o.report.written) << name;
    for (const auto& s : o.sidecars) {
      EXPECT_EQ(s["record_version"], 2) << name;
      EXPECT_EQ(s["gate"]["scl_used"], false) << name;
      EXPECT_EQ(s["gate"]["passed"], true) << name;
      EXPECT_TRUE(s["gate"]["qa_cloud_frac"].is_null()) << name;  // not measured without SCL
      EXPECT_TRUE(s["gate"]["qa_ndwi_water_frac"].is_number()) << name;
    }
  }
}
