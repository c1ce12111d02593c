#include "raster/chip_writer.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "raster/gdal_errors.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace shipchips::raster {

std::string_view gdal_compression_name(Compression compression) {
  switch (compression) {
    case Compression::deflate:
      return "DEFLATE";
    case Compression::zstd:
      return "ZSTD";
    case Compression::lzw:
      return "LZW";
    case Compression::none:
      return "NONE";
  }
  return "DEFLATE";
}

namespace {

void validate(const std::filesystem::path& path, const ChipGrid& grid, const std::vector<ChipBandView>& bands,
              const ChipWriteOptions& o) {
  const std::string where = "chip " + path.string() + ": ";
  if (bands.empty()) throw Error(ErrorCode::invalid_argument, where + "no bands to write");
  if (grid.size < 1) throw Error(ErrorCode::invalid_argument, where + "chip size must be positive");
  const std::size_t n = static_cast<std::size_t>(grid.size) * static_cast<std::size_t>(grid.size);
  for (const auto& b : bands)
    if (b.values.size() != n)
      throw Error(ErrorCode::invalid_argument, where + "band " + b.name + " has " + std::to_string(b.values.size()) +
                                                   " values, the " + std::to_string(grid.size) + " px chip needs " +
                                                   std::to_string(n));
  if (o.block_size < 16 || o.block_size % 16 != 0)
    throw Error(ErrorCode::invalid_argument,
                where + "block_size " + std::to_string(o.block_size) + " is not a multiple of 16");
  if (o.write_cog && o.block_size < 128)
    throw Error(ErrorCode::invalid_argument,
                where + "block_size " + std::to_string(o.block_size) + ": GDAL's COG driver needs at least 128");
  const int ob = o.overview_block_size;
  if (ob < 64 || ob > 4096 || (ob & (ob - 1)) != 0)
    throw Error(ErrorCode::invalid_argument,
                where + "overview_block_size " + std::to_string(ob) + " is not a power of two from 64 to 4096");
  int previous = 1;
  for (int f : o.overviews) {
    if (f <= previous)
      throw Error(ErrorCode::invalid_argument, where + "overview factors must be increasing and above 1");
    previous = f;
  }
}

// The chip in memory, with its georeferencing and band descriptions.
std::unique_ptr<GDALDataset> memory_dataset(const ChipGrid& grid, const std::vector<ChipBandView>& bands,
                                            const ChipWriteOptions& o) {
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  if (!mem) throw Error(ErrorCode::internal, "GDAL lacks the MEM driver");
  std::unique_ptr<GDALDataset> ds(
      mem->Create("", grid.size, grid.size, static_cast<int>(bands.size()), GDT_Float32, nullptr));
  if (!ds) throw Error(ErrorCode::internal, std::string("cannot create an in-memory chip: ") + CPLGetLastErrorMsg());
  GeoTransform gt = grid.geotransform;
  ds->SetGeoTransform(gt.data());
  OGRSpatialReference srs;
  if (srs.importFromEPSG(grid.epsg) != OGRERR_NONE)
    throw Error(ErrorCode::invalid_argument, "chip CRS EPSG:" + std::to_string(grid.epsg) + " is unknown to GDAL");
  ds->SetSpatialRef(&srs);
  ds->SetMetadataItem("AREA_OR_POINT", "Area");
  for (const auto& [key, value] : o.metadata) ds->SetMetadataItem(key.c_str(), value.c_str());
  for (std::size_t b = 0; b < bands.size(); ++b) {
    GDALRasterBand* band = ds->GetRasterBand(static_cast<int>(b) + 1);
    band->SetDescription(bands[b].name.c_str());
    band->SetNoDataValue(std::numeric_limits<double>::quiet_NaN());
    if (band->RasterIO(GF_Write, 0, 0, grid.size, grid.size, const_cast<float*>(bands[b].values.data()), grid.size,
                       grid.size, GDT_Float32, 0, 0, nullptr) != CE_None)
      throw Error(ErrorCode::internal, "cannot fill the in-memory chip band " + bands[b].name);
  }
  return ds;
}

// Sums and counts of the valid (non-NaN) chip pixels over boxes of one overview level.
struct BoxSums {
  int size = 0;  // boxes per side
  std::vector<double> sum;
  std::vector<int> count;
};

BoxSums base_sums(std::span<const float> values, int size) {
  BoxSums b{size, std::vector<double>(values.size()), std::vector<int>(values.size())};
  for (std::size_t k = 0; k < values.size(); ++k) {
    const bool valid = !std::isnan(values[k]);
    b.sum[k] = valid ? values[k] : 0.0;
    b.count[k] = valid ? 1 : 0;
  }
  return b;
}

// Boxes of `ratio` × `ratio` boxes of `from` (ratio divides from.size).
BoxSums reduce(const BoxSums& from, int ratio) {
  const int n = from.size / ratio;
  BoxSums to{n, std::vector<double>(static_cast<std::size_t>(n) * n, 0.0),
             std::vector<int>(static_cast<std::size_t>(n) * n, 0)};
  for (int y = 0; y < n * ratio; ++y) {
    const std::size_t src = static_cast<std::size_t>(y) * static_cast<std::size_t>(from.size);
    const std::size_t dst = static_cast<std::size_t>(y / ratio) * static_cast<std::size_t>(n);
    for (int ox = 0; ox < n; ++ox) {
      double sum = 0.0;
      int count = 0;
      for (int i = 0; i < ratio; ++i) {
        sum += from.sum[src + static_cast<std::size_t>(ox * ratio + i)];
        count += from.count[src + static_cast<std::size_t>(ox * ratio + i)];
      }
      to.sum[dst + static_cast<std::size_t>(ox)] += sum;
      to.count[dst + static_cast<std::size_t>(ox)] += count;
    }
  }
  return to;
}

std::vector<float> means(const BoxSums& b) {
  std::vector<float> out(b.sum.size());
  for (std::size_t k = 0; k < out.size(); ++k)
    out[k] = b.count[k] ? static_cast<float>(b.sum[k] / b.count[k]) : std::numeric_limits<float>::quiet_NaN();
  return out;
}

// The configured overviews on the in-memory chip. When every factor divides the chip size (the
// usual 256 px with 2..16): each pixel the mean of the valid (non-NaN) pixels of its factor ×
// factor box, NaN where it has none — GDAL's AVERAGE for such factors, computed from box sums
// and counts level by level instead of by GDAL's general-ratio resampler, which took 6 ms of a
// 4-band chip's ~20 ms encode for four levels. Otherwise GDAL's AVERAGE resampler itself.
void build_overviews(GDALDataset& ds, const ChipGrid& grid, const std::vector<ChipBandView>& bands,
                     const ChipWriteOptions& o, const GdalErrorCapture& capture) {
  std::vector<int> levels = o.overviews;
  const bool boxes = std::all_of(levels.begin(), levels.end(), [&](int f) { return grid.size % f == 0; });
  if (ds.BuildOverviews(boxes ? "NONE" : "AVERAGE", static_cast<int>(levels.size()), levels.data(), 0, nullptr, nullptr,
                        nullptr) != CE_None)
    throw Error(ErrorCode::internal, "cannot build chip overviews: " + capture.messages());
  if (!boxes) return;
  for (std::size_t b = 0; b < bands.size(); ++b) {
    GDALRasterBand* band = ds.GetRasterBand(static_cast<int>(b) + 1);
    if (band->GetOverviewCount() != static_cast<int>(levels.size()))
      throw Error(ErrorCode::internal, "chip overviews: GDAL made " + std::to_string(band->GetOverviewCount()) +
                                           " levels, not " + std::to_string(levels.size()));
    // Each level from the one before when its factor is a multiple of the previous (2, 4, 8,
    // 16: a third more pixels visited in all), else from the chip.
    const BoxSums base = base_sums(bands[b].values, grid.size);
    BoxSums previous;
    int previous_factor = 0;
    for (std::size_t k = 0; k < levels.size(); ++k) {
      const bool cascade = previous_factor > 0 && levels[k] % previous_factor == 0;
      BoxSums sums = cascade ? reduce(previous, levels[k] / previous_factor) : reduce(base, levels[k]);
      std::vector<float> overview = means(sums);
      previous = std::move(sums);
      previous_factor = levels[k];
      const int n = grid.size / levels[k];
      GDALRasterBand* target = band->GetOverview(static_cast<int>(k));
      if (!target || target->GetXSize() != n || target->GetYSize() != n ||
          target->RasterIO(GF_Write, 0, 0, n, n, overview.data(), n, n, GDT_Float32, 0, 0, nullptr) != CE_None)
        throw Error(ErrorCode::internal, "cannot fill chip overview " + std::to_string(levels[k]) + " of band " +
                                             bands[b].name + ": " + capture.messages());
    }
  }
}

// Sets a GDAL configuration option for the calling thread, restoring its previous value.
class ThreadConfigOption {
 public:
  ThreadConfigOption(const char* key, const std::string& value) : m_key(key) {
    if (const char* old = CPLGetThreadLocalConfigOption(key, nullptr)) m_previous = old;
    CPLSetThreadLocalConfigOption(key, value.c_str());
  }
  ~ThreadConfigOption() { CPLSetThreadLocalConfigOption(m_key, m_previous ? m_previous->c_str() : nullptr); }
  ThreadConfigOption(const ThreadConfigOption&) = delete;
  ThreadConfigOption& operator=(const ThreadConfigOption&) = delete;

