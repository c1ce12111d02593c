#pragma once
// A small dataset on disk for the publishing tests (header-only): chips with real sidecars
// (dataset/chip_geojson.hpp), stand-in .tif and quicklook bytes, the index exports and a
// Config whose dataset root is the folder.

#include "core/config.hpp"
#include "dataset/chip_geojson.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/chip_record.hpp"
#include "dataset/index_export.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace shipchips::dataset::test_data {
// tests/unit/dataset_chip_record_test.cpp
ChipRecord sample_record(std::int64_t mmsi, const std::string& scene_id, const std::string& scene_time, double lat,
                         double lon);
}  // namespace shipchips::dataset::test_data

namespace shipchips::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct SmallDataset {
  Config config;
  std::filesystem::path root;
  std::vector<dataset::ChipRecord> records;  // sorted by chip_id

  // `chips` chips over two scene dates; each chip's files where the layout puts them.
  explicit SmallDataset(const std::filesystem::path& dataset_root, int chips = 3) : root(dataset_root) {
    config = default_config();
    config.storage.dataset_root = root.string();
    for (int i = 0; i < chips; ++i) {
      std::string date = i % 2 ? "20240526" : "20240523";
      std::string scene = "S2B_30STF_" + date + "_0_L2A";
      std::string time = date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2) + "T11:06:29.024Z";
      records.push_back(dataset::test_data::sample_record(244660123 + i, scene, time, 36.1251 + 0.01 * i, -5.4302));
    }
    std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.chip_id < b.chip_id; });
    for (const dataset::ChipRecord& r : records) place(r);
    export_all();
  }

  dataset::ChipPaths paths(const dataset::ChipRecord& r) const {
    return dataset::chip_paths(root, config.storage.layout.chips, r.split, r.mmsi, r.scene_datetime, r.chip_id);
  }
  void place(const dataset::ChipRecord& r) const {
    dataset::ChipPaths p = paths(r);
    dataset::write_chip_sidecars(r, p);
    std::ofstream(p.tif, std::ios::binary) << "II* stand-in raster of " << r.chip_id;
    std::ofstream(p.quicklook, std::ios::binary) << "\xff\xd8\xff stand-in quicklook of " << r.chip_id;
  }
  void export_all() const { dataset::export_indexes(records, root, config.storage.layout); }
};

}  // namespace shipchips::testing
