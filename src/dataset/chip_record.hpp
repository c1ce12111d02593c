#pragma once
// The metadata of one chip: exactly what its sidecar {chip_id}.json holds, what the properties
// of its {chip_id}.geojson Feature hold (the footprint there is the geometry), and what a row
// of the index is built from. The sidecars are the durable copy: `shipchips index rebuild`
// recreates the whole index from them.
//
// JSON form (record_version 1; keys written in this order, times ISO 8601 UTC with "Z"):
//   record_version, chip_id, mmsi, split, path,
//   lat, lon                      the position the chip is centred on: the ship at sensing
//                                 time (the interpolated track position when there is one)
//   ais_lat, ais_lon, ais_time    the AIS report the chip was made from (the raw ping)
//   interpolation, uncertainty_m  how lat/lon were derived from the track, and the estimated
//                                 error in metres (null until the AIS issue fills them)
//   scene_id, collection, scene_datetime (sensing time), dt_s (scene_datetime − ais_time, s),
//   cloud_cover (scene %, null if the item has none), processing_baseline ("05.09" or null),
//   boa_offset_applied (the item's earthsearch flag or null), reflectance {rule, scale,
//   offset} (reflectance = DN × scale + offset as applied),
//   bands ["B02",...], has_swir, epsg, transform (GDAL order, 6 numbers), width, height,
//   center_pixel [col, row], center_pixel_definition (text), target_pixel [col, row]
//   (the target's fractional position in the chip), nodata_fraction,
//   gate {enabled, scl_used, passed, qa_cloud_frac, qa_shadow_frac, qa_land_frac, qa_water_frac,
//         qa_ndwi_water_frac}  (fractions of the centre window; null when not measured),
//   relaxation_steps [...] (scene-search relaxations used, in order; [] when none),
//   footprint (GeoJSON Polygon, WGS-84 lon/lat, edges densified),
//   ship_box (null, or {col_min,row_min,col_max,row_max[,length_m,beam_m,heading_deg]}),
//   created (UTC), software_version.
//
// Reading is strict: a missing key, a key of the wrong type, an unknown key or a value out of
// range is Error(input_invalid) "<file>: <field>: <what is wrong>".

#include "core/time.hpp"
#include "geo/polygon.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::dataset {

// 2 added gate.scl_used; version 1 sidecars (always made with SCL) are still read.
inline constexpr int chip_record_version = 2;

// Documented pixel convention of the chip centre (matches raster/chip_grid.hpp).
inline constexpr std::string_view center_pixel_definition =
    "0-based (col, row) from the upper-left pixel; the target lies in pixel (width/2, height/2) with integer "
    "division, i.e. for even sizes the pixel right of and below the geometric centre";

struct ReflectanceApplied {
  std::string rule;  // e.g. "earth-search: boa_offset_applied, DN*0.0001"
  double scale = 1e-4;
  double offset = 0.0;
  bool operator==(const ReflectanceApplied&) const = default;
};

struct GateRecord {
  bool enabled = true;
  bool scl_used = true;        // false: no SCL was read (masks.use_scl false, or none in the item)
  std::optional<bool> passed;  // null when the gate did not run
  std::optional<double> qa_cloud_frac;
  std::optional<double> qa_shadow_frac;
  std::optional<double> qa_land_frac;
  std::optional<double> qa_water_frac;
  std::optional<double> qa_ndwi_water_frac;
  bool operator==(const GateRecord&) const = default;
};

// The ship's box in chip pixel coordinates (the AIS issue fills it from the ship's dimensions).
struct ShipBox {
  double col_min = 0, row_min = 0, col_max = 0, row_max = 0;
  std::optional<double> length_m;
  std::optional<double> beam_m;
  std::optional<double> heading_deg;
  bool operator==(const ShipBox&) const = default;
};

struct ChipRecord {
  std::string chip_id;
  std::int64_t mmsi = 0;
  std::string split;  // train | val | test
  std::string path;   // of the .tif, relative to dataset_root, '/' separators
  double lat = 0, lon = 0;
  double ais_lat = 0, ais_lon = 0;
  UtcTime ais_time{};
  std::optional<std::string> interpolation;
  std::optional<double> uncertainty_m;
  std::string scene_id;
  std::string collection;
  UtcTime scene_datetime{};
  double dt_s = 0;
  std::optional<double> cloud_cover;
  std::optional<std::string> processing_baseline;
  std::optional<bool> boa_offset_applied;
  ReflectanceApplied reflectance;
  std::vector<std::string> bands;
  bool has_swir = false;
  int epsg = 0;
  std::array<double, 6> transform{};
  int width = 0, height = 0;
  std::array<int, 2> center_pixel{};     // (col, row)
  std::array<double, 2> target_pixel{};  // (col, row), fractional
  double nodata_fraction = 0;
  GateRecord gate;
  std::vector<std::string> relaxation_steps;
  geo::Ring footprint;  // closed WGS-84 ring (lon, lat)
  std::optional<ShipBox> ship_box;
  UtcTime created{};
  std::string software_version = SHIPCHIPS_VERSION;  // of the shipchips that wrote the chip
};

// Equal when every field is (compared through the JSON form: geo::LonLat has no operator==).
bool operator==(const ChipRecord& a, const ChipRecord& b);

// The scene's sensing date as YYYYMMDD (the {YYYYMMDD} of the chips layout and daily index).
std::string scene_date(const ChipRecord& record);

// ISO 8601 with as few fraction digits as keep the value exact (0, 3 or 6).
std::string format_record_time(UtcTime time);

// The JSON form above (key order fixed, so the same record always gives the same bytes).
nlohmann::ordered_json to_json(const ChipRecord& record);
// Sidecar text: to_json(record).dump(2) + "\n".
std::string to_sidecar_text(const ChipRecord& record);

// Strict parse; `source` (the file) prefixes every error. Also checks consistency: chip_id is
// 16 hex digits, split is train/val/test, transform/footprint are finite, width/height > 0.
ChipRecord chip_record_from_json(const nlohmann::json& json, std::string_view source);
// The record as it would be read back (NaN, out-of-range values, bad ids...): throws
// Error(invalid_argument) "chip record <id>: <field>: <problem>" so nothing unreadable is
// ever written to a sidecar or the index.
void check_record(const ChipRecord& record);
// Parses text (JSON syntax errors name the source and byte offset) then the above.
ChipRecord chip_record_from_text(std::string_view text, std::string_view source);

}  // namespace shipchips::dataset
