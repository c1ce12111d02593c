// Contract tests: every recorded real STAC response parses, and the typed values agree with
// what an independent reader (the system Python's json module) extracts from the same files.

#include "../support/reference.hpp"
#include "stac/item.hpp"

#include "core/error.hpp"
#include "stac/search.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;
using shipchips::Error;
using shipchips::ErrorCode;
using shipchips::format_iso8601;
using shipchips::stac::Item;
using shipchips::stac::parse_item;
using shipchips::stac::parse_search_page;

namespace {

const fs::path kEarthSearch = shipchips::testing::reference_dir() / "earth-search";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

nlohmann::json read_json(const fs::path& path) {
  return nlohmann::json::parse(read_text(path));
}

std::vector<fs::path> recorded_files() {
  std::vector<fs::path> files;
  for (const auto& dir : {kEarthSearch, kEarthSearch / "other-providers"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto name = entry.path().filename().string();
      if (entry.path().extension() == ".json" && name != "PROVENANCE.json" && name.rfind("root_catalog", 0) != 0) {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Items of a recorded file: a single Feature or every feature of an ItemCollection.
std::vector<Item> parse_file(const fs::path& path) {
  const auto json = read_json(path);
  if (json.at("type") == "Feature") return {parse_item(json, path.string())};
  return parse_search_page(read_text(path), path.string()).items;
}

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) out += buffer;
  if (::pclose(pipe) != 0) throw std::runtime_error("command failed: " + command + "\n" + out);
  return out;
}

// One line per item, computed by Python from the raw JSON (not by our parser):
// id|collection|datetime UTC µs|cloud|epsg|baseline|flag|n_assets|sum of proj:shape rows|
// sum of proj:transform[2]|footprint vertices|bbox west|blue href|n raster bands
const char* kOracle = R"PY(
import json, sys, datetime
d = json.load(open(sys.argv[1]))
items = d['features'] if d.get('type') == 'FeatureCollection' else [d]
def fmt(v):
    return '' if v is None else repr(v)
for it in items:
    p = it['properties']
    t = p.get('datetime') or p.get('start_datetime')
    dt = datetime.datetime.fromisoformat(t.replace('Z', '+00:00')).astimezone(datetime.timezone.utc)
    a = it.get('assets', {})
    rows = sum(x['proj:shape'][0] for x in a.values() if x.get('proj:shape'))
    x0 = sum(x['proj:transform'][2] for x in a.values() if x.get('proj:transform'))
    g = it.get('geometry')
    verts = 0
    if g and g['type'] == 'Polygon': verts = sum(len(r) for r in g['coordinates'])
    if g and g['type'] == 'MultiPolygon': verts = sum(len(r) for poly in g['coordinates'] for r in poly)
    epsg = p.get('proj:epsg')
    bands = sum(len(x.get('raster:bands', [])) for x in a.values())
    print('|'.join([it['id'], it.get('collection', ''), dt.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
                    fmt(p.get('eo:cloud_cover')), fmt(epsg), p.get('s2:processing_baseline') or '',
                    fmt(p.get('earthsearch:boa_offset_applied')), str(len(a)), str(rows), '%.3f' % x0, str(verts),
                    '%.9f' % it['bbox'][0] if it.get('bbox') else '', a.get('blue', {}).get('href', ''), str(bands)]))
)PY";

std::string python_summary(const fs::path& file) {
  const fs::path script =
      fs::temp_directory_path() / ("shipchips_stac_item_oracle_" + std::to_string(::getpid()) + ".py");
  {
    std::ofstream out(script);
    out << kOracle;
  }
  const std::string out = run("/usr/bin/python3 " + script.string() + " '" + file.string() + "'");
  fs::remove(script);
  return out;
}

std::string repr_double(const std::optional<double>& value) {
  if (!value) return "";
  // Python's repr is the shortest round-trip form, as is nlohmann's dump of a double; an
  // integer-valued JSON number prints without ".0" in Python only if it was an int in JSON.
  return nlohmann::json(*value).dump();
}

std::string our_summary(const Item& item, const nlohmann::json& raw_item) {
  long long rows = 0;
  double x0 = 0;
  std::size_t bands = 0;
  for (const auto& [key, asset] : item.assets) {
    if (asset.proj_shape) rows += (*asset.proj_shape)[0];
    if (asset.proj_transform) x0 += (*asset.proj_transform)[2];
    if (raw_item.at("assets").at(key).contains("raster:bands")) bands += asset.bands.size();
  }
  std::size_t vertices = 0;
  for (const auto& polygon : item.footprint) {
    for (const auto& ring : polygon) vertices += ring.size();
  }
  // Python prints an int cloud cover as "0", a float as "0.000299": follow the JSON's own type.
  std::string cloud;
  if (item.cloud_cover) {
    const auto& raw = raw_item.at("properties").at("eo:cloud_cover");
    cloud = raw.is_number_integer() ? std::to_string(raw.get<long long>()) : repr_double(item.cloud_cover);
  }
  char x0_text[64];
  std::snprintf(x0_text, sizeof(x0_text), "%.3f", x0);
  char west[64] = "";
  if (item.bbox) std::snprintf(west, sizeof(west), "%.9f", (*item.bbox)[0]);
  std::string flag;
  if (item.boa_offset_applied) flag = *item.boa_offset_applied ? "True" : "False";
  const auto* blue = item.find_asset("blue");
  std::ostringstream out;
  out << item.id << '|' << item.collection << '|' << format_iso8601(item.datetime) << '|' << cloud << '|'
      << (item.epsg ? std::to_string(*item.epsg) : "") << '|' << item.processing_baseline << '|' << flag << '|'
      << item.assets.size() << '|' << rows << '|' << x0_text << '|' << vertices << '|' << west << '|'
      << (blue ? blue->href : "") << '|' << bands;
  return out.str();
}

std::vector<nlohmann::json> raw_items(const fs::path& path) {
  const auto json = read_json(path);
  if (json.at("type") == "Feature") return {json};
  return json.at("features").get<std::vector<nlohmann::json>>();
}

}  // namespace

TEST(StacItemContract, EveryRecordedItemMatchesAnIndependentReader) {
  const auto files = recorded_files();
  ASSERT_GE(files.size(), 11u) << "reference files missing under " << kEarthSearch;
  std::size_t checked = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const auto items = parse_file(file);
    const auto raws = raw_items(file);
    ASSERT_EQ(items.size(), raws.size());
    std::istringstream expected(python_summary(file));
    std::string line;
    for (std::size_t i = 0; i < items.size(); ++i) {
      ASSERT_TRUE(std::getline(expected, line));
      // A baseline derived from s2:product_uri is ours alone (Python reads only the property),
      // so blank it (field 5) before comparing.
      std::string ours = our_summary(items[i], raws[i]);
      if (!raws[i].at("properties").contains("s2:processing_baseline")) {
        std::size_t start = 0;
        for (int f = 0; f < 5; ++f) start = ours.find('|', start) + 1;
        ours.erase(start, ours.find('|', start) - start);
      }
      EXPECT_EQ(ours, line);
      ++checked;
    }
  }
  EXPECT_GE(checked, 45u);
}

