#pragma once
// How the chip step reads pixels from remote COGs, shared by pipeline/chip_run and
// bench/chip_throughput: whole scene groups per worker thread, each thread with its own
// raster::DatasetCache (GDAL datasets are not thread-safe; GDAL's block cache is process-wide
// but keyed by dataset handle, so blocks are shared by the chips of a scene only when one
// handle reads them all), and each scene's blocks fetched once with multi-range reads before
// its chips are cut out of GDAL's block cache.

#include "core/error.hpp"
#include "raster/chip_reader.hpp"
#include "raster/window_reader.hpp"
#include "stac/item.hpp"
#include "stac/provider.hpp"

#include <cstddef>
#include <functional>
#include <vector>

namespace shipchips::pipeline {

// `tiling.workers`: 0 → one per core (at least 1).
std::size_t resolve_workers(int configured);

// Runs fn(group, cache) for every group in [0, groups) on `workers` threads, each thread taking
// the next whole group and keeping its own DatasetCache for all its groups. The first exception
// thrown by fn stops the other threads from taking more groups and is rethrown here. Returns
// the COG opens of all caches.
std::size_t for_each_scene_group(std::size_t groups, std::size_t workers,
                                 const std::function<void(std::size_t group, raster::DatasetCache& cache)>& fn);

// Fetches and decodes into GDAL's block cache every block of band 1 of each source that the
// windows of `grids` touch (with the resampling margin of read_window for sources on another
// grid): blocks are grouped into rectangles, each read with one RasterIO (one multi-range
// request for /vsicurl/). Returns the number of blocks. With `stages`, each read's CPU time goes
// to Stage::decode and the rest of its wall time to Stage::fetch_wait.
std::size_t prefetch_blocks(raster::DatasetCache& cache, const std::vector<raster::BandSource>& sources,
                            const std::vector<raster::ChipGrid>& grids, StageTimes* stages = nullptr);

struct LonLat {
  double lon = 0.0;
  double lat = 0.0;
};

// Reads the chips of one scene centred at `targets`. With `prefetch`, first opens the remote
// band files' /vsicurl/ state (size, header bytes) from one short thread per file, so the
// worker's opens cost no round trip. Makes the chip grids (raster::item_chip_grid; a failure
// goes to on_chip for that chip alone), orders the chips by position, cuts them into batches whose decoded blocks stay
// under `budget_bytes` (0: one batch; a batch holds at least one chip), prefetches each batch's blocks unless
// `prefetch` is false, then read_chip's each chip and calls on_chip(i, &data, nullptr), or on_chip(i, nullptr, &error)
// when that chip's read failed. A prefetch failure is logged and left to the chip reads to
// report; an item lacking a band's asset fails every chip through on_chip. on_chip may move the
// data out of its ChipData (it is not used after the call). Stage times go to options.stages
// (header warm-up and prefetch: fetch_wait/decode; read_chip: resample/reflectance). Returns the
// number of blocks prefetched.
using SceneChipCallback = std::function<void(std::size_t, raster::ChipData*, const Error*)>;
std::size_t read_scene_chips(raster::DatasetCache& cache, const stac::Item& item, const stac::ProviderProfile& profile,
                             const std::vector<LonLat>& targets, const raster::ChipReadOptions& options,
                             std::size_t budget_bytes, bool prefetch, const SceneChipCallback& on_chip);

}  // namespace shipchips::pipeline
