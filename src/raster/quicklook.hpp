#pragma once
// The chip's quicklook: RGB (B04, B03, B02) as an 8-bit JPEG, each band stretched linearly
// between its own 2nd and 98th percentiles over valid pixels (NaN = invalid, drawn black),
// written atomically through GDAL's JPEG driver (CreateCopy from an in-memory dataset; no
// georeferencing, so no .aux.xml sidecar).

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace shipchips::raster {

struct QuicklookOptions {
  double low_percentile = 0.02;
  double high_percentile = 0.98;
  int quality = 90;  // JPEG quality 1..100
};

// Linear stretch of one band to 1..255 between its percentiles (0 = invalid/NaN). A band
// without valid pixels is all 0; a flat band maps to 128.
std::vector<std::uint8_t> stretch_to_byte(std::span<const float> values, double low_percentile, double high_percentile);

// red/green/blue: row-major size×size reflectances. Error(invalid_argument) on size mismatch,
// Error(io_error) when the file cannot be written.
void write_quicklook_jpeg(const std::filesystem::path& path, int size, std::span<const float> red,
                          std::span<const float> green, std::span<const float> blue, const QuicklookOptions& options = {});

}  // namespace shipchips::raster
