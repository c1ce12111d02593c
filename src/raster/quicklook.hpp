#pragma once
// The chip's quicklook: RGB (B04, B03, B02) as an 8-bit JPEG, each band stretched linearly
// between its own 2nd and 98th percentiles over valid pixels (NaN = invalid, drawn black),
// the range widened around its middle to at least min_span of reflectance (0.04) so that an
// all-water chip shows calm dark water with its ship rather than amplified sensor noise,
// written atomically through GDAL's JPEG driver (CreateCopy from an in-memory dataset; no
// georeferencing, so no .aux.xml sidecar). An optional overlay hook draws on the 8-bit image
// before it is written (e.g. the ship's hull outline with draw_outline).

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <utility>
#include <vector>

namespace shipchips::raster {

// The stretched 8-bit image, band-sequential, row-major.
struct RgbImage {
  int size = 0;
  std::array<std::vector<std::uint8_t>, 3> bands;  // red, green, blue
};

struct QuicklookOptions {
  double low_percentile = 0.02;
  double high_percentile = 0.98;
  double min_span = 0.04;                  // reflectance; 0 = pure percentile stretch
  int quality = 90;                        // JPEG quality 1..100
  std::function<void(RgbImage&)> overlay;  // called after the stretch, before writing
};

// Draws the closed polygon through `vertices` (chip pixel coordinates: (col, row), pixel i
// spans [i, i+1), so a pixel's centre is i + 0.5) as 1 px lines; parts outside are clipped.
void draw_outline(RgbImage& image, const std::vector<std::pair<double, double>>& vertices,
                  std::array<std::uint8_t, 3> color);

// Linear stretch of one band to 1..255 between its percentiles (0 = invalid/NaN), the range
// widened symmetrically to min_span when narrower. A band without valid pixels is all 0; a flat
// band maps to 128.
std::vector<std::uint8_t> stretch_to_byte(std::span<const float> values, double low_percentile, double high_percentile,
                                          double min_span = 0.0);

// red/green/blue: row-major size×size reflectances. Error(invalid_argument) on size mismatch,
// Error(io_error) when the file cannot be written.
void write_quicklook_jpeg(const std::filesystem::path& path, int size, std::span<const float> red,
                          std::span<const float> green, std::span<const float> blue,
                          const QuicklookOptions& options = {});

}  // namespace shipchips::raster
