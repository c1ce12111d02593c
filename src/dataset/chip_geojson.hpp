#pragma once
// A chip as GeoJSON (RFC 7946): its footprint polygon in WGS-84 with every metadata field of
// its record as properties. Used for the per-chip {chip_id}.geojson and, one Feature per line,
// for the daily FeatureCollections of the index.

#include "dataset/chip_paths.hpp"
#include "dataset/chip_record.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <span>
#include <string>

namespace shipchips::dataset {

// Edges of chip footprints are split into segments no longer than this (metres) before they
// are projected, so the lon/lat polygon follows the UTM rectangle.
inline constexpr double footprint_max_segment_m = 500.0;

// The chip raster's outline (outer pixel edges) as a closed, counter-clockwise WGS-84 ring,
// starting at the upper-left corner. transform is GDAL-ordered; epsg must be a UTM code
// (326zz north / 327zz south, which every Sentinel-2 scene uses), else Error(invalid_argument).
geo::Ring chip_footprint(int epsg, const std::array<double, 6>& transform, int width, int height,
                         double max_segment_m = footprint_max_segment_m);

// {"type":"Feature","id":chip_id,"bbox":[w,s,e,n],"geometry":footprint,"properties":{record
// without "footprint"}}.
nlohmann::ordered_json chip_feature(const ChipRecord& record);
// The per-chip file's text: chip_feature(record).dump(2) + "\n".
std::string chip_feature_text(const ChipRecord& record);
// {"type":"FeatureCollection","features":[...]} with one compact Feature per line, in the
// given order (callers pass records sorted by chip_id so the bytes are deterministic).
std::string feature_collection_text(std::span<const ChipRecord> records);

// Writes {chip_id}.json and {chip_id}.geojson, each to a temporary name then renamed, after
// check_record (Error(invalid_argument) and nothing written for a record that could not be
// read back).
void write_chip_sidecars(const ChipRecord& record, const ChipPaths& paths);

}  // namespace shipchips::dataset
