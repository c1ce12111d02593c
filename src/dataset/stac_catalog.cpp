#include "dataset/stac_catalog.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/input_file.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/file_digest.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace shipchips::dataset {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr std::string_view kStacVersion = "1.0.0";
constexpr std::string_view kCatalogId = "shipchips";
// Sorted, so the list is the same on every item.
const std::vector<std::string> kItemExtensions{
    "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
    "https://stac-extensions.github.io/file/v2.1.0/schema.json",
    "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
    "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
};
constexpr std::string_view kSentinelLicense =
    "https://sentinel.esa.int/documents/247904/690755/Sentinel_Data_Legal_Notice";

// Sentinel-2 MSI bands as Earth Search v1 describes them (name here = the chip's band id).
struct BandInfo {
  std::string_view id, common_name, description;
  double center_wavelength, full_width_half_max;
};
constexpr BandInfo kBands[] = {
    {"B01", "coastal", "Coastal aerosol (band 1)", 0.443, 0.027},
    {"B02", "blue", "Blue (band 2)", 0.49, 0.098},
    {"B03", "green", "Green (band 3)", 0.56, 0.045},
    {"B04", "red", "Red (band 4)", 0.665, 0.038},
    {"B05", "rededge", "Red edge 1 (band 5)", 0.704, 0.019},
    {"B06", "rededge", "Red edge 2 (band 6)", 0.74, 0.018},
    {"B07", "rededge", "Red edge 3 (band 7)", 0.783, 0.028},
    {"B08", "nir", "NIR 1 (band 8)", 0.842, 0.145},
    {"B8A", "nir08", "NIR 2 (band 8A)", 0.865, 0.033},
    {"B09", "nir09", "NIR 3 (band 9)", 0.945, 0.026},
    {"B11", "swir16", "SWIR 1 (band 11)", 1.61, 0.143},
    {"B12", "swir22", "SWIR 2 (band 12)", 2.19, 0.242},
};

json eo_band(const std::string& id) {
  json b;
  b["name"] = id;
  for (const BandInfo& info : kBands) {
    if (info.id == id) {
      b["common_name"] = info.common_name;
      b["description"] = info.description;
      b["center_wavelength"] = info.center_wavelength;
      b["full_width_half_max"] = info.full_width_half_max;
    }
  }
  return b;
}

int band_rank(const std::string& id) {
  for (std::size_t i = 0; i < std::size(kBands); ++i) {
    if (kBands[i].id == id) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kBands));
}

bool inside(const fs::path& path, const fs::path& folder) {
  std::string r = path.lexically_relative(folder).generic_string();
  return !r.empty() && r != "." && !r.starts_with("..");
}

fs::path normalized(const fs::path& p) {
  fs::path n = fs::absolute(p).lexically_normal();
  if (n.filename().empty() && n.has_parent_path()) n = n.parent_path();
  return n;
}

std::optional<std::string> platform_of(std::string_view scene_id) {
  if (scene_id.size() >= 4 && scene_id.starts_with("S2") && scene_id[3] == '_' && scene_id[2] >= 'A' &&
      scene_id[2] <= 'Z') {
    return "sentinel-2" + std::string(1, static_cast<char>(scene_id[2] - 'A' + 'a'));
  }
  return std::nullopt;
}

class Hrefs {
 public:
  Hrefs(fs::path root, std::optional<std::string> base) : m_root(std::move(root)), m_base(std::move(base)) {
    if (m_base) {
      while (!m_base->empty() && m_base->back() == '/') m_base->pop_back();
    }
  }
  bool absolute() const { return m_base.has_value(); }
  // The href of `target` written in a file of folder `from_dir` (both absolute).
  std::string operator()(const fs::path& from_dir, const fs::path& target) const {
    if (m_base) return *m_base + "/" + target.lexically_relative(m_root).generic_string();
    std::string r = target.lexically_relative(from_dir).generic_string();
    return r.starts_with("..") ? r : "./" + r;
  }

 private:
  fs::path m_root;
  std::optional<std::string> m_base;
};

json link(std::string_view rel, std::string href, std::string_view type) {
  return {{"rel", rel}, {"href", std::move(href)}, {"type", type}};
}

