#include "raster/window_reader.hpp"

#include "core/error.hpp"
#include "raster/gdal_errors.hpp"

#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace shipchips::raster {

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool is_remote(std::string_view gdal_path) {
  return starts_with(gdal_path, "/vsicurl") || starts_with(gdal_path, "/vsis3") || starts_with(gdal_path, "/vsigs") ||
         starts_with(gdal_path, "/vsiaz") || starts_with(gdal_path, "/vsiadls") || starts_with(gdal_path, "/vsioss") ||
         starts_with(gdal_path, "/vsiswift") || starts_with(gdal_path, "/vsihttp");
}

GDALRIOResampleAlg gdal_resample_alg(ResampleMethod method) {
  switch (method) {
    case ResampleMethod::nearest:
      return GRIORA_NearestNeighbour;
    case ResampleMethod::bilinear:
      return GRIORA_Bilinear;
    case ResampleMethod::bicubic:
      return GRIORA_Cubic;
    case ResampleMethod::cubic_spline:
      return GRIORA_CubicSpline;
    case ResampleMethod::lanczos:
      return GRIORA_Lanczos;
    case ResampleMethod::average:
      return GRIORA_Average;
  }
  return GRIORA_Cubic;
}

std::string transform_text(const GeoTransform& t) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "[%.4f, %.6g, %.6g, %.4f, %.6g, %.6g]", t[0], t[1], t[2], t[3], t[4], t[5]);
  return buf;
}

// After a transient failure, /vsicurl/ must not answer the retry from its cache of failures.
void forget_remote_state(const std::string& gdal_path) {
  if (starts_with(gdal_path, "/vsicurl/")) VSICurlPartialClearCache(gdal_path.c_str());
}

[[noreturn]] void throw_gdal(const GdalErrorCapture& capture, const std::string& gdal_path, const std::string& what) {
  const bool remote = is_remote(gdal_path);
  std::string messages = capture.messages().empty() ? std::string(CPLGetLastErrorMsg()) : capture.messages();
  ErrorCode code = classify_gdal_failure(messages, capture.last_error_number(), remote);
  // A body cut short reaches GDAL as missing header bytes ("does not exist in the file system")
  // or undecodable tiles, with no HTTP status to say so. When a fresh HEAD finds the file, the
  // transfer broke, not the file: a retry can succeed. (A truly corrupt remote file then fails
  // its retries as network_transient; ops' retry limit bounds that.)
  if (remote && (code == ErrorCode::not_found || code == ErrorCode::contract_violation) &&
      messages.find("HTTP") == std::string::npos) {
    forget_remote_state(gdal_path);
    VSIStatBufL stat;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const bool exists =
        VSIStatExL(gdal_path.c_str(), &stat, VSI_STAT_EXISTS_FLAG | VSI_STAT_SIZE_FLAG) == 0 && stat.st_size > 0;
    CPLPopErrorHandler();
    if (exists) {
      code = ErrorCode::network_transient;
      messages += " (the file exists: a broken transfer)";
    }
  }
  if (code == ErrorCode::network_transient) forget_remote_state(gdal_path);
  throw Error(code, what + " " + gdal_path + ": " + (messages.empty() ? "GDAL gave no reason" : messages));
}

}  // namespace

void configure_gdal_for_cogs(const RemoteReadOptions& o) {
  GDALAllRegister();
  route_gdal_messages_to_log();
  CPLSetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", o.disable_readdir_on_open ? "EMPTY_DIR" : "FALSE");
  CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS",
                     o.allowed_extensions.empty() ? nullptr : o.allowed_extensions.c_str());
  CPLSetConfigOption("GDAL_INGESTED_BYTES_AT_OPEN", std::to_string(o.ingested_bytes_at_open).c_str());
  CPLSetConfigOption("VSI_CACHE", o.vsi_cache ? "TRUE" : "FALSE");
  CPLSetConfigOption("VSI_CACHE_SIZE", std::to_string(o.vsi_cache_size_bytes).c_str());
  CPLSetConfigOption("GDAL_HTTP_MERGE_CONSECUTIVE_RANGES", o.merge_consecutive_ranges ? "YES" : "NO");
  CPLSetConfigOption("GDAL_HTTP_MULTIPLEX", o.http_multiplex ? "YES" : "NO");
  CPLSetConfigOption("GDAL_HTTP_MAX_RETRY", "0");
  CPLSetConfigOption("GDAL_HTTP_TIMEOUT", std::to_string(o.http_timeout_s).c_str());
  CPLSetConfigOption("GDAL_HTTP_CONNECTTIMEOUT", std::to_string(o.http_connect_timeout_s).c_str());
  CPLSetConfigOption("GDAL_CACHEMAX", std::to_string(o.block_cache_mb).c_str());
  const std::string agent = o.user_agent.empty() ? std::string("shipchips/") + SHIPCHIPS_VERSION : o.user_agent;
  CPLSetConfigOption("GDAL_HTTP_USERAGENT", agent.c_str());
}

