#include "raster/quicklook.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "raster/gdal_errors.hpp"
#include "raster/reflectance.hpp"

#include <cpl_string.h>
#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace shipchips::raster {

std::vector<std::uint8_t> stretch_to_byte(std::span<const float> values, double low_q, double high_q, double min_span) {
  std::vector<float> valid;
  valid.reserve(values.size());
  for (float v : values)
    if (std::isfinite(v)) valid.push_back(v);
  std::vector<std::uint8_t> out(values.size(), 0);
  if (valid.empty()) return out;
  auto [lo, hi] = quantile_pair(valid, low_q, high_q);
  if (hi - lo < min_span) {
    // Open water spans a few thousandths of reflectance: stretched to 0..255 its sensor noise
    // would fill the picture. Widen the range around its middle instead.
    const double mid = (lo + hi) / 2.0;
    lo = mid - min_span / 2.0;
    hi = mid + min_span / 2.0;
  }
  for (std::size_t k = 0; k < values.size(); ++k) {
    const float v = values[k];
    if (!std::isfinite(v)) continue;
    if (hi <= lo) {
      out[k] = 128;
      continue;
    }
    // 1..255 so a valid pixel is never mistaken for the black of nodata.
    const double t = std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
    out[k] = static_cast<std::uint8_t>(1 + std::lround(t * 254.0));
  }
  return out;
}

void draw_outline(RgbImage& image, const std::vector<std::pair<double, double>>& vertices,
                  std::array<std::uint8_t, 3> color) {
  if (vertices.size() < 2) return;
  const int size = image.size;
  auto plot = [&](double x, double y) {
    const int c = static_cast<int>(std::floor(x)), r = static_cast<int>(std::floor(y));
    if (c < 0 || r < 0 || c >= size || r >= size) return;
    const std::size_t k = static_cast<std::size_t>(r) * size + c;
    for (int b = 0; b < 3; ++b) image.bands[b][k] = color[b];
  };
  for (std::size_t i = 0; i < vertices.size(); ++i) {
    const auto [x0, y0] = vertices[i];
    const auto [x1, y1] = vertices[(i + 1) % vertices.size()];
    // Sample every edge at under half a pixel so no pixel it crosses is skipped.
    const int steps = std::max(1, static_cast<int>(std::ceil(2.0 * std::max(std::abs(x1 - x0), std::abs(y1 - y0)))));
    for (int s = 0; s <= steps; ++s) {
      const double t = static_cast<double>(s) / steps;
      plot(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
    }
  }
}

void write_quicklook_jpeg(const std::filesystem::path& path, int size, std::span<const float> red,
                          std::span<const float> green, std::span<const float> blue, const QuicklookOptions& o) {
  const std::size_t n = static_cast<std::size_t>(size) * static_cast<std::size_t>(std::max(size, 0));
  if (size < 1 || red.size() != n || green.size() != n || blue.size() != n)
    throw Error(ErrorCode::invalid_argument,
                "quicklook " + path.string() + ": bands do not match the " + std::to_string(size) + " px chip");
  if (o.quality < 1 || o.quality > 100)
    throw Error(ErrorCode::invalid_argument, "quicklook quality must be 1..100, got " + std::to_string(o.quality));
  GDALAllRegister();
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDriver* jpeg = GetGDALDriverManager()->GetDriverByName("JPEG");
  if (!mem || !jpeg) throw Error(ErrorCode::internal, "GDAL lacks the MEM or JPEG driver");
  std::unique_ptr<GDALDataset> src(mem->Create("", size, size, 3, GDT_Byte, nullptr));
  const std::span<const float> rgb[3] = {red, green, blue};
  RgbImage image;
  image.size = size;
  for (int b = 0; b < 3; ++b) image.bands[b] = stretch_to_byte(rgb[b], o.low_percentile, o.high_percentile, o.min_span);
  if (o.overlay) o.overlay(image);
  for (int b = 0; b < 3; ++b) {
    std::vector<std::uint8_t>& bytes = image.bands[b];
    if (bytes.size() != n) throw Error(ErrorCode::internal, "quicklook overlay changed the image size");
    if (src->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, 0, size, size, bytes.data(), size, size, GDT_Byte, 0, 0,
                                            nullptr) != CE_None)
      throw Error(ErrorCode::internal, "cannot fill the in-memory quicklook");
  }
  make_directories(path.parent_path());
  GdalErrorCapture capture;
  AtomicOutput out(path);
  CPLStringList options;
  options.SetNameValue("QUALITY", std::to_string(o.quality).c_str());
  std::unique_ptr<GDALDataset> dst(
      jpeg->CreateCopy(out.temp_path().c_str(), src.get(), FALSE, options.List(), nullptr, nullptr));
  if (!dst) throw Error(ErrorCode::io_error, "cannot write quicklook " + path.string() + ": " + capture.messages());
  dst.reset();
  if (!capture.messages().empty())
    throw Error(ErrorCode::io_error, "cannot write quicklook " + path.string() + ": " + capture.messages());
  out.commit();
}

}  // namespace shipchips::raster