TEST(StacItemContract, FactsOf13TDE) {
  const Item item = parse_item(read_json(kEarthSearch / "item__S2A_13TDE_20231008_0_L2A.json"), "13TDE");
  EXPECT_EQ(item.id, "S2A_13TDE_20231008_0_L2A");
  EXPECT_EQ(item.collection, "sentinel-2-l2a");
  EXPECT_EQ(format_iso8601(item.datetime), "2023-10-08T18:02:55.276000Z");
  EXPECT_EQ(item.processing_baseline, "05.09");
  ASSERT_TRUE(item.processing_baseline_number);
  EXPECT_DOUBLE_EQ(*item.processing_baseline_number, 5.09);
  ASSERT_TRUE(item.boa_offset_applied);
  EXPECT_TRUE(*item.boa_offset_applied);
  EXPECT_EQ(item.epsg, 32613);
  EXPECT_EQ(item.mgrs_tile, "13TDE");
  EXPECT_EQ(item.grid_code, "MGRS-13TDE");
  EXPECT_EQ(item.platform, "sentinel-2a");
  ASSERT_TRUE(item.cloud_cover);
  EXPECT_DOUBLE_EQ(*item.cloud_cover, 0.000299);
  EXPECT_EQ(item.self_href,
            "https://earth-search.aws.element84.com/v1/collections/sentinel-2-l2a/items/S2A_13TDE_20231008_0_L2A");

  const auto& blue = item.asset("blue");
  ASSERT_TRUE(blue.proj_transform);
  EXPECT_EQ(*blue.proj_transform, (std::array<double, 6>{10, 0, 399960, 0, -10, 4500000}));
  ASSERT_TRUE(blue.proj_shape);
  EXPECT_EQ(*blue.proj_shape, (std::array<long long, 2>{10980, 10980}));
  EXPECT_EQ(blue.href,
            "https://sentinel-cogs.s3.us-west-2.amazonaws.com/sentinel-s2-l2a-cogs/13/T/DE/2023/10/"
            "S2A_13TDE_20231008_0_L2A/B02.tif");
  EXPECT_TRUE(blue.has_role("reflectance"));
  EXPECT_EQ(blue.gsd, 10.0);
  ASSERT_EQ(blue.bands.size(), 1u);
  EXPECT_EQ(blue.bands[0].data_type, "uint16");
  EXPECT_EQ(blue.bands[0].nodata, 0.0);
  EXPECT_EQ(blue.declared_scale(), 0.0001);
  EXPECT_EQ(blue.declared_offset(), -0.1);  // declared although already applied (flag true)

  const auto& swir16 = item.asset("swir16");
  EXPECT_EQ(*swir16.proj_shape, (std::array<long long, 2>{5490, 5490}));
  EXPECT_EQ((*swir16.proj_transform)[0], 20.0);
  const auto& scl = item.asset("scl");
  EXPECT_EQ(scl.bands.at(0).data_type, "uint8");
  EXPECT_FALSE(scl.declared_scale());
  for (const char* key : {"blue", "green", "red", "nir", "swir16", "swir22", "scl", "visual"}) {
    EXPECT_NE(item.find_asset(key), nullptr) << key;
  }
  EXPECT_EQ(item.find_asset("nope"), nullptr);
  EXPECT_THROW(item.asset("nope"), Error);

  ASSERT_EQ(item.footprint.size(), 1u);
  ASSERT_EQ(item.footprint[0].size(), 1u);
  EXPECT_EQ(item.footprint[0][0].size(), 5u);
  EXPECT_DOUBLE_EQ(item.footprint[0][0][0].lon, -106.18316062292897);
  EXPECT_DOUBLE_EQ(item.footprint[0][0][0].lat, 40.64478591807637);
  ASSERT_TRUE(item.bbox);
  EXPECT_DOUBLE_EQ((*item.bbox)[3], 40.650789813976196);
}

