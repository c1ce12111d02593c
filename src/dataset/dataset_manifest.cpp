#include "dataset/dataset_manifest.hpp"

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "dataset/chip_geojson.hpp"
#include "dataset/chip_index.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/file_digest.hpp"
#include "dataset/index_export.hpp"
#include "dataset/stac_catalog.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace shipchips::dataset {

namespace fs = std::filesystem;

namespace {

std::string rel(const fs::path& path, const fs::path& root) {
  return path.lexically_relative(root).generic_string();
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// The chip's files beside its .tif (record.path), relative to the root.
struct ChipFileNames {
  std::string tif, json, geojson, quicklook;
};
ChipFileNames chip_file_names(const ChipRecord& r) {
  std::string stem = r.path.size() > 4 && r.path.ends_with(".tif") ? r.path.substr(0, r.path.size() - 4) : r.path;
  return {r.path, stem + ".json", stem + ".geojson", stem + "_quicklook.jpg"};
}

std::map<std::string, std::vector<ChipRecord>> by_day(std::span<const ChipRecord> records) {
  std::map<std::string, std::vector<ChipRecord>> days;
  for (const ChipRecord& r : records) days[scene_date(r)].push_back(r);
  return days;
}

}  // namespace

fs::path current_stac_catalog(std::span<const ChipRecord> records, const fs::path& root, const StorageLayout& layout) {
  fs::path dir = (root / layout.stac).lexically_normal();
  std::string r = rel(dir, root);
  if (r.empty() || r == "." || r.starts_with("..") || !is_file(dir / "catalog.json")) return {};
  std::set<std::string> items;
  fs::path collection = dir / std::string(stac_collection_id);
  std::error_code ec;
  if (fs::is_directory(collection, ec)) {
    for (const auto& entry : fs::directory_iterator(collection)) {
      std::string id = entry.path().filename().string();
      if (entry.is_directory() && is_file(entry.path() / (id + ".json"))) items.insert(id);
    }
  }
  std::set<std::string> indexed;
  for (const ChipRecord& rec : records) indexed.insert(rec.chip_id);
  return items == indexed ? dir : fs::path();
}

std::vector<std::string> check_publishable(std::span<const ChipRecord> records, const fs::path& root,
                                           const StorageLayout& layout) {
  std::vector<std::string> problems;
  for (const ChipRecord& r : records) {
    ChipFileNames names = chip_file_names(r);
    for (const std::string* name : {&names.tif, &names.json, &names.geojson}) {
      if (!is_file(root / *name)) problems.push_back(*name + ": missing (indexed chip " + r.chip_id + ")");
    }
    if (!is_file(root / names.json)) continue;
    try {
      ChipRecord sidecar = chip_record_from_text(read_input_file(root / names.json), names.json);
      if (sidecar.chip_id != r.chip_id) {
        problems.push_back(names.json + ": chip_id: '" + sidecar.chip_id + "', the index row says '" + r.chip_id + "'");
      } else if (sidecar.mmsi != r.mmsi || sidecar.scene_id != r.scene_id) {
        problems.push_back(names.json + ": mmsi/scene_id: differ from the index row of chip " + r.chip_id);
      }
    } catch (const Error& e) {
      // chip_record_from_text names the file already.
      problems.push_back(e.what());
    }
  }

  auto check_export = [&](const fs::path& file, const std::string& expected) {
    if (!is_file(file)) {
      problems.push_back(rel(file, root) + ": missing (`shipchips index export` writes it)");
    } else if (read_input_file(file) != expected) {
      problems.push_back(rel(file, root) + ": does not match the chips index (`shipchips index export` rewrites it)");
    }
  };
  fs::path tiles = root / layout.tiles_index;
  if (!records.empty() || is_file(tiles)) check_export(tiles, tiles_parquet_bytes(records));
  for (const auto& [day, day_records] : by_day(records)) {
    check_export(daily_index_path(root, layout.daily_index, day), feature_collection_text(day_records));
  }
  return problems;
}

std::vector<std::string> published_files(std::span<const ChipRecord> records, const fs::path& root,
                                         const StorageLayout& layout) {
  std::set<std::string> files;
  auto add_if_present = [&](const std::string& relative) {
    if (is_file(root / relative)) files.insert(relative);
  };
  for (const ChipRecord& r : records) {
    ChipFileNames names = chip_file_names(r);
    for (const std::string* name : {&names.tif, &names.json, &names.geojson, &names.quicklook}) add_if_present(*name);
  }
  add_if_present(rel((root / layout.tiles_index).lexically_normal(), root));
  for (const auto& [day, unused] : by_day(records)) {
    add_if_present(rel(daily_index_path(root, layout.daily_index, day).lexically_normal(), root));
  }
  add_if_present("labels/coco.json");
  if (fs::path stac = current_stac_catalog(records, root, layout); !stac.empty()) {
    for (const auto& entry : fs::recursive_directory_iterator(stac)) {
      // Names starting with "." are temporary files and folders of writers in progress.
      std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && !name.starts_with(".")) {
        std::string r = rel(entry.path(), root);
        if (r.find("/.") == std::string::npos) files.insert(r);
      }
    }
  }
  return {files.begin(), files.end()};
}

