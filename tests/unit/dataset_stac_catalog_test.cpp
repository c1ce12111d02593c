#include "dataset/stac_catalog.hpp"

#include "core/error.hpp"
#include "dataset/chip_id.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "../support/small_dataset.hpp"
#include "../support/temp_dir.hpp"

using namespace shipchips;
using namespace shipchips::dataset;
using shipchips::testing::slurp;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

StacOptions opts(const fs::path& out) {
  StacOptions o;
  o.out_dir = out;
  o.stac_endpoint = "https://earth-search.aws.element84.com/v1/";
  return o;
}

json load(const fs::path& p) {
  return json::parse(slurp(p));
}

fs::path item_path(const fs::path& out, const std::string& id) {
  return out / std::string(stac_collection_id) / id / (id + ".json");
}

// Every local href of a document, resolved from its folder.
std::vector<std::pair<std::string, fs::path>> local_hrefs(const fs::path& file) {
  json doc = load(file);
  std::vector<std::pair<std::string, fs::path>> out;
  for (const auto& l : doc["links"]) {
    std::string href = l["href"];
    if (href.starts_with("http")) continue;
    out.emplace_back(l["rel"], (file.parent_path() / href).lexically_normal());
  }
  if (doc.contains("assets")) {
    for (const auto& [key, a] : doc["assets"].items()) {
      out.emplace_back(key, (file.parent_path() / a["href"].get<std::string>()).lexically_normal());
    }
  }
  return out;
}

std::string error_of(const std::function<void()>& f, ErrorCode expected) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

}  // namespace

TEST(DatasetStacCatalog, ItemsDescribeTheChipAndEveryHrefResolves) {
  shipchips::testing::TempDir dir("shipchips-stac-items");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  fs::path out = ds.root / "stac";
  StacReport report = write_stac_catalog(ds.records, ds.root, ds.config.storage.layout.chips, opts(out));
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.items, 3u);
  EXPECT_EQ(report.files, 5u);

  json catalog = load(out / "catalog.json");
  EXPECT_EQ(catalog["type"], "Catalog");
  json collection = load(out / "shipchips-chips" / "collection.json");
  EXPECT_EQ(collection["type"], "Collection");
  std::size_t item_links = 0;
  for (const auto& l : collection["links"]) item_links += l["rel"] == "item";
  EXPECT_EQ(item_links, 3u);

  const ChipRecord& r = ds.records[0];
  fs::path item_file = item_path(out, r.chip_id);
  json item = load(item_file);
  EXPECT_EQ(item["id"], r.chip_id);
  EXPECT_EQ(item["properties"]["datetime"], "2024-05-23T11:06:29.024Z");
  EXPECT_EQ(item["properties"]["created"], "2026-11-22T00:30:00.500Z");
  EXPECT_EQ(item["properties"]["platform"], "sentinel-2b");
  EXPECT_EQ(item["properties"]["proj:epsg"], 32630);
  EXPECT_EQ(item["properties"]["proj:shape"], json({256, 256}));
  // STAC order (a, b, c, d, e, f) from GDAL's (c, a, b, f, d, e).
  EXPECT_EQ(item["properties"]["proj:transform"],
            json({r.transform[1], r.transform[2], r.transform[0], r.transform[4], r.transform[5], r.transform[3]}));
  EXPECT_EQ(item["properties"]["shipchips:mmsi"], r.mmsi);
  EXPECT_EQ(item["properties"]["shipchips:split"], r.split);
  EXPECT_EQ(item["geometry"]["coordinates"][0].size(), r.footprint.size());
  EXPECT_EQ(item["assets"]["data"]["href"], "../../../" + r.path);
  EXPECT_EQ(item["assets"]["data"]["type"], "image/tiff; application=geotiff; profile=cloud-optimized");
  EXPECT_EQ(item["assets"]["data"]["roles"], json({"data"}));
  EXPECT_EQ(item["assets"]["data"]["eo:bands"][0]["common_name"], "blue");
  EXPECT_EQ(item["assets"]["data"]["raster:bands"].size(), 4u);
  EXPECT_EQ(item["assets"]["thumbnail"]["roles"], json({"thumbnail"}));
  EXPECT_EQ(item["assets"]["metadata"]["type"], "application/json");
  EXPECT_EQ(item["assets"]["footprint"]["type"], "application/geo+json");
  std::string tif = slurp(ds.root / r.path);
  EXPECT_EQ(item["assets"]["data"]["file:size"], tif.size());
  EXPECT_EQ(item["assets"]["data"]["file:checksum"], "1220" + sha256_hex(tif));
  bool derived = false;
  for (const auto& l : item["links"]) {
    if (l["rel"] == "derived_from") {
      derived = true;
      EXPECT_EQ(l["href"], "https://earth-search.aws.element84.com/v1/collections/sentinel-2-l2a/items/" + r.scene_id);
    }
    EXPECT_NE(l["rel"], "self");  // relative catalogs are self-contained
  }
  EXPECT_TRUE(derived);

  for (const fs::path& file : {out / "catalog.json", out / "shipchips-chips" / "collection.json", item_file}) {
    for (const auto& [what, target] : local_hrefs(file)) {
      EXPECT_TRUE(fs::is_regular_file(target)) << file << ": " << what << " -> " << target;
    }
  }

  // Collection extent: union of the footprints and the scene times.
  double w = 1e9, e = -1e9;
  for (const ChipRecord& c : ds.records) {
    for (const auto& p : c.footprint) {
      w = std::min(w, p.lon);
      e = std::max(e, p.lon);
    }
  }
  EXPECT_EQ(collection["extent"]["spatial"]["bbox"][0][0], w);
  EXPECT_EQ(collection["extent"]["spatial"]["bbox"][0][2], e);
  ASSERT_EQ(collection["providers"].size(), 3u);
  EXPECT_EQ(collection["providers"][2]["name"], "Element 84 Earth Search");
  EXPECT_EQ(collection["providers"][2]["roles"], json({"host"}));
  EXPECT_EQ(collection["providers"][2]["url"], "https://earth-search.aws.element84.com/v1/");
  EXPECT_EQ(collection["extent"]["temporal"]["interval"][0],
            json({"2024-05-23T11:06:29.024Z", "2024-05-26T11:06:29.024Z"}));
}

