// chip_throughput: the chip step's reading path against a naive one, side by side in one run, on
// the fixture world served over loopback with injected latency.
//
//   ours:  pipeline::for_each_scene_group + read_scene_chips — scene groups per worker thread,
//          one DatasetCache per worker, each scene's blocks fetched once (multi-range) and
//          decoded once into GDAL's block cache, chips cut from it (what `shipchips chip` does).
//   naive: what the seed does — for every chip, every band opened afresh through /vsicurl/,
//          VSI_CACHE off, the dataset closed and /vsicurl/'s cache cleared after each chip.
//
// Chip targets are the world's ships at their scene's sensing time (truth.csv). Figures per
// mode and latency: chips/s, requests and bytes per chip (FixtureServer::stats), and bytes
// fetched over the bytes of the unique COG blocks the chip windows touch (from the COGs' own
// tile index: TIFF metadata BLOCK_SIZE_x_y of each block a chip's footprint intersects).
//
//   chip_throughput [--world DIR] [--ships-per-scene 40] [--scenes 3] [--size small]
//                   [--seed 7] [--workers 0] [--latencies 0,50] [--naive-chips 24]
#include "core/config.hpp"
#include "core/error.hpp"
#include "fixture/server_fixture.hpp"
#include "fixture/world_build.hpp"
#include "pipeline/scene_reads.hpp"
#include "raster/chip_reader.hpp"
#include "raster/from_config.hpp"
#include "raster/window_reader.hpp"
#include "stac/from_config.hpp"
#include "stac/item.hpp"

#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace shipchips;

