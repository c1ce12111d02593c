// The gate on constructed chips: SCL class fractions and NDWI in the centre window, each
// threshold deciding on its own, and errors (missing inputs, an all-nodata window) never passing.
#include "core/error.hpp"
#include "raster/gate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace shipchips;
using namespace shipchips::raster;

namespace {

constexpr int kSize = 256;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct Chip {
  std::vector<float> scl = std::vector<float>(kSize * kSize, 6.0f);
  std::vector<float> green = std::vector<float>(kSize * kSize, 0.05f);  // water: NDWI = (0.05-0.01)/0.06 = 0.67
  std::vector<float> nir = std::vector<float>(kSize * kSize, 0.01f);
  // Paints the first `rows` rows of the 64 px centre window (chip rows 96..) with class/land.
  void paint_rows(int rows, float cls, bool land_reflectance) {
    for (int r = 96; r < 96 + rows; ++r)
      for (int c = 0; c < kSize; ++c) {
        const std::size_t k = static_cast<std::size_t>(r) * kSize + c;
        scl[k] = cls;
        if (land_reflectance) {
          green[k] = 0.06f;
          nir[k] = 0.30f;
        }
      }
  }
};

GateResult run(const Chip& chip, const GateOptions& o = {}) {
  return evaluate_gate(kSize, chip.scl, chip.green, chip.nir, o);
}

}  // namespace

TEST(RasterGate, OpenWaterPasses) {
  const GateResult r = run(Chip{});
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(r.stats.window_px, 64);
  EXPECT_EQ(r.stats.pixels, 64 * 64);
  EXPECT_DOUBLE_EQ(r.stats.water_frac, 1.0);
  EXPECT_DOUBLE_EQ(r.stats.ndwi_water_frac, 1.0);
  EXPECT_DOUBLE_EQ(r.stats.cloud_frac, 0.0);
  EXPECT_DOUBLE_EQ(r.stats.nodata_frac, 0.0);
}

TEST(RasterGate, WindowIsCentredOnTheTargetPixel) {
  // Rows 96..159 and cols 96..159 form the window of a 256 chip (pixel 128 = window pixel 32).
  Chip chip;
  for (int c = 0; c < kSize; ++c) {
    chip.scl[static_cast<std::size_t>(95) * kSize + c] = 9;   // just above the window
    chip.scl[static_cast<std::size_t>(160) * kSize + c] = 9;  // just below
  }
  EXPECT_DOUBLE_EQ(run(chip).stats.cloud_frac, 0.0);
  for (int c = 0; c < kSize; ++c) chip.scl[static_cast<std::size_t>(96) * kSize + c] = 9;  // first window row
  EXPECT_DOUBLE_EQ(run(chip).stats.cloud_frac, 1.0 / 64.0);
}

TEST(RasterGate, CloudAboveThresholdRejects) {
  Chip chip;
  chip.paint_rows(12, 9.0f, false);  // 12/64 = 0.1875 cloud: below 0.2
  GateResult r = run(chip);
  EXPECT_TRUE(r.passed) << r.reason;
  EXPECT_DOUBLE_EQ(r.stats.cloud_frac, 12.0 / 64.0);
  chip.paint_rows(14, 8.0f, false);  // 0.21875
  r = run(chip);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.reason, "cloud 0.22 > 0.20");
}

TEST(RasterGate, ShadowIsItsOwnGroupWithItsOwnThreshold) {
  Chip chip;
  chip.paint_rows(16, 3.0f, false);  // 16/64 = 0.25 shadow
  GateResult r = run(chip);
  EXPECT_DOUBLE_EQ(r.stats.shadow_frac, 0.25);
  EXPECT_DOUBLE_EQ(r.stats.cloud_frac, 0.0);
  EXPECT_DOUBLE_EQ(r.stats.decision_cloud_frac, 0.0);
  EXPECT_DOUBLE_EQ(r.stats.decision_shadow_frac, 0.25);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.reason, "shadow 0.25 > 0.20");
  GateOptions o;
  o.max_shadow_center_frac = 0.3;
  EXPECT_TRUE(run(chip, o).passed);
  // The seed's lumping (shadow counted as cloud) is still a configuration away.
  o = GateOptions{};
  o.cloud_classes = {3, 8, 9, 10};
  o.shadow_classes = {};
  r = run(chip, o);
  EXPECT_DOUBLE_EQ(r.stats.decision_cloud_frac, 0.25);
  EXPECT_EQ(r.reason, "cloud 0.25 > 0.20");
}