TEST(DatasetStacCatalog, RerunIsByteIdenticalAndStaleItemsGo) {
  shipchips::testing::TempDir dir("shipchips-stac-rerun");
  shipchips::testing::SmallDataset ds(dir.path, 3);
  fs::path out = ds.root / "stac";
  const std::string& chips = ds.config.storage.layout.chips;
  write_stac_catalog(ds.records, ds.root, chips, opts(out));
  std::string item0 = slurp(item_path(out, ds.records[0].chip_id));
  auto mtime = fs::last_write_time(out / "catalog.json");
  StacReport again = write_stac_catalog(ds.records, ds.root, chips, opts(out));
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(fs::last_write_time(out / "catalog.json"), mtime);
  EXPECT_EQ(stac_catalog_files(ds.records, ds.root, opts(out)), stac_catalog_files(ds.records, ds.root, opts(out)));

  std::vector<ChipRecord> fewer{ds.records[0], ds.records[1]};
  StacReport smaller = write_stac_catalog(fewer, ds.root, chips, opts(out));
  EXPECT_TRUE(smaller.changed);
  EXPECT_FALSE(fs::exists(item_path(out, ds.records[2].chip_id).parent_path()));
  EXPECT_EQ(slurp(item_path(out, ds.records[0].chip_id)), item0);
  // No temporary folders left beside the catalog.
  for (const auto& entry : fs::directory_iterator(ds.root)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".")) << entry.path();
  }
}

TEST(DatasetStacCatalog, AbsoluteUrlsPrefixEveryHref) {
  shipchips::testing::TempDir dir("shipchips-stac-abs");
  shipchips::testing::SmallDataset ds(dir.path, 2);
  fs::path out = ds.root / "stac";
  StacOptions o = opts(out);
  o.base_url = "https://example.com/my-dataset/";
  auto files = stac_catalog_files(ds.records, ds.root, o);
  std::size_t self_links = 0;
  for (const auto& [name, text] : files) {
    json doc = json::parse(text);
    for (const auto& l : doc["links"]) {
      std::string href = l["href"];
      if (l["rel"] == "derived_from" || l["rel"] == "license") continue;
      EXPECT_TRUE(href.starts_with("https://example.com/my-dataset/")) << name << ": " << href;
      EXPECT_EQ(href.find("//", 8), std::string::npos) << href;
      self_links += l["rel"] == "self";
    }
    if (doc.contains("assets")) {
      for (const auto& [key, a] : doc["assets"].items()) {
        EXPECT_TRUE(a["href"].get<std::string>().starts_with("https://example.com/my-dataset/chips/")) << a["href"];
      }
    }
  }
  EXPECT_EQ(self_links, files.size());
  json item = json::parse(files.at("shipchips-chips/" + ds.records[0].chip_id + "/" + ds.records[0].chip_id + ".json"));
  EXPECT_EQ(item["assets"]["data"]["href"], "https://example.com/my-dataset/" + ds.records[0].path);
}