namespace {

struct Target {
  std::string scene_id;
  pipeline::LonLat at;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(ErrorCode::io_error, p.string() + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// Items keyed by id, hrefs pointing at `base` ("http://127.0.0.1:port" or the world folder).
std::map<std::string, stac::Item> load_items(const fs::path& world, const std::string& base) {
  std::map<std::string, stac::Item> items;
  for (const auto& entry : fs::directory_iterator(world / "items")) {
    if (entry.path().extension() != ".json") continue;
    auto json = nlohmann::json::parse(replace_all(slurp(entry.path()), "{{BASE_URL}}", base));
    stac::Item item = stac::parse_item(json, entry.path().string());
    items.emplace(item.id, std::move(item));
  }
  return items;
}

std::vector<Target> load_targets(const fs::path& world) {
  std::ifstream in(world / "truth.csv");
  std::string line;
  std::getline(in, line);  // mmsi,scene_id,sensing_time,lat,lon,...
  std::vector<Target> out;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; f.size() < 5 && std::getline(ss, cell, ',');) f.push_back(cell);
    if (f.size() < 5) continue;
    out.push_back({f[1], {std::stod(f[4]), std::stod(f[3])}});
  }
  return out;
}

// Bytes of the unique blocks the chips' footprints touch, over every band read, from the local
// COGs' tile index (independent of the reading code's own block planning).
std::uint64_t unique_block_bytes(const std::map<std::string, stac::Item>& local_items,
                                 const std::vector<Target>& targets, const stac::ProviderProfile& profile,
                                 const raster::ChipReadOptions& options) {
  raster::DatasetCache cache;
  std::map<std::string, std::set<std::pair<int, int>>> blocks;  // href → (x, y)
  std::vector<stac::Band> bands = options.bands;
  bands.push_back(stac::Band::SCL);
  for (const auto& t : targets) {
    const stac::Item& item = local_items.at(t.scene_id);
    const raster::ChipGrid grid = raster::item_chip_grid(cache, item, profile, t.at.lon, t.at.lat, options.size);
    for (auto band : bands) {
      const std::string href = profile.band_asset(item, band).href;
      GDALDataset& ds = cache.open(href);
      double gt[6];
      ds.GetGeoTransform(gt);
      int bx = 0, by = 0;
      ds.GetRasterBand(1)->GetBlockSize(&bx, &by);
      const double x0 = (grid.geotransform[0] - gt[0]) / gt[1];
      const double y0 = (grid.geotransform[3] - gt[3]) / gt[5];
      const double x1 = x0 + grid.size * grid.geotransform[1] / gt[1];
      const double y1 = y0 + grid.size * grid.geotransform[5] / gt[5];
      const int c0 = std::max(0, static_cast<int>(std::floor(x0)));
      const int r0 = std::max(0, static_cast<int>(std::floor(y0)));
      const int c1 = std::min(ds.GetRasterXSize(), static_cast<int>(std::ceil(x1)));
      const int r1 = std::min(ds.GetRasterYSize(), static_cast<int>(std::ceil(y1)));
      for (int r = r0 / by; c0 < c1 && r0 < r1 && r <= (r1 - 1) / by; ++r)
        for (int c = c0 / bx; c <= (c1 - 1) / bx; ++c) blocks[href].insert({c, r});
    }
  }
  std::uint64_t total = 0;
  for (const auto& [href, set] : blocks) {
    GDALRasterBand* band = cache.open(href).GetRasterBand(1);
    for (const auto& [c, r] : set) {
      const std::string key = "BLOCK_SIZE_" + std::to_string(c) + "_" + std::to_string(r);
      const char* size = band->GetMetadataItem(key.c_str(), "TIFF");
      if (!size) throw Error(ErrorCode::contract_violation, href + ": no " + key);
      total += std::strtoull(size, nullptr, 10);
    }
  }
  return total;
}

struct ModeResult {
  std::size_t chips = 0;
  std::size_t failed = 0;
  double seconds = 0.0;
  std::uint64_t requests = 0;
  std::uint64_t bytes = 0;
  std::uint64_t unique_bytes = 0;
  std::size_t opens = 0;
};

void print_row(const char* mode, long latency, std::size_t workers, const ModeResult& r) {
  const double n = static_cast<double>(r.chips);
  std::printf(
      "%-6s %5ld ms  workers %zu  chips %4zu (failed %zu)  %8.2f chips/s  %7.2f req/chip  %9.0f B/chip  "
      "fetched/unique-blocks %.3f  (opens %zu, %.2f s)\n",
      mode, latency, workers, r.chips, r.failed, n / r.seconds, r.requests / n, r.bytes / n,
      static_cast<double>(r.bytes) / static_cast<double>(r.unique_bytes), r.opens, r.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path world;
  int ships_per_scene = 40, scenes = 3, workers_opt = 0;
  std::uint64_t seed = 7;
  std::string size = "small";
  std::vector<long> latencies{0, 50};
  std::size_t naive_chips = 24;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--world")
      world = value();
    else if (a == "--ships-per-scene")
      ships_per_scene = std::stoi(value());
    else if (a == "--scenes")
      scenes = std::stoi(value());
    else if (a == "--size")
      size = value();
    else if (a == "--seed")
      seed = std::stoull(value());
    else if (a == "--workers")
      workers_opt = std::stoi(value());
    else if (a == "--naive-chips")
      naive_chips = std::stoul(value());
    else if (a == "--latencies") {
      latencies.clear();
      std::stringstream ss(value());
      for (std::string v; std::getline(ss, v, ',');) latencies.push_back(std::stol(v));
    } else {
      std::fprintf(stderr,
                   "usage: chip_throughput [--world DIR] [--ships-per-scene N] [--scenes N] [--size S] "
                   "[--seed N] [--workers N] [--latencies 0,50] [--naive-chips N]\n");
      return 2;
    }
  }
  try {
    bool built = false;  // a world made in a temporary folder is removed at the end
    if (world.empty() || !fs::exists(world / "world.json")) {
      built = world.empty();
      if (world.empty()) world = fs::temp_directory_path() / ("chip_throughput_world_" + std::to_string(::getpid()));
      fixture::WorldOptions wo;
      wo.out_dir = world;
      wo.scenes = scenes;
      wo.size = fixture::parse_world_size(size);
      wo.seed = seed;
      wo.ships_per_scene = ships_per_scene;
      auto report = fixture::build_world(wo);
      std::printf("world: built %s (%zu scenes, %zu ships) in %.1f s\n", world.c_str(), report.scene_ids.size(),
                  report.ships, report.seconds);
    } else {
      std::printf("world: %s\n", world.c_str());
    }

    Config config;
    raster::configure_gdal_for_cogs(raster::remote_read_options_from(config));
    const stac::ProviderProfile& profile = stac::provider_from(config.stac);
    raster::ChipReadOptions options = raster::chip_read_options_from(config.tiling);
    options.read_scl = true;
    const std::size_t workers = pipeline::resolve_workers(workers_opt);
    const std::size_t budget = static_cast<std::size_t>(config.tiling.block_cache_mb) * (1u << 20) / (2 * workers);

    const std::vector<Target> all = load_targets(world);
    // The naive subset: round-robin over scenes, so both modes see every scene.
    std::map<std::string, std::vector<Target>> per_scene;
    for (const auto& t : all) per_scene[t.scene_id].push_back(t);
    std::vector<Target> naive_targets;
    for (std::size_t k = 0; naive_targets.size() < std::min(naive_chips, all.size()); ++k)
      for (const auto& [id, ts] : per_scene)
        if (k < ts.size() && naive_targets.size() < naive_chips) naive_targets.push_back(ts[k]);

    const auto local_items = load_items(world, world.string());
    const std::uint64_t unique_all = unique_block_bytes(local_items, all, profile, options);
    const std::uint64_t unique_naive = unique_block_bytes(local_items, naive_targets, profile, options);
    std::printf(
        "targets: %zu chips in %zu scenes (naive: %zu); bands B02 B03 B04 B08 + SCL; unique block bytes %llu "
        "(naive subset %llu)\n",
        all.size(), per_scene.size(), naive_targets.size(), static_cast<unsigned long long>(unique_all),
        static_cast<unsigned long long>(unique_naive));

    for (long latency : latencies) {
      fixture::FixtureServerOptions so;
      so.dir = world;
      so.latency_ms = latency;
      fixture::FixtureServer server(so);
      server.start();
      const auto items = load_items(world, server.base_url());

      // ours, and two variants that show why: each scene's chips split over the workers
      // (per-thread dataset handles: does a block shared by two threads get fetched twice?), and
      // one worker per scene without the prefetch (GDAL's block cache alone).
      auto run_ours = [&](bool split, bool prefetch) {
        VSICurlClearCache();
        server.reset_stats();
        ModeResult r;
        r.unique_bytes = unique_all;
        std::vector<std::vector<pipeline::LonLat>> groups;
        std::vector<const stac::Item*> group_items;
        for (const auto& [id, ts] : per_scene) {
          const std::size_t parts = split ? workers : 1;
          for (std::size_t p = 0; p < parts; ++p) {
            group_items.push_back(&items.at(id));
            groups.emplace_back();
            for (std::size_t k = p; k < ts.size(); k += parts) groups.back().push_back(ts[k].at);
          }
        }
        // Split parts of a scene are adjacent, so the workers take them at the same time.
        std::atomic<std::size_t> ok{0}, failed{0};
        const auto start = std::chrono::steady_clock::now();
        r.opens =
            pipeline::for_each_scene_group(groups.size(), workers, [&](std::size_t g, raster::DatasetCache& cache) {
              pipeline::read_scene_chips(cache, *group_items[g], profile, groups[g], options, budget, prefetch,
                                         [&](std::size_t, raster::ChipData* data, const Error* error) {
                                           if (data) ++ok;
                                           if (error) {
                                             ++failed;
                                             std::fprintf(stderr, "ours: %s\n", error->what());
                                           }
                                         });
            });
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        r.chips = ok;
        r.failed = failed;
        const auto st = server.stats();
        r.requests = st.requests;
        r.bytes = st.bytes_sent;
        return r;
      };
      const ModeResult ours = run_ours(false, true);
      const ModeResult split = run_ours(true, true);
      const ModeResult no_prefetch = run_ours(false, false);
      auto t0 = std::chrono::steady_clock::now();
      auto stats = server.stats();

      // naive
      VSICurlClearCache();
      CPLSetConfigOption("VSI_CACHE", "FALSE");
      server.reset_stats();
      ModeResult naive;
      naive.unique_bytes = unique_naive;
      t0 = std::chrono::steady_clock::now();
      for (const auto& t : naive_targets) {
        {
          raster::DatasetCache cache;  // closed (GDALClose) at the end of the chip
          try {
            raster::read_chip(cache, items.at(t.scene_id), profile, t.at.lon, t.at.lat, options);
            ++naive.chips;
          } catch (const Error& e) {
            ++naive.failed;
            std::fprintf(stderr, "naive: %s\n", e.what());
          }
          naive.opens += cache.opens();
        }
        VSICurlClearCache();
      }
      naive.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      CPLSetConfigOption("VSI_CACHE", "TRUE");
      stats = server.stats();
      naive.requests = stats.requests;
      naive.bytes = stats.bytes_sent;
      server.stop();

      print_row("ours", latency, workers, ours);
      print_row("split", latency, workers, split);
      print_row("nopref", latency, workers, no_prefetch);
      print_row("naive", latency, 1, naive);
      std::printf("ratio  %5ld ms  chips/s ours/naive %.1fx\n", latency,
                  (ours.chips / ours.seconds) / (naive.chips / naive.seconds));
      std::fflush(stdout);
    }
    if (built) fs::remove_all(world);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chip_throughput: %s\n", e.what());
    return 1;
  }
  return 0;
}