std::string gdal_path_for_href(std::string_view href) {
  if (starts_with(href, "http://") || starts_with(href, "https://")) return "/vsicurl/" + std::string(href);
  if (starts_with(href, "file://")) return std::string(href.substr(7));
  return std::string(href);
}

// ---------------------------------------------------------------------------------------------
// DatasetCache

struct DatasetCache::Entry {
  std::string href;
  std::unique_ptr<GDALDataset> dataset;
};

DatasetCache::DatasetCache(std::size_t max_open) : m_max_open(std::max<std::size_t>(1, max_open)) {}

DatasetCache::~DatasetCache() = default;

GDALDataset& DatasetCache::open(const std::string& href) {
  if (auto it = m_index.find(href); it != m_index.end()) {
    m_lru.splice(m_lru.begin(), m_lru, it->second);
    return *it->second->dataset;
  }
  GDALAllRegister();
  const std::string path = gdal_path_for_href(href);
  GdalErrorCapture capture;
  static const char* const drivers[] = {"GTiff", "COG", nullptr};
  auto* raw = static_cast<GDALDataset*>(
      GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, drivers, nullptr, nullptr));
  if (!raw) throw_gdal(capture, path, "cannot open");
  m_lru.push_front(Entry{href, std::unique_ptr<GDALDataset>(raw)});
  m_index[href] = m_lru.begin();
  ++m_opens;
  while (m_lru.size() > m_max_open) {
    m_index.erase(m_lru.back().href);
    m_lru.pop_back();
  }
  return *raw;
}

void DatasetCache::evict(const std::string& href) {
  auto it = m_index.find(href);
  if (it == m_index.end()) return;
  m_lru.erase(it->second);
  m_index.erase(it);
}

// ---------------------------------------------------------------------------------------------

double BandWindow::nodata_fraction() const {
  const std::size_t n = pixel_count();
  if (n == 0) return 1.0;
  return static_cast<double>(outside_pixels + nodata_pixels) / static_cast<double>(n);
}

ResampleMethod resample_method_for(stac::Band band, ResampleMethod configured) {
  return band == stac::Band::SCL ? ResampleMethod::nearest : configured;
}

BandSource band_source(const stac::Item& item, const stac::ProviderProfile& profile, stac::Band band) {
  const stac::Asset& asset = profile.band_asset(item, band);
  BandSource s;
  s.href = asset.href;
  s.name = std::string(stac::to_string(band));
  if (asset.proj_transform) s.transform = geotransform_from_stac(*asset.proj_transform);
  if (!asset.bands.empty() && asset.bands.front().nodata) s.nodata = asset.bands.front().nodata;
  return s;
}

