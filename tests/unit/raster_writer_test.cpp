// Chip GeoTIFF and quicklook writers, checked with GDAL's own tools as independent readers:
// `gdalinfo -json` (band descriptions, block size, compression, predictor, EPSG, geotransform,
// nodata, overviews, LAYOUT=COG) and GDAL's COG validator script.
#include "core/error.hpp"
#include "raster/chip_grid.hpp"
#include "raster/chip_writer.hpp"
#include "raster/quicklook.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>

using namespace shipchips;
using namespace shipchips::raster;
namespace fs = std::filesystem;

namespace {

const char* kCogValidator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py";

struct RunResult {
  int status = -1;
  std::string output;
};

RunResult run(const std::string& command) {
  RunResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  r.status = ::pclose(pipe);
  return r;
}

nlohmann::json gdalinfo(const fs::path& p) {
  const RunResult r = run("gdalinfo -json '" + p.string() + "'");
  EXPECT_EQ(r.status, 0) << r.output;
  return nlohmann::json::parse(r.output);
}

class RasterWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("shipchips-raster-writer-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    const GeoTransform scene{600000.0, 10.0, 0.0, 4100040.0, 0.0, -10.0};
    m_grid = chip_grid_at(scene, 32630, 601234.5, 4099000.2, 256);
    for (int b = 0; b < 4; ++b) {
      std::vector<float> v(256 * 256);
      for (int r = 0; r < 256; ++r)
        for (int c = 0; c < 256; ++c)
          v[static_cast<std::size_t>(r) * 256 + c] = static_cast<float>(0.01 * (b + 1) + 0.0005 * c + 0.0003 * r);
      // A nodata corner, as an edge chip has.
      for (int r = 0; r < 20; ++r)
        for (int c = 0; c < 30; ++c) v[static_cast<std::size_t>(r) * 256 + c] = std::numeric_limits<float>::quiet_NaN();
      m_bands.push_back(std::move(v));
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
  std::vector<ChipBandView> views() const {
    const char* names[] = {"B02", "B03", "B04", "B08"};
    std::vector<ChipBandView> out;
    for (int b = 0; b < 4; ++b) out.push_back({names[b], m_bands[static_cast<std::size_t>(b)]});
    return out;
  }
  std::size_t files_in_dir() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator{}));
  }

  fs::path m_dir;
  ChipGrid m_grid;
  std::vector<std::vector<float>> m_bands;
};

}  // namespace

