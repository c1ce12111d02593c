#pragma once
// The raster stage's options from config.yaml, in one place (the gate's are in gate.hpp).

#include "core/config.hpp"
#include "raster/chip_reader.hpp"
#include "raster/chip_writer.hpp"
#include "raster/window_reader.hpp"

namespace shipchips::raster {

// GDAL's HTTP timeouts and retries follow the stac section (the COGs come from the same
// archive); the block cache is tiling.block_cache_mb.
RemoteReadOptions remote_read_options_from(const Config& config);

// tiling.write_cog, block_size, overviews, compression.
ChipWriteOptions chip_write_options_from(const TilingConfig& tiling);

// tiling.chip_size_px, bands_core (+ bands_swir when include_swir), resample_method.
// Error(config_invalid) naming the key for a band shipchips does not read (or SCL).
ChipReadOptions chip_read_options_from(const TilingConfig& tiling);

}  // namespace shipchips::raster
