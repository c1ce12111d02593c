#include "raster/from_config.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace shipchips::raster {

RemoteReadOptions remote_read_options_from(const Config& config) {
  RemoteReadOptions o;
  o.http_connect_timeout_s = std::max(1, static_cast<int>(std::ceil(config.stac.connect_timeout_s)));
  o.http_timeout_s = std::max(1, static_cast<int>(std::ceil(config.stac.request_timeout_s)));
  o.block_cache_mb = config.tiling.block_cache_mb;
  return o;
}

ChipWriteOptions chip_write_options_from(const TilingConfig& tiling) {
  ChipWriteOptions o;
  o.write_cog = tiling.write_cog;
  o.block_size = tiling.block_size;
  o.overviews = tiling.overviews;
  o.compression = tiling.compression;
  o.level = tiling.compression_level;
  o.predictor = tiling.predictor;
  return o;
}

ChipReadOptions chip_read_options_from(const TilingConfig& tiling) {
  ChipReadOptions o;
  o.size = tiling.chip_size_px;
  o.method = tiling.resample_method;
  o.bands.clear();
  auto add = [&](const std::vector<std::string>& names, const char* key) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto band = stac::parse_band(names[i]);
      if (!band || *band == stac::Band::SCL)
        throw Error(ErrorCode::config_invalid, "tiling." + std::string(key) + "[" + std::to_string(i) + "]: '" +
                                                   names[i] + "' is not one of B02, B03, B04, B08, B11, B12");
      o.bands.push_back(*band);
    }
  };
  add(tiling.bands_core, "bands_core");
  if (tiling.include_swir) add(tiling.bands_swir, "bands_swir");
  return o;
}

}  // namespace shipchips::raster
