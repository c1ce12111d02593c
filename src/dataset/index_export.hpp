#pragma once
// Exports of the chips index, rewritten from the `chips` table:
//   storage.layout.tiles_index  (indexes/tiles.parquet)        GeoParquet 1.0, one row per chip
//   storage.layout.daily_index  (indexes/tiles_YYYYMMDD.geojson) one FeatureCollection per
//                               scene sensing date (UTC)
// Rows are ordered by chip_id, so the same rows always give the same bytes. Each file is
// compared with what is on disk first: an unchanged export is not rewritten (bytes and mtime
// stay), a changed one goes to a temporary name and is renamed into place. A daily file whose
// date has no chips any more is removed.
//
// tiles.parquet columns (in order; "?" = nullable):
//   chip_id string, path string, mmsi int64, lat double, lon double, overpass_time timestamp
//   (the AIS time), scene_id string, scene_datetime timestamp, cloud_cover double?, split
//   string, bands string ("B02,B03,B04,B08"), has_swir boolean, qa_cloud_frac double?,
//   qa_water_frac double?, qa_land_frac double?  — the seed's columns — then
//   ais_lat double, ais_lon double, dt_s double, processing_baseline string?, epsg int32,
//   qa_shadow_frac double?, nodata_fraction double, interpolation string?, uncertainty_m
//   double?, created timestamp, geometry binary (WKB Polygon, the footprint; "geo" metadata).
// Timestamps are UTC microseconds.

#include "core/config.hpp"
#include "dataset/chip_record.hpp"

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace shipchips::dataset {

class ChipIndex;

struct ExportReport {
  std::size_t rows = 0;
  std::vector<std::string> written;  // paths relative to the dataset root
  std::vector<std::string> unchanged;
  std::vector<std::string> removed;
};

// The bytes of tiles.parquet for records sorted by chip_id (Error(invalid_argument) if not
// sorted or if a chip_id repeats: the index never duplicates a row).
std::string tiles_parquet_bytes(std::span<const ChipRecord> records);

// Writes `bytes` to `path` unless the file already holds exactly these bytes. True if written.
bool write_if_changed(const std::filesystem::path& path, std::string_view bytes);

// Every export for `records` (sorted by chip_id) under `dataset_root`.
ExportReport export_indexes(std::span<const ChipRecord> records, const std::filesystem::path& dataset_root,
                            const StorageLayout& layout);
// The same from the index's rows.
ExportReport export_indexes(ChipIndex& index, const Config& config);
// `shipchips index export`: opens storage.db_path and exports. Error(not_found) when the
// database does not exist yet (exporting "no index" would wipe the published files; run
// `shipchips index rebuild` instead).
ExportReport export_from_database(const Config& config);
// Error(not_found) unless storage.db_path holds a chips index (ChipIndex::exists).
void require_chip_index(const Config& config);

}  // namespace shipchips::dataset