TEST_F(RasterWriter, CogHasDescriptionsGeoreferencingCompressionAndOverviews) {
  const fs::path out = m_dir / "chip.tif";
  ChipWriteOptions o;  // COG, 256 blocks, [2, 4, 8, 16], DEFLATE
  o.metadata = {{"SHIPCHIPS_SCENE", "S2B_30STF_20200614_0_L2A"}};
  write_chip_geotiff(out, m_grid, views(), o);
  EXPECT_EQ(files_in_dir(), 1u) << "temporary files left behind";

  const nlohmann::json info = gdalinfo(out);
  ASSERT_EQ(info["bands"].size(), 4u);
  const char* names[] = {"B02", "B03", "B04", "B08"};
  for (int b = 0; b < 4; ++b) {
    const auto& band = info["bands"][static_cast<std::size_t>(b)];
    EXPECT_EQ(band["description"], names[b]);
    EXPECT_EQ(band["type"], "Float32");
    EXPECT_EQ(band["block"], nlohmann::json::array({256, 256}));
    EXPECT_EQ(band["noDataValue"], "NaN");
    ASSERT_EQ(band["overviews"].size(), 4u) << band.dump();
    EXPECT_EQ(band["overviews"][0]["size"], nlohmann::json::array({128, 128}));
    EXPECT_EQ(band["overviews"][3]["size"], nlohmann::json::array({16, 16}));
  }
  const auto& structure = info["metadata"]["IMAGE_STRUCTURE"];
  EXPECT_EQ(structure["COMPRESSION"], "DEFLATE");
  EXPECT_EQ(structure["LAYOUT"], "COG");
  // No predictor by default (ChipWriteOptions: predictor 3 makes reflectance compress worse).
  EXPECT_FALSE(structure.contains("PREDICTOR")) << structure.dump();
  EXPECT_EQ(info["metadata"][""]["SHIPCHIPS_SCENE"], "S2B_30STF_20200614_0_L2A");
  EXPECT_EQ(info["stac"]["proj:epsg"], 32630);
  const auto& gt = info["geoTransform"];
  EXPECT_DOUBLE_EQ(gt[0].get<double>(), 599950.0);
  EXPECT_DOUBLE_EQ(gt[1].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(gt[3].get<double>(), 4100290.0);
  EXPECT_DOUBLE_EQ(gt[5].get<double>(), -10.0);
  EXPECT_EQ(info["size"], nlohmann::json::array({256, 256}));

  const RunResult valid = run(std::string("/usr/bin/python3 ") + kCogValidator + " '" + out.string() + "'");
  EXPECT_EQ(valid.status, 0) << valid.output;
  EXPECT_NE(valid.output.find("is a valid cloud optimized GeoTIFF"), std::string::npos) << valid.output;

  // Overview levels in 64 px tiles (not padded to the chip's 256 px blocks).
  std::unique_ptr<GDALDataset> tiles(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
  ASSERT_TRUE(tiles);
  for (int k = 0; k < 4; ++k) {
    int bx = 0, by = 0;
    tiles->GetRasterBand(1)->GetOverview(k)->GetBlockSize(&bx, &by);
    EXPECT_EQ(bx, 64) << "overview " << k;
    EXPECT_EQ(by, 64) << "overview " << k;
  }
  tiles.reset();

  // Values and NaN nodata read back unchanged.
  std::unique_ptr<GDALDataset> ds(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
  ASSERT_TRUE(ds);
  std::vector<float> back(256 * 256);
  ASSERT_EQ(ds->GetRasterBand(3)->RasterIO(GF_Read, 0, 0, 256, 256, back.data(), 256, 256, GDT_Float32, 0, 0, nullptr),
            CE_None);
  for (std::size_t k = 0; k < back.size(); ++k) {
    if (std::isnan(m_bands[2][k]))
      ASSERT_TRUE(std::isnan(back[k])) << k;
    else
      ASSERT_EQ(back[k], m_bands[2][k]) << k;
  }
}

TEST_F(RasterWriter, PlainTiledZstdGeoTiff) {
  const fs::path out = m_dir / "sub" / "chip.tif";
  ChipWriteOptions o;
  o.write_cog = false;
  o.compression = Compression::zstd;
  o.block_size = 128;
  o.overviews = {};
  o.predictor = Predictor::floating_point;
  write_chip_geotiff(out, m_grid, views(), o);
  const nlohmann::json info = gdalinfo(out);
  EXPECT_EQ(info["metadata"]["IMAGE_STRUCTURE"]["COMPRESSION"], "ZSTD");
  EXPECT_EQ(info["metadata"]["IMAGE_STRUCTURE"].value("PREDICTOR", ""), "3");
  EXPECT_FALSE(info["metadata"]["IMAGE_STRUCTURE"].contains("LAYOUT"));
  EXPECT_EQ(info["bands"][0]["block"], nlohmann::json::array({128, 128}));
  EXPECT_FALSE(info["bands"][0].contains("overviews"));
  EXPECT_EQ(info["bands"][3]["description"], "B08");
  EXPECT_EQ(info["stac"]["proj:epsg"], 32630);

  // The COG with the predictor asked for.
  const fs::path cog = m_dir / "predicted.tif";
  ChipWriteOptions p;
  p.predictor = Predictor::floating_point;
  p.level = 6;
  write_chip_geotiff(cog, m_grid, views(), p);
  std::unique_ptr<GDALDataset> ds(GDALDataset::Open(cog.c_str(), GDAL_OF_RASTER));
  ASSERT_TRUE(ds);
  EXPECT_STREQ(ds->GetMetadataItem("PREDICTOR", "IMAGE_STRUCTURE"), "3");
  EXPECT_EQ(ds->GetRasterBand(1)->GetOverviewCount(), 4);
}

TEST_F(RasterWriter, BadInputsAreRefusedAndLeaveNoFile) {
  const fs::path out = m_dir / "bad.tif";
  std::vector<float> short_band(100, 0.0f);
  EXPECT_THROW(write_chip_geotiff(out, m_grid, {{"B02", short_band}}), Error);
  ChipWriteOptions o;
  o.block_size = 100;
  EXPECT_THROW(write_chip_geotiff(out, m_grid, views(), o), Error);
  o.block_size = 64;  // fine for GTiff, too small for the COG driver
  EXPECT_THROW(write_chip_geotiff(out, m_grid, views(), o), Error);
  o.block_size = 256;
  o.overviews = {4, 2};
  EXPECT_THROW(write_chip_geotiff(out, m_grid, views(), o), Error);
  o.overviews = {2, 4};
  o.overview_block_size = 100;  // GDAL takes powers of two from 64 to 4096
  EXPECT_THROW(write_chip_geotiff(out, m_grid, views(), o), Error);
  EXPECT_EQ(files_in_dir(), 0u);
}

TEST(RasterQuicklook, StretchUsesPercentilesOfValidPixels) {
  std::vector<float> v;
  for (int i = 0; i < 100; ++i) v.push_back(static_cast<float>(i));
  v.push_back(std::numeric_limits<float>::quiet_NaN());
  const auto s = stretch_to_byte(v, 0.02, 0.98);
  // Nearest-rank percentiles of 0..99: p2 = 2, p98 = 97.
  EXPECT_EQ(s[0], 1);
  EXPECT_EQ(s[2], 1);
  EXPECT_EQ(s[97], 255);
  EXPECT_EQ(s[99], 255);
  EXPECT_EQ(s[50], 1 + static_cast<int>(std::lround((50.0 - 2.0) / 95.0 * 254.0)));
  EXPECT_EQ(s[100], 0);  // NaN: black
  const std::vector<float> flat(10, 0.5f);
  EXPECT_EQ(stretch_to_byte(flat, 0.02, 0.98)[3], 128);
}

TEST(RasterQuicklook, NarrowRangesAreWidenedSoWaterNoiseStaysCalm) {
  // Open water: reflectance 0.030 ± 0.002 of noise, one bright ship pixel.
  std::vector<float> water;
  for (int i = 0; i < 1000; ++i) water.push_back(0.028f + 0.004f * static_cast<float>(i % 101) / 100.0f);
  water.push_back(0.25f);
  const auto pure = stretch_to_byte(water, 0.02, 0.98);
  const auto calm = stretch_to_byte(water, 0.02, 0.98, 0.04);
  auto spread = [&](const std::vector<std::uint8_t>& s) {
    const auto [lo, hi] = std::minmax_element(s.begin(), s.end() - 1);
    return *hi - *lo;
  };
  EXPECT_GT(spread(pure), 240);  // noise stretched over the whole byte range
  // Widened to 0.04 around 0.030: the 0.004 of noise is 0.1 of the range, about 25 levels,
  // centred on mid-grey; the ship saturates.
  EXPECT_NEAR(spread(calm), 0.004 / 0.04 * 254.0, 3.0);
  EXPECT_NEAR(calm[50], 128, 3);  // 0.030, the middle
  EXPECT_EQ(calm.back(), 255);
  // A wide range is left alone.
  std::vector<float> wide;
  for (int i = 0; i < 100; ++i) wide.push_back(0.01f * static_cast<float>(i));
  EXPECT_EQ(stretch_to_byte(wide, 0.02, 0.98, 0.04), stretch_to_byte(wide, 0.02, 0.98));
}

TEST_F(RasterWriter, QuicklookIsAnRgbJpegWithoutSidecars) {
  const fs::path out = m_dir / "chip_quicklook.jpg";
  write_quicklook_jpeg(out, 256, m_bands[2], m_bands[1], m_bands[0]);
  EXPECT_EQ(files_in_dir(), 1u);
  const nlohmann::json info = gdalinfo(out);
  EXPECT_EQ(info["driverShortName"], "JPEG");
  EXPECT_EQ(info["size"], nlohmann::json::array({256, 256}));
  ASSERT_EQ(info["bands"].size(), 3u);
  EXPECT_EQ(info["bands"][0]["type"], "Byte");
  std::unique_ptr<GDALDataset> ds(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
  ASSERT_TRUE(ds);
  std::vector<std::uint8_t> px(256 * 256);
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, 256, 256, px.data(), 256, 256, GDT_Byte, 0, 0, nullptr),
            CE_None);
  // The nodata corner is black; the bright bottom-right corner near white (JPEG is lossy).
  EXPECT_LT(px[5 * 256 + 5], 20);
  EXPECT_GT(px[250 * 256 + 250], 230);
  EXPECT_THROW(write_quicklook_jpeg(out, 128, m_bands[2], m_bands[1], m_bands[0]), Error);
}

TEST(RasterQuicklook, OutlineIsDrawnOnThePixelsItCrosses) {
  RgbImage img;
  img.size = 16;
  for (auto& b : img.bands) b.assign(256, 10);
  // A square through pixel centres (4.5, 4.5) .. (10.5, 10.5): the ring of pixels 4..10.
  draw_outline(img, {{4.5, 4.5}, {10.5, 4.5}, {10.5, 10.5}, {4.5, 10.5}}, {255, 0, 0});
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) {
      const bool ring = (r == 4 || r == 10) ? (c >= 4 && c <= 10) : ((c == 4 || c == 10) && r >= 4 && r <= 10);
      const std::size_t k = static_cast<std::size_t>(r) * 16 + c;
      ASSERT_EQ(img.bands[0][k], ring ? 255 : 10) << c << "," << r;
      ASSERT_EQ(img.bands[1][k], ring ? 0 : 10);
    }
  // Clipped at the border, no out-of-range writes.
  draw_outline(img, {{-5.0, -5.0}, {20.0, 20.0}}, {0, 255, 0});
  EXPECT_EQ(img.bands[1][0], 255);
  EXPECT_EQ(img.bands[1][15 * 16 + 15], 255);
}

TEST_F(RasterWriter, QuicklookOverlayHookDrawsBeforeWriting) {
  auto pixel = [](const fs::path& p, int band) {
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(p.c_str(), GDAL_OF_RASTER));
    std::uint8_t v = 0;
    if (!ds || ds->GetRasterBand(band)->RasterIO(GF_Read, 130, 100, 1, 1, &v, 1, 1, GDT_Byte, 0, 0, nullptr) != CE_None)
      ADD_FAILURE() << "cannot read " << p;
    return static_cast<int>(v);
  };
  QuicklookOptions plain;
  plain.quality = 100;
  const fs::path without = m_dir / "plain_quicklook.jpg";
  write_quicklook_jpeg(without, 256, m_bands[2], m_bands[1], m_bands[0], plain);
  QuicklookOptions o = plain;
  o.overlay = [](RgbImage& img) {
    draw_outline(img, {{100.5, 100.5}, {160.5, 100.5}, {160.5, 140.5}, {100.5, 140.5}}, {0, 255, 0});
  };
  const fs::path with = m_dir / "hull_quicklook.jpg";
  write_quicklook_jpeg(with, 256, m_bands[2], m_bands[1], m_bands[0], o);
  // JPEG chroma subsampling smears a 1 px line, but it stays clearly greener and less red.
  EXPECT_GT(pixel(with, 2) - pixel(without, 2), 40);
  EXPECT_LT(pixel(with, 1) - pixel(without, 1), -10);
}

