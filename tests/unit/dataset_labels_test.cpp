// COCO labels: categories from AIS ship types, one image per chip in chip_id order, the oriented
// polygon rebuilt from a record's ship_box matching the rectangle ais::ship_outline computed from
// the antenna (two different constructions), hand-computed bbox/area, clipped boxes, and a
// deterministic, atomically written file.

#include "dataset/labels.hpp"

#include "ais/ship_geometry.hpp"
#include "core/time.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace shipchips;
using namespace shipchips::dataset;
using nlohmann::json;
namespace fs = std::filesystem;

namespace shipchips::dataset::test_data {
// dataset_chip_record_test.cpp: a complete zone-30N record, 256 px at 10 m, target at (128, 128).
ChipRecord sample_record(std::int64_t mmsi, const std::string& scene_id, const std::string& scene_time, double lat,
                         double lon);
}  // namespace shipchips::dataset::test_data

namespace {

ChipRecord record(std::int64_t mmsi, double lat, double lon) {
  return test_data::sample_record(mmsi, "S2B_30STF_20240523_0_L2A", "2024-05-23T11:06:29.024Z", lat, lon);
}

// The record's ship box as the chipping step fills it from ais::ship_outline.
ais::ShipOutline attach_box(ChipRecord& r, ais::HullDimensions dims, double heading) {
  ais::ChipFrame frame;
  frame.epsg = r.epsg;
  frame.transform = r.transform;
  frame.width = r.width;
  frame.height = r.height;
  frame.antenna_x = r.transform[0] + r.target_pixel[0] * r.transform[1];
  frame.antenna_y = r.transform[3] + r.target_pixel[1] * r.transform[5];
  const auto result = ais::ship_outline(dims, ais::ShipHeading{heading}, frame);
  const auto& o = std::get<ais::ShipOutline>(result);
  r.ship_box = ShipBox{o.col_min, o.row_min, o.col_max, o.row_max, o.length_m, o.beam_m, o.heading.true_deg};
  return o;
}

}  // namespace

TEST(DatasetLabels, CategoriesFromShipType) {
  EXPECT_EQ(ship_category(70).name, "cargo");
  EXPECT_EQ(ship_category(79).id, 1);
  EXPECT_EQ(ship_category(84).name, "tanker");
  EXPECT_EQ(ship_category(60).name, "passenger");
  EXPECT_EQ(ship_category(69).name, "passenger");
  EXPECT_EQ(ship_category(30).name, "fishing");
  EXPECT_EQ(ship_category(31).name, "tug");
  EXPECT_EQ(ship_category(32).name, "tug");
  EXPECT_EQ(ship_category(52).name, "tug");
  EXPECT_EQ(ship_category(36).name, "pleasure");
  EXPECT_EQ(ship_category(37).name, "pleasure");
  EXPECT_EQ(ship_category(90).name, "other");
  EXPECT_EQ(ship_category(33).name, "other");
  EXPECT_EQ(ship_category(0).name, "unknown");
  EXPECT_EQ(ship_category(std::nullopt).name, "unknown");
  EXPECT_EQ(ship_category(255).name, "unknown");
}

