#include "raster/chip_grid.hpp"

#include "core/error.hpp"
#include "geo/s2_grid.hpp"

#include <proj.h>

#include <cmath>
#include <cstdio>
#include <map>

namespace shipchips::raster {

namespace {

// PROJ objects are not thread-safe: each thread keeps its own context and transformations.
class ProjCache {
 public:
  ProjCache() : m_ctx(proj_context_create()) { proj_log_level(m_ctx, PJ_LOG_NONE); }
  ProjCache(const ProjCache&) = delete;
  ProjCache& operator=(const ProjCache&) = delete;
  ~ProjCache() {
    for (auto& [epsg, pj] : m_transforms) proj_destroy(pj);
    proj_context_destroy(m_ctx);
  }

  PJ* to_epsg(int epsg) {
    if (auto it = m_transforms.find(epsg); it != m_transforms.end()) return it->second;
    const std::string target = "EPSG:" + std::to_string(epsg);
    PJ* raw = proj_create_crs_to_crs(m_ctx, "EPSG:4326", target.c_str(), nullptr);
    if (!raw)
      throw Error(ErrorCode::invalid_argument, "PROJ cannot transform EPSG:4326 to " + target + ": " +
                                                   proj_context_errno_string(m_ctx, proj_context_errno(m_ctx)));
    // EPSG:4326 is lat/lon by definition; normalising makes the input lon/lat, as GeoJSON is.
    PJ* normalised = proj_normalize_for_visualization(m_ctx, raw);
    proj_destroy(raw);
    if (!normalised) throw Error(ErrorCode::internal, "PROJ cannot normalise the axis order of " + target);
    m_transforms.emplace(epsg, normalised);
    return normalised;
  }

 private:
  PJ_CONTEXT* m_ctx;
  std::map<int, PJ*> m_transforms;
};

ProjCache& proj_cache() {
  thread_local ProjCache cache;
  return cache;
}

}  // namespace

GeoTransform geotransform_from_stac(const std::array<double, 6>& t) {
  return {t[2], t[0], t[1], t[5], t[3], t[4]};
}

ProjectedPoint project_lonlat_with_proj(int epsg, double lon, double lat) {
  PJ* pj = proj_cache().to_epsg(epsg);
  PJ_COORD in = proj_coord(lon, lat, 0.0, 0.0);
  PJ_COORD out = proj_trans(pj, PJ_FWD, in);
  if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y))
    throw Error(ErrorCode::invalid_argument, "PROJ cannot project lon " + std::to_string(lon) + ", lat " +
                                                 std::to_string(lat) + " to EPSG:" + std::to_string(epsg));
  return {out.xy.x, out.xy.y};
}

ProjectedPoint project_lonlat(int epsg, double lon, double lat) {
  if (!std::isfinite(lon) || !std::isfinite(lat) || lat < -90.0 || lat > 90.0)
    throw Error(ErrorCode::invalid_argument,
                "position lon " + std::to_string(lon) + ", lat " + std::to_string(lat) + " is not a WGS-84 coordinate");
  const bool utm_north = epsg >= 32601 && epsg <= 32660;
  const bool utm_south = epsg >= 32701 && epsg <= 32760;
  if (utm_north || utm_south) {
    const int zone = epsg % 100;
    const geo::UtmXY p = geo::lonlat_to_utm(zone, utm_north, lon, lat);
    return {p.x, p.y};
  }
  return project_lonlat_with_proj(epsg, lon, lat);
}

std::string ChipGrid::describe() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "EPSG:%d x0=%.3f y0=%.3f res=%g size=%d off=(%lld,%lld)", epsg, geotransform[0],
                geotransform[3], geotransform[1], size, col_off, row_off);
  return buf;
}

ChipGrid chip_grid_at(const GeoTransform& gt, int epsg, double x, double y, int size) {
  if (size < 1) throw Error(ErrorCode::invalid_argument, "chip size must be positive, got " + std::to_string(size));
  if (gt[2] != 0.0 || gt[4] != 0.0 || !(gt[1] > 0.0) || !(gt[5] < 0.0) || std::abs(gt[1] + gt[5]) > 1e-9 * gt[1])
    throw Error(ErrorCode::contract_violation, "scene transform is not north-up with square pixels: [" +
                                                   std::to_string(gt[0]) + ", " + std::to_string(gt[1]) + ", " +
                                                   std::to_string(gt[2]) + ", " + std::to_string(gt[3]) + ", " +
                                                   std::to_string(gt[4]) + ", " + std::to_string(gt[5]) + "]");
  if (!std::isfinite(x) || !std::isfinite(y))
    throw Error(ErrorCode::invalid_argument, "target coordinates are not finite");
  const double res = gt[1];
  const double col = (x - gt[0]) / res;
  const double row = (gt[3] - y) / res;
  const auto target_col = static_cast<long long>(std::floor(col));
  const auto target_row = static_cast<long long>(std::floor(row));

  ChipGrid g;
  g.epsg = epsg;
  g.size = size;
  g.col_off = target_col - size / 2;
  g.row_off = target_row - size / 2;
  g.geotransform = {gt[0] + static_cast<double>(g.col_off) * res, res, 0.0,
                    gt[3] - static_cast<double>(g.row_off) * res, 0.0, -res};
  // Measured from the scene origin so the fraction is exact to the scene's pixel grid.
  g.target_col = col - static_cast<double>(g.col_off);
  g.target_row = row - static_cast<double>(g.row_off);
  g.target_x = x;
  g.target_y = y;
  return g;
}

ChipGrid chip_grid_for_lonlat(const GeoTransform& gt, int epsg, double lon, double lat, int size) {
  const ProjectedPoint p = project_lonlat(epsg, lon, lat);
  return chip_grid_at(gt, epsg, p.x, p.y, size);
}

}  // namespace shipchips::raster