namespace {

// The chip pixels [first, last) along one axis that lie wholly inside the source raster, for
// a chip whose pixel edge k sits at source coordinate origin + k * ratio.
std::pair<int, int> inside_span(double origin, double ratio, long long raster_size, int chip_size) {
  constexpr double eps = 1e-6;  // in source pixels: float noise in the transforms
  const double first = std::ceil((-eps - origin) / ratio);
  const double last = std::floor((static_cast<double>(raster_size) + eps - origin) / ratio);
  const int a = static_cast<int>(std::clamp(first, 0.0, static_cast<double>(chip_size)));
  const int b = static_cast<int>(std::clamp(last, 0.0, static_cast<double>(chip_size)));
  return {a, std::max(a, b)};
}

// Reads source pixels [ax0, ax0+aw) × [ay0, ay0+ah) as float32 into a MEM band and resamples
// the window (x_off, y_off, x_size, y_size; `extra` in source coordinates) from it.
CPLErr stage_and_resample(GDALRasterBand& band, int ax0, int ay0, int aw, int ah, double nodata, int x_off, int y_off,
                          int x_size, int y_size, GDALRasterIOExtraArg extra, int shift_x, int shift_y, float* out,
                          int nx, int ny, GSpacing line) {
  std::vector<float> stage(static_cast<std::size_t>(aw) * static_cast<std::size_t>(ah));
  CPLErr err = band.RasterIO(GF_Read, ax0, ay0, aw, ah, stage.data(), aw, ah, GDT_Float32, 0, 0, nullptr);
  if (err != CE_None) return err;
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  if (!mem) throw Error(ErrorCode::internal, "GDAL lacks the MEM driver");
  std::unique_ptr<GDALDataset> ds(mem->Create("", aw, ah, 1, GDT_Float32, nullptr));
  if (!ds) throw Error(ErrorCode::internal, "cannot create an in-memory staging raster");
  GDALRasterBand* staged = ds->GetRasterBand(1);
  staged->SetNoDataValue(nodata);
  err = staged->RasterIO(GF_Write, 0, 0, aw, ah, stage.data(), aw, ah, GDT_Float32, 0, 0, nullptr);
  if (err != CE_None) return err;
  extra.dfXOff -= shift_x;
  extra.dfYOff -= shift_y;
  return staged->RasterIO(GF_Read, x_off, y_off, x_size, y_size, out, nx, ny, GDT_Float32, 0, line, &extra);
}

}  // namespace

