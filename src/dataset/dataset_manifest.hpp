#pragma once
// The dataset manifest that `shipchips publish` writes: what a published version of the
// dataset holds, with the size and SHA-256 of every file of it, and the checks that run before
// a version may be published.
//
// Published files (paths relative to the dataset root, '/' separators, sorted):
//   every indexed chip's {chip_id}.tif, .json, .geojson and _quicklook.jpg (when there is one),
//   storage.layout.tiles_index, the daily GeoJSON of every date that has chips,
//   labels/coco.json when it exists, and every file of the STAC catalog under
//   storage.layout.stac when its items are exactly the indexed chips (current_stac_catalog;
//   run publish-stac before publish to include it: a catalog of other chips is left out
//   rather than published as part of a version it does not describe).
//
// Manifest JSON (manifest_version 1; keys in this order; `dump(2)` + "\n"):
//   manifest_version, version_id (the publishing run's id), created (when it was published),
//   software_version,
//   counts {chips, ships (distinct MMSI), scenes (distinct scene_id), splits {train, val, test},
//           days {YYYYMMDD: chips}, collections {id: chips}},
//   extent {bbox [w, s, e, n] of the chip footprints, scene_datetime {min, max}} (nulls when
//           there are no chips),
//   stac_catalog (path of the included catalog.json, or null),
//   sample_limit, samples [{chip_id, mmsi, split, scene_id, scene_datetime, lat, lon, path}]
//           (the first sample_limit chips by chip_id),
//   file_count, total_bytes, files [{path, size, sha256}].
// Only version_id and created depend on the moment of publishing: with the same files and
// index, two manifests differ in those two fields and nowhere else. The index does not know
// about rejected ships, so there are no reject counts here (the job store has them).

#include "core/config.hpp"
#include "core/time.hpp"
#include "dataset/chip_record.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace shipchips::dataset {

inline constexpr int dataset_manifest_version = 1;

// Every problem that forbids publishing `records` (sorted by chip_id) from `dataset_root`,
// each "<path relative to the root>: <problem>", in a stable order; empty when all is well:
//   - a chip's .tif, .json or .geojson is missing;
//   - its sidecar does not parse, or names another chip_id / mmsi / scene_id than its row;
//   - tiles.parquet or a daily GeoJSON is missing or does not hold exactly the index's rows
//     (`shipchips index export` rewrites them). An empty index may have no exports yet.
std::vector<std::string> check_publishable(std::span<const ChipRecord> records,
                                           const std::filesystem::path& dataset_root, const StorageLayout& layout);

// The published files (see above) that exist, relative to the root, sorted.
std::vector<std::string> published_files(std::span<const ChipRecord> records, const std::filesystem::path& dataset_root,
                                         const StorageLayout& layout);

struct ManifestOptions {
  std::string version_id;
  UtcTime created{};
  std::size_t sample_limit = 100;
};

// The manifest of `records` (sorted by chip_id); hashes every published file.
nlohmann::ordered_json dataset_manifest(std::span<const ChipRecord> records, const std::filesystem::path& dataset_root,
                                        const StorageLayout& layout, const ManifestOptions& options);

// The catalog folder (storage.layout.stac under the root) when it holds a catalog.json and
// one item folder per indexed chip and no other; empty otherwise.
std::filesystem::path current_stac_catalog(std::span<const ChipRecord> records,
                                           const std::filesystem::path& dataset_root, const StorageLayout& layout);

// The chips index as a list (sorted by chip_id), without creating a database: no
// storage.db_path yet is an empty index.
std::vector<ChipRecord> load_index_records(const Config& config);

}  // namespace shipchips::dataset
