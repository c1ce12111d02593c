#include "core/error.hpp"
#include "dataset/chip_geojson.hpp"
#include "dataset/chip_id.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/chip_record.hpp"
#include "dataset/splits.hpp"
#include "geo/s2_grid.hpp"

#include <gtest/gtest.h>
#include <proj.h>

#include <unistd.h>
#include <cmath>
#include <fstream>

using namespace shipchips;
using namespace shipchips::dataset;
using nlohmann::json;

namespace shipchips::dataset::test_data {

// A complete record as the chipping step would write it (UTM zone 30N, 256 px at 10 m, the
// target in pixel (128, 128)); shared with dataset_chip_index_test.cpp.
ChipRecord sample_record(std::int64_t mmsi, const std::string& scene_id, const std::string& scene_time, double lat,
                         double lon) {
  ChipRecord r;
  r.chip_id = make_chip_id(mmsi, scene_id);
  r.mmsi = mmsi;
  UtcTime sensing = parse_iso8601(scene_time);
  r.split = std::string(to_string(assign_split(SplitsConfig{}, mmsi, scene_id, r.chip_id)));
  r.path = chip_paths("/unused", "chips/{split}/{mmsi}/{YYYYMMDD}", r.split, mmsi, sensing, r.chip_id).relative_tif;
  r.lat = lat;
  r.lon = lon;
  r.ais_lat = lat + 0.0012;
  r.ais_lon = lon - 0.0008;
  r.ais_time = sensing - std::chrono::seconds(139);
  r.scene_id = scene_id;
  r.collection = "sentinel-2-l2a";
  r.scene_datetime = sensing;
  r.dt_s = 139.0 + 0.001 * static_cast<double>((sensing.time_since_epoch().count() / 1000) % 1000);
  r.cloud_cover = 3.25;
  r.processing_baseline = "05.10";
  r.boa_offset_applied = true;
  r.reflectance = {"earth-search: boa_offset_applied, DN*0.0001", 1e-4, 0.0};
  r.bands = {"B02", "B03", "B04", "B08"};
  r.has_swir = false;
  r.epsg = 32630;
  geo::UtmXY p = geo::lonlat_to_utm(30, true, lon, lat);
  double x0 = std::floor(p.x / 10.0) * 10.0 - 1280.0;
  double y0 = std::floor(p.y / 10.0) * 10.0 + 10.0 + 1280.0;
  r.transform = {x0, 10.0, 0.0, y0, 0.0, -10.0};
  r.width = r.height = 256;
  r.center_pixel = {128, 128};
  r.target_pixel = {(p.x - x0) / 10.0, (y0 - p.y) / 10.0};
  r.nodata_fraction = 0.0;
  r.gate = {true, true, true, 0.01, 0.0, 0.0, 0.97, 0.99};  // enabled, scl_used, passed, fractions
  r.footprint = chip_footprint(r.epsg, r.transform, r.width, r.height);
  r.created = parse_iso8601("2026-11-22T00:30:00.5Z");
  r.software_version = SHIPCHIPS_VERSION;
  return r;
}

}  // namespace shipchips::dataset::test_data

