#pragma once
// Writes a chip as a float32 multi-band GeoTIFF, atomically (temporary name in the same
// folder, then rename).
//
// Every file: one band per chip band, named by its band description (B02, B03, ...), the
// chip's EPSG and geotransform, nodata NaN (the reflectance bands' invalid pixels), tiled
// (block_size × block_size), compressed (DEFLATE, ZSTD or LZW at `level`; the floating-point
// predictor, TIFF predictor 3, on request: reflectance is DN × scale + offset, a few thousand
// distinct float values that LZ77 finds repeated as they are, and that predictor 3's byte
// planes make less repetitive — on the fixture's chips it made files 56 % larger and cost CPU).
// Overview levels are tiled by overview_block_size.
//
// write_cog: a Cloud Optimized GeoTIFF through GDAL's COG driver. Its automatic overviews stop
// when an image fits one block, which for a 256 px chip with 256 px blocks means none, so the
// configured factors (e.g. 2, 4, 8, 16) are built first on the in-memory source (the NaN-aware
// mean of each factor × factor box, as GDAL's AVERAGE; GDAL's own resampler when a factor does
// not divide the chip size) and the COG driver copies them (OVERVIEWS=FORCE_USE_EXISTING) in COG order:
// IFDs first, then overview blocks smallest first, then full-resolution blocks. `gdalinfo`
// reports LAYOUT=COG in the IMAGE_STRUCTURE metadata of such files. Without write_cog the
// overviews, if any, are internal overviews of a plain tiled GeoTIFF.

#include "core/config.hpp"
#include "raster/chip_grid.hpp"

#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace shipchips::raster {

struct ChipBandView {
  std::string name;               // band description: "B02"
  std::span<const float> values;  // row-major size×size, NaN = nodata
};

struct ChipWriteOptions {
  bool write_cog = true;
  int block_size = 256;                     // multiple of 16; the COG driver needs >= 128
  std::vector<int> overviews{2, 4, 8, 16};  // increasing factors; empty: none
  // Tile size of the overview levels (GDAL: a power of two from 64 to 4096). Overviews are
  // smaller than the chip: tiles of block_size pad a 256 px chip's 128..16 px levels to four
  // full 256 px tiles per band, 3.5× the pixels 64 px tiles hold, all predicted and DEFLATEd.
  int overview_block_size = 64;
  Compression compression = Compression::deflate;
  int level = 1;                                              // DEFLATE/ZSTD level; 0 = GDAL's default
  Predictor predictor = Predictor::none;                      // floating_point: TIFF predictor 3
  std::vector<std::pair<std::string, std::string>> metadata;  // dataset metadata items
};

// Error(invalid_argument) for bad options or band sizes; Error(io_error) when GDAL cannot
// write (the message names the path and GDAL's reason).
void write_chip_geotiff(const std::filesystem::path& path, const ChipGrid& grid, const std::vector<ChipBandView>& bands,
                        const ChipWriteOptions& options = {});

// GDAL creation option value for a compression ("DEFLATE", "ZSTD", "LZW", "NONE").
std::string_view gdal_compression_name(Compression compression);

}  // namespace shipchips::raster