json asset(const std::string& href, std::string_view type, std::string_view title, std::vector<std::string> roles,
           const FileDigest& digest) {
  json a;
  a["href"] = href;
  a["type"] = type;
  a["title"] = title;
  a["roles"] = roles;
  a["file:size"] = digest.size;
  a["file:checksum"] = sha256_multihash(digest);
  return a;
}

struct Bounds {
  double w = std::numeric_limits<double>::infinity(), s = w, e = -w, n = -w;
  void add(const geo::Ring& ring) {
    for (const geo::LonLat& p : ring) {
      w = std::min(w, p.lon);
      e = std::max(e, p.lon);
      s = std::min(s, p.lat);
      n = std::max(n, p.lat);
    }
  }
  json to_json() const { return {w, s, e, n}; }
};

json item_json(const ChipRecord& r, const fs::path& root, const fs::path& out, const Hrefs& href,
               const StacOptions& options) {
  const fs::path item_file = out / stac_collection_id / r.chip_id / (r.chip_id + ".json");
  const fs::path dir = item_file.parent_path();
  const fs::path tif = root / r.path;
  const std::string stem = r.path.ends_with(".tif") ? r.path.substr(0, r.path.size() - 4) : r.path;
  const fs::path sidecar = root / (stem + ".json"), footprint = root / (stem + ".geojson"),
                 quicklook = root / (stem + "_quicklook.jpg");

  json item;
  item["type"] = "Feature";
  item["stac_version"] = kStacVersion;
  item["stac_extensions"] = kItemExtensions;
  item["id"] = r.chip_id;
  json ring = json::array();
  for (const geo::LonLat& p : r.footprint) ring.push_back({p.lon, p.lat});
  item["geometry"] = {{"type", "Polygon"}, {"coordinates", json::array({ring})}};
  Bounds b;
  b.add(r.footprint);
  item["bbox"] = b.to_json();

  json props;
  props["datetime"] = format_record_time(r.scene_datetime);
  props["created"] = format_record_time(r.created);
  if (auto platform = platform_of(r.scene_id)) props["platform"] = *platform;
  props["constellation"] = "sentinel-2";
  props["instruments"] = {"msi"};
  props["gsd"] = std::abs(r.transform[1]);
  if (r.cloud_cover) props["eo:cloud_cover"] = *r.cloud_cover;
  props["proj:epsg"] = r.epsg;
  props["proj:shape"] = {r.height, r.width};
  const auto& t = r.transform;
  props["proj:transform"] = {t[1], t[2], t[0], t[4], t[5], t[3]};
  props["shipchips:mmsi"] = r.mmsi;
  props["shipchips:split"] = r.split;
  props["shipchips:scene_id"] = r.scene_id;
  props["shipchips:lat"] = r.lat;
  props["shipchips:lon"] = r.lon;
  props["shipchips:ais_time"] = format_record_time(r.ais_time);
  props["shipchips:dt_s"] = r.dt_s;
  props["shipchips:uncertainty_m"] = r.uncertainty_m ? json(*r.uncertainty_m) : json(nullptr);
  props["shipchips:center_pixel"] = {r.center_pixel[0], r.center_pixel[1]};
  props["shipchips:nodata_fraction"] = r.nodata_fraction;
  props["shipchips:gate_passed"] = r.gate.passed ? json(*r.gate.passed) : json(nullptr);
  item["properties"] = props;

  const fs::path catalog = out / "catalog.json", collection = out / stac_collection_id / "collection.json";
  json links = json::array();
  links.push_back(link("root", href(dir, catalog), "application/json"));
  links.push_back(link("parent", href(dir, collection), "application/json"));
  links.push_back(link("collection", href(dir, collection), "application/json"));
  if (href.absolute()) links.push_back(link("self", href(dir, item_file), "application/geo+json"));
  std::string endpoint = options.stac_endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  json source =
      link("derived_from", endpoint + "/collections/" + r.collection + "/items/" + r.scene_id, "application/geo+json");
  source["title"] = "Source Sentinel-2 L2A scene " + r.scene_id;
  links.push_back(source);
  item["links"] = links;

  json assets;
  json data = asset(href(dir, tif),
                    options.write_cog ? "image/tiff; application=geotiff; profile=cloud-optimized"
                                      : "image/tiff; application=geotiff",
                    "Chip reflectance (" + std::to_string(r.bands.size()) + " bands)", {"data"}, file_digest(tif));
  json eo_bands = json::array(), raster_bands = json::array();
  for (const std::string& band : r.bands) {
    eo_bands.push_back(eo_band(band));
    raster_bands.push_back({{"data_type", "float32"}, {"nodata", "nan"}, {"spatial_resolution", std::abs(t[1])}});
  }
  data["eo:bands"] = eo_bands;
  data["raster:bands"] = raster_bands;
  assets["data"] = data;
  std::error_code ec;
  if (fs::is_regular_file(quicklook, ec)) {
    assets["thumbnail"] = asset(href(dir, quicklook), "image/jpeg", "Quicklook", {"thumbnail"}, file_digest(quicklook));
  }
  assets["metadata"] =
      asset(href(dir, sidecar), "application/json", "Chip metadata (sidecar)", {"metadata"}, file_digest(sidecar));
  assets["footprint"] =
      asset(href(dir, footprint), "application/geo+json", "Chip footprint", {"metadata"}, file_digest(footprint));
  item["assets"] = assets;
  item["collection"] = stac_collection_id;
  return item;
}