namespace {

ChipRecord sample() {
  return test_data::sample_record(244660123, "S2B_30STF_20240523_0_L2A", "2024-05-23T11:06:29.024Z", 36.1251, -5.4302);
}

std::string error_of(const json& j) {
  try {
    chip_record_from_json(j, "chips/x/y.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(DatasetChipRecord, SampleIsConsistent) {
  ChipRecord r = sample();
  EXPECT_EQ(r.chip_id, "bda90879eff2229b");  // printf '%s' '244660123|S2B_30STF_20240523_0_L2A' | sha256sum
  EXPECT_EQ(scene_date(r), "20240523");
  EXPECT_GE(r.target_pixel[0], 128.0);
  EXPECT_LT(r.target_pixel[0], 129.0);
  EXPECT_GE(r.target_pixel[1], 128.0);
  EXPECT_LT(r.target_pixel[1], 129.0);
}

TEST(DatasetChipRecord, JsonRoundTripsExactly) {
  ChipRecord r = sample();
  r.interpolation = "geodesic";
  r.uncertainty_m = 12.5;
  r.relaxation_steps = {"cloud_cover_max=50"};
  r.ship_box = ShipBox{120.5, 125, 136.25, 131, 180.0, std::nullopt, 271.5};
  std::string text = to_sidecar_text(r);
  ChipRecord back = chip_record_from_text(text, "t.json");
  EXPECT_EQ(back, r);
  EXPECT_EQ(to_sidecar_text(back), text);  // same record, same bytes

  ChipRecord plain = sample();
  EXPECT_EQ(chip_record_from_text(to_sidecar_text(plain), "t.json"), plain);
}

TEST(DatasetChipRecord, JsonHasTheDocumentedFields) {
  ChipRecord r = sample();
  json j = json::parse(to_sidecar_text(r));
  EXPECT_EQ(j["chip_id"], "bda90879eff2229b");
  EXPECT_EQ(j["mmsi"], 244660123);
  EXPECT_EQ(j["scene_datetime"], "2024-05-23T11:06:29.024Z");
  EXPECT_EQ(j["ais_time"], "2024-05-23T11:04:10.024Z");
  EXPECT_EQ(j["created"], "2026-11-22T00:30:00.500Z");
  EXPECT_TRUE(j["interpolation"].is_null());
  EXPECT_TRUE(j["ship_box"].is_null());
  EXPECT_EQ(j["footprint"]["type"], "Polygon");
  EXPECT_EQ(j["transform"].size(), 6u);
  EXPECT_EQ(j["gate"]["qa_water_frac"], 0.97);
  EXPECT_EQ(j["center_pixel"], json::array({128, 128}));
  EXPECT_EQ(j["software_version"], SHIPCHIPS_VERSION);
  EXPECT_EQ(j["path"], "chips/" + r.split + "/244660123/20240523/bda90879eff2229b.tif");
  // Key order is fixed (record_version first, software_version last).
  std::string text = to_sidecar_text(r);
  EXPECT_EQ(text.find("\"record_version\""), 4u);
  EXPECT_GT(text.find("\"software_version\""), text.find("\"created\""));
}

TEST(DatasetChipRecord, TimesKeepOnlyNeededDigits) {
  EXPECT_EQ(format_record_time(parse_iso8601("2024-05-23T11:06:29Z")), "2024-05-23T11:06:29Z");
  EXPECT_EQ(format_record_time(parse_iso8601("2024-05-23T11:06:29.5Z")), "2024-05-23T11:06:29.500Z");
  EXPECT_EQ(format_record_time(parse_iso8601("2024-05-23T11:06:29.000123Z")), "2024-05-23T11:06:29.000123Z");
}

TEST(DatasetChipRecord, StrictParseNamesFileAndField) {
  json good = json::parse(to_sidecar_text(sample()));

  json missing = good;
  missing.erase("scene_id");
  EXPECT_EQ(error_of(missing), "chips/x/y.json: scene_id: missing required field");

  json wrong = good;
  wrong["mmsi"] = "244660123";
  EXPECT_EQ(error_of(wrong), "chips/x/y.json: mmsi: expected an integer");

  json unknown = good;
  unknown["colour"] = "blue";
  EXPECT_EQ(error_of(unknown), "chips/x/y.json: colour: unknown field");

  json nested = good;
  nested["gate"]["qa_cloud_frac"] = 1.5;
  EXPECT_EQ(error_of(nested), "chips/x/y.json: gate.qa_cloud_frac: must be between 0 and 1");

  json nested_missing = good;
  nested_missing["reflectance"].erase("scale");
  EXPECT_EQ(error_of(nested_missing), "chips/x/y.json: reflectance.scale: missing required field");

  json bad_id = good;
  bad_id["chip_id"] = "XYZ";
  EXPECT_NE(error_of(bad_id).find("chip_id: expected 16 lower-case hex digits"), std::string::npos);

  json bad_split = good;
  bad_split["split"] = "holdout";
  EXPECT_NE(error_of(bad_split).find("split: expected train, val or test"), std::string::npos);

  json bad_time = good;
  bad_time["scene_datetime"] = "yesterday";
  EXPECT_NE(error_of(bad_time).find("chips/x/y.json: scene_datetime: "), std::string::npos);

  json open_ring = good;
  open_ring["footprint"]["coordinates"][0].erase(open_ring["footprint"]["coordinates"][0].size() - 1);
  EXPECT_EQ(error_of(open_ring), "chips/x/y.json: footprint.coordinates[0]: ring is not closed");

  json short_transform = good;
  short_transform["transform"].erase(5);
  EXPECT_EQ(error_of(short_transform), "chips/x/y.json: transform: expected 6 elements, got 5");

  json version = good;
  version["record_version"] = 3;
  EXPECT_NE(error_of(version).find("record_version: unsupported version 3"), std::string::npos);

  // Version 1 (before gate.scl_used) is still read: those chips were all made with SCL.
  json v1 = good;
  v1["record_version"] = 1;
  v1["gate"].erase("scl_used");
  EXPECT_TRUE(chip_record_from_json(v1, "v1.json").gate.scl_used);
  json v2_without = good;
  v2_without["gate"].erase("scl_used");
  EXPECT_NE(error_of(v2_without).find("gate.scl_used"), std::string::npos) << error_of(v2_without);

  json off_centre = good;
  off_centre["center_pixel"] = json::array({127, 127});
  EXPECT_EQ(error_of(off_centre),
            "chips/x/y.json: center_pixel: expected [128, 128] (pixel (width/2, height/2), integer division)");

  json null_required = good;
  null_required["lat"] = nullptr;
  EXPECT_EQ(error_of(null_required), "chips/x/y.json: lat: expected a number");

  try {
    chip_record_from_text("{\"chip_id\": ", "chips/a/b.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("chips/a/b.json: not valid JSON at byte", 0), 0u) << e.what();
  }
  // A number too large for a double is nlohmann's out_of_range, not a parse_error: it escaped
  // as an internal error (the fuzzers found the same in the OMM and STAC readers).
  try {
    chip_record_from_text("{\"lat\": 1e999}", "chips/a/c.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_EQ(std::string(e.what()).rfind("chips/a/c.json: not valid JSON: ", 0), 0u) << e.what();
  }
}

TEST(DatasetChipPaths, FollowTheSeedLayout) {
  UtcTime t = parse_iso8601("2024-05-23T11:06:29Z");
  ChipPaths p = chip_paths("/data/ds", "chips/{split}/{mmsi}/{YYYYMMDD}", "train", 244660123, t, "bda90879eff2229b");
  EXPECT_EQ(p.relative_dir, "chips/train/244660123/20240523");
  EXPECT_EQ(p.relative_tif, "chips/train/244660123/20240523/bda90879eff2229b.tif");
  EXPECT_EQ(p.dir, std::filesystem::path("/data/ds/chips/train/244660123/20240523"));
  EXPECT_EQ(p.tif.filename(), "bda90879eff2229b.tif");
  EXPECT_EQ(p.json.filename(), "bda90879eff2229b.json");
  EXPECT_EQ(p.geojson.filename(), "bda90879eff2229b.geojson");
  EXPECT_EQ(p.quicklook.filename(), "bda90879eff2229b_quicklook.jpg");
  // The date is the UTC sensing date, also just before midnight.
  EXPECT_EQ(
      chip_paths("/d", "c/{YYYYMMDD}/{split}", "val", 1, parse_iso8601("2024-05-23T23:59:59.9Z"), "0123456789abcdef")
          .relative_dir,
      "c/20240523/val");
}

TEST(DatasetChipPaths, RejectsBadLayouts) {
  UtcTime t = parse_iso8601("2024-05-23T11:06:29Z");
  EXPECT_THROW(chip_paths("/d", "chips/{splits}/{mmsi}", "train", 1, t, "0123456789abcdef"), Error);
  EXPECT_THROW(chip_paths("/d", "chips/{split", "train", 1, t, "0123456789abcdef"), Error);
  EXPECT_THROW(chip_paths("/d", "chips/{split}", "../x", 1, t, "0123456789abcdef"), Error);
  EXPECT_EQ(chips_root("/d", "chips/{split}/{mmsi}/{YYYYMMDD}"), std::filesystem::path("/d/chips"));
  EXPECT_EQ(chips_root("/d", "out/chips/{split}"), std::filesystem::path("/d/out/chips"));
  EXPECT_EQ(chips_root("/d", "{split}/{mmsi}"), std::filesystem::path("/d"));

  DailyPattern d = daily_pattern("/d", "indexes/tiles_{YYYYMMDD}.geojson");
  EXPECT_EQ(d.folder, std::filesystem::path("/d/indexes"));
  EXPECT_EQ(d.date_of("tiles_20240523.geojson"), "20240523");
  EXPECT_EQ(d.date_of("tiles_2024052.geojson"), "");
  EXPECT_EQ(d.date_of(".tiles_20240523.geojson.tmp.1.2.3.geojson"), "");
  EXPECT_EQ(d.date_of("tiles_2024x523.geojson"), "");
  EXPECT_EQ(daily_index_path("/d", "indexes/tiles_{YYYYMMDD}.geojson", "20240523"),
            std::filesystem::path("/d/indexes/tiles_20240523.geojson"));
  EXPECT_THROW(daily_pattern("/d", "indexes/{YYYYMMDD}/tiles.geojson"), Error);
  EXPECT_THROW(daily_pattern("/d", "indexes/tiles.geojson"), Error);
}

TEST(DatasetChipGeojson, FootprintCornersMatchProj) {
  ChipRecord r = sample();
  // Independent oracle: PROJ's EPSG:32630 → EPSG:4326 (lon/lat order after normalisation).
  PJ_CONTEXT* ctx = proj_context_create();
  PJ* raw = proj_create_crs_to_crs(ctx, "EPSG:32630", "EPSG:4326", nullptr);
  ASSERT_NE(raw, nullptr);
  PJ* pj = proj_normalize_for_visualization(ctx, raw);
  proj_destroy(raw);
  ASSERT_NE(pj, nullptr);
  auto lonlat = [&](double x, double y) { return proj_trans(pj, PJ_FWD, proj_coord(x, y, 0, 0)); };
  const auto& t = r.transform;
  // The ring starts at the upper-left corner and visits LL, LR, UR in order (counter-clockwise).
  std::vector<std::pair<double, double>> corners{
      {t[0], t[3]}, {t[0], t[3] - 2560}, {t[0] + 2560, t[3] - 2560}, {t[0] + 2560, t[3]}};
  const geo::Ring& ring = r.footprint;
  // 2560 m edges in segments of at most 500 m: 6 per edge, 24 + the closing vertex.
  ASSERT_EQ(ring.size(), 25u);
  for (std::size_t c = 0; c < 4; ++c) {
    PJ_COORD expected = lonlat(corners[c].first, corners[c].second);
    EXPECT_NEAR(ring[c * 6].lon, expected.lp.lam, 1e-9) << "corner " << c;
    EXPECT_NEAR(ring[c * 6].lat, expected.lp.phi, 1e-9) << "corner " << c;
  }
  EXPECT_EQ(ring.front().lon, ring.back().lon);
  EXPECT_EQ(ring.front().lat, ring.back().lat);
  // Every intermediate vertex lies on its UTM edge (checked through PROJ too).
  for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
    std::size_t edge = i / 6;
    double f = static_cast<double>(i % 6) / 6.0;
    auto a = corners[edge];
    auto b = corners[(edge + 1) % 4];
    PJ_COORD expected = lonlat(a.first + f * (b.first - a.first), a.second + f * (b.second - a.second));
    EXPECT_NEAR(ring[i].lon, expected.lp.lam, 1e-9) << i;
    EXPECT_NEAR(ring[i].lat, expected.lp.phi, 1e-9) << i;
  }
  proj_destroy(pj);
  proj_context_destroy(ctx);
  EXPECT_TRUE(geo::ring_contains(ring, r.lon, r.lat));
  EXPECT_THROW(chip_footprint(3857, r.transform, 256, 256), Error);
  // Southern hemisphere: EPSG:32733 (zone 33 south).
  geo::Ring south = chip_footprint(32733, {500000, 10, 0, 6000000, 0, -10}, 256, 256);
  EXPECT_LT(south[0].lat, -36.0);
  EXPECT_NEAR(south[0].lon, 15.0, 1e-9);
}

TEST(DatasetChipGeojson, FeatureCarriesRecordAsProperties) {
  ChipRecord r = sample();
  json f = json::parse(chip_feature_text(r));
  EXPECT_EQ(f["type"], "Feature");
  EXPECT_EQ(f["id"], r.chip_id);
  EXPECT_EQ(f["geometry"]["type"], "Polygon");
  EXPECT_EQ(f["geometry"]["coordinates"][0].size(), 25u);
  EXPECT_FALSE(f["properties"].contains("footprint"));
  json sidecar = json::parse(to_sidecar_text(r));
  sidecar.erase("footprint");
  EXPECT_EQ(f["properties"], sidecar);
  ASSERT_EQ(f["bbox"].size(), 4u);
  EXPECT_LT(f["bbox"][0].get<double>(), r.lon);
  EXPECT_GT(f["bbox"][2].get<double>(), r.lon);

  ChipRecord other =
      test_data::sample_record(244660124, "S2B_30STF_20240523_0_L2A", "2024-05-23T11:06:29.024Z", 36.2104, -5.3566);
  std::vector<ChipRecord> both{r, other};
  std::string fc = feature_collection_text(both);
  json parsed = json::parse(fc);
  EXPECT_EQ(parsed["type"], "FeatureCollection");
  ASSERT_EQ(parsed["features"].size(), 2u);
  EXPECT_EQ(parsed["features"][1]["id"], other.chip_id);
  EXPECT_EQ(std::count(fc.begin(), fc.end(), '\n'), 4);  // header, one line per feature, footer
  EXPECT_EQ(feature_collection_text({}), "{\"type\":\"FeatureCollection\",\"features\":[]}\n");
}

TEST(DatasetChipRecord, UnreadableRecordsAreNeverWritten) {
  ChipRecord r = sample();
  EXPECT_NO_THROW(check_record(r));
  r.dt_s = std::nan("");
  try {
    check_record(r);
    FAIL() << "NaN accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(std::string(e.what()), "chip record bda90879eff2229b: dt_s: expected a number");
  }
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("shipchips_ds_nan_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ChipPaths p = chip_paths(dir, "chips/{split}/{mmsi}/{YYYYMMDD}", r.split, r.mmsi, r.scene_datetime, r.chip_id);
  EXPECT_THROW(write_chip_sidecars(r, p), Error);
  EXPECT_FALSE(std::filesystem::exists(p.json));
  EXPECT_FALSE(std::filesystem::exists(p.geojson));
  ChipRecord ok = sample();
  write_chip_sidecars(ok, p);
  std::ifstream in(p.json);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(chip_record_from_text(text, p.json.string()), ok);
  std::filesystem::remove_all(dir);
}