TEST(StacItemContract, FactsOfThe2020And2025Items) {
  const Item old = parse_item(read_json(kEarthSearch / "item__S2A_29RKH_20200219_0_L2A.json"), "29RKH");
  EXPECT_EQ(old.processing_baseline, "02.14");
  EXPECT_EQ(old.boa_offset_applied, false);
  EXPECT_EQ(old.epsg, 32629);
  EXPECT_EQ(old.mgrs_tile, "29RKH");
  EXPECT_EQ(old.asset("blue").declared_offset(), 0.0);
  EXPECT_EQ((*old.asset("blue").proj_transform)[2], 199980.0);

  const Item recent = parse_item(read_json(kEarthSearch / "item__S2B_24MVV_20250731_0_L2A.json"), "24MVV");
  EXPECT_EQ(recent.processing_baseline, "05.11");
  EXPECT_EQ(recent.boa_offset_applied, true);
  EXPECT_EQ(recent.mgrs_tile, "24MVV");
}

TEST(StacItemContract, OtherProviders) {
  const auto pc = parse_file(kEarthSearch / "other-providers" / "mpc_search_page1.json");
  ASSERT_EQ(pc.size(), 1u);
  EXPECT_EQ(pc[0].mgrs_tile, "19PHS");  // from s2:mgrs_tile
  EXPECT_EQ(pc[0].processing_baseline, "04.00");
  EXPECT_EQ(pc[0].epsg, 32619);
  EXPECT_FALSE(pc[0].boa_offset_applied);
  EXPECT_TRUE(pc[0].asset("B02").bands.empty());  // Planetary Computer declares no raster:bands
  EXPECT_EQ(*pc[0].asset("B11").proj_shape, (std::array<long long, 2>{5490, 5490}));

  const auto c1 =
      parse_file(kEarthSearch / "other-providers" / "earth_search_v1_sentinel-2-c1-l2a_itemcollection_10items.json");
  ASSERT_EQ(c1.size(), 10u);
  EXPECT_EQ(c1[0].collection, "sentinel-2-c1-l2a");
  EXPECT_EQ(c1[0].processing_baseline, "05.10");
  EXPECT_EQ(c1[0].asset("blue").declared_offset(), -0.1);
}

