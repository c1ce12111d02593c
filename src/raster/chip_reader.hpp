#pragma once
// One chip's pixels from one STAC item: the grid from the item's 10 m reference band, each
// requested band read onto it (10 m exact, 20 m resampled, SCL nearest), DNs turned into
// reflectance by the provider's rule, and the plausibility of that rule checked on B08.

#include "core/backoff.hpp"
#include "core/stage_times.hpp"
#include "raster/chip_grid.hpp"
#include "raster/reflectance.hpp"
#include "raster/window_reader.hpp"
#include "stac/item.hpp"
#include "stac/provider.hpp"

#include <vector>

namespace shipchips::raster {

struct ChipReadOptions {
  int size = 256;
  std::vector<stac::Band> bands{stac::Band::B02, stac::Band::B03, stac::Band::B04, stac::Band::B08};
  bool read_scl = true;
  // With read_scl: an item without an SCL asset is read without it (chip.scl stays empty)
  // instead of failing.
  bool scl_optional = false;
  ResampleMethod method = ResampleMethod::bicubic;  // for 20 m reflectance bands
  PlausibilityOptions plausibility;
  // A chip read that fails with a retryable error (a 5xx, reset or truncated /vsicurl/ range
  // read: GDAL does not retry, see RemoteReadOptions) is tried again this many times, waiting
  // by retry_backoff (capped exponential, full jitter) in between. Used by the pipeline's scene
  // reads; read_chip itself reads once.
  int transient_retries = 2;
  BackoffPolicy retry_backoff{std::chrono::milliseconds(250), std::chrono::milliseconds(8000)};
  // When set, read_chip adds its windows' CPU time to Stage::resample and the reflectance rule
  // with its plausibility check to Stage::reflectance (shared by all readers: thread-safe).
  StageTimes* stages = nullptr;
};

struct ChipData {
  ChipGrid grid;
  std::vector<stac::Band> bands;                // reflectance bands, in the order asked
  std::vector<stac::ReflectanceRule> rules;     // the rule applied to each band
  std::vector<std::vector<float>> reflectance;  // per band, row-major, NaN = invalid
  std::vector<float> scl;                       // SCL classes, NaN = invalid; empty if not read
  double nodata_fraction = 0.0;                 // share of pixels invalid in at least one band (or SCL)
  PlausibilityReport plausibility;              // on B08 (with SCL water) when B08 was read; else inconclusive

  const std::vector<float>* band(stac::Band b) const;
};

// The chip grid of `item` at WGS-84 (lon, lat): the 10 m grid of the item's B02 asset
// (proj:transform, else the file's geotransform through `cache`), EPSG of the asset or item.
ChipGrid item_chip_grid(DatasetCache& cache, const stac::Item& item, const stac::ProviderProfile& profile, double lon,
                        double lat, int size);

// Reads the chip. GDAL failures throw Error (see window_reader.hpp); a missing rule input
// (baseline) throws contract_violation from the provider profile.
ChipData read_chip(DatasetCache& cache, const stac::Item& item, const stac::ProviderProfile& profile, double lon,
                   double lat, const ChipReadOptions& options = {});

}  // namespace shipchips::raster