json collection_json(std::span<const ChipRecord> records, const fs::path& out, const Hrefs& href,
                     const StacOptions& options) {
  const fs::path file = out / stac_collection_id / "collection.json";
  const fs::path dir = file.parent_path();
  Bounds b;
  UtcTime first = UtcTime::max(), last = UtcTime::min();
  std::set<std::string> platforms;
  std::set<int> epsgs;
  std::set<double> gsds;
  std::vector<std::string> bands;
  std::map<std::string, std::size_t> splits{{"train", 0}, {"val", 0}, {"test", 0}};
  for (const ChipRecord& r : records) {
    b.add(r.footprint);
    first = std::min(first, r.scene_datetime);
    last = std::max(last, r.scene_datetime);
    if (auto p = platform_of(r.scene_id)) platforms.insert(*p);
    epsgs.insert(r.epsg);
    gsds.insert(std::abs(r.transform[1]));
    for (const std::string& band : r.bands) {
      if (std::find(bands.begin(), bands.end(), band) == bands.end()) bands.push_back(band);
    }
    ++splits[r.split];
  }
  std::stable_sort(bands.begin(), bands.end(),
                   [](const std::string& x, const std::string& y) { return band_rank(x) < band_rank(y); });

  json c;
  c["type"] = "Collection";
  c["stac_version"] = kStacVersion;
  c["stac_extensions"] = json::array();
  c["id"] = stac_collection_id;
  c["title"] = "shipchips: Sentinel-2 L2A chips centred on AIS ships";
  c["description"] =
      "Image chips cut from Sentinel-2 L2A scenes, each centred on one ship where its AIS track puts it at the "
      "scene's sensing time; bands resampled onto one 10 m grid and scaled to surface reflectance.";
  c["keywords"] = {"sentinel-2", "ais", "ships", "machine learning", "chips"};
  c["license"] = "proprietary";
  c["providers"] = json::array(
      {{{"name", "shipchips"},
        {"description", "Produced the chips, their metadata and this catalog"},
        {"roles", {"producer", "processor"}}},
       {{"name", "ESA / Copernicus"},
        {"description", "Sentinel-2 source imagery: contains modified Copernicus Sentinel data"},
        {"roles", {"licensor", "producer"}},
        {"url", "https://sentinel.esa.int/web/sentinel/missions/sentinel-2"}},
       {{"name", options.source_provider == StacProvider::planetary_computer ? "Microsoft Planetary Computer"
                                                                             : "Element 84 Earth Search"},
        {"description", "Hosts the Sentinel-2 L2A scenes the chips were cut from (the STAC API they were read from)"},
        {"roles", {"host"}},
        {"url", options.stac_endpoint}}});
  json extent;
  if (records.empty()) {
    // No chips: the whole world and an open interval, as the spec allows for unknown extents.
    extent["spatial"] = {{"bbox", json::array({json::array({-180.0, -90.0, 180.0, 90.0})})}};
    extent["temporal"] = {{"interval", json::array({json::array({nullptr, nullptr})})}};
  } else {
    extent["spatial"] = {{"bbox", json::array({b.to_json()})}};
    extent["temporal"] = {
        {"interval", json::array({json::array({format_record_time(first), format_record_time(last)})})}};
  }
  c["extent"] = extent;
  // Summaries are lists with at least one value (the schema's minItems), so an empty
  // collection has none of the per-chip ones.
  json summaries;
  json eo_bands = json::array();
  for (const std::string& band : bands) eo_bands.push_back(eo_band(band));
  auto add_summary = [&](const char* key, json values) {
    if (!values.empty()) summaries[key] = std::move(values);
  };
  add_summary("platform", json(platforms));
  add_summary("constellation", records.empty() ? json::array() : json::array({"sentinel-2"}));
  add_summary("instruments", records.empty() ? json::array() : json::array({"msi"}));
  add_summary("gsd", json(gsds));
  add_summary("eo:bands", eo_bands);
  add_summary("proj:epsg", json(epsgs));
  summaries["shipchips:split"] = json::array({"train", "val", "test"});
  c["summaries"] = summaries;
  c["shipchips:chips"] = records.size();
  c["shipchips:split_counts"] = json(splits);

  json links = json::array();
  links.push_back(link("root", href(dir, out / "catalog.json"), "application/json"));
  links.push_back(link("parent", href(dir, out / "catalog.json"), "application/json"));
  if (href.absolute()) links.push_back(link("self", href(dir, file), "application/json"));
  json license;
  license["rel"] = "license";
  license["href"] = kSentinelLicense;
  license["title"] = "Legal notice on the use of Copernicus Sentinel data";
  links.push_back(license);
  for (const ChipRecord& r : records) {
    links.push_back(link("item", href(dir, dir / r.chip_id / (r.chip_id + ".json")), "application/geo+json"));
  }
  c["links"] = links;
  return c;
}

