#include "stac/item.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace shipchips::stac {
namespace {

using nlohmann::json;

// Walks one item and reports every problem as "<source>: <json path>: <what>".
class Reader {
 public:
  explicit Reader(std::string_view source) : m_source(source) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    std::string text(m_source);
    text += ": ";
    if (!path.empty()) text += path + ": ";
    text += message;
    throw Error(ErrorCode::contract_violation, text);
  }

  static std::string child(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

  static std::string_view type_name(const json& value) { return value.type_name(); }

  const json& require_object(const json& value, const std::string& path) const {
    if (!value.is_object()) fail(path, "expected an object, found " + std::string(type_name(value)));
    return value;
  }

  // Present and not null.
  static const json* find(const json& object, std::string_view key) {
    const auto it = object.find(std::string(key));
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::string required_string(const json& object, std::string_view key, const std::string& path) const {
    const json* value = find(object, key);
    if (value == nullptr) fail(child(path, key), "missing required string");
    if (!value->is_string()) fail(child(path, key), "expected a string, found " + std::string(type_name(*value)));
    return value->get<std::string>();
  }

  std::optional<std::string> optional_string(const json& object, std::string_view key, const std::string& path) const {
    const json* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) fail(child(path, key), "expected a string, found " + std::string(type_name(*value)));
    return value->get<std::string>();
  }

  double number(const json& value, const std::string& path) const {
    if (!value.is_number()) fail(path, "expected a number, found " + std::string(type_name(value)));
    return value.get<double>();
  }

  std::optional<double> optional_number(const json& object, std::string_view key, const std::string& path) const {
    const json* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    return number(*value, child(path, key));
  }

  long long integer(const json& value, const std::string& path) const {
    if (value.is_number_integer()) return value.get<long long>();
    if (value.is_number_float()) {
      const double d = value.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<long long>(d);
    }
    fail(path, "expected an integer, found " + (value.is_number() ? value.dump() : std::string(type_name(value))));
  }

  std::optional<long long> optional_integer(const json& object, std::string_view key, const std::string& path) const {
    const json* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    return integer(*value, child(path, key));
  }

  std::optional<bool> optional_bool(const json& object, std::string_view key, const std::string& path) const {
    const json* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) fail(child(path, key), "expected a boolean, found " + std::string(type_name(*value)));
    return value->get<bool>();
  }

  const json* optional_array(const json& object, std::string_view key, const std::string& path) const {
    const json* value = find(object, key);
    if (value == nullptr) return nullptr;
    if (!value->is_array()) fail(child(path, key), "expected an array, found " + std::string(type_name(*value)));
    return value;
  }

  // nodata may be a number or one of the strings the raster extension allows.
  std::optional<double> optional_nodata(const json& object, std::string_view key, const std::string& path) const {
    const json* value = find(object, key);
    if (value == nullptr) return std::nullopt;
    if (value->is_number()) return value->get<double>();
    if (value->is_string()) {
      const auto text = value->get<std::string>();
      if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
      if (text == "inf") return std::numeric_limits<double>::infinity();
      if (text == "-inf") return -std::numeric_limits<double>::infinity();
    }
    fail(child(path, key), "expected a number or \"nan\"/\"inf\"/\"-inf\", found " + value->dump());
  }

  // proj:epsg (integer) or proj:code ("EPSG:32633", STAC projection v2).
  std::optional<int> optional_epsg(const json& object, const std::string& path) const {
    if (auto epsg = optional_integer(object, "proj:epsg", path)) return static_cast<int>(*epsg);
    if (auto code = optional_string(object, "proj:code", path)) {
      if (code->rfind("EPSG:", 0) == 0) {
        const std::string digits = code->substr(5);
        if (!digits.empty() && digits.size() < 10 && std::all_of(digits.begin(), digits.end(), [](char c) {
              return std::isdigit(static_cast<unsigned char>(c));
            })) {
          return std::stoi(digits);
        }
      }
      fail(child(path, "proj:code"), "expected \"EPSG:<number>\", found \"" + *code + "\"");
    }
    return std::nullopt;
  }

