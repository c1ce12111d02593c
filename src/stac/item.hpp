#pragma once
// The typed STAC Item shipchips works with: what chipping needs from a Sentinel-2 L2A item
// (assets and their grids, raster scale/offset, baseline, BOA-offset flag, sensing time,
// cloud cover, footprint), read strictly. A required field that is missing or of the wrong
// type, or an optional field of the wrong type, is Error(contract_violation) naming the
// source and the JSON path (e.g. "POST https://.../search page 2: features[3].assets.blue.href: ...").
// Items of other collections (Landsat, Sentinel-1) parse too; their S2 fields stay empty.

#include "core/time.hpp"
#include "geo/polygon.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::stac {

// Footprints use the geo module's polygon types, so containment tests apply directly.
using geo::LonLat;
using geo::Polygon;
using geo::Ring;

// One entry of raster:bands (or the STAC 1.1 asset-level raster:scale/offset, nodata, data_type).
struct RasterBand {
  std::optional<double> scale;
  std::optional<double> offset;
  std::optional<double> nodata;  // NaN/inf when the item says "nan"/"inf"/"-inf"
  std::string data_type;         // "uint16", "uint8", ... ("" if not declared)
  std::optional<double> spatial_resolution;
};

struct Asset {
  std::string key;
  std::string href;
  std::string type;  // media type
  std::vector<std::string> roles;
  std::optional<std::array<long long, 2>> proj_shape;   // rows, cols
  std::optional<std::array<double, 6>> proj_transform;  // x = t0*col + t1*row + t2, y = t3*col + t4*row + t5
  std::optional<int> epsg;                              // asset-level proj:epsg / proj:code if given
  std::vector<RasterBand> bands;
  std::optional<double> gsd;

  bool has_role(std::string_view role) const;
  // The first band's declared scale/offset, if any (what the item *says*, not what to apply).
  std::optional<double> declared_scale() const;
  std::optional<double> declared_offset() const;
};

struct Item {
  std::string id;
  std::string collection;  // "" when the item names none
  UtcTime datetime{};      // properties.datetime, or start_datetime when datetime is null
  std::optional<double> cloud_cover;
  std::string platform;  // as published ("sentinel-2a", "Sentinel-2A")
  std::optional<int> epsg;
  std::string processing_baseline;                   // "05.09"; from s2:product_uri "_N0509_" if absent
  std::optional<double> processing_baseline_number;  // 5.09
  std::optional<bool> boa_offset_applied;            // earthsearch:boa_offset_applied
  std::string mgrs_tile;                             // "13TDE"
  std::string grid_code;                             // "MGRS-13TDE" as published
  std::vector<Polygon> footprint;                    // Polygon → one entry; MultiPolygon → several
  std::optional<std::array<double, 4>> bbox;         // west, south, east, north
  std::map<std::string, Asset> assets;
  std::string self_href;
  nlohmann::json geometry;    // the GeoJSON geometry as received (null if absent)
  nlohmann::json properties;  // every property as received, for fields not typed here

  const Asset* find_asset(std::string_view key) const;
  // Throws Error(not_found) naming the item and the key.
  const Asset& asset(std::string_view key) const;
};

// Parses one STAC Item (GeoJSON Feature). `source` names where it came from (a file or URL,
// plus page) and `path_prefix` is the item's JSON path inside it ("features[3]"), so errors
// read "<source>: features[3].assets.blue.href: missing required string".
Item parse_item(const nlohmann::json& json, std::string_view source, std::string_view path_prefix = {});

// "05.09" → 5.09; nullopt if the text is not NN.NN (digits, one dot, digits).
std::optional<double> parse_processing_baseline(std::string_view text);

}  // namespace shipchips::stac