json catalog_json(const fs::path& out, const Hrefs& href) {
  json c;
  c["type"] = "Catalog";
  c["stac_version"] = kStacVersion;
  c["id"] = kCatalogId;
  c["title"] = "shipchips dataset";
  c["description"] = "Sentinel-2 image chips centred on AIS ships, with their metadata, footprints and labels.";
  json links = json::array();
  links.push_back(link("root", href(out, out / "catalog.json"), "application/json"));
  if (href.absolute()) links.push_back(link("self", href(out, out / "catalog.json"), "application/json"));
  links.push_back(link("child", href(out, out / stac_collection_id / "collection.json"), "application/json"));
  c["links"] = links;
  return c;
}

std::string text_of(const json& j) {
  return j.dump(2) + "\n";
}

// True when `dir` holds exactly these files with exactly these bytes.
bool tree_equals(const fs::path& dir, const std::map<std::string, std::string>& files) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  std::size_t seen = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    auto found = files.find(it->path().lexically_relative(dir).generic_string());
    if (found == files.end() || it->file_size() != found->second.size() ||
        read_input_file(it->path()) != found->second) {
      return false;
    }
    ++seen;
  }
  return !ec && seen == files.size();
}

void remove_tree(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) throw Error(ErrorCode::io_error, dir.string() + ": cannot remove: " + ec.message());
}

}  // namespace

void check_stac_options(const fs::path& dataset_root, const std::string& chips_pattern, const StacOptions& options) {
  const fs::path root = normalized(dataset_root);
  const fs::path out = normalized(options.out_dir);
  if (!inside(out, root)) {
    throw Error(ErrorCode::invalid_argument, "--out-dir: " + out.string() + " is not inside the dataset root " +
                                                 root.string() +
                                                 " (the catalog links to the chips, so both must be in one tree)");
  }
  const fs::path chips = normalized(chips_root(root, chips_pattern));
  if (out == chips || inside(out, chips) || inside(chips, out)) {
    throw Error(ErrorCode::invalid_argument,
                "--out-dir: " + out.string() + " overlaps the chips tree " + chips.string());
  }
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) {
      throw Error(ErrorCode::invalid_argument, "--out-dir: " + out.string() + " exists and is not a folder");
    }
    if (!fs::is_empty(out, ec) && !fs::is_regular_file(out / "catalog.json", ec)) {
      throw Error(ErrorCode::invalid_argument,
                  "--out-dir: " + out.string() + " holds files but no catalog.json; refusing to replace it");
    }
  }
  if (options.base_url) {
    const std::string& url = *options.base_url;
    bool scheme = url.starts_with("http://") || url.starts_with("https://");
    std::size_t host = url.find("://") + 3;
    if (!scheme || url.size() <= host || url[host] == '/' || url.find_first_of(" \t\r\n?#") != std::string::npos) {
      throw Error(ErrorCode::invalid_argument,
                  "--base-url: '" + url + "' is not an http(s) URL without query or fragment");
    }
  }
}

