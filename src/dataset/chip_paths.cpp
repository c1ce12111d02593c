#include "dataset/chip_paths.hpp"

#include "core/error.hpp"

namespace shipchips::dataset {
namespace fs = std::filesystem;

std::string expand_layout(std::string_view pattern, const std::map<std::string, std::string>& values,
                          std::string_view key) {
  std::string out;
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    std::size_t open = pattern.find('{', pos);
    if (open == std::string_view::npos) {
      out.append(pattern.substr(pos));
      break;
    }
    out.append(pattern.substr(pos, open - pos));
    std::size_t close = pattern.find('}', open);
    if (close == std::string_view::npos) {
      throw Error(ErrorCode::config_invalid, std::string(key) + ": unclosed '{' in \"" + std::string(pattern) + "\"");
    }
    std::string name(pattern.substr(open + 1, close - open - 1));
    auto it = values.find(name);
    if (it == values.end()) {
      throw Error(ErrorCode::config_invalid,
                  std::string(key) + ": unknown placeholder {" + name + "} in \"" + std::string(pattern) + "\"");
    }
    if (it->second.empty() || it->second.find('/') != std::string::npos || it->second == "." || it->second == "..") {
      throw Error(ErrorCode::invalid_argument,
                  std::string(key) + ": value '" + it->second + "' for {" + name + "} is not a single folder name");
    }
    out += it->second;
    pos = close + 1;
  }
  return out;
}

ChipPaths chip_paths(const fs::path& dataset_root, std::string_view chips_pattern, std::string_view split,
                     std::int64_t mmsi, UtcTime scene_datetime, std::string_view chip_id) {
  ChipPaths p;
  p.relative_dir = expand_layout(
      chips_pattern,
      {{"split", std::string(split)}, {"mmsi", std::to_string(mmsi)}, {"YYYYMMDD", format_yyyymmdd(scene_datetime)}},
      "storage.layout.chips");
  while (!p.relative_dir.empty() && p.relative_dir.back() == '/') p.relative_dir.pop_back();
  std::string id(chip_id);
  p.relative_tif = p.relative_dir + "/" + id + ".tif";
  p.dir = dataset_root / p.relative_dir;
  p.tif = p.dir / (id + ".tif");
  p.json = p.dir / (id + ".json");
  p.geojson = p.dir / (id + ".geojson");
  p.quicklook = p.dir / (id + "_quicklook.jpg");
  return p;
}

ChipPaths chip_paths(const Config& config, std::string_view split, std::int64_t mmsi, UtcTime scene_datetime,
                     std::string_view chip_id) {
  return chip_paths(dataset_root(config), config.storage.layout.chips, split, mmsi, scene_datetime, chip_id);
}

fs::path chips_root(const fs::path& dataset_root, std::string_view chips_pattern) {
  std::string_view fixed = chips_pattern.substr(0, chips_pattern.find('{'));
  std::size_t slash = fixed.rfind('/');
  fixed = slash == std::string_view::npos ? std::string_view() : fixed.substr(0, slash);
  return fixed.empty() ? dataset_root : dataset_root / fs::path(fixed);
}

fs::path daily_index_path(const fs::path& dataset_root, std::string_view daily_pattern, std::string_view yyyymmdd) {
  return dataset_root /
         expand_layout(daily_pattern, {{"YYYYMMDD", std::string(yyyymmdd)}}, "storage.layout.daily_index");
}

DailyPattern daily_pattern(const fs::path& dataset_root, std::string_view pattern) {
  static constexpr std::string_view kPlaceholder = "{YYYYMMDD}";
  std::size_t at = pattern.find(kPlaceholder);
  std::size_t slash = pattern.rfind('/');
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash > at) ||
      pattern.find('{', at + kPlaceholder.size()) != std::string_view::npos) {
    throw Error(ErrorCode::config_invalid, "storage.layout.daily_index: \"" + std::string(pattern) +
                                               "\" must hold {YYYYMMDD} once, in the file name");
  }
  DailyPattern d;
  std::size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
  d.folder = slash == std::string_view::npos ? dataset_root : dataset_root / fs::path(pattern.substr(0, slash));
  d.prefix = std::string(pattern.substr(name_start, at - name_start));
  d.suffix = std::string(pattern.substr(at + kPlaceholder.size()));
  return d;
}

std::string DailyPattern::date_of(std::string_view name) const {
  if (name.size() != prefix.size() + 8 + suffix.size()) return "";
  if (name.substr(0, prefix.size()) != prefix || name.substr(prefix.size() + 8) != suffix) return "";
  std::string_view date = name.substr(prefix.size(), 8);
  for (char c : date) {
    if (c < '0' || c > '9') return "";
  }
  return std::string(date);
}

}  // namespace shipchips::dataset
