#include "pipeline/scene_reads.hpp"

#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

namespace shipchips::pipeline {
namespace {

// Block layout of one source, for planning which blocks chip windows touch.
struct SourceLayout {
  GDALRasterBand* band = nullptr;
  raster::GeoTransform gt{};
  long long cols = 0, rows = 0;
  int block_x = 1, block_y = 1;
  std::size_t block_bytes = 0;  // decoded
};

SourceLayout layout_of(raster::DatasetCache& cache, const raster::BandSource& source) {
  GDALDataset& ds = cache.open(source.href);
  if (ds.GetRasterCount() < 1)
    throw Error(ErrorCode::contract_violation, source.href + ": the file has no raster band");
  SourceLayout l;
  l.band = ds.GetRasterBand(1);
  if (source.transform) {
    l.gt = *source.transform;
  } else if (ds.GetGeoTransform(l.gt.data()) != CE_None) {
    throw Error(ErrorCode::contract_violation, source.href + ": neither the item nor the file gives a geotransform");
  }
  l.cols = ds.GetRasterXSize();
  l.rows = ds.GetRasterYSize();
  l.band->GetBlockSize(&l.block_x, &l.block_y);
  l.block_bytes = static_cast<std::size_t>(l.block_x) * static_cast<std::size_t>(l.block_y) *
                  static_cast<std::size_t>(GDALGetDataTypeSizeBytes(l.band->GetRasterDataType()));
  return l;
}

using BlockSet = std::set<std::pair<long long, long long>>;  // (block row, block col)

// The blocks of `l` a chip on `grid` reads: its window, plus read_window's staging margin (4
// source pixels, and one for the floor/ceil of a floating window) when the grids differ.
void add_chip_blocks(const SourceLayout& l, const raster::ChipGrid& grid, BlockSet& blocks) {
  const double ru = grid.geotransform[1] / l.gt[1], rv = grid.geotransform[5] / l.gt[5];
  const double u0 = (grid.geotransform[0] - l.gt[0]) / l.gt[1], v0 = (grid.geotransform[3] - l.gt[3]) / l.gt[5];
  const double u1 = u0 + grid.size * ru, v1 = v0 + grid.size * rv;
  const bool same = std::abs(ru - 1.0) < 1e-9 && std::abs(rv - 1.0) < 1e-9;
  const long long margin = same ? 0 : 5;
  const long long x0 = std::max(0LL, static_cast<long long>(std::floor(u0 + 1e-6)) - margin);
  const long long y0 = std::max(0LL, static_cast<long long>(std::floor(v0 + 1e-6)) - margin);
  const long long x1 = std::min(l.cols, static_cast<long long>(std::ceil(u1 - 1e-6)) + margin);
  const long long y1 = std::min(l.rows, static_cast<long long>(std::ceil(v1 - 1e-6)) + margin);
  if (x0 >= x1 || y0 >= y1) return;
  for (long long by = y0 / l.block_y; by <= (y1 - 1) / l.block_y; ++by)
    for (long long bx = x0 / l.block_x; bx <= (x1 - 1) / l.block_x; ++bx) blocks.insert({by, bx});
}

struct BlockRect {
  long long bx0, by0, bx1, by1;  // inclusive
};

// Runs of adjacent blocks per block row, merged down the rows while the run is the same.
std::vector<BlockRect> block_rects(const BlockSet& blocks) {
  std::vector<BlockRect> runs;
  for (auto it = blocks.begin(); it != blocks.end();) {
    BlockRect r{it->second, it->first, it->second, it->first};
    auto next = std::next(it);
    while (next != blocks.end() && next->first == r.by0 && next->second == r.bx1 + 1) {
      r.bx1 = next->second;
      ++next;
    }
    runs.push_back(r);
    it = next;
  }
  std::vector<BlockRect> rects;
  for (const auto& run : runs) {
    auto open = std::find_if(rects.begin(), rects.end(), [&](const BlockRect& r) {
      return r.bx0 == run.bx0 && r.bx1 == run.bx1 && r.by1 + 1 == run.by0;
    });
    if (open != rects.end()) {
      open->by1 = run.by1;
    } else {
      rects.push_back(run);
    }
  }
  return rects;
}

// Each band's file costs two round trips to open (HEAD for its size, GET for its header); done
// one file after the other on the worker, that is 10 round trips per scene. /vsicurl/ keeps file
// sizes and fetched regions process-wide, so one short-lived thread per file does both at once,
// and the worker's opens that follow are answered from that cache.
void warm_remote_headers(const std::vector<raster::BandSource>& sources) {
  std::vector<std::thread> threads;
  for (const auto& source : sources) {
    const std::string path = raster::gdal_path_for_href(source.href);
    if (path.rfind("/vsicurl/", 0) != 0) continue;
    threads.emplace_back([path] {
      // What GDALOpen reads first: the size, then the first bytes (GDAL_INGESTED_BYTES_AT_OPEN
      // makes that one GET of the whole header). Failures are left to the real open to report.
      CPLPushErrorHandler(CPLQuietErrorHandler);
      VSIStatBufL stat;
      if (VSIStatL(path.c_str(), &stat) == 0) {
        if (VSILFILE* f = VSIFOpenL(path.c_str(), "rb")) {
          char buffer[1024];
          VSIFReadL(buffer, 1, sizeof buffer, f);
          VSIFCloseL(f);
        }
      }
      CPLPopErrorHandler();
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace

std::size_t resolve_workers(int configured) {
  if (configured > 0) return static_cast<std::size_t>(configured);
  return std::max(1u, std::thread::hardware_concurrency());
}

std::size_t for_each_scene_group(std::size_t groups, std::size_t workers,
                                 const std::function<void(std::size_t, raster::DatasetCache&)>& fn) {
  workers = std::max<std::size_t>(1, std::min(workers, groups));
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> opens{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  auto work = [&] {
    raster::DatasetCache cache;
    try {
      for (std::size_t g; !stop && (g = next.fetch_add(1)) < groups;) fn(g, cache);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      stop = true;
    }
    opens += cache.opens();
  };
  if (workers == 1) {
    work();
  } else {
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workers; ++w) threads.emplace_back(work);
    for (auto& t : threads) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);
  return opens;
}

std::size_t prefetch_blocks(raster::DatasetCache& cache, const std::vector<raster::BandSource>& sources,
                            const std::vector<raster::ChipGrid>& grids, StageTimes* stages) {
  std::size_t total = 0;
  std::vector<unsigned char> buffer;
  for (const auto& source : sources) {
    const SourceLayout l = layout_of(cache, source);
    BlockSet blocks;
    for (const auto& grid : grids) add_chip_blocks(l, grid, blocks);
    total += blocks.size();
    const GDALDataType type = l.band->GetRasterDataType();
    const int pixel_bytes = GDALGetDataTypeSizeBytes(type);
    for (const auto& r : block_rects(blocks)) {
      const long long x0 = r.bx0 * l.block_x, y0 = r.by0 * l.block_y;
      const long long x1 = std::min(l.cols, (r.bx1 + 1) * l.block_x), y1 = std::min(l.rows, (r.by1 + 1) * l.block_y);
      const int w = static_cast<int>(x1 - x0), h = static_cast<int>(y1 - y0);
      buffer.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * static_cast<std::size_t>(pixel_bytes));
      // The region read goes through GDAL's block cache, so the chips' reads that follow find
      // every block decoded; GTiff fetches the region's blocks in one multi-range request.
      SplitTimer timer(stages, Stage::fetch_wait, Stage::decode);
      if (l.band->RasterIO(GF_Read, static_cast<int>(x0), static_cast<int>(y0), w, h, buffer.data(), w, h, type, 0, 0,
                           nullptr) != CE_None) {
        cache.evict(source.href);
        throw Error(ErrorCode::network_transient, "prefetch of " + source.href + " failed: " + CPLGetLastErrorMsg());
      }
    }
  }
  return total;
}

std::size_t read_scene_chips(raster::DatasetCache& cache, const stac::Item& item, const stac::ProviderProfile& profile,
                             const std::vector<LonLat>& targets, const raster::ChipReadOptions& options,
                             std::size_t budget_bytes, bool prefetch, const SceneChipCallback& on_chip) {
  std::vector<raster::BandSource> sources;
  raster::ChipReadOptions item_options = options;
  if (item_options.read_scl && item_options.scl_optional && !item.find_asset(profile.asset_key(stac::Band::SCL))) {
    spdlog::info("scene {}: no SCL asset ({}); its chips are gated on NDWI alone (masks.scl_optional)", item.id,
                 profile.asset_key(stac::Band::SCL));
    item_options.read_scl = false;
  }
  try {
    for (auto band : item_options.bands) sources.push_back(raster::band_source(item, profile, band));
    if (item_options.read_scl) sources.push_back(raster::band_source(item, profile, stac::Band::SCL));
  } catch (const Error& e) {  // the item lacks an asset: every chip of it fails the same way
    for (std::size_t i = 0; i < targets.size(); ++i) on_chip(i, nullptr, &e);
    return 0;
  }
  if (prefetch && !targets.empty()) {
    SplitTimer timer(options.stages, Stage::fetch_wait, Stage::decode);
    warm_remote_headers(sources);
  }

  // Grids first: a chip whose grid cannot be made fails alone and takes no part in the plan.
  std::vector<raster::ChipGrid> grids(targets.size());
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    try {
      grids[i] = raster::item_chip_grid(cache, item, profile, targets[i].lon, targets[i].lat, options.size);
      order.push_back(i);
    } catch (const Error& e) {
      on_chip(i, nullptr, &e);
    }
  }
  // Neighbours share blocks: ordered by band of rows, then column, batches stay compact.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(grids[a].row_off / 512, grids[a].col_off) < std::pair(grids[b].row_off / 512, grids[b].col_off);
  });

  std::vector<std::vector<std::size_t>> batches;
  if (prefetch && !order.empty()) {
    std::vector<SourceLayout> layouts;
    try {
      for (const auto& s : sources) layouts.push_back(layout_of(cache, s));
    } catch (const Error& e) {
      spdlog::warn("scene {}: no prefetch ({}); chips read one by one", item.id, e.what());
      prefetch = false;
    }
    if (prefetch) {
      std::vector<BlockSet> sets(layouts.size());
      std::size_t bytes = 0;
      batches.emplace_back();
      for (std::size_t i : order) {
        std::size_t added = 0;
        std::vector<BlockSet> grown = sets;
        for (std::size_t s = 0; s < layouts.size(); ++s) {
          const std::size_t before = grown[s].size();
          add_chip_blocks(layouts[s], grids[i], grown[s]);
          added += (grown[s].size() - before) * layouts[s].block_bytes;
        }
        if (budget_bytes && !batches.back().empty() && bytes + added > budget_bytes) {
          batches.emplace_back();
          sets.assign(layouts.size(), BlockSet{});
          bytes = 0;
          for (std::size_t s = 0; s < layouts.size(); ++s) {
            const std::size_t before = sets[s].size();
            add_chip_blocks(layouts[s], grids[i], sets[s]);
            bytes += (sets[s].size() - before) * layouts[s].block_bytes;
          }
        } else {
          sets = std::move(grown);
          bytes += added;
        }
        batches.back().push_back(i);
      }
    }
  }
  if (batches.empty()) batches.push_back(order);

  std::size_t prefetched = 0;
  for (const auto& batch : batches) {
    if (prefetch) {
      std::vector<raster::ChipGrid> batch_grids;
      for (std::size_t i : batch) batch_grids.push_back(grids[i]);
      try {
        prefetched += prefetch_blocks(cache, sources, batch_grids, options.stages);
      } catch (const Error& e) {
        spdlog::warn("scene {}: prefetch failed ({}); chips read one by one", item.id, e.what());
      }
    }
    for (std::size_t i : batch) {
      Backoff backoff(options.retry_backoff);
      for (int attempt = 0;; ++attempt) {
        try {
          raster::ChipData data = raster::read_chip(cache, item, profile, targets[i].lon, targets[i].lat, item_options);
          on_chip(i, &data, nullptr);
          break;
        } catch (const Error& e) {
          // The failed read evicted its dataset and cleared /vsicurl/'s state: a retry reopens.
          if (e.category() == ErrorCategory::retryable && attempt < options.transient_retries) {
            spdlog::info("scene {}: chip read failed ({}); retry {} of {}", item.id, e.what(), attempt + 1,
                         options.transient_retries);
            std::this_thread::sleep_for(backoff.delay(attempt + 1));
            continue;
          }
          on_chip(i, nullptr, &e);
          break;
        }
      }
    }
  }
  return prefetched;
}

}  // namespace shipchips::pipeline
