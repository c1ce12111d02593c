#pragma once
// The dataset as a static STAC 1.0.0 catalog (`shipchips publish-stac`):
//
//   <out>/catalog.json                                 Catalog "shipchips"
//   <out>/shipchips-chips/collection.json              the one Collection of chips
//   <out>/shipchips-chips/<chip_id>/<chip_id>.json     one Item per indexed chip
//
// <out> (default storage.layout.stac under the dataset root) must lie inside the dataset root,
// outside the chips tree, so that one folder holds the catalog and the files it points at:
// relative hrefs then never leave the dataset, and with absolute URLs every href is
// base_url + "/" + the file's path relative to the dataset root (host the dataset root at
// base_url). Relative hrefs are relative to the folder of the file that holds them
// ("../../../chips/train/..." from an item). Self links are written with absolute URLs only
// (a relative catalog is "self-contained" in the STAC best practices' sense).
//
// Items: geometry = the chip footprint, datetime = the scene's sensing time, created = the
// chip's, platform/constellation/instruments/gsd, eo:cloud_cover (the scene's), proj:epsg,
// proj:shape [rows, cols], proj:transform (STAC order a, b, c, d, e, f from the GDAL
// transform), shipchips:* (mmsi, split, scene_id, lat/lon, ais_time, dt_s, uncertainty_m,
// center_pixel, nodata_fraction, gate_passed). Assets: data (the GeoTIFF; float32
// reflectance, NaN nodata; "profile=cloud-optimized" when tiling.write_cog), thumbnail (the
// quicklook, when there is one), metadata (sidecar JSON) and footprint (the chip's GeoJSON),
// each with file:size and file:checksum (multihash SHA2-256, "1220" + hex digest). Links:
// root, parent, collection, derived_from (the source scene: stac.endpoint +
// /collections/<collection>/items/<scene_id>). Providers: shipchips (producer, processor),
// ESA / Copernicus (licensor, producer), and the STAC API host the scenes came from
// (Element 84 Earth Search or Microsoft Planetary Computer by stac.provider; url
// stac.endpoint).
//
// Deterministic: keys in a fixed order, items by chip_id, no clock read (times come from the
// records), so the same index and files give the same bytes. The whole catalog is built in a
// temporary sibling folder and swapped in with one rename (RENAME_EXCHANGE), so a crash
// leaves the old catalog or the new one; items of chips no longer indexed disappear with the
// old folder. When every file would be byte-identical nothing is written.

#include "core/config.hpp"
#include "dataset/chip_record.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>

namespace shipchips::dataset {

inline constexpr std::string_view stac_collection_id = "shipchips-chips";

struct StacOptions {
  std::filesystem::path out_dir;        // absolute or relative to the current folder
  std::optional<std::string> base_url;  // set: absolute hrefs (http:// or https://)
  bool write_cog = true;                // tiling.write_cog: the data asset's media type
  std::string stac_endpoint;            // stac.endpoint: derived_from links, the host provider's url
  StacProvider source_provider = StacProvider::earth_search_l2a;  // stac.provider: the host provider's name
};

// Error(invalid_argument) naming --out-dir or --base-url when the folder is not inside the
// dataset root, is in the chips tree, or exists with other content than a catalog (it would be
// replaced), or when the URL is not http(s).
void check_stac_options(const std::filesystem::path& dataset_root, const std::string& chips_pattern,
                        const StacOptions& options);

// Every file of the catalog: path relative to out_dir ('/' separators) → its text. Reads (and
// hashes) each chip's files; Error(not_found) names a missing one.
std::map<std::string, std::string> stac_catalog_files(std::span<const ChipRecord> records,
                                                      const std::filesystem::path& dataset_root,
                                                      const StacOptions& options);

struct StacReport {
  std::filesystem::path out_dir;
  std::size_t items = 0;
  std::size_t files = 0;
  bool changed = false;
  nlohmann::ordered_json to_json() const;
};

// check_stac_options, stac_catalog_files, then the swap described above.
StacReport write_stac_catalog(std::span<const ChipRecord> records, const std::filesystem::path& dataset_root,
                              const std::string& chips_pattern, const StacOptions& options);

}  // namespace shipchips::dataset