TEST(DatasetStacCatalog, RefusesOutDirsThatWouldLeaveOrDamageTheDataset) {
  shipchips::testing::TempDir dir("shipchips-stac-bad");
  shipchips::testing::SmallDataset ds(dir.path, 1);
  const std::string& chips = ds.config.storage.layout.chips;
  auto check = [&](const fs::path& out) { check_stac_options(ds.root, chips, opts(out)); };
  EXPECT_NE(error_of([&] { check(dir.path.parent_path() / "elsewhere"); }, ErrorCode::invalid_argument)
                .find("is not inside the dataset root"),
            std::string::npos);
  EXPECT_NE(error_of([&] { check(ds.root); }, ErrorCode::invalid_argument).find("is not inside the dataset root"),
            std::string::npos);
  EXPECT_NE(error_of([&] { check(ds.root / "chips" / "stac"); }, ErrorCode::invalid_argument).find("chips tree"),
            std::string::npos);
  EXPECT_NE(error_of([&] { check(ds.root / "indexes"); }, ErrorCode::invalid_argument).find("no catalog.json"),
            std::string::npos);
  check(ds.root / "stac/");  // a trailing slash is the same folder
  StacOptions bad = opts(ds.root / "stac");
  bad.base_url = "ftp://example.com";
  EXPECT_NE(error_of([&] { check_stac_options(ds.root, chips, bad); }, ErrorCode::invalid_argument).find("--base-url"),
            std::string::npos);
  // Nothing was written by the refused calls.
  EXPECT_FALSE(fs::exists(ds.root / "stac"));
}

TEST(DatasetStacCatalog, MissingChipFileIsNamed) {
  shipchips::testing::TempDir dir("shipchips-stac-missing");
  shipchips::testing::SmallDataset ds(dir.path, 2);
  fs::path out = ds.root / "stac";
  write_stac_catalog(ds.records, ds.root, ds.config.storage.layout.chips, opts(out));
  std::string before = slurp(out / "shipchips-chips" / "collection.json");
  fs::remove(ds.paths(ds.records[1]).tif);
  std::string message =
      error_of([&] { write_stac_catalog(ds.records, ds.root, ds.config.storage.layout.chips, opts(out)); },
               ErrorCode::not_found);
  EXPECT_NE(message.find(ds.records[1].chip_id + ".tif"), std::string::npos) << message;
  EXPECT_EQ(slurp(out / "shipchips-chips" / "collection.json"), before);
}

TEST(DatasetStacCatalog, LeftoversOfACrashedRunAreRemoved) {
  shipchips::testing::TempDir dir("shipchips-stac-leftover");
  shipchips::testing::SmallDataset ds(dir.path, 1);
  fs::path out = ds.root / "stac";
  write_stac_catalog(ds.records, ds.root, ds.config.storage.layout.chips, opts(out));
  // A run killed between building and swapping leaves its folder; the next run removes it and
  // replaces the catalog (here: a changed endpoint changes every item).
  fs::create_directories(ds.root / ".stac.stac-tmp-99999" / "shipchips-chips");
  std::ofstream(ds.root / ".stac.stac-tmp-99999" / "catalog.json") << "{}";
  StacOptions changed = opts(out);
  changed.stac_endpoint = "http://127.0.0.1:9";
  StacReport report = write_stac_catalog(ds.records, ds.root, ds.config.storage.layout.chips, changed);
  EXPECT_TRUE(report.changed);
  EXPECT_FALSE(fs::exists(ds.root / ".stac.stac-tmp-99999"));
  EXPECT_NE(slurp(item_path(out, ds.records[0].chip_id)).find("http://127.0.0.1:9/collections/"), std::string::npos);
  for (const auto& entry : fs::directory_iterator(ds.root)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".")) << entry.path();
  }
}