TEST(StacItemContract, FieldsExtensionItemsWithoutGeometryOrAssets) {
  const auto items = parse_file(kEarthSearch / "search_response__test_fields__0.json");
  ASSERT_EQ(items.size(), 10u);
  EXPECT_TRUE(items[0].assets.empty());
  EXPECT_TRUE(items[0].footprint.empty());
  EXPECT_TRUE(items[0].geometry.is_null());
}

TEST(StacItemContract, BaselineFromProductUriWhenPropertyMissing) {
  auto json = read_json(kEarthSearch / "item__S2A_13TDE_20231008_0_L2A.json");
  json["properties"].erase("s2:processing_baseline");
  const Item item = parse_item(json, "x");
  EXPECT_EQ(item.processing_baseline, "05.09");  // from ..._N0509_R141_...
  EXPECT_EQ(shipchips::stac::parse_processing_baseline("04.00"), 4.0);
  EXPECT_FALSE(shipchips::stac::parse_processing_baseline("4"));
  EXPECT_FALSE(shipchips::stac::parse_processing_baseline("N/A"));
}

namespace {

// Breaks the 13TDE item with `mutate` and returns the contract error message.
std::string violation(const std::function<void(nlohmann::json&)>& mutate) {
  auto json = read_json(kEarthSearch / "item__S2A_13TDE_20231008_0_L2A.json");
  mutate(json);
  try {
    parse_item(json, "page.json", "items[3]");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error for " << json.dump().substr(0, 200);
  return {};
}

}  // namespace

TEST(StacItemContract, ViolationsNameSourceAndJsonPath) {
  const std::map<std::string, std::function<void(nlohmann::json&)>> cases{
      {"page.json: items[3].assets.blue.href: missing required string",
       [](auto& j) { j["assets"]["blue"].erase("href"); }},
      {"page.json: items[3].assets.blue.href: expected a string, found number",
       [](auto& j) { j["assets"]["blue"]["href"] = 3; }},
      {"page.json: items[3].id: missing required string", [](auto& j) { j.erase("id"); }},
      {"page.json: items[3].type: expected \"Feature\"", [](auto& j) { j["type"] = "Catalog"; }},
      {"page.json: items[3].properties: missing required object", [](auto& j) { j.erase("properties"); }},
      {"page.json: items[3].properties.datetime: missing required string",
       [](auto& j) { j["properties"]["datetime"] = nullptr; }},
      {"page.json: items[3].properties.datetime: ", [](auto& j) { j["properties"]["datetime"] = "yesterday"; }},
      {"page.json: items[3].properties.eo:cloud_cover: expected a number, found string",
       [](auto& j) { j["properties"]["eo:cloud_cover"] = "3"; }},
      {"page.json: items[3].properties.eo:cloud_cover: outside 0..100",
       [](auto& j) { j["properties"]["eo:cloud_cover"] = 120; }},
      {"page.json: items[3].properties.proj:epsg: expected an integer",
       [](auto& j) { j["properties"]["proj:epsg"] = 326.5; }},
      {"page.json: items[3].properties.earthsearch:boa_offset_applied: expected a boolean",
       [](auto& j) { j["properties"]["earthsearch:boa_offset_applied"] = "true"; }},
      {"page.json: items[3].properties.s2:processing_baseline: expected \"NN.NN\"",
       [](auto& j) { j["properties"]["s2:processing_baseline"] = "latest"; }},
      {"page.json: items[3].assets.swir16.proj:shape: expected [rows, cols]",
       [](auto& j) { j["assets"]["swir16"]["proj:shape"] = {5490}; }},
      {"page.json: items[3].assets.swir16.proj:shape[1]: expected an integer",
       [](auto& j) { j["assets"]["swir16"]["proj:shape"][1] = "5490"; }},
      {"page.json: items[3].assets.red.proj:transform: expected 6 or 9 numbers",
       [](auto& j) {
         j["assets"]["red"]["proj:transform"] = {10, 0, 1};
       }},
      {"page.json: items[3].assets.red.proj:transform[4]: expected a number",
       [](auto& j) { j["assets"]["red"]["proj:transform"][4] = nullptr; }},
      {"page.json: items[3].assets.nir.raster:bands[0].scale: expected a number",
       [](auto& j) { j["assets"]["nir"]["raster:bands"][0]["scale"] = "0.0001"; }},
      {"page.json: items[3].assets.nir.raster:bands: expected an array",
       [](auto& j) { j["assets"]["nir"]["raster:bands"] = nlohmann::json::object(); }},
      {"page.json: items[3].assets.scl: expected an object", [](auto& j) { j["assets"]["scl"] = "SCL.tif"; }},
      {"page.json: items[3].geometry.coordinates[0][2][1]: expected a number",
       [](auto& j) { j["geometry"]["coordinates"][0][2][1] = "40"; }},
      {"page.json: items[3].bbox: expected 4 or 6 numbers",
       [](auto& j) {
         j["bbox"] = {1, 2, 3};
       }},
      {"page.json: items[3].links[2].href: missing required string", [](auto& j) { j["links"][2].erase("href"); }},
  };
  for (const auto& [expected_prefix, mutate] : cases) {
    const std::string message = violation(mutate);
    EXPECT_EQ(message.rfind(expected_prefix, 0), 0u) << "expected prefix: " << expected_prefix << "\n got: " << message;
  }
}

TEST(StacItemContract, NullOptionalFieldsAreAbsentNotErrors) {
  auto json = read_json(kEarthSearch / "item__S2A_13TDE_20231008_0_L2A.json");
  json["properties"]["proj:epsg"] = nullptr;  // allowed by the projection extension
  json["properties"]["eo:cloud_cover"] = nullptr;
  json["properties"]["datetime"] = nullptr;
  json["properties"]["start_datetime"] = "2023-10-08T18:00:00Z";
  json["properties"]["end_datetime"] = "2023-10-08T18:10:00Z";
  const Item item = parse_item(json, "x");
  EXPECT_FALSE(item.epsg);
  EXPECT_FALSE(item.cloud_cover);
  EXPECT_EQ(format_iso8601(item.datetime, 0), "2023-10-08T18:00:00Z");
}

TEST(StacItemContract, Stac11AssetLevelRasterFields) {
  // The CDSE shape (STAC 1.1): raster fields on the asset and proj:code instead of proj:epsg.
  const auto json = nlohmann::json::parse(R"({
    "type": "Feature", "stac_version": "1.1.0", "id": "S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP",
    "collection": "sentinel-2-l2a", "links": [], "bbox": [13.5, 48.6, 15.0, 49.6],
    "geometry": {"type": "MultiPolygon", "coordinates": [[[[13.5,48.6],[15,48.6],[15,49.6],[13.5,48.6]]],
                                                        [[[0,0],[1,0],[1,1],[0,0]]]]},
    "properties": {"datetime": "2025-03-30T10:00:51.024Z", "proj:code": "EPSG:32633",
                   "s2:product_uri": "S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP_20250330T145914.SAFE"},
    "assets": {"B02_10m": {"href": "s3://eodata/x.jp2", "type": "image/jp2", "nodata": 0, "data_type": "uint16",
                           "raster:scale": 0.0001, "raster:offset": -0.1, "proj:code": "EPSG:32633",
                           "proj:shape": [10980, 10980], "proj:transform": [10,0,499980,0,-10,5400000,0,0,1]}}
  })");
  const Item item = parse_item(json, "cdse");
  EXPECT_EQ(item.epsg, 32633);
  EXPECT_EQ(item.processing_baseline, "05.11");
  EXPECT_EQ(item.footprint.size(), 2u);
  const auto& asset = item.asset("B02_10m");
  EXPECT_EQ(asset.epsg, 32633);
  EXPECT_EQ(asset.declared_scale(), 0.0001);
  EXPECT_EQ(asset.declared_offset(), -0.1);
  EXPECT_EQ(asset.bands.at(0).data_type, "uint16");
  EXPECT_EQ((*asset.proj_transform)[5], 5400000.0);
}
