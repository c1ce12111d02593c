#include "dataset/labels.hpp"

#include "core/atomic_file.hpp"
#include "geo/s2_grid.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

namespace shipchips::dataset {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

constexpr std::array<ShipCategory, 8> kCategories{{{1, "cargo"},
                                                   {2, "tanker"},
                                                   {3, "passenger"},
                                                   {4, "fishing"},
                                                   {5, "tug"},
                                                   {6, "pleasure"},
                                                   {7, "other"},
                                                   {8, "unknown"}}};

// Pixel values rounded to 1/1000 px: far below any use, and short, stable text.
double px(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

using Corners = std::array<std::pair<double, double>, 4>;

struct Shape {
  Corners corners{};
  bool oriented = false;  // rebuilt from length/beam/heading (else the axis-aligned box)
  bool clipped = false;
  std::array<double, 5> rbox{};  // cx, cy, length_px, beam_px, angle_deg
};

Corners box_corners(const ShipBox& b) {
  return {{{b.col_min, b.row_min}, {b.col_max, b.row_min}, {b.col_max, b.row_max}, {b.col_min, b.row_max}}};
}

// The oriented rectangle of the ship (see the header), or the box itself.
Shape ship_shape(const ChipRecord& r, const ShipBox& b) {
  Shape s;
  s.corners = box_corners(b);
  constexpr double edge = 1e-9;
  s.clipped = b.col_min <= edge || b.row_min <= edge || b.col_max >= r.width - edge || b.row_max >= r.height - edge;
  const bool north = r.epsg >= 32601 && r.epsg <= 32660;
  const bool utm = north || (r.epsg >= 32701 && r.epsg <= 32760);
  if (s.clipped || !utm || !b.length_m || !b.beam_m || !b.heading_deg) return s;
  const auto& gt = r.transform;
  const double det = gt[1] * gt[5] - gt[2] * gt[4];
  if (det == 0.0) return s;
  const double cc = (b.col_min + b.col_max) / 2.0, rc = (b.row_min + b.row_max) / 2.0;
  const double x = gt[0] + cc * gt[1] + rc * gt[2], y = gt[3] + cc * gt[4] + rc * gt[5];
  const double grid_deg = *b.heading_deg - geo::utm_convergence_deg(r.epsg % 100, north, x, y);
  const double g = grid_deg * std::numbers::pi / 180.0;
  const double fx = std::sin(g), fy = std::cos(g), rx = std::cos(g), ry = -std::sin(g);
  const double half_l = *b.length_m / 2.0, half_b = *b.beam_m / 2.0;
  const double along[4] = {half_l, half_l, -half_l, -half_l};
  const double across[4] = {-half_b, half_b, half_b, -half_b};
  Corners c{};
  double cmin = 1e300, cmax = -1e300, rmin = 1e300, rmax = -1e300;
  for (int k = 0; k < 4; ++k) {
    const double dx = fx * along[k] + rx * across[k] + x - gt[0];
    const double dy = fy * along[k] + ry * across[k] + y - gt[3];
    c[k] = {(gt[5] * dx - gt[2] * dy) / det, (-gt[4] * dx + gt[1] * dy) / det};
    cmin = std::min(cmin, c[k].first);
    cmax = std::max(cmax, c[k].first);
    rmin = std::min(rmin, c[k].second);
    rmax = std::max(rmax, c[k].second);
  }
  // A box that this rectangle does not reproduce was not made from it: keep the box.
  constexpr double tol = 0.01;
  if (std::abs(cmin - b.col_min) > tol || std::abs(cmax - b.col_max) > tol || std::abs(rmin - b.row_min) > tol ||
      std::abs(rmax - b.row_max) > tol)
    return s;
  const double pixel_m = std::sqrt(std::abs(det));
  s.corners = c;
  s.oriented = true;
  s.rbox = {cc, rc, *b.length_m / pixel_m, *b.beam_m / pixel_m, std::fmod(std::fmod(grid_deg, 360.0) + 360.0, 360.0)};
  return s;
}

double polygon_area(const Corners& c) {
  double twice = 0.0;
  for (std::size_t k = 0; k < c.size(); ++k) {
    const auto& a = c[k];
    const auto& b = c[(k + 1) % c.size()];
    twice += a.first * b.second - b.first * a.second;
  }
  return std::abs(twice) / 2.0;
}

template <typename T>
ordered_json opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

}  // namespace

ShipCategory ship_category(std::optional<int> t) {
  if (!t || *t <= 0 || *t > 99) return kCategories[7];
  if (*t >= 70 && *t <= 79) return kCategories[0];
  if (*t >= 80 && *t <= 89) return kCategories[1];
  if (*t >= 60 && *t <= 69) return kCategories[2];
  if (*t == 30) return kCategories[3];
  if (*t == 31 || *t == 32 || *t == 52) return kCategories[4];
  if (*t == 36 || *t == 37) return kCategories[5];
  return kCategories[6];
}

ordered_json coco_labels(std::span<const ChipRecord> records, const ShipTypes& ship_types) {
  std::vector<const ChipRecord*> sorted;
  sorted.reserve(records.size());
  for (const ChipRecord& r : records) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(),
            [](const ChipRecord* a, const ChipRecord* b) { return a->chip_id < b->chip_id; });