nlohmann::ordered_json dataset_manifest(std::span<const ChipRecord> records, const fs::path& root,
                                        const StorageLayout& layout, const ManifestOptions& options) {
  using json = nlohmann::ordered_json;
  std::set<std::int64_t> ships;
  std::set<std::string> scenes;
  std::map<std::string, std::size_t> splits{{"train", 0}, {"val", 0}, {"test", 0}};
  std::map<std::string, std::size_t> days, collections;
  double w = std::numeric_limits<double>::infinity(), s = w, e = -w, n = -w;
  UtcTime first = UtcTime::max(), last = UtcTime::min();
  for (const ChipRecord& r : records) {
    ships.insert(r.mmsi);
    scenes.insert(r.scene_id);
    ++splits[r.split];
    ++days[scene_date(r)];
    ++collections[r.collection];
    for (const geo::LonLat& p : r.footprint) {
      w = std::min(w, p.lon);
      e = std::max(e, p.lon);
      s = std::min(s, p.lat);
      n = std::max(n, p.lat);
    }
    first = std::min(first, r.scene_datetime);
    last = std::max(last, r.scene_datetime);
  }

  json m;
  m["manifest_version"] = dataset_manifest_version;
  m["version_id"] = options.version_id;
  m["created"] = format_iso8601(options.created, 0);
  m["software_version"] = SHIPCHIPS_VERSION;
  json counts;
  counts["chips"] = records.size();
  counts["ships"] = ships.size();
  counts["scenes"] = scenes.size();
  counts["splits"] = json(splits);
  counts["days"] = json(days);
  counts["collections"] = json(collections);
  m["counts"] = counts;
  json extent;
  if (records.empty()) {
    extent["bbox"] = nullptr;
    extent["scene_datetime"] = nullptr;
  } else {
    extent["bbox"] = {w, s, e, n};
    extent["scene_datetime"] = {{"min", format_record_time(first)}, {"max", format_record_time(last)}};
  }
  m["extent"] = extent;
  fs::path stac = current_stac_catalog(records, root, layout);
  m["stac_catalog"] = stac.empty() ? json(nullptr) : json(rel(stac / "catalog.json", root));
  m["sample_limit"] = options.sample_limit;
  json samples = json::array();
  for (std::size_t i = 0; i < records.size() && i < options.sample_limit; ++i) {
    const ChipRecord& r = records[i];
    samples.push_back({{"chip_id", r.chip_id},
                       {"mmsi", r.mmsi},
                       {"split", r.split},
                       {"scene_id", r.scene_id},
                       {"scene_datetime", format_record_time(r.scene_datetime)},
                       {"lat", r.lat},
                       {"lon", r.lon},
                       {"path", r.path}});
  }
  m["samples"] = samples;

  json files = json::array();
  std::uint64_t total = 0;
  for (const std::string& path : published_files(records, root, layout)) {
    FileDigest d = file_digest(root / path);
    total += d.size;
    files.push_back({{"path", path}, {"size", d.size}, {"sha256", d.sha256}});
  }
  m["file_count"] = files.size();
  m["total_bytes"] = total;
  m["files"] = files;
  return m;
}

std::vector<ChipRecord> load_index_records(const Config& config) {
  fs::path db = dataset_path(config, config.storage.db_path);
  if (!ChipIndex::exists(db)) return {};
  ChipIndex index(db);
  return index.list();
}

}  // namespace shipchips::dataset
