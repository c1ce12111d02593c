#include "raster/chip_writer.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "raster/gdal_errors.hpp"

#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <limits>
#include <memory>

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

}  // namespace

void write_chip_geotiff(const std::filesystem::path& path, const ChipGrid& grid, const std::vector<ChipBandView>& bands,
                        const ChipWriteOptions& o) {
  validate(path, grid, bands, o);
  GDALAllRegister();
  make_directories(path.parent_path());
  GdalErrorCapture capture;
  std::unique_ptr<GDALDataset> src = memory_dataset(grid, bands, o);

  const std::string compress(gdal_compression_name(o.compression));
  const bool compressed = o.compression != Compression::none;
  const std::string block = std::to_string(o.block_size);
  CPLStringList options;
  options.SetNameValue("COMPRESS", compress.c_str());
  if (o.level > 0 && (o.compression == Compression::deflate || o.compression == Compression::zstd))
    options.SetNameValue(o.compression == Compression::zstd ? (o.write_cog ? "LEVEL" : "ZSTD_LEVEL")
                                                            : (o.write_cog ? "LEVEL" : "ZLEVEL"),
                         std::to_string(o.level).c_str());

  if (!o.overviews.empty()) {
    std::vector<int> levels = o.overviews;
    if (src->BuildOverviews("AVERAGE", static_cast<int>(levels.size()), levels.data(), 0, nullptr, nullptr, nullptr) !=
        CE_None)
      throw Error(ErrorCode::internal, "cannot build chip overviews: " + capture.messages());
  }

  AtomicOutput out(path);
  std::unique_ptr<GDALDataset> dst;
  if (o.write_cog) {
    GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
    if (!cog) throw Error(ErrorCode::internal, "GDAL lacks the COG driver");
    options.SetNameValue("BLOCKSIZE", block.c_str());
    // YES: the floating-point predictor (TIFF predictor 3) for float32 data.
    if (compressed) options.SetNameValue("PREDICTOR", "YES");
    options.SetNameValue("OVERVIEWS", o.overviews.empty() ? "NONE" : "FORCE_USE_EXISTING");
    if (!o.overviews.empty()) {
      options.SetNameValue("OVERVIEW_COMPRESS", compress.c_str());
      if (compressed) options.SetNameValue("OVERVIEW_PREDICTOR", "YES");
    }
    dst.reset(cog->CreateCopy(out.temp_path().c_str(), src.get(), FALSE, options.List(), nullptr, nullptr));
  } else {
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    if (!gtiff) throw Error(ErrorCode::internal, "GDAL lacks the GTiff driver");
    options.SetNameValue("TILED", "YES");
    options.SetNameValue("BLOCKXSIZE", block.c_str());
    options.SetNameValue("BLOCKYSIZE", block.c_str());
    if (compressed) options.SetNameValue("PREDICTOR", "3");
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
