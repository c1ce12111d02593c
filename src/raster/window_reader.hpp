#pragma once
// Reads one band of a scene onto a chip's 10 m grid through GDAL, from a local path or a
// remote COG (http(s) hrefs go through /vsicurl/, so only the blocks the window touches are
// fetched).
//
// - A band on the chip's own grid (10 m, same origin) is read as an integer window, values
//   untouched.
// - Any other grid (the 20 m B11/B12/SCL assets) is resampled onto the chip grid with a
//   floating-point source window computed from that asset's own geotransform: chip pixel
//   (i, j) takes the source value at the chip pixel's centre, whatever the two origins.
// - Boundless: the part of the chip outside the raster is not read; it is marked invalid in
//   the validity mask, as are nodata pixels inside (value == the band's nodata, 0 for
//   Sentinel-2), and the invalid fraction is recorded. Invalid pixels hold 0 in `values`.
//
// GDAL failures become shipchips::Error with a category: an HTTP failure or connection
// problem is network_transient (retryable), a file that is missing (404, no such file)
// not_found, a file that opens but does not decode (not a TIFF, corrupt block, grid or CRS
// disagreeing with the item) contract_violation.

#include "core/config.hpp"
#include "raster/chip_grid.hpp"
#include "stac/item.hpp"
#include "stac/provider.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

class GDALDataset;

namespace shipchips::raster {

// GDAL settings for reading remote COGs; applied process-wide by configure_gdal_for_cogs.
struct RemoteReadOptions {
  // GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR: no directory listing (one useless request per open).
  bool disable_readdir_on_open = true;
  // CPL_VSIL_CURL_ALLOWED_EXTENSIONS: no probing for .aux.xml/.ovr/.msk sidecars.
  std::string allowed_extensions = ".tif,.TIF,.tiff";
  // GDAL_INGESTED_BYTES_AT_OPEN: the first GET fetches this much, so the whole COG header
  // (IFDs, tile offsets of a 10980 px band with overviews: ~10 KB) arrives in one request.
  long ingested_bytes_at_open = 32768;
  // VSI_CACHE / VSI_CACHE_SIZE: keep fetched bytes per open file handle.
  bool vsi_cache = true;
  long long vsi_cache_size_bytes = 64ll << 20;
  // GDAL_HTTP_MERGE_CONSECUTIVE_RANGES: one request for adjacent blocks.
  bool merge_consecutive_ranges = true;
  // GDAL_HTTP_MULTIPLEX: HTTP/2 multiplexing when the server offers it.
  bool http_multiplex = true;
  // GDAL_HTTP_MAX_RETRY is always 0: a failed range read surfaces at once as a retryable
  // Error and the caller's one retry loop (pipeline scene reads, core/backoff) decides. GDAL's
  // own retries would multiply with ours, back off without a cap, and still miss truncated
  // bodies, which GDAL 3.6 never retries.
  // GDAL_HTTP_TIMEOUT / GDAL_HTTP_CONNECTTIMEOUT, seconds.
  int http_timeout_s = 30;
  int http_connect_timeout_s = 10;
  // GDAL_CACHEMAX in MB: decoded blocks shared by chips of the same scene.
  int block_cache_mb = 256;
  std::string user_agent;  // GDAL_HTTP_USERAGENT; "" keeps "shipchips/<version>"
};

// Sets the options above as GDAL configuration (process-wide: call once at start-up, before
// worker threads open datasets). Also registers GDAL's drivers.
void configure_gdal_for_cogs(const RemoteReadOptions& options = {});

// "http(s)://..." → "/vsicurl/http(s)://..."; "/vsi..." and local paths unchanged; a
// "file://" URL → its path.
std::string gdal_path_for_href(std::string_view href);

// Open GDAL datasets, keyed by href, reused across chips so each COG's header is read once per
// run. Not thread-safe: one cache per worker thread (GDAL datasets must not be shared).
// Least recently used datasets are closed beyond `max_open`.
class DatasetCache {
 public:
  explicit DatasetCache(std::size_t max_open = 64);
  DatasetCache(const DatasetCache&) = delete;
  DatasetCache& operator=(const DatasetCache&) = delete;
  ~DatasetCache();

  // The open dataset for `href`; opens it (read-only, raster) on first use. Throws Error
  // with the category described above, naming the href.
  GDALDataset& open(const std::string& href);
  // Closes the dataset (after a failed read, so a retry starts from a fresh handle).
  void evict(const std::string& href);

  std::size_t opens() const { return m_opens; }  // successful opens since construction
  std::size_t size() const { return m_index.size(); }

 private:
  struct Entry;
  std::size_t m_max_open;
  std::size_t m_opens = 0;
  std::list<Entry> m_lru;  // front = most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> m_index;
};

// Where a band lives and on which grid, as the item declares it.
struct BandSource {
  std::string href;
  std::optional<GeoTransform> transform;  // proj:transform (GDAL order); else the file's own
  std::optional<double> nodata;           // the item's raster:bands nodata; else the file's; else 0
  std::string name;                       // "B11", for messages
};

// The source of `band` in `item` under `profile` (asset key per provider).
BandSource band_source(const stac::Item& item, const stac::ProviderProfile& profile, stac::Band band);

// One band on the chip grid.
struct BandWindow {
  int size = 0;
  std::vector<float> values;        // row-major size×size: DNs (or SCL classes); 0 where invalid
  std::vector<std::uint8_t> valid;  // 1 = a real value, 0 = outside the raster or nodata
  long long outside_pixels = 0;     // chip pixels not fully inside the raster
  long long nodata_pixels = 0;      // inside, but nodata

  std::size_t pixel_count() const { return static_cast<std::size_t>(size) * static_cast<std::size_t>(size); }
  // Share of invalid pixels (outside or nodata) in the chip, 0..1.
  double nodata_fraction() const;
  float at(int col, int row) const { return values[static_cast<std::size_t>(row) * size + col]; }
  bool valid_at(int col, int row) const { return valid[static_cast<std::size_t>(row) * size + col] != 0; }
};

// SCL holds classes: always nearest. Every other band: the configured method.
ResampleMethod resample_method_for(stac::Band band, ResampleMethod configured);

// Reads band 1 of `source` onto `grid`. `method` applies when the source grid is not the
// chip's (a 10 m band on the chip's grid is copied exactly whatever the method).
BandWindow read_window(DatasetCache& cache, const BandSource& source, const ChipGrid& grid,
                       ResampleMethod method = ResampleMethod::bicubic);

}  // namespace shipchips::raster
