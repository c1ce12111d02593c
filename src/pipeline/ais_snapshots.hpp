#pragma once
// The per-tile, per-day AIS snapshots of the seed's layout:
//   <dataset_root>/<storage.layout.ais_snapshots>/ais_overpass_{tile_id}.parquet and .xlsx
// ({YYYYMMDD} = the UTC day). One row per ping the track store holds inside the tile's capture
// box that day — from this run and every earlier one — so a snapshot is merged, never
// overwritten with less: before it is rewritten, the rows of the existing .xlsx are read back
// into the track store (exact duplicates are dropped there), so even pings whose store was lost
// survive.
//
// Columns (both files, in this order; the upload schema's names, so a snapshot is itself a
// valid `shipchips chip --ais` input): tile_id, mmsi, captured_time (UTC), lat, lon, sog, cog,
// heading, nav_status, class, name, callsign, imo, ship_type, dim_a, dim_b, dim_c, dim_d,
// draught, destination, source, provider. Static fields are the ship's latest static report.
// Parquet: captured_time TIMESTAMP(UTC, µs), numbers DOUBLE/INT64, absent values null. XLSX
// (GDAL's XLSX driver, one sheet "ais"): captured_time as ISO 8601 text, absent values empty.
// Rows sorted by (mmsi, captured_time). Both files written to a temporary name and renamed.

#include "ais/track_store.hpp"
#include "core/config.hpp"
#include "core/time.hpp"
#include "pipeline/capture_windows.hpp"

#include <cstddef>
#include <filesystem>

namespace shipchips::pipeline {

struct SnapshotResult {
  std::filesystem::path parquet;
  std::filesystem::path xlsx;
  std::size_t rows = 0;
  std::size_t recovered = 0;  // rows of the previous .xlsx the store did not hold
};

// Writes (or merges) the snapshot of `area` for the UTC day holding `day`. With no ping there
// that day and no earlier snapshot, writes nothing (paths left empty).
SnapshotResult write_ais_snapshot(ais::TrackStore& store, const Config& config, const CaptureArea& area, UtcTime day);

// The snapshot paths of a tile and day.
std::filesystem::path snapshot_dir(const Config& config, UtcTime day);

}  // namespace shipchips::pipeline