  UtcTime latest{};
  for (const ChipRecord* r : sorted) latest = std::max(latest, r->created);
  ordered_json doc;
  doc["info"] = {{"description", "shipchips ship labels"},
                 {"version", chip_record_version},
                 {"date_created", sorted.empty() ? ordered_json(nullptr) : ordered_json(format_record_time(latest))}};
  auto images = ordered_json::array();
  auto annotations = ordered_json::array();
  std::int64_t image_id = 0, annotation_id = 0;
  for (const ChipRecord* r : sorted) {
    ++image_id;
    images.push_back({{"id", image_id},
                      {"file_name", r->path},
                      {"width", r->width},
                      {"height", r->height},
                      {"chip_id", r->chip_id},
                      {"mmsi", r->mmsi},
                      {"scene_id", r->scene_id},
                      {"scene_datetime", format_record_time(r->scene_datetime)}});
    if (!r->ship_box) continue;
    const ShipBox& b = *r->ship_box;
    const Shape shape = ship_shape(*r, b);
    const auto type = ship_types.find(r->mmsi);
    const std::optional<int> ship_type = type == ship_types.end() ? std::nullopt : std::optional<int>(type->second);
    auto segmentation = ordered_json::array();
    for (const auto& [x, y] : shape.corners) {
      segmentation.push_back(px(x));
      segmentation.push_back(px(y));
    }
    ordered_json a;
    a["id"] = ++annotation_id;
    a["image_id"] = image_id;
    a["category_id"] = ship_category(ship_type).id;
    a["bbox"] = {px(b.col_min), px(b.row_min), px(b.col_max - b.col_min), px(b.row_max - b.row_min)};
    a["segmentation"] = ordered_json::array({segmentation});
    if (shape.oriented) {
      a["rbox"] = {px(shape.rbox[0]), px(shape.rbox[1]), px(shape.rbox[2]), px(shape.rbox[3]),
                   std::round(shape.rbox[4] * 1e4) / 1e4};
    } else {
      a["rbox"] = nullptr;
    }
    a["area"] = px(polygon_area(shape.corners));
    a["iscrowd"] = 0;
    a["attributes"] = {
        {"mmsi", r->mmsi},         {"heading", opt(b.heading_deg)},          {"length_m", opt(b.length_m)},
        {"beam_m", opt(b.beam_m)}, {"uncertainty_m", opt(r->uncertainty_m)}, {"ship_type", opt(ship_type)},
        {"clipped", shape.clipped}};
    annotations.push_back(std::move(a));
  }
  doc["images"] = std::move(images);
  doc["annotations"] = std::move(annotations);
  auto categories = ordered_json::array();
  for (const ShipCategory& c : kCategories)
    categories.push_back({{"id", c.id}, {"name", std::string(c.name)}, {"supercategory", "ship"}});
  doc["categories"] = std::move(categories);
  return doc;
}

LabelsReport write_coco_labels(std::span<const ChipRecord> records, const fs::path& dataset_root, const fs::path& path,
                               const ShipTypes& ship_types) {
  LabelsReport report;
  report.path = path.empty() ? dataset_root / "labels" / "coco.json" : path;
  const ordered_json doc = coco_labels(records, ship_types);
  report.images = doc["images"].size();
  report.annotations = doc["annotations"].size();
  write_file_atomic(report.path, doc.dump(2) + "\n");
  return report;
}

}  // namespace shipchips::dataset
