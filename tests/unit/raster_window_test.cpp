// Window reads on small synthetic GeoTIFFs with known values: exact 10 m windows, boundless
// reads at the scene edges (validity mask, nodata fraction), 20 m → 10 m resampling whose
// results follow from the geometry (a linear ramp, which bilinear and bicubic interpolation
// reproduce exactly), and GDAL failures mapped to error categories.
#include "core/error.hpp"
#include "raster/chip_grid.hpp"
#include "raster/gdal_errors.hpp"
#include "raster/window_reader.hpp"

#include <cpl_error.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogr_spatialref.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

using namespace shipchips;
using namespace shipchips::raster;
namespace fs = std::filesystem;

namespace {

constexpr int kEpsg = 32630;
constexpr double kX0 = 500000.0, kY0 = 4000000.0;

class RasterWindow : public ::testing::Test {
 protected:
  void SetUp() override {
    configure_gdal_for_cogs();
    m_dir = fs::temp_directory_path() / ("shipchips-raster-window-" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }

  // A one-band GeoTIFF (tiled, DEFLATE, nodata 0) whose pixel (c, r) holds value(c, r).
  std::string make_tif(const std::string& name, double x0, double y0, double res, int w, int h, GDALDataType type,
                       const std::function<double(int, int)>& value) {
    const fs::path p = m_dir / name;
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    const char* opts[] = {"TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE", nullptr};
    std::unique_ptr<GDALDataset> ds(drv->Create(p.c_str(), w, h, 1, type, const_cast<char**>(opts)));
    double gt[6] = {x0, res, 0, y0, 0, -res};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(kEpsg);
    ds->SetSpatialRef(&srs);
    ds->GetRasterBand(1)->SetNoDataValue(0);
    std::vector<double> v(static_cast<std::size_t>(w) * h);
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c) v[static_cast<std::size_t>(r) * w + c] = value(c, r);
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, w, h, v.data(), w, h, GDT_Float64, 0, 0, nullptr),
              CE_None);
    return p.string();
  }

  fs::path m_dir;
};

// 10 m scene: 100 × 80 pixels, value 1 + col + 100*row, with one nodata pixel at (7, 4).
double scene_value(int c, int r) {
  return (c == 7 && r == 4) ? 0.0 : 1.0 + c + 100.0 * r;
}

}  // namespace

TEST_F(RasterWindow, TenMetreWindowInsideIsCopiedExactly) {
  const std::string tif = make_tif("b02.tif", kX0, kY0, 10, 100, 80, GDT_UInt16, scene_value);
  DatasetCache cache;
  const ChipGrid g = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 + 40 * 10 + 3, kY0 - 30 * 10 - 7, 16);
  ASSERT_EQ(g.col_off, 32);
  ASSERT_EQ(g.row_off, 22);
  const BandWindow w =
      read_window(cache, BandSource{tif, std::nullopt, std::nullopt, "B02"}, g, ResampleMethod::bicubic);
  ASSERT_EQ(w.size, 16);
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) {
      ASSERT_TRUE(w.valid_at(c, r));
      ASSERT_EQ(w.at(c, r), scene_value(32 + c, 22 + r)) << c << "," << r;
    }
  EXPECT_EQ(w.outside_pixels, 0);
  EXPECT_EQ(w.nodata_pixels, 0);
  EXPECT_DOUBLE_EQ(w.nodata_fraction(), 0.0);
}

TEST_F(RasterWindow, BoundlessAtTheUpperLeftEdgeMarksOutsideAndNodata) {
  const std::string tif = make_tif("b02.tif", kX0, kY0, 10, 100, 80, GDT_UInt16, scene_value);
  DatasetCache cache;
  // Target pixel (3, 5): a 16 px chip starts at (-5, -3).
  const ChipGrid g = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 + 35, kY0 - 55, 16);
  ASSERT_EQ(g.col_off, -5);
  ASSERT_EQ(g.row_off, -3);
  const BandWindow w = read_window(cache, BandSource{tif, std::nullopt, std::nullopt, "B02"}, g);
  long long valid = 0;
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) {
      const int sc = c - 5, sr = r - 3;
      const bool inside = sc >= 0 && sr >= 0;
      const bool nodata = sc == 7 && sr == 4;
      ASSERT_EQ(w.valid_at(c, r), inside && !nodata) << c << "," << r;
      if (inside && !nodata) {
        ASSERT_EQ(w.at(c, r), scene_value(sc, sr));
        ++valid;
      } else {
        ASSERT_EQ(w.at(c, r), 0.0f);
      }
    }
  EXPECT_EQ(w.outside_pixels, 256 - 11 * 13);
  EXPECT_EQ(w.nodata_pixels, 1);
  EXPECT_DOUBLE_EQ(w.nodata_fraction(), (256.0 - 11 * 13 + 1) / 256.0);
  EXPECT_EQ(valid, 11 * 13 - 1);
}

