// DN → reflectance and the plausibility check on constructed distributions: the three
// baseline encodings of the same water-and-land scene, decoded right and wrong.
#include "raster/reflectance.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace shipchips;
using namespace shipchips::raster;

namespace {

// 64×64 NIR DNs: 70 % water (refl 0.010..0.016), 30 % vegetation (0.30), encoded with `offset`.
BandWindow scene(double offset, std::vector<float>* scl = nullptr) {
  BandWindow w;
  w.size = 64;
  w.values.resize(64 * 64);
  w.valid.assign(64 * 64, 1);
  if (scl) scl->resize(64 * 64);
  for (std::size_t k = 0; k < w.values.size(); ++k) {
    const bool water = k % 10 < 7;
    const double refl = water ? 0.010 + 0.006 * static_cast<double>(k % 7) / 6.0 : 0.30;
    w.values[k] = static_cast<float>(std::round(refl * 10000.0) + offset);
    if (scl) (*scl)[k] = water ? 6.0f : 4.0f;
  }
  w.valid[5] = 0;  // one nodata pixel
  w.values[5] = 0;
  return w;
}

}  // namespace

TEST(RasterReflectance, ValidPixelsScaledNodataIsNan) {
  BandWindow w = scene(1000);
  const auto r = to_reflectance(w, stac::ReflectanceRule{0.0001, -0.1});
  EXPECT_TRUE(std::isnan(r[5]));
  EXPECT_NEAR(r[0], 0.010, 1e-7);
  EXPECT_NEAR(r[7], 0.30, 1e-7);
}

TEST(RasterReflectance, CorrectRulesArePlausibleForAllThreeEncodings) {
  struct Case {
    double dn_offset;
    stac::ReflectanceRule rule;
  } cases[] = {{0, {0.0001, 0.0}}, {0, {0.0001, 0.0}}, {1000, {0.0001, -0.1}}};  // pre2022, applied, not applied
  for (const auto& c : cases) {
    std::vector<float> scl;
    const auto r = to_reflectance(scene(c.dn_offset, &scl), c.rule);
    for (bool with_scl : {false, true}) {
      const PlausibilityReport p =
          check_plausibility(r, with_scl ? std::span<const float>(scl) : std::span<const float>{});
      EXPECT_TRUE(p.ok) << p.reason;
      EXPECT_EQ(p.suspicion, OffsetSuspicion::none);
      EXPECT_EQ(p.judged_on_water, with_scl);
      EXPECT_NEAR(p.dark_value, 0.010, 0.0011);
      EXPECT_DOUBLE_EQ(p.fraction_negative, 0.0);
      EXPECT_EQ(p.valid_pixels, 64u * 64u - 1u);
    }
  }
}

TEST(RasterReflectance, OffsetStillInTheDnsIsCaught) {
  // Flag says applied (rule without offset) but DNs carry +1000.
  std::vector<float> scl;
  const auto r = to_reflectance(scene(1000, &scl), stac::ReflectanceRule{0.0001, 0.0});
  const PlausibilityReport p = check_plausibility(r, scl);
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.suspicion, OffsetSuspicion::offset_not_removed);
  EXPECT_NEAR(p.dark_value, 0.11, 0.0011);
  EXPECT_NE(p.reason.find("+1000"), std::string::npos) << p.reason;
}

TEST(RasterReflectance, OffsetRemovedTwiceIsCaught) {
  const auto r = to_reflectance(scene(0), stac::ReflectanceRule{0.0001, -0.1});
  const PlausibilityReport p = check_plausibility(r);
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.suspicion, OffsetSuspicion::offset_removed_twice);
  EXPECT_NEAR(p.fraction_negative, 0.7, 0.01);
  EXPECT_NEAR(p.median, -0.086, 0.005);
}

TEST(RasterReflectance, TooFewPixelsOrNoWaterIsInconclusiveNotAFailure) {
  std::vector<float> few(50, 0.2f);
  PlausibilityReport p = check_plausibility(few);
  EXPECT_TRUE(p.ok);
  EXPECT_EQ(p.suspicion, OffsetSuspicion::inconclusive);
  // A cloud-covered chip: bright everywhere, SCL without water.
  std::vector<float> cloud(4096, 0.5f), scl(4096, 9.0f);
  p = check_plausibility(cloud, scl);
  EXPECT_TRUE(p.ok);
  EXPECT_EQ(p.suspicion, OffsetSuspicion::inconclusive);
  EXPECT_NE(p.reason.find("water"), std::string::npos);
  EXPECT_NEAR(p.median, 0.5, 1e-6);
  std::vector<float> all_nan(4096, std::numeric_limits<float>::quiet_NaN());
  p = check_plausibility(all_nan);
  EXPECT_TRUE(std::isnan(p.median));
  EXPECT_EQ(p.suspicion, OffsetSuspicion::inconclusive);
}