  Ring ring(const json& value, const std::string& path) const {
    if (!value.is_array()) fail(path, "expected an array of positions");
    Ring out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
      const json& position = value[i];
      const std::string at = index(path, i);
      if (!position.is_array() || position.size() < 2) fail(at, "expected a position [lon, lat]");
      out.push_back({number(position[0], index(at, 0)), number(position[1], index(at, 1))});
    }
    return out;
  }

  Polygon polygon(const json& value, const std::string& path) const {
    if (!value.is_array()) fail(path, "expected an array of rings");
    Polygon out;
    for (std::size_t i = 0; i < value.size(); ++i) out.push_back(ring(value[i], index(path, i)));
    return out;
  }

  RasterBand raster_band(const json& value, const std::string& path) const {
    require_object(value, path);
    RasterBand band;
    band.scale = optional_number(value, "scale", path);
    band.offset = optional_number(value, "offset", path);
    band.nodata = optional_nodata(value, "nodata", path);
    band.data_type = optional_string(value, "data_type", path).value_or("");
    band.spatial_resolution = optional_number(value, "spatial_resolution", path);
    return band;
  }

  Asset asset(const std::string& key, const json& value, const std::string& path) const {
    require_object(value, path);
    Asset out;
    out.key = key;
    out.href = required_string(value, "href", path);
    out.type = optional_string(value, "type", path).value_or("");
    if (const json* roles = optional_array(value, "roles", path)) {
      for (std::size_t i = 0; i < roles->size(); ++i) {
        if (!(*roles)[i].is_string()) fail(index(child(path, "roles"), i), "expected a string");
        out.roles.push_back((*roles)[i].get<std::string>());
      }
    }
    if (const json* shape = optional_array(value, "proj:shape", path)) {
      const std::string at = child(path, "proj:shape");
      if (shape->size() != 2) fail(at, "expected [rows, cols], found " + shape->dump());
      out.proj_shape = std::array<long long, 2>{integer((*shape)[0], index(at, 0)), integer((*shape)[1], index(at, 1))};
      if ((*out.proj_shape)[0] <= 0 || (*out.proj_shape)[1] <= 0) fail(at, "sizes must be positive");
    }
    if (const json* transform = optional_array(value, "proj:transform", path)) {
      const std::string at = child(path, "proj:transform");
      // 9 numbers is the full 3x3 matrix; its last row is always 0, 0, 1.
      if (transform->size() != 6 && transform->size() != 9)
        fail(at, "expected 6 or 9 numbers, found " + transform->dump());
      std::array<double, 6> t{};
      for (std::size_t i = 0; i < 6; ++i) t[i] = number((*transform)[i], index(at, i));
      out.proj_transform = t;
    }
    out.epsg = optional_epsg(value, path);
    if (const json* bands = optional_array(value, "raster:bands", path)) {
      for (std::size_t i = 0; i < bands->size(); ++i) {
        out.bands.push_back(raster_band((*bands)[i], index(child(path, "raster:bands"), i)));
      }
    } else {
      // STAC 1.1 / raster v2 puts these on the asset itself (CDSE does).
      RasterBand band;
      band.scale = optional_number(value, "raster:scale", path);
      band.offset = optional_number(value, "raster:offset", path);
      band.nodata = optional_nodata(value, "nodata", path);
      band.data_type = optional_string(value, "data_type", path).value_or("");
      band.spatial_resolution = optional_number(value, "raster:spatial_resolution", path);
      if (band.scale || band.offset || band.nodata || !band.data_type.empty()) out.bands.push_back(band);
    }
    out.gsd = optional_number(value, "gsd", path);
    return out;
  }

 private:
  std::string_view m_source;
};

// "S2A_MSIL2A_20231008T175231_N0509_R141_..." → "05.09".
std::string baseline_from_product_uri(std::string_view uri) {
  for (std::size_t at = uri.find("_N"); at != std::string_view::npos; at = uri.find("_N", at + 1)) {
    if (at + 7 <= uri.size() && (at + 7 == uri.size() || uri[at + 6] == '_' || uri[at + 6] == '.')) {
      const auto digits = uri.substr(at + 2, 4);
      if (std::all_of(digits.begin(), digits.end(),
                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        return std::string(digits.substr(0, 2)) + "." + std::string(digits.substr(2, 2));
      }
    }
  }
  return {};
}

}  // namespace