TEST(RasterGate, LandAboveThresholdRejectsAndLowersNdwiWater) {
  Chip chip;
  chip.paint_rows(24, 4.0f, true);  // 0.375 vegetation, NIR-bright
  const GateResult r = run(chip);
  EXPECT_FALSE(r.passed);
  EXPECT_DOUBLE_EQ(r.stats.land_frac, 0.375);
  EXPECT_DOUBLE_EQ(r.stats.ndwi_water_frac, 1.0 - 0.375);
  EXPECT_EQ(r.reason, "land 0.38 > 0.30");
}

TEST(RasterGate, TooLittleNdwiWaterRejects) {
  Chip chip;
  // SCL says water, reflectance says not (NDWI < 0) on 40 of 64 rows.
  for (int r = 96; r < 136; ++r)
    for (int c = 0; c < kSize; ++c) chip.nir[static_cast<std::size_t>(r) * kSize + c] = 0.2f;
  GateResult res = run(chip);
  EXPECT_FALSE(res.passed);
  EXPECT_DOUBLE_EQ(res.stats.ndwi_water_frac, 24.0 / 64.0);
  EXPECT_EQ(res.reason, "NDWI water 0.38 < 0.50");
  GateOptions o;
  o.use_ndwi = false;  // SCL water decides
  EXPECT_TRUE(run(chip, o).passed);
  o.use_ndwi = true;
  o.ndwi_water_thresh = -0.7;  // (0.05 - 0.2) / 0.25 = -0.6 counts as water now
  EXPECT_TRUE(run(chip, o).passed);
}

TEST(RasterGate, EveryFailedTestIsListed) {
  Chip chip;
  chip.paint_rows(20, 9.0f, false);
  for (int r = 116; r < 160; ++r)
    for (int c = 0; c < kSize; ++c) {
      chip.scl[static_cast<std::size_t>(r) * kSize + c] = 5;
      chip.nir[static_cast<std::size_t>(r) * kSize + c] = 0.3f;
    }
  const GateResult r = run(chip);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.reason, "cloud 0.31 > 0.20; land 0.69 > 0.30; NDWI water 0.31 < 0.50");
}

TEST(RasterGate, NodataIsCountedAndAllNodataIsAnError) {
  Chip chip;
  for (int r = 96; r < 112; ++r)
    for (int c = 0; c < kSize; ++c) chip.scl[static_cast<std::size_t>(r) * kSize + c] = kNaN;
  GateResult r = run(chip);
  EXPECT_DOUBLE_EQ(r.stats.nodata_frac, 0.25);
  EXPECT_DOUBLE_EQ(r.stats.water_frac, 0.75);
  EXPECT_TRUE(r.passed) << r.reason;
  for (auto& v : chip.scl) v = 0.0f;  // SCL class 0: no data everywhere
  try {
    run(chip);
    FAIL() << "an all-nodata window passed or was rejected without error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
  }
}

TEST(RasterGate, MissingInputsAreErrorsNotPasses) {
  const Chip chip;
  EXPECT_THROW(evaluate_gate(kSize, {}, chip.green, chip.nir, GateOptions{}), Error);
  EXPECT_THROW(evaluate_gate(kSize, chip.scl, {}, chip.nir, GateOptions{}), Error);
  EXPECT_THROW(evaluate_gate(128, chip.scl, chip.green, chip.nir, GateOptions{}), Error);
  GateOptions none;
  none.use_scl = false;
  none.use_ndwi = false;
  EXPECT_THROW(evaluate_gate(kSize, chip.scl, chip.green, chip.nir, none), Error);
}

TEST(RasterGate, OptionsComeFromTheConfig) {
  GateConfig g;
  g.center_window_px = 32;
  g.max_cloud_center_frac = 0.1;
  MasksConfig m;
  m.scl_cloud_classes = {8, 9};
  const GateOptions o = gate_options_from(g, m);
  EXPECT_EQ(o.center_window_px, 32);
  EXPECT_DOUBLE_EQ(o.max_cloud_center_frac, 0.1);
  EXPECT_EQ(o.cloud_classes, (std::vector<int>{8, 9}));
  EXPECT_EQ(o.shadow_classes, (std::vector<int>{3}));
  EXPECT_DOUBLE_EQ(o.max_shadow_center_frac, 0.2);
  EXPECT_EQ(run(Chip{}, o).stats.window_px, 32);
}