 private:
  const char* m_key;
  std::optional<std::string> m_previous;
};

}  // namespace

void write_chip_geotiff(const std::filesystem::path& path, const ChipGrid& grid, const std::vector<ChipBandView>& bands,
                        const ChipWriteOptions& o) {
  validate(path, grid, bands, o);
  GDALAllRegister();
  make_directories(path.parent_path());
  GdalErrorCapture capture;
  std::unique_ptr<GDALDataset> src = memory_dataset(grid, bands, o);

  const std::string compress(gdal_compression_name(o.compression));
  const bool predicted = o.compression != Compression::none && o.predictor == Predictor::floating_point;
  const std::string block = std::to_string(o.block_size);
  CPLStringList options;
  options.SetNameValue("COMPRESS", compress.c_str());
  if (o.level > 0 && (o.compression == Compression::deflate || o.compression == Compression::zstd))
    options.SetNameValue(o.compression == Compression::zstd ? (o.write_cog ? "LEVEL" : "ZSTD_LEVEL")
                                                            : (o.write_cog ? "LEVEL" : "ZLEVEL"),
                         std::to_string(o.level).c_str());

  if (!o.overviews.empty()) build_overviews(*src, grid, bands, o, capture);

  // GTiff (also under the COG driver) takes the overview tile size from this option; set for
  // this thread only, so chips written at once by other threads are not affected.
  const ThreadConfigOption overview_blocks("GDAL_TIFF_OVR_BLOCKSIZE", std::to_string(o.overview_block_size));

  AtomicOutput out(path);
  std::unique_ptr<GDALDataset> dst;
  if (o.write_cog) {
    GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
    if (!cog) throw Error(ErrorCode::internal, "GDAL lacks the COG driver");
    options.SetNameValue("BLOCKSIZE", block.c_str());
    // The floating-point predictor (TIFF predictor 3): off by default, see ChipWriteOptions.
    if (predicted) options.SetNameValue("PREDICTOR", "FLOATING_POINT");
    options.SetNameValue("OVERVIEWS", o.overviews.empty() ? "NONE" : "FORCE_USE_EXISTING");
    if (!o.overviews.empty()) {
      options.SetNameValue("OVERVIEW_COMPRESS", compress.c_str());
      if (predicted) options.SetNameValue("OVERVIEW_PREDICTOR", "FLOATING_POINT");
    }
    dst.reset(cog->CreateCopy(out.temp_path().c_str(), src.get(), FALSE, options.List(), nullptr, nullptr));
  } else {
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    if (!gtiff) throw Error(ErrorCode::internal, "GDAL lacks the GTiff driver");
    options.SetNameValue("TILED", "YES");
    options.SetNameValue("BLOCKXSIZE", block.c_str());
    options.SetNameValue("BLOCKYSIZE", block.c_str());
    if (predicted) options.SetNameValue("PREDICTOR", "3");
    options.SetNameValue("COPY_SRC_OVERVIEWS", o.overviews.empty() ? "NO" : "YES");
    dst.reset(gtiff->CreateCopy(out.temp_path().c_str(), src.get(), FALSE, options.List(), nullptr, nullptr));
  }
  if (!dst) throw Error(ErrorCode::io_error, "cannot write chip " + path.string() + ": " + capture.messages());
  // Closing flushes; a failure there (disk full) must not be renamed into place.
  dst.reset();
  if (!capture.messages().empty())
    throw Error(ErrorCode::io_error, "cannot write chip " + path.string() + ": " + capture.messages());
  out.commit();
}

}  // namespace shipchips::raster