BandWindow read_window(DatasetCache& cache, const BandSource& source, const ChipGrid& grid, ResampleMethod method) {
  GDALDataset& ds = cache.open(source.href);
  const std::string path = gdal_path_for_href(source.href);
  const std::string label = (source.name.empty() ? std::string("band") : source.name) + " (" + source.href + ")";
  if (ds.GetRasterCount() < 1) throw Error(ErrorCode::contract_violation, label + ": the file has no raster band");
  GDALRasterBand* band = ds.GetRasterBand(1);

  // The source grid: the item's declaration, checked against the file when both exist.
  GeoTransform file_gt{};
  const bool file_has_gt = ds.GetGeoTransform(file_gt.data()) == CE_None;
  GeoTransform gt{};
  if (source.transform) {
    gt = *source.transform;
    if (file_has_gt) {
      const double tol = 1e-3 * std::abs(gt[1]);
      for (int k = 0; k < 6; ++k)
        if (std::abs(gt[k] - file_gt[k]) > tol)
          throw Error(ErrorCode::contract_violation, label + ": the item's proj:transform " + transform_text(gt) +
                                                         " disagrees with the file's " + transform_text(file_gt));
    }
  } else if (file_has_gt) {
    gt = file_gt;
  } else {
    throw Error(ErrorCode::contract_violation, label + ": neither the item nor the file gives a geotransform");
  }
  if (gt[2] != 0.0 || gt[4] != 0.0 || !(gt[1] > 0.0) || !(gt[5] < 0.0))
    throw Error(ErrorCode::contract_violation, label + ": the grid is not north-up: " + transform_text(gt));
  if (const OGRSpatialReference* srs = ds.GetSpatialRef()) {
    const char* code = srs->GetAuthorityCode(nullptr);
    const char* auth = srs->GetAuthorityName(nullptr);
    if (code && auth && std::string_view(auth) == "EPSG" && std::atoi(code) != grid.epsg)
      throw Error(ErrorCode::contract_violation,
                  label + ": the file's CRS is EPSG:" + code + ", the chip's EPSG:" + std::to_string(grid.epsg));
  }

  double nodata = 0.0;
  if (source.nodata) {
    nodata = *source.nodata;
  } else {
    int has = 0;
    const double v = band->GetNoDataValue(&has);
    if (has) nodata = v;
  }

  BandWindow w;
  w.size = grid.size;
  const std::size_t n = w.pixel_count();
  w.values.assign(n, 0.0f);
  w.valid.assign(n, 0);

  const long long cols = ds.GetRasterXSize(), rows = ds.GetRasterYSize();
  // Chip pixel edges in source pixel coordinates.
  const double ratio_x = grid.geotransform[1] / gt[1];
  const double ratio_y = grid.geotransform[5] / gt[5];
  const double u0 = (grid.geotransform[0] - gt[0]) / gt[1];
  const double v0 = (grid.geotransform[3] - gt[3]) / gt[5];
  const auto [i0, i1] = inside_span(u0, ratio_x, cols, grid.size);
  const auto [j0, j1] = inside_span(v0, ratio_y, rows, grid.size);
  const int nx = i1 - i0, ny = j1 - j0;

  if (nx > 0 && ny > 0) {
    const double df_x = u0 + i0 * ratio_x, df_y = v0 + j0 * ratio_y;
    const double df_w = nx * ratio_x, df_h = ny * ratio_y;
    float* out = w.values.data() + static_cast<std::size_t>(j0) * grid.size + i0;
    const GSpacing line = static_cast<GSpacing>(grid.size) * static_cast<GSpacing>(sizeof(float));
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    int x_off, y_off, x_size, y_size;
    const bool same_grid = std::abs(ratio_x - 1.0) < 1e-9 && std::abs(ratio_y - 1.0) < 1e-9 &&
                           std::abs(df_x - std::round(df_x)) < 1e-6 && std::abs(df_y - std::round(df_y)) < 1e-6;
    if (same_grid) {
      x_off = static_cast<int>(std::lround(df_x));
      y_off = static_cast<int>(std::lround(df_y));
      x_size = nx;
      y_size = ny;
    } else {
      x_off = static_cast<int>(std::floor(df_x + 1e-9));
      y_off = static_cast<int>(std::floor(df_y + 1e-9));
      x_size = std::max(
          1, static_cast<int>(std::min<double>(static_cast<double>(cols), std::ceil(df_x + df_w - 1e-9))) - x_off);
      y_size = std::max(
          1, static_cast<int>(std::min<double>(static_cast<double>(rows), std::ceil(df_y + df_h - 1e-9))) - y_off);
      extra.eResampleAlg = gdal_resample_alg(method);
      extra.bFloatingPointWindowValidity = TRUE;
      extra.dfXOff = std::max(0.0, df_x);
      extra.dfYOff = std::max(0.0, df_y);
      extra.dfXSize = std::min(df_w, static_cast<double>(cols) - extra.dfXOff);
      extra.dfYSize = std::min(df_h, static_cast<double>(rows) - extra.dfYOff);
    }
    GdalErrorCapture capture;
    CPLErr err;
    if (same_grid) {
      err = band->RasterIO(GF_Read, x_off, y_off, x_size, y_size, out, nx, ny, GDT_Float32, 0, line, &extra);
    } else {
      // GDAL resamples integer bands in their own type (rounded, negative overshoot clamped
      // to 0 = nodata). So the source pixels (plus the kernel's reach) are staged as float32
      // in memory and resampled there, with the same floating window and algorithm.
      constexpr int margin = 4;  // source pixels; lanczos, the widest kernel, reaches 3
      const int ax0 = std::max(0, x_off - margin), ay0 = std::max(0, y_off - margin);
      const int ax1 = static_cast<int>(std::min<long long>(cols, x_off + x_size + margin));
      const int ay1 = static_cast<int>(std::min<long long>(rows, y_off + y_size + margin));
      err = stage_and_resample(*band, ax0, ay0, ax1 - ax0, ay1 - ay0, nodata, x_off - ax0, y_off - ay0, x_size, y_size,
                               extra, ax0, ay0, out, nx, ny, line);
    }
    if (err != CE_None) {
      cache.evict(source.href);  // a retry must not reuse a handle in an unknown state
      throw_gdal(capture, path,
                 "cannot read " + (source.name.empty() ? std::string("band") : source.name) + " window (" +
                     grid.describe() + ") of");
    }
  }

  const bool nan_nodata = std::isnan(nodata);
  for (int j = 0; j < grid.size; ++j) {
    for (int i = 0; i < grid.size; ++i) {
      const std::size_t k = static_cast<std::size_t>(j) * grid.size + i;
      if (i < i0 || i >= i1 || j < j0 || j >= j1) {
        ++w.outside_pixels;
        continue;
      }
      const float v = w.values[k];
      if (std::isnan(v) || (!nan_nodata && static_cast<double>(v) == nodata)) {
        ++w.nodata_pixels;
        w.values[k] = 0.0f;
        continue;
      }
      w.valid[k] = 1;
    }
  }
  return w;
}

}  // namespace shipchips::raster
