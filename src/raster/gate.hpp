#pragma once
// The chip gate: is the ship's neighbourhood clear water? Pure functions over the chip's
// arrays, measured on a centre window of center_window_px × center_window_px pixels.
//
// The window is centred like the chip (its pixel center_window_px/2 is the chip's pixel
// size/2), so it always holds the target pixel.
// Statistics (fractions of all window pixels): SCL cloud {8, 9, 10}, shadow {3}, land {4, 5},
// water {6}, nodata (invalid pixels and SCL {0, 1}), and the NDWI water fraction: pixels with
// NDWI = (B03 − B08)/(B03 + B08) > ndwi_water_thresh on reflectance.
// Decision, with the class groups of the `masks` config (cloud {8, 9, 10} and shadow {3} by
// default): reject when cloud > max_cloud_center_frac, when shadow > max_shadow_center_frac,
// when land > max_land_center_frac, or when water
// (the NDWI fraction if use_ndwi, else the SCL water fraction) < min_water_center_frac.
// A window without any valid pixel, or missing inputs, is an Error — never a pass.

#include "core/config.hpp"

#include <span>
#include <string>
#include <vector>

namespace shipchips::raster {

struct GateOptions {
  int center_window_px = 64;
  double max_cloud_center_frac = 0.2;
  double max_shadow_center_frac = 0.2;
  double max_land_center_frac = 0.3;
  double min_water_center_frac = 0.5;
  double ndwi_water_thresh = 0.0;
  bool use_scl = true;
  bool use_ndwi = true;
  std::vector<int> cloud_classes{8, 9, 10};  // the decision's groups (masks config)
  std::vector<int> shadow_classes{3};
  std::vector<int> land_classes{4, 5};
  std::vector<int> water_classes{6};
  std::vector<int> nodata_classes{0, 1};
};

GateOptions gate_options_from(const GateConfig& gate, const MasksConfig& masks);

struct GateStats {
  int window_px = 0;                // side of the centre window actually used
  long long pixels = 0;             // window pixels
  double cloud_frac = 0;            // SCL 8, 9, 10
  double shadow_frac = 0;           // SCL 3
  double land_frac = 0;             // SCL 4, 5
  double water_frac = 0;            // SCL 6
  double nodata_frac = 0;           // invalid, or SCL 0/1
  double ndwi_water_frac = 0;       // NDWI > threshold
  double decision_cloud_frac = 0;   // fraction in options.cloud_classes
  double decision_shadow_frac = 0;  // fraction in options.shadow_classes
  double decision_land_frac = 0;    // fraction in options.land_classes
  double decision_water_frac = 0;   // NDWI water if use_ndwi, else fraction in options.water_classes
};

struct GateResult {
  bool passed = false;
  std::string reason;  // "" when passed; else "cloud 0.35 > 0.20" (every failed test, "; ")
  GateStats stats;
};

// scl: SCL classes on the chip grid (NaN or 0 = nodata); green/nir: B03/B08 reflectance (NaN =
// invalid). All size×size row-major. scl may be empty only when !use_scl, green/nir only when
// !use_ndwi; otherwise Error(invalid_argument).
GateResult evaluate_gate(int size, std::span<const float> scl, std::span<const float> green, std::span<const float> nir,
                         const GateOptions& options);

}  // namespace shipchips::raster
