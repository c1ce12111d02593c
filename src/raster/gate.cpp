#include "raster/gate.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace shipchips::raster {

GateOptions gate_options_from(const GateConfig& gate, const MasksConfig& masks) {
  GateOptions o;
  o.center_window_px = gate.center_window_px;
  o.max_cloud_center_frac = gate.max_cloud_center_frac;
  o.max_shadow_center_frac = gate.max_shadow_center_frac;
  o.max_land_center_frac = gate.max_land_center_frac;
  o.min_water_center_frac = gate.min_water_center_frac;
  o.ndwi_water_thresh = gate.ndwi_water_thresh;
  o.use_scl = masks.use_scl;
  o.use_ndwi = masks.use_ndwi;
  o.cloud_classes = masks.scl_cloud_classes;
  o.shadow_classes = masks.scl_shadow_classes;
  o.land_classes = masks.scl_land_classes;
  o.water_classes = masks.scl_water_classes;
  o.nodata_classes = masks.scl_nodata_classes;
  return o;
}

namespace {

bool in(const std::vector<int>& classes, int c) {
  return std::find(classes.begin(), classes.end(), c) != classes.end();
}

std::string fmt2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

GateResult evaluate_gate(int size, std::span<const float> scl, std::span<const float> green, std::span<const float> nir,
                         const GateOptions& o) {
  if (size < 1) throw Error(ErrorCode::invalid_argument, "gate: chip size must be positive");
  if (!o.use_scl && !o.use_ndwi) throw Error(ErrorCode::invalid_argument, "gate: neither SCL nor NDWI is enabled");
  const std::size_t n = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  if (o.use_scl && scl.size() != n)
    throw Error(ErrorCode::invalid_argument,
                "gate: SCL is missing or not " + std::to_string(size) + "×" + std::to_string(size));
  if (o.use_ndwi && (green.size() != n || nir.size() != n))
    throw Error(ErrorCode::invalid_argument, "gate: B03/B08 reflectance is missing or of the wrong size");
  if (o.center_window_px < 1) throw Error(ErrorCode::invalid_argument, "gate: center_window_px must be positive");

  const int w = std::min(o.center_window_px, size);
  // Same centre convention as the chip: window pixel w/2 is chip pixel size/2.
  const int start = size / 2 - w / 2;

  long long cloud = 0, shadow = 0, land = 0, water = 0, nodata = 0, ndwi_water = 0;
  long long d_cloud = 0, d_shadow = 0, d_land = 0, d_water = 0, valid = 0;
  for (int r = start; r < start + w; ++r) {
    for (int c = start; c < start + w; ++c) {
      const std::size_t k = static_cast<std::size_t>(r) * size + c;
      bool pixel_valid = true;
      if (o.use_scl) {
        const float v = scl[k];
        const int cls = std::isnan(v) ? 0 : static_cast<int>(std::lround(v));
        if (std::isnan(v) || in(o.nodata_classes, cls)) pixel_valid = false;
        cloud += (cls == 8 || cls == 9 || cls == 10);
        shadow += cls == 3;
        land += (cls == 4 || cls == 5);
        water += cls == 6;
        if (pixel_valid) {
          d_cloud += in(o.cloud_classes, cls);
          d_shadow += in(o.shadow_classes, cls);
          d_land += in(o.land_classes, cls);
          d_water += in(o.water_classes, cls);
        }
      }
      if (o.use_ndwi) {
        const float g = green[k], ni = nir[k];
        if (std::isnan(g) || std::isnan(ni)) {
          pixel_valid = false;
        } else if (g + ni != 0.0f) {
          const double ndwi = (static_cast<double>(g) - ni) / (static_cast<double>(g) + ni);
          ndwi_water += ndwi > o.ndwi_water_thresh;
        }
      }
      if (pixel_valid)
        ++valid;
      else
        ++nodata;
    }
  }

  GateResult result;
  GateStats& s = result.stats;
  s.window_px = w;
  s.pixels = static_cast<long long>(w) * w;
  const double total = static_cast<double>(s.pixels);
  s.cloud_frac = cloud / total;
  s.shadow_frac = shadow / total;
  s.land_frac = land / total;
  s.water_frac = water / total;
  s.nodata_frac = nodata / total;
  s.ndwi_water_frac = ndwi_water / total;
  s.decision_cloud_frac = d_cloud / total;
  s.decision_shadow_frac = d_shadow / total;
  s.decision_land_frac = d_land / total;
  s.decision_water_frac = o.use_ndwi ? s.ndwi_water_frac : d_water / total;
  if (valid == 0)
    throw Error(ErrorCode::contract_violation,
                "gate: the " + std::to_string(w) + " px centre window has no valid pixel (all nodata)");

  std::string reason;
  auto fail = [&](const std::string& what) { reason += (reason.empty() ? "" : "; ") + what; };
  if (o.use_scl && s.decision_cloud_frac > o.max_cloud_center_frac)
    fail("cloud " + fmt2(s.decision_cloud_frac) + " > " + fmt2(o.max_cloud_center_frac));
  if (o.use_scl && s.decision_shadow_frac > o.max_shadow_center_frac)
    fail("shadow " + fmt2(s.decision_shadow_frac) + " > " + fmt2(o.max_shadow_center_frac));
  if (o.use_scl && s.decision_land_frac > o.max_land_center_frac)
    fail("land " + fmt2(s.decision_land_frac) + " > " + fmt2(o.max_land_center_frac));
  if (s.decision_water_frac < o.min_water_center_frac)
    fail(std::string(o.use_ndwi ? "NDWI water " : "water ") + fmt2(s.decision_water_frac) + " < " +
         fmt2(o.min_water_center_frac));
  result.passed = reason.empty();
  result.reason = reason;
  return result;
}

}  // namespace shipchips::raster
