#include "raster/reflectance.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace shipchips::raster {

namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

double quantile_in_place(std::vector<float>& values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto k =
      static_cast<std::size_t>(std::llround(std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

namespace {

// Unsigned keys that sort as the floats do (negatives reversed below positives).
std::uint32_t order_key(float v) {
  const auto bits = std::bit_cast<std::uint32_t>(v);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

std::size_t nearest_rank(std::size_t n, double q) {
  return static_cast<std::size_t>(std::llround(std::clamp(q, 0.0, 1.0) * static_cast<double>(n - 1)));
}

}  // namespace

std::pair<double, double> quantile_pair(std::span<const float> values, double q_low, double q_high) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (values.empty()) return {nan, nan};
  const std::size_t ranks[2] = {nearest_rank(values.size(), q_low), nearest_rank(values.size(), q_high)};
  std::vector<std::uint32_t> histogram(1u << 16, 0);
  for (float v : values) ++histogram[order_key(v) >> 16];
  // Each rank's bucket, and the rank within it.
  std::uint32_t bucket[2] = {0, 0};
  std::size_t within[2] = {0, 0};
  for (int r = 0; r < 2; ++r) {
    std::size_t below = 0;
    std::uint32_t b = 0;
    while (below + histogram[b] <= ranks[r]) below += histogram[b++];
    bucket[r] = b;
    within[r] = ranks[r] - below;
  }
  double result[2];
  std::vector<float> members;
  for (int r = 0; r < 2; ++r) {
    members.clear();
    members.reserve(histogram[bucket[r]]);
    for (float v : values)
      if ((order_key(v) >> 16) == bucket[r]) members.push_back(v);
    std::nth_element(members.begin(), members.begin() + static_cast<std::ptrdiff_t>(within[r]), members.end());
    result[r] = members[within[r]];
  }
  return {result[0], result[1]};
}

std::vector<float> to_reflectance(const BandWindow& window, const stac::ReflectanceRule& rule) {
  const std::size_t n = window.pixel_count();
  if (window.values.size() != n || window.valid.size() != n)
    throw Error(ErrorCode::internal, "to_reflectance: window arrays do not match its size");
  std::vector<float> out(n, std::numeric_limits<float>::quiet_NaN());
  for (std::size_t k = 0; k < n; ++k)
    if (window.valid[k]) out[k] = static_cast<float>(rule.apply(window.values[k]));
  return out;
}

std::string_view to_string(OffsetSuspicion s) {
  switch (s) {
    case OffsetSuspicion::none:
      return "none";
    case OffsetSuspicion::offset_not_removed:
      return "offset_not_removed";
    case OffsetSuspicion::offset_removed_twice:
      return "offset_removed_twice";
    case OffsetSuspicion::inconclusive:
      return "inconclusive";
  }
  return "none";
}

PlausibilityReport check_plausibility(std::span<const float> reflectance, std::span<const float> scl,
                                      const PlausibilityOptions& o) {
  if (!scl.empty() && scl.size() != reflectance.size())
    throw Error(ErrorCode::internal, "check_plausibility: SCL and reflectance differ in size");
  PlausibilityReport r;
  std::vector<float> valid, water;
  valid.reserve(reflectance.size());
  std::size_t negative = 0;
  for (std::size_t k = 0; k < reflectance.size(); ++k) {
    const float v = reflectance[k];
    if (std::isnan(v)) continue;
    valid.push_back(v);
    if (v < o.negative_threshold) ++negative;
    if (!scl.empty() && !std::isnan(scl[k]) && static_cast<int>(scl[k]) == o.water_class) water.push_back(v);
  }
  r.valid_pixels = valid.size();
  r.fraction_negative = valid.empty() ? 0.0 : static_cast<double>(negative) / static_cast<double>(valid.size());
  if (valid.size() < o.min_pixels) {
    r.median = valid.empty() ? std::numeric_limits<double>::quiet_NaN() : quantile_in_place(valid, 0.5);
    r.suspicion = OffsetSuspicion::inconclusive;
    r.reason = "inconclusive: " + std::to_string(valid.size()) + " valid pixels";
    return r;
  }

  // Too many clearly negative reflectances: an offset was subtracted that the DNs lack.
  // Judged first: it does not depend on what the scene shows.
  if (r.fraction_negative > o.max_fraction_negative) {
    r.median = quantile_in_place(valid, 0.5);
    r.ok = false;
    r.suspicion = OffsetSuspicion::offset_removed_twice;
    r.reason = fmt(r.fraction_negative * 100.0) + " % of valid pixels are below " + fmt(o.negative_threshold) +
               " (allowed " + fmt(o.max_fraction_negative * 100.0) +
               " %): the rule subtracts an offset the DNs do not carry (offset removed twice?)";
    r.dark_value = quantile_in_place(valid, o.dark_percentile);
    r.judged_pixels = valid.size();
    return r;
  }

  std::vector<float>* judged = &valid;
  if (!scl.empty()) {
    if (water.size() < o.min_pixels) {
      r.median = quantile_in_place(valid, 0.5);
      r.suspicion = OffsetSuspicion::inconclusive;
      r.reason = "inconclusive: " + std::to_string(water.size()) + " clear water pixels (need " +
                 std::to_string(o.min_pixels) + ")";
      return r;
    }
    judged = &water;
    r.judged_on_water = true;
  }
  r.judged_pixels = judged->size();
  r.dark_value = quantile_in_place(*judged, o.dark_percentile);
  r.median = quantile_in_place(valid, 0.5);
  if (r.dark_value > o.max_dark_reflectance) {
    r.ok = false;
    r.suspicion = OffsetSuspicion::offset_not_removed;
    r.reason = std::string("the darkest ") + fmt(o.dark_percentile * 100.0) + " % of " +
               (r.judged_on_water ? "water" : "valid") + " pixels reach " + fmt(r.dark_value) + " (expected below " +
               fmt(o.max_dark_reflectance) + "): the DNs still carry the +1000 offset the rule assumes removed?";
  }
  return r;
}

}  // namespace shipchips::raster