// The overviews shipchips computes (box means of the valid pixels, level from level) against
// GDAL's own AVERAGE resampler on the same pixels, with nodata boxes that are partly and wholly
// NaN; and GDAL's resampler itself where a factor does not divide the chip (200 px, factor 16).
TEST_F(RasterWriter, OverviewsEqualGdalAverage) {
  for (const int size : {256, 200}) {
    SCOPED_TRACE(size);
    const GeoTransform scene{600000.0, 10.0, 0.0, 4100040.0, 0.0, -10.0};
    const ChipGrid grid = chip_grid_at(scene, 32630, 601234.5, 4099000.2, size);
    std::vector<std::vector<float>> values;
    std::vector<ChipBandView> bands;
    for (int b = 0; b < 2; ++b) {
      std::vector<float> v(static_cast<std::size_t>(size) * size);
      for (std::size_t k = 0; k < v.size(); ++k)
        v[k] = static_cast<float>(0.02 + 0.3 * std::abs(std::sin(0.37 * static_cast<double>(k) + b)));
      for (int r = 0; r < 37; ++r)
        for (int c = 0; c < 53; ++c)
          v[static_cast<std::size_t>(r) * size + c] = std::numeric_limits<float>::quiet_NaN();
      values.push_back(std::move(v));
    }
    for (int b = 0; b < 2; ++b) bands.push_back({b == 0 ? "B03" : "B08", values[static_cast<std::size_t>(b)]});
    const fs::path out = m_dir / ("overviews_" + std::to_string(size) + ".tif");
    write_chip_geotiff(out, grid, bands);

    // The oracle: the same pixels in a MEM dataset with NaN nodata, GDAL's AVERAGE overviews.
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    std::unique_ptr<GDALDataset> oracle(mem->Create("", size, size, 2, GDT_Float32, nullptr));
    for (int b = 0; b < 2; ++b) {
      GDALRasterBand* band = oracle->GetRasterBand(b + 1);
      band->SetNoDataValue(std::numeric_limits<double>::quiet_NaN());
      ASSERT_EQ(band->RasterIO(GF_Write, 0, 0, size, size, values[static_cast<std::size_t>(b)].data(), size, size,
                               GDT_Float32, 0, 0, nullptr),
                CE_None);
    }
    int levels[] = {2, 4, 8, 16};
    ASSERT_EQ(oracle->BuildOverviews("AVERAGE", 4, levels, 0, nullptr, nullptr, nullptr), CE_None);

    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(ds);
    std::size_t nan_boxes = 0, partial_checked = 0;
    for (int b = 1; b <= 2; ++b) {
      for (int k = 0; k < 4; ++k) {
        GDALRasterBand* ours = ds->GetRasterBand(b)->GetOverview(k);
        GDALRasterBand* theirs = oracle->GetRasterBand(b)->GetOverview(k);
        ASSERT_TRUE(ours && theirs);
        ASSERT_EQ(ours->GetXSize(), theirs->GetXSize());
        const int n = ours->GetXSize();
        std::vector<float> a(static_cast<std::size_t>(n) * n), r(a.size());
        ASSERT_EQ(ours->RasterIO(GF_Read, 0, 0, n, n, a.data(), n, n, GDT_Float32, 0, 0, nullptr), CE_None);
        ASSERT_EQ(theirs->RasterIO(GF_Read, 0, 0, n, n, r.data(), n, n, GDT_Float32, 0, 0, nullptr), CE_None);
        const int factor = levels[k];
        for (std::size_t p = 0; p < a.size(); ++p) {
          ASSERT_EQ(std::isnan(a[p]), std::isnan(r[p])) << "band " << b << " level " << factor << " pixel " << p;
          if (std::isnan(a[p])) {
            ++nan_boxes;
            continue;
          }
          ASSERT_NEAR(a[p], r[p], 1e-6f) << "band " << b << " level " << factor << " pixel " << p;
          const int row = static_cast<int>(p) / n, col = static_cast<int>(p) % n;
          if (row * factor < 37 && col * factor < 53) ++partial_checked;  // a box with some NaN pixels
        }
      }
    }
    EXPECT_GT(nan_boxes, 0u);
    EXPECT_GT(partial_checked, 0u);
  }
}