TEST_F(RasterWindow, BoundlessAtTheLowerRightEdgeAndFullyOutside) {
  const std::string tif = make_tif("b02.tif", kX0, kY0, 10, 100, 80, GDT_UInt16, scene_value);
  DatasetCache cache;
  // Target pixel (97, 78): chip 16 starts at (89, 70); cols 89..99 and rows 70..79 inside.
  const ChipGrid g = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 + 975, kY0 - 785, 16);
  const BandWindow w = read_window(cache, BandSource{tif, std::nullopt, std::nullopt, "B02"}, g);
  EXPECT_EQ(w.outside_pixels, 256 - 11 * 10);
  EXPECT_TRUE(w.valid_at(10, 9));
  EXPECT_EQ(w.at(10, 9), scene_value(99, 79));
  EXPECT_FALSE(w.valid_at(11, 9));
  EXPECT_FALSE(w.valid_at(10, 10));

  const ChipGrid away = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 - 5000, kY0 + 5000, 16);
  const BandWindow none = read_window(cache, BandSource{tif, std::nullopt, std::nullopt, "B02"}, away);
  EXPECT_EQ(none.outside_pixels, 256);
  EXPECT_DOUBLE_EQ(none.nodata_fraction(), 1.0);
  EXPECT_EQ(cache.opens(), 1u);  // the same file, opened once
}

// 20 m ramp: value 1000 + 10*col + 100*row at pixel (col, row), i.e. at the pixel centre
// (col + 0.5, row + 0.5) in pixel coordinates.
double ramp(int c, int r) {
  return 1000.0 + 10.0 * c + 100.0 * r;
}

TEST_F(RasterWindow, TwentyMetreRampResamplesExactlyWithBilinearAndBicubic) {
  const std::string tif =
      make_tif("b11.tif", kX0, kY0, 20, 50, 40, GDT_UInt16, [](int c, int r) { return ramp(c, r); });
  DatasetCache cache;
  const ChipGrid g = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 + 400 + 3, kY0 - 300 - 3, 16);  // off (32, 22)
  for (ResampleMethod m : {ResampleMethod::bilinear, ResampleMethod::bicubic}) {
    const BandWindow w = read_window(cache, BandSource{tif, std::nullopt, std::nullopt, "B11"}, g, m);
    for (int r = 0; r < 16; ++r)
      for (int c = 0; c < 16; ++c) {
        // Chip pixel centre in 20 m pixel coordinates, then relative to source pixel centres.
        const double u = ((g.col_off + c) + 0.5) * 10.0 / 20.0 - 0.5;
        const double v = ((g.row_off + r) + 0.5) * 10.0 / 20.0 - 0.5;
        ASSERT_TRUE(w.valid_at(c, r));
        ASSERT_NEAR(w.at(c, r), 1000.0 + 10.0 * u + 100.0 * v, 1e-3) << to_string(m) << " " << c << "," << r;
      }
  }
}

