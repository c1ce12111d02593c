// The raster stage's options follow config.yaml.
#include "core/error.hpp"
#include "raster/from_config.hpp"
#include "raster/gate.hpp"
#include "stac/provider.hpp"

#include <gtest/gtest.h>

using namespace shipchips;
using namespace shipchips::raster;
using stac::Band;

TEST(RasterConfig, DefaultsMatchTheSeedConfig) {
  const Config config;
  const ChipReadOptions read = chip_read_options_from(config.tiling);
  EXPECT_EQ(read.size, 256);
  EXPECT_EQ(read.bands, (std::vector<Band>{Band::B02, Band::B03, Band::B04, Band::B08}));
  EXPECT_EQ(read.method, ResampleMethod::bicubic);
  const ChipWriteOptions write = chip_write_options_from(config.tiling);
  EXPECT_TRUE(write.write_cog);
  EXPECT_EQ(write.block_size, 256);
  EXPECT_EQ(write.overviews, (std::vector<int>{2, 4, 8, 16}));
  EXPECT_EQ(write.compression, Compression::deflate);
  const RemoteReadOptions remote = remote_read_options_from(config);
  EXPECT_EQ(remote.http_connect_timeout_s, 10);
  EXPECT_EQ(remote.http_timeout_s, 60);
  EXPECT_EQ(remote.block_cache_mb, 256);
  const GateOptions gate = gate_options_from(config.gate, config.masks);
  EXPECT_EQ(gate.center_window_px, 64);
  EXPECT_DOUBLE_EQ(gate.min_water_center_frac, 0.5);
}

TEST(RasterConfig, SwirBandsAreAppendedWhenIncluded) {
  TilingConfig t;
  t.include_swir = true;
  t.resample_method = ResampleMethod::bilinear;
  const ChipReadOptions read = chip_read_options_from(t);
  EXPECT_EQ(read.bands, (std::vector<Band>{Band::B02, Band::B03, Band::B04, Band::B08, Band::B11, Band::B12}));
  EXPECT_EQ(read.method, ResampleMethod::bilinear);
}

TEST(RasterConfig, UnknownBandNamesTheKey) {
  TilingConfig t;
  t.bands_core = {"B02", "B8A"};
  try {
    chip_read_options_from(t);
    FAIL() << "B8A accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::config_invalid);
    EXPECT_NE(std::string(e.what()).find("tiling.bands_core[1]"), std::string::npos) << e.what();
  }
}

// The config schema's band list (core cannot include stac) must be exactly the reflectance
// bands the chipper has assets for: every one loads, the other L2A bands are refused at load.
TEST(RasterConfig, ConfigBandsAreExactlyTheChippableBands) {
  for (const stac::Band b : stac::kAllBands) {
    if (b == stac::Band::SCL) continue;
    const std::string yaml = "tiling:\n  bands_core: [" + std::string(stac::to_string(b)) + "]\n  bands_swir: []\n";
    EXPECT_NO_THROW(load_config_text(yaml, "t.yaml")) << stac::to_string(b);
  }
  for (const char* other : {"B01", "B05", "B06", "B07", "B8A", "B09", "SCL"}) {
    const std::string yaml = std::string("tiling:\n  bands_core: [") + other + "]\n  bands_swir: []\n";
    EXPECT_THROW(load_config_text(yaml, "t.yaml"), Error) << other;
  }
}