std::map<std::string, std::string> stac_catalog_files(std::span<const ChipRecord> records, const fs::path& dataset_root,
                                                      const StacOptions& options) {
  const fs::path root = normalized(dataset_root);
  const fs::path out = normalized(options.out_dir);
  Hrefs href(root, options.base_url);
  std::map<std::string, std::string> files;
  files["catalog.json"] = text_of(catalog_json(out, href));
  const std::string collection_dir = std::string(stac_collection_id);
  files[collection_dir + "/collection.json"] = text_of(collection_json(records, out, href, options));
  for (const ChipRecord& r : records) {
    files[collection_dir + "/" + r.chip_id + "/" + r.chip_id + ".json"] =
        text_of(item_json(r, root, out, href, options));
  }
  return files;
}

nlohmann::ordered_json StacReport::to_json() const {
  json j;
  j["out_dir"] = out_dir.string();
  j["catalog"] = (out_dir / "catalog.json").string();
  j["items"] = items;
  j["files"] = files;
  j["changed"] = changed;
  return j;
}

StacReport write_stac_catalog(std::span<const ChipRecord> records, const fs::path& dataset_root,
                              const std::string& chips_pattern, const StacOptions& options) {
  check_stac_options(dataset_root, chips_pattern, options);
  std::map<std::string, std::string> files = stac_catalog_files(records, dataset_root, options);
  const fs::path out = normalized(options.out_dir);
  StacReport report;
  report.out_dir = out;
  report.items = records.size();
  report.files = files.size();
  if (tree_equals(out, files)) return report;
  report.changed = true;

  const fs::path parent = out.parent_path();
  const std::string name = out.filename().string();
  const std::string tmp_prefix = "." + name + ".stac-tmp-";
  make_directories(parent);
  // Folders a crashed run left behind (one publish-stac per catalog at a time).
  for (const auto& entry : fs::directory_iterator(parent)) {
    if (entry.path().filename().string().starts_with(tmp_prefix)) remove_tree(entry.path());
  }
  const fs::path tmp = parent / (tmp_prefix + std::to_string(::getpid()));
  make_directories(tmp);
  for (const auto& [relative, text] : files) write_file_atomic(tmp / relative, text);
  fsync_directory(tmp / stac_collection_id);
  fsync_directory(tmp);

  std::error_code ec;
  if (!fs::exists(out, ec)) {
    if (std::rename(tmp.c_str(), out.c_str()) != 0) {
      throw Error(ErrorCode::io_error,
                  out.string() + ": cannot move the new catalog into place: " + std::strerror(errno));
    }
  } else if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) == 0) {
    remove_tree(tmp);  // now the old catalog
  } else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
    // A file system without atomic exchange: two renames, with the old catalog kept beside
    // until the new one is in place.
    const fs::path old = parent / (tmp_prefix + std::to_string(::getpid()) + "-old");
    if (std::rename(out.c_str(), old.c_str()) != 0) {
      throw Error(ErrorCode::io_error, out.string() + ": cannot move the old catalog aside: " + std::strerror(errno));
    }
    if (std::rename(tmp.c_str(), out.c_str()) != 0) {
      int err = errno;
      std::rename(old.c_str(), out.c_str());  // put the old catalog back
      throw Error(ErrorCode::io_error,
                  out.string() + ": cannot move the new catalog into place: " + std::strerror(err));
    }
    remove_tree(old);
  } else {
    throw Error(ErrorCode::io_error, out.string() + ": cannot swap in the new catalog: " + std::strerror(errno));
  }
  fsync_directory(parent);
  return report;
}

}  // namespace shipchips::dataset
