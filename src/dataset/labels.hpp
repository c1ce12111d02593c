#pragma once
// The dataset's object labels as one COCO-style file, dataset_root/labels/coco.json, rebuilt
// from the chip records (so `index rebuild` can regenerate it from the sidecars alone):
//
//   info        {description, version (record_version), date_created (latest record's created)}
//   images      one per chip, ordered by chip_id, id 1..n: {id, file_name (the .tif relative to
//               dataset_root), width, height, chip_id, mmsi, scene_id, scene_datetime}
//   annotations one per chip with a ship_box, same order, id 1..m: {id, image_id, category_id,
//               bbox [x, y, w, h] (axis-aligned, pixels, clipped to the chip), segmentation
//               [[x1, y1, ..., x4, y4]] (the oriented hull rectangle, pixels), rbox [cx, cy,
//               length_px, beam_px, angle_deg] (angle: the hull's bearing on the pixel grid,
//               clockwise from up), area (of the segmentation polygon, px²), iscrowd 0,
//               attributes {mmsi, heading, length_m, beam_m, uncertainty_m, ship_type, clipped}}
//   categories  the AIS ship-type groups, all with supercategory "ship" (see ship_category)
//
// Pixel coordinates follow COCO and the chip grid: (x, y) = (col, row), pixel i spans [i, i+1).
//
// The oriented rectangle is rebuilt from the record's ship_box: for a box that is not clipped
// by the chip edge, the axis-aligned box's centre is the rectangle's centre, and length, beam
// and heading (true; turned to grid north with the UTM meridian convergence at that centre,
// where ais/ship_geometry takes it at the antenna: γ changes by ~5e-6° per metre, so a centre
// 200 m from the antenna turns the hull by 1e-3°, moving a corner by millimetres) give its
// corners.
// A clipped box, or one without length/beam/heading, gets its axis-aligned box as the polygon
// (and "clipped": true / no rbox), since the part outside the chip is not in the image.

#include "dataset/chip_record.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string_view>

namespace shipchips::dataset {

// COCO category ids: 1 cargo (AIS type 70-79), 2 tanker (80-89), 3 passenger (60-69),
// 4 fishing (30), 5 tug (31, 32, 52: towing and tugs), 6 pleasure (36 sailing, 37 pleasure
// craft), 7 other (any other type code 1..99), 8 unknown (no type, 0, or out of range).
struct ShipCategory {
  int id = 8;
  std::string_view name = "unknown";
};
ShipCategory ship_category(std::optional<int> ais_ship_type);

// mmsi → AIS ship type (from the track store's static data); ships not in it are "unknown".
using ShipTypes = std::map<std::int64_t, int>;

// The whole document (records in any order; they are sorted by chip_id).
nlohmann::ordered_json coco_labels(std::span<const ChipRecord> records, const ShipTypes& ship_types = {});

struct LabelsReport {
  std::filesystem::path path;
  std::size_t images = 0;
  std::size_t annotations = 0;
};

// Writes coco_labels(...).dump(2) + "\n" to `path` (default: dataset_root/labels/coco.json)
// through a temporary file and a rename. Error(io_error) when it cannot be written.
LabelsReport write_coco_labels(std::span<const ChipRecord> records, const std::filesystem::path& dataset_root,
                               const std::filesystem::path& path = {}, const ShipTypes& ship_types = {});

}  // namespace shipchips::dataset