TEST_F(RasterWindow, NearestTakesThePixelUnderTheChipPixelCentreWhateverTheOrigins) {
  // SCL-like classes on a 20 m grid whose origin is shifted by 10 m from the 10 m grid's.
  auto cls = [](int c, int r) { return static_cast<double>(1 + (c * 7 + r * 3) % 11); };
  const double sx0 = kX0 - 10.0, sy0 = kY0 + 10.0;
  const std::string tif = make_tif("scl.tif", sx0, sy0, 20, 50, 40, GDT_Byte, cls);
  DatasetCache cache;
  const ChipGrid g = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 + 400 + 3, kY0 - 300 - 3, 16);
  const BandWindow w =
      read_window(cache, BandSource{tif, std::nullopt, std::nullopt, "SCL"}, g, ResampleMethod::nearest);
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) {
      const double x = g.x_center(c), y = g.y_center(r);
      const int sc = static_cast<int>(std::floor((x - sx0) / 20.0));
      const int sr = static_cast<int>(std::floor((sy0 - y) / 20.0));
      ASSERT_EQ(w.at(c, r), cls(sc, sr)) << c << "," << r;
    }
  // The item's transform rules when the file agrees; a disagreeing item is a contract violation.
  const BandWindow same = read_window(
      cache, BandSource{tif, GeoTransform{sx0, 20, 0, sy0, 0, -20}, std::nullopt, "SCL"}, g, ResampleMethod::nearest);
  EXPECT_EQ(same.values, w.values);
  try {
    read_window(cache, BandSource{tif, GeoTransform{kX0, 20, 0, kY0, 0, -20}, std::nullopt, "SCL"}, g,
                ResampleMethod::nearest);
    FAIL() << "a transform disagreeing with the file was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
    EXPECT_NE(std::string(e.what()).find("proj:transform"), std::string::npos) << e.what();
  }
}

TEST_F(RasterWindow, TwentyMetreBoundlessEdgeIsMaskedAndNotZeroFilled) {
  const std::string tif =
      make_tif("b11.tif", kX0, kY0, 20, 50, 40, GDT_UInt16, [](int c, int r) { return ramp(c, r); });
  DatasetCache cache;
  // Target pixel (2, 2) on the 10 m grid: the chip starts at (-6, -6); chip pixels 0..5 are outside.
  const ChipGrid g = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 + 25, kY0 - 25, 16);
  const BandWindow w =
      read_window(cache, BandSource{tif, std::nullopt, std::nullopt, "B11"}, g, ResampleMethod::bicubic);
  EXPECT_EQ(w.outside_pixels, 256 - 10 * 10);
  EXPECT_FALSE(w.valid_at(5, 8));
  EXPECT_FALSE(w.valid_at(8, 5));
  ASSERT_TRUE(w.valid_at(6, 6));
  // Source pixel (0, 0) holds 1000: an edge value, not a blend with zeros.
  EXPECT_GT(w.at(6, 6), 970.0f);
  EXPECT_LT(w.at(6, 6), 1010.0f);
  // Deep inside (kernel fully in the raster) the ramp is exact again.
  const double u = ((g.col_off + 12) + 0.5) / 2.0 - 0.5, v = ((g.row_off + 12) + 0.5) / 2.0 - 0.5;
  EXPECT_NEAR(w.at(12, 12), 1000.0 + 10.0 * u + 100.0 * v, 1e-3);
}

TEST_F(RasterWindow, ErrorsCarryTheirCategory) {
  DatasetCache cache;
  const ChipGrid g = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 + 35, kY0 - 55, 16);
  try {
    read_window(cache, BandSource{(m_dir / "missing.tif").string(), std::nullopt, std::nullopt, "B02"}, g);
    FAIL() << "missing file read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::not_found) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing.tif"), std::string::npos);
  }
  const fs::path junk = m_dir / "junk.tif";
  std::ofstream(junk) << "this is not a TIFF file at all, just text pretending to be one\n";
  try {
    read_window(cache, BandSource{junk.string(), std::nullopt, std::nullopt, "B02"}, g);
    FAIL() << "junk file read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation) << e.what();
  }
  // A TIFF whose tile data is damaged opens, then fails to decode.
  const std::string tif = make_tif("b02.tif", kX0, kY0, 10, 100, 80, GDT_UInt16, scene_value);
  {
    std::fstream f(tif, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const auto size = static_cast<long long>(f.tellg());
    for (long long pos = size / 2; pos < size; pos += 7) {
      f.seekp(pos);
      f.put(static_cast<char>(0x5a));
    }
  }
  DatasetCache fresh;
  const ChipGrid whole = chip_grid_at({kX0, 10, 0, kY0, 0, -10}, kEpsg, kX0 + 500, kY0 - 400, 64);
  try {
    read_window(fresh, BandSource{tif, std::nullopt, std::nullopt, "B02"}, whole);
    FAIL() << "corrupt tiles decoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation) << e.what();
  }
}

