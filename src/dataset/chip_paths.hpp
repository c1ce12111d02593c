#pragma once
// Where a chip's files live: storage.layout.chips ("chips/{split}/{mmsi}/{YYYYMMDD}", relative
// to the dataset root; {YYYYMMDD} is the scene's sensing date in UTC) plus
//   {chip_id}.tif  {chip_id}.json  {chip_id}.geojson  {chip_id}_quicklook.jpg
// and where the index exports go (storage.layout.tiles_index, storage.layout.daily_index).

#include "core/config.hpp"
#include "core/time.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace shipchips::dataset {

struct ChipPaths {
  std::filesystem::path dir;  // absolute: dataset_root / relative_dir
  std::filesystem::path tif;
  std::filesystem::path json;
  std::filesystem::path geojson;
  std::filesystem::path quicklook;
  std::string relative_dir;  // "chips/train/244660123/20240523"
  std::string relative_tif;  // relative_dir + "/" + chip_id + ".tif" (the record's path)
};

// Replaces every {name} in `pattern` by values.at(name). A placeholder without a value or an
// unclosed brace is Error(config_invalid) naming `key` (the config key the pattern came from);
// an empty value or one containing '/' (or "." / "..") is Error(invalid_argument).
std::string expand_layout(std::string_view pattern, const std::map<std::string, std::string>& values,
                          std::string_view key);

ChipPaths chip_paths(const std::filesystem::path& dataset_root, std::string_view chips_pattern, std::string_view split,
                     std::int64_t mmsi, UtcTime scene_datetime, std::string_view chip_id);
ChipPaths chip_paths(const Config& config, std::string_view split, std::int64_t mmsi, UtcTime scene_datetime,
                     std::string_view chip_id);

// The folder under which every chip lives: the part of storage.layout.chips before its first
// placeholder ("chips"), resolved against the dataset root.
std::filesystem::path chips_root(const std::filesystem::path& dataset_root, std::string_view chips_pattern);

// Daily index file for a date: storage.layout.daily_index with {YYYYMMDD}.
std::filesystem::path daily_index_path(const std::filesystem::path& dataset_root, std::string_view daily_pattern,
                                       std::string_view yyyymmdd);

// The daily pattern split around its {YYYYMMDD}, which must sit in the file name:
// folder "indexes", prefix "tiles_", suffix ".geojson". Error(config_invalid) otherwise.
struct DailyPattern {
  std::filesystem::path folder;  // absolute
  std::string prefix;
  std::string suffix;
  // The date of a file name of this pattern ("tiles_20240523.geojson" → "20240523"), or "".
  std::string date_of(std::string_view file_name) const;
};
DailyPattern daily_pattern(const std::filesystem::path& dataset_root, std::string_view daily_pattern);

}  // namespace shipchips::dataset