TEST(DatasetLabels, ImagesAnnotationsAndPolygon) {
  ChipRecord a = record(244660123, 36.1251, -5.4302);
  ChipRecord b = record(219000456, 36.2012, -5.3001);
  ChipRecord c = record(211111111, 36.0500, -5.5000);  // no ship box
  const ais::ShipOutline oa = attach_box(a, {60, 40, 10, 6}, 33.0);
  const ais::ShipOutline ob = attach_box(b, {150, 50, 15, 17}, 301.5);
  std::vector<ChipRecord> records{a, b, c};
  std::sort(records.begin(), records.end(), [](auto& x, auto& y) { return x.chip_id > y.chip_id; });  // reversed
  const json doc = json::parse(coco_labels(records, {{244660123, 71}}).dump());

  ASSERT_EQ(doc["images"].size(), 3u);
  ASSERT_EQ(doc["annotations"].size(), 2u);
  ASSERT_EQ(doc["categories"].size(), 8u);
  EXPECT_EQ(doc["categories"][0], json({{"id", 1}, {"name", "cargo"}, {"supercategory", "ship"}}));
  std::vector<std::string> ids;
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(doc["images"][k]["id"], k + 1);
    EXPECT_EQ(doc["images"][k]["width"], 256);
    ids.push_back(doc["images"][k]["chip_id"]);
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));

  for (const auto& [rec, outline, category] : {std::tuple{&a, &oa, 1}, std::tuple{&b, &ob, 8}}) {
    const auto image = std::find_if(doc["images"].begin(), doc["images"].end(),
                                    // Init-capture: clang before 16 cannot capture a structured binding.
                                    [record = rec](const json& i) { return i["chip_id"] == record->chip_id; });
    ASSERT_NE(image, doc["images"].end());
    EXPECT_EQ((*image)["file_name"], rec->path);
    const auto ann = std::find_if(doc["annotations"].begin(), doc["annotations"].end(),
                                  [&](const json& x) { return x["image_id"] == (*image)["id"]; });
    ASSERT_NE(ann, doc["annotations"].end());
    EXPECT_EQ((*ann)["category_id"], category);
    const json& bbox = (*ann)["bbox"];
    EXPECT_NEAR(bbox[0].get<double>(), outline->col_min, 1e-3);
    EXPECT_NEAR(bbox[1].get<double>(), outline->row_min, 1e-3);
    EXPECT_NEAR(bbox[2].get<double>(), outline->col_max - outline->col_min, 2e-3);
    EXPECT_NEAR(bbox[3].get<double>(), outline->row_max - outline->row_min, 2e-3);
    // The polygon rebuilt from the box is the rectangle laid out from the antenna.
    const json& seg = (*ann)["segmentation"][0];
    ASSERT_EQ(seg.size(), 8u);
    for (int k = 0; k < 4; ++k) {
      EXPECT_NEAR(seg[2 * k].get<double>(), outline->pixel[k].first, 2e-3) << k;
      EXPECT_NEAR(seg[2 * k + 1].get<double>(), outline->pixel[k].second, 2e-3) << k;
    }
    // Area: length × beam in 10 m pixels.
    EXPECT_NEAR((*ann)["area"].get<double>(), outline->length_m * outline->beam_m / 100.0, 2e-3);
    EXPECT_NEAR((*ann)["rbox"][2].get<double>(), outline->length_m / 10.0, 1e-3);
    // Convergence at the hull centre instead of the antenna (50 m apart for b): ~3e-4°.
    EXPECT_NEAR((*ann)["rbox"][4].get<double>(), outline->grid_heading_deg, 1e-3);
    EXPECT_EQ((*ann)["attributes"]["mmsi"], rec->mmsi);
    EXPECT_EQ((*ann)["attributes"]["clipped"], false);
    EXPECT_EQ((*ann)["attributes"]["length_m"], outline->length_m);
  }
  EXPECT_EQ(doc["annotations"][0]["id"], 1);
  EXPECT_EQ(doc["annotations"][1]["id"], 2);
}

TEST(DatasetLabels, ClippedBoxKeepsTheAxisAlignedPolygon) {
  ChipRecord r = record(244660123, 36.1251, -5.4302);
  r.ship_box = ShipBox{0.0, 120.0, 6.0, 125.0, 100.0, 16.0, 270.0};  // touches the left edge
  const json doc = json::parse(coco_labels(std::span<const ChipRecord>(&r, 1)).dump());
  const json& ann = doc["annotations"][0];
  EXPECT_EQ(ann["segmentation"][0], json({0.0, 120.0, 6.0, 120.0, 6.0, 125.0, 0.0, 125.0}));
  EXPECT_EQ(ann["bbox"], json({0.0, 120.0, 6.0, 5.0}));
  EXPECT_DOUBLE_EQ(ann["area"].get<double>(), 30.0);
  EXPECT_TRUE(ann["rbox"].is_null());
  EXPECT_EQ(ann["attributes"]["clipped"], true);
  EXPECT_TRUE(ann["attributes"]["ship_type"].is_null());
}

TEST(DatasetLabels, WritesDeterministicFileAtomically) {
  const fs::path root = fs::temp_directory_path() / ("shipchips_labels_" + std::to_string(::getpid()));
  fs::remove_all(root);
  ChipRecord a = record(244660123, 36.1251, -5.4302);
  ChipRecord b = record(219000456, 36.2012, -5.3001);
  attach_box(a, {60, 40, 10, 6}, 33.0);
  std::vector<ChipRecord> forward{a, b}, backward{b, a};
  const LabelsReport report = write_coco_labels(forward, root);
  EXPECT_EQ(report.path, root / "labels" / "coco.json");
  EXPECT_EQ(report.images, 2u);
  EXPECT_EQ(report.annotations, 1u);
  const auto read = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  const std::string first = read(report.path);
  write_coco_labels(backward, root, root / "labels" / "again.json");
  EXPECT_EQ(read(root / "labels" / "again.json"), first);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(root / "labels")) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 2u);  // no temporary left behind
  const json doc = json::parse(first);
  EXPECT_EQ(doc["info"]["date_created"], "2026-11-22T00:30:00.500Z");
  fs::remove_all(root);
}