bool Asset::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::optional<double> Asset::declared_scale() const {
  return bands.empty() ? std::nullopt : bands.front().scale;
}

std::optional<double> Asset::declared_offset() const {
  return bands.empty() ? std::nullopt : bands.front().offset;
}

const Asset* Item::find_asset(std::string_view key) const {
  const auto it = assets.find(std::string(key));
  return it == assets.end() ? nullptr : &it->second;
}

const Asset& Item::asset(std::string_view key) const {
  if (const Asset* found = find_asset(key)) return *found;
  throw Error(ErrorCode::not_found, "item " + id + " has no asset \"" + std::string(key) + "\"");
}

std::optional<double> parse_processing_baseline(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= text.size()) return std::nullopt;
  auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  const auto major = text.substr(0, dot);
  const auto minor = text.substr(dot + 1);
  if (!all_digits(major) || !all_digits(minor) || major.size() > 3 || minor.size() > 3) return std::nullopt;
  return std::stod(std::string(text));
}

Item parse_item(const nlohmann::json& value, std::string_view source, std::string_view path_prefix) {
  Reader reader(source);
  const std::string root(path_prefix);
  reader.require_object(value, root);
  Item item;

  const std::string type = reader.required_string(value, "type", root);
  if (type != "Feature") reader.fail(Reader::child(root, "type"), "expected \"Feature\", found \"" + type + "\"");
  item.id = reader.required_string(value, "id", root);
  if (item.id.empty()) reader.fail(Reader::child(root, "id"), "must not be empty");
  item.collection = reader.optional_string(value, "collection", root).value_or("");

  const std::string properties_path = Reader::child(root, "properties");
  const json* properties = Reader::find(value, "properties");
  if (properties == nullptr) reader.fail(properties_path, "missing required object");
  reader.require_object(*properties, properties_path);
  item.properties = *properties;

  // STAC: datetime may be null only when start_datetime/end_datetime are given.
  std::string datetime_key = "datetime";
  std::optional<std::string> datetime_text = reader.optional_string(*properties, "datetime", properties_path);
  if (!datetime_text) {
    datetime_key = "start_datetime";
    datetime_text = reader.optional_string(*properties, "start_datetime", properties_path);
    if (!datetime_text) reader.fail(Reader::child(properties_path, "datetime"), "missing required string");
  }
  try {
    item.datetime = parse_iso8601(*datetime_text);
  } catch (const Error& e) {
    reader.fail(Reader::child(properties_path, datetime_key), e.what());
  }

  item.cloud_cover = reader.optional_number(*properties, "eo:cloud_cover", properties_path);
  if (item.cloud_cover && (*item.cloud_cover < 0 || *item.cloud_cover > 100)) {
    reader.fail(Reader::child(properties_path, "eo:cloud_cover"),
                "outside 0..100: " + std::to_string(*item.cloud_cover));
  }
  item.platform = reader.optional_string(*properties, "platform", properties_path).value_or("");
  item.epsg = reader.optional_epsg(*properties, properties_path);
  item.boa_offset_applied = reader.optional_bool(*properties, "earthsearch:boa_offset_applied", properties_path);

  if (auto baseline = reader.optional_string(*properties, "s2:processing_baseline", properties_path)) {
    item.processing_baseline = *baseline;
    item.processing_baseline_number = parse_processing_baseline(*baseline);
    if (!item.processing_baseline_number) {
      reader.fail(Reader::child(properties_path, "s2:processing_baseline"),
                  "expected \"NN.NN\", found \"" + *baseline + "\"");
    }
  } else if (auto uri = reader.optional_string(*properties, "s2:product_uri", properties_path)) {
    item.processing_baseline = baseline_from_product_uri(*uri);
    if (!item.processing_baseline.empty()) {
      item.processing_baseline_number = parse_processing_baseline(item.processing_baseline);
    }
  }

  item.grid_code = reader.optional_string(*properties, "grid:code", properties_path).value_or("");
  if (item.grid_code.rfind("MGRS-", 0) == 0) {
    item.mgrs_tile = item.grid_code.substr(5);
  } else if (auto tile = reader.optional_string(*properties, "s2:mgrs_tile", properties_path)) {
    item.mgrs_tile = *tile;
  } else if (auto zone = reader.optional_integer(*properties, "mgrs:utm_zone", properties_path)) {
    const auto band = reader.optional_string(*properties, "mgrs:latitude_band", properties_path);
    const auto square = reader.optional_string(*properties, "mgrs:grid_square", properties_path);
    if (band && square) {
      item.mgrs_tile = (*zone < 10 ? "0" : "") + std::to_string(*zone) + *band + *square;
    }
  }

  // Geometry may be left out by the fields extension; then there is no footprint.
  const std::string geometry_path = Reader::child(root, "geometry");
  if (const json* geometry = Reader::find(value, "geometry")) {
    reader.require_object(*geometry, geometry_path);
    item.geometry = *geometry;
    const std::string geometry_type = reader.required_string(*geometry, "type", geometry_path);
    const std::string coordinates_path = Reader::child(geometry_path, "coordinates");
    const json* coordinates = Reader::find(*geometry, "coordinates");
    if (geometry_type == "Polygon" || geometry_type == "MultiPolygon") {
      if (coordinates == nullptr || !coordinates->is_array()) reader.fail(coordinates_path, "missing required array");
      if (geometry_type == "Polygon") {
        item.footprint.push_back(reader.polygon(*coordinates, coordinates_path));
      } else {
        for (std::size_t i = 0; i < coordinates->size(); ++i) {
          item.footprint.push_back(reader.polygon((*coordinates)[i], Reader::index(coordinates_path, i)));
        }
      }
    }
  }

  if (const json* bbox = reader.optional_array(value, "bbox", root)) {
    const std::string bbox_path = Reader::child(root, "bbox");
    if (bbox->size() == 4) {
      item.bbox = std::array<double, 4>{reader.number((*bbox)[0], Reader::index(bbox_path, 0)),
                                        reader.number((*bbox)[1], Reader::index(bbox_path, 1)),
                                        reader.number((*bbox)[2], Reader::index(bbox_path, 2)),
                                        reader.number((*bbox)[3], Reader::index(bbox_path, 3))};
    } else if (bbox->size() == 6) {  // 3D: west, south, min z, east, north, max z
      item.bbox = std::array<double, 4>{reader.number((*bbox)[0], Reader::index(bbox_path, 0)),
                                        reader.number((*bbox)[1], Reader::index(bbox_path, 1)),
                                        reader.number((*bbox)[3], Reader::index(bbox_path, 3)),
                                        reader.number((*bbox)[4], Reader::index(bbox_path, 4))};
    } else {
      reader.fail(bbox_path, "expected 4 or 6 numbers, found " + std::to_string(bbox->size()));
    }
  }

  const std::string assets_path = Reader::child(root, "assets");
  if (const json* assets = Reader::find(value, "assets")) {
    reader.require_object(*assets, assets_path);
    for (const auto& [key, asset] : assets->items()) {
      item.assets.emplace(key, reader.asset(key, asset, Reader::child(assets_path, key)));
    }
  }

  if (const json* links = reader.optional_array(value, "links", root)) {
    const std::string links_path = Reader::child(root, "links");
    for (std::size_t i = 0; i < links->size(); ++i) {
      const json& link = (*links)[i];
      const std::string link_path = Reader::index(links_path, i);
      reader.require_object(link, link_path);
      const std::string rel = reader.required_string(link, "rel", link_path);
      const std::string href = reader.required_string(link, "href", link_path);
      if (rel == "self" && item.self_href.empty()) item.self_href = href;
    }
  }
  return item;
}

}  // namespace shipchips::stac
