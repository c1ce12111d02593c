#pragma once
// Digital numbers → surface reflectance, and a check that the result is physically plausible.
//
// The chip's nodata is NaN: every invalid pixel (outside the scene, or nodata in it) becomes
// NaN in the float32 reflectance band, and chip GeoTIFFs carry the nodata tag "nan".
//
// Why a plausibility check: the rule comes from the item (provider, processing baseline and
// Earth Search's `earthsearch:boa_offset_applied` flag, see src/stac/README.md), and that flag
// is known to be wrong at times (Element84/earth-search issues 66 and 71). Pixels tell:
// - clear water is dark in the near infrared (B08 reflectance about 0.01–0.05). If the
//   +1000 DN offset was NOT removed although the rule assumes it was, every pixel is 0.1 too
//   bright and the darkest water in a chip sits above ~0.1;
// - if the offset is removed twice (flag false although applied), dark water comes out
//   around −0.09: a large share of clearly negative reflectances.
// The check looks at the dark end of the distribution (a low percentile), restricted to SCL
// water pixels when SCL is given, because a chip centred on a ship at sea nearly always holds
// open water. Run it on B08: turbid coastal water can be bright in the visible bands.

#include "raster/window_reader.hpp"
#include "stac/provider.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace shipchips::raster {

// The q-quantile (0..1) of `values` by nearest rank (index round(q × (n − 1)) of the sorted
// values); NaN when empty. Reorders `values`.
double quantile_in_place(std::vector<float>& values, double q);

// The same two quantiles of `values` (finite floats; order kept) as quantile_in_place gives
// for q_low and q_high, exactly, in two passes: a histogram over the top 16 bits of each
// value's order-preserving key finds the bucket of each rank, then only that bucket's values
// are selected among. For the quicklook's 2–98 % stretch, where two nth_element calls per band
// over the whole chip were most of its cost. {NaN, NaN} when empty.
std::pair<double, double> quantile_pair(std::span<const float> values, double q_low, double q_high);

// DN × scale + offset for valid pixels, NaN for invalid ones (row-major, like the window).
std::vector<float> to_reflectance(const BandWindow& window, const stac::ReflectanceRule& rule);

struct PlausibilityOptions {
  double dark_percentile = 0.02;        // the dark end: this quantile of the pixels looked at
  double max_dark_reflectance = 0.08;   // ... must lie below this (the +1000 offset lifts it to > 0.1)
  double negative_threshold = -0.02;    // below sensor noise around 0
  double max_fraction_negative = 0.05;  // ... allowed for this share of valid pixels
  std::size_t min_pixels = 100;         // fewer pixels to judge on: inconclusive (ok)
  int water_class = 6;                  // SCL water
};

enum class OffsetSuspicion {
  none,                  // plausible
  offset_not_removed,    // the DNs still carry +1000 the rule assumed gone
  offset_removed_twice,  // the rule subtracts an offset the DNs no longer have
  inconclusive,          // too few (water) pixels to judge; reported as ok
};
std::string_view to_string(OffsetSuspicion s);

struct PlausibilityReport {
  bool ok = true;
  OffsetSuspicion suspicion = OffsetSuspicion::none;
  std::string reason;             // "" when plausible
  double fraction_negative = 0;   // share of valid pixels below negative_threshold
  double median = 0;              // of all valid pixels (NaN when there are none)
  double dark_value = 0;          // the dark_percentile quantile of the pixels judged
  std::size_t valid_pixels = 0;   // valid pixels in the band
  std::size_t judged_pixels = 0;  // pixels the dark end was taken from (water, or all valid)
  bool judged_on_water = false;
};

// `reflectance`: one band (B08 recommended), NaN = invalid. `scl`: optional SCL classes on
// the same grid (same length; NaN or 0 = nodata); when it holds at least min_pixels water
// pixels the dark end is taken over them, else over all valid pixels when there is no SCL,
// else the result is inconclusive.
PlausibilityReport check_plausibility(std::span<const float> reflectance, std::span<const float> scl = {},
                                      const PlausibilityOptions& options = {});

}  // namespace shipchips::raster
