// DN → reflectance and the plausibility check on constructed distributions: the three
// baseline encodings of the same water-and-land scene, decoded right and wrong.
#include "raster/reflectance.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>
#include <vector>

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

// quantile_pair against the plain definition: the value at index round(q × (n − 1)) of the
// fully sorted values, on the shapes a chip band takes (narrow open water, a wide land/cloud
// mix, negatives and signed zeros, heavy duplicates, sorted input, one value) and at q 0 and 1.
TEST(RasterReflectance, QuantilePairIsTheNearestRankOfTheSortedValues) {
  std::mt19937 rng(12345);
  std::vector<std::vector<float>> cases;
  std::normal_distribution<float> water(0.02f, 0.002f);
  std::uniform_real_distribution<float> wide(-0.05f, 1.4f);
  std::vector<float> v(65536);
  for (auto& x : v) x = water(rng);
  cases.push_back(v);
  for (auto& x : v) x = wide(rng);
  cases.push_back(v);
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = static_cast<float>(static_cast<int>(k % 7) - 3) * 1e-4f;
  v[5] = -0.0f;
  v[9] = 0.0f;
  cases.push_back(v);  // seven distinct values, negatives and both zeros
  std::sort(v.begin(), v.end());
  cases.push_back(v);
  for (std::size_t k = 0; k < v.size(); ++k) v[k] = static_cast<float>(k) * 1e-5f;
  cases.push_back(v);  // a gradient, already in order
  cases.push_back({0.25f});
  cases.push_back({0.3f, -0.1f, 0.2f});
  for (const auto& values : cases) {
    std::vector<float> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{{0.02, 0.98}, {0.0, 1.0}, {0.5, 0.5}}) {
      const auto [a, b] = quantile_pair(values, lo, hi);
      const auto rank = [&](double q) {
        return sorted[static_cast<std::size_t>(std::llround(q * static_cast<double>(sorted.size() - 1)))];
      };
      EXPECT_EQ(a, rank(lo)) << values.size() << " values, q " << lo;
      EXPECT_EQ(b, rank(hi)) << values.size() << " values, q " << hi;
    }
  }
  const auto [a, b] = quantile_pair(std::vector<float>{}, 0.02, 0.98);
  EXPECT_TRUE(std::isnan(a) && std::isnan(b));
}