TEST(RasterGdalErrors, MessagesMapToCategories) {
  EXPECT_EQ(classify_gdal_failure("HTTP response code: 503", 0, true), ErrorCode::network_transient);
  EXPECT_EQ(classify_gdal_failure("HTTP response code: 429", 0, true), ErrorCode::network_transient);
  EXPECT_EQ(classify_gdal_failure("HTTP response code: 404", 0, true), ErrorCode::not_found);
  EXPECT_EQ(classify_gdal_failure("HTTP response code: 403", 0, true), ErrorCode::http_client_error);
  EXPECT_EQ(classify_gdal_failure("Couldn't connect to server", 0, true), ErrorCode::network_transient);
  EXPECT_EQ(classify_gdal_failure("`/x.tif' does not exist in the file system, and is not recognized as a supported "
                                  "dataset name.",
                                  CPLE_OpenFailed, false),
            ErrorCode::not_found);
  EXPECT_EQ(classify_gdal_failure("`/x.tif' not recognized as a supported file format.", CPLE_OpenFailed, false),
            ErrorCode::contract_violation);
  EXPECT_EQ(classify_gdal_failure("TIFFReadEncodedTile() failed.", CPLE_AppDefined, false),
            ErrorCode::contract_violation);
  // A short remote read (a body truncated in transit) is retryable; the same from a local file is
  // a damaged file.
  const std::string short_read =
      "TIFFFillTile:Read error at row 512, col 512, tile 2; got 9442 bytes, expected 305938; "
      "TIFFReadEncodedTile() failed.; IReadBlock failed at X offset 2, Y offset 0";
  EXPECT_EQ(classify_gdal_failure(short_read, CPLE_AppDefined, true), ErrorCode::network_transient);
  EXPECT_EQ(classify_gdal_failure(short_read, CPLE_AppDefined, false), ErrorCode::contract_violation);
  EXPECT_EQ(classify_gdal_failure("something odd", 0, false), ErrorCode::io_error);
  EXPECT_EQ(classify_gdal_failure("something odd", 0, true), ErrorCode::network_transient);
}

TEST(RasterGdalErrors, UncapturedMessagesGoToTheLogNotStderr) {
  // The chip run's prefetch once let GDAL's default handler print "ERROR 1: ..." lines on stderr
  // beside the command's one error line.
  std::ostringstream logged;
  const auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(logged));
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
  route_gdal_messages_to_log();
  ::testing::internal::CaptureStderr();
  CPLError(CE_Failure, CPLE_AppDefined, "Request for %d-%d failed with response_code=416", 10, 20);
  std::string captured;
  {
    GdalErrorCapture capture;
    CPLError(CE_Failure, CPLE_AppDefined, "inside a capture");
    captured = capture.messages();
  }
  const std::string on_stderr = ::testing::internal::GetCapturedStderr();
  spdlog::set_default_logger(previous);
  EXPECT_EQ(on_stderr, "");
  EXPECT_NE(logged.str().find("[warning] GDAL: Request for 10-20 failed with response_code=416"), std::string::npos)
      << logged.str();
  EXPECT_EQ(captured, "inside a capture");
  EXPECT_EQ(logged.str().find("inside a capture"), std::string::npos) << logged.str();
}

TEST(RasterHref, HttpGoesThroughVsicurl) {
  EXPECT_EQ(gdal_path_for_href("http://127.0.0.1:8080/cogs/a/B02.tif"),
            "/vsicurl/http://127.0.0.1:8080/cogs/a/B02.tif");
  EXPECT_EQ(gdal_path_for_href("https://e84.s3.amazonaws.com/x.tif"), "/vsicurl/https://e84.s3.amazonaws.com/x.tif");
  EXPECT_EQ(gdal_path_for_href("/data/x.tif"), "/data/x.tif");
  EXPECT_EQ(gdal_path_for_href("file:///data/x.tif"), "/data/x.tif");
  EXPECT_EQ(gdal_path_for_href("/vsis3/bucket/x.tif"), "/vsis3/bucket/x.tif");
}

TEST(RasterHref, ResampleMethodPerBand) {
  EXPECT_EQ(resample_method_for(stac::Band::SCL, ResampleMethod::bicubic), ResampleMethod::nearest);
  EXPECT_EQ(resample_method_for(stac::Band::B11, ResampleMethod::bicubic), ResampleMethod::bicubic);
  EXPECT_EQ(resample_method_for(stac::Band::B12, ResampleMethod::bilinear), ResampleMethod::bilinear);
}
