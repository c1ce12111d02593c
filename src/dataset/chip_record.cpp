#include "dataset/chip_record.hpp"

#include "core/error.hpp"
#include "dataset/chip_id.hpp"

#include <cmath>
#include <set>
#include <tuple>

namespace shipchips::dataset {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

template <typename T>
ordered_json opt(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

// Reads one JSON object strictly: every key must be asked for exactly once (finish() reports
// the rest as unknown), and every error names the source and the dotted field path.
class StrictObject {
 public:
  StrictObject(const json& value, std::string_view source, std::string prefix)
      : m_source(source), m_prefix(std::move(prefix)) {
    if (!value.is_object()) fail(m_prefix.empty() ? "(root)" : m_prefix, "expected a JSON object");
    m_object = &value;
  }

  [[noreturn]] void fail(const std::string& field, std::string_view what) const {
    throw Error(ErrorCode::input_invalid, located(m_source, 0, field, what));
  }
  std::string field(std::string_view key) const {
    return m_prefix.empty() ? std::string(key) : m_prefix + "." + std::string(key);
  }

  const json* find(std::string_view key) {
    m_seen.insert(std::string(key));
    auto it = m_object->find(std::string(key));
    if (it == m_object->end()) return nullptr;
    return &*it;
  }
  const json& need(std::string_view key) {
    const json* v = find(key);
    if (v == nullptr) fail(field(key), "missing required field");
    return *v;
  }
  // Optional fields must be present too (null when unknown): a missing key is a broken file.
  const json* nullable(std::string_view key) {
    const json& v = need(key);
    return v.is_null() ? nullptr : &v;
  }

  std::string string(std::string_view key) { return as_string(need(key), field(key)); }
  double number(std::string_view key) { return as_number(need(key), field(key)); }
  std::int64_t integer(std::string_view key) { return as_integer(need(key), field(key)); }
  bool boolean(std::string_view key) {
    const json& v = need(key);
    if (!v.is_boolean()) fail(field(key), "expected true or false");
    return v.get<bool>();
  }
  UtcTime time(std::string_view key) {
    std::string text = string(key);
    try {
      return parse_iso8601(text);
    } catch (const Error& e) {
      fail(field(key), e.what());
    }
  }
  std::optional<std::string> opt_string(std::string_view key) {
    const json* v = nullable(key);
    return v ? std::optional<std::string>(as_string(*v, field(key))) : std::nullopt;
  }
  std::optional<double> opt_number(std::string_view key) {
    const json* v = nullable(key);
    return v ? std::optional<double>(as_number(*v, field(key))) : std::nullopt;
  }
  std::optional<bool> opt_boolean(std::string_view key) {
    const json* v = nullable(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) fail(field(key), "expected true, false or null");
    return v->get<bool>();
  }
  std::optional<double> opt_fraction(std::string_view key) {
    auto v = opt_number(key);
    if (v && (*v < 0.0 || *v > 1.0)) fail(field(key), "must be between 0 and 1");
    return v;
  }

  std::string as_string(const json& v, const std::string& name) const {
    if (!v.is_string()) fail(name, "expected a string");
    return v.get<std::string>();
  }
  double as_number(const json& v, const std::string& name) const {
    if (!v.is_number()) fail(name, "expected a number");
    double d = v.get<double>();
    if (!std::isfinite(d)) fail(name, "expected a finite number");
    return d;
  }
  std::int64_t as_integer(const json& v, const std::string& name) const {
    if (!v.is_number_integer()) fail(name, "expected an integer");
    return v.get<std::int64_t>();
  }
  const json& array(std::string_view key, std::size_t size = 0) {
    const json& v = need(key);
    if (!v.is_array()) fail(field(key), "expected an array");
    if (size != 0 && v.size() != size)
      fail(field(key), "expected " + std::to_string(size) + " elements, got " + std::to_string(v.size()));
    return v;
  }

  void finish() const {
    for (auto it = m_object->begin(); it != m_object->end(); ++it) {
      if (!m_seen.count(it.key())) fail(field(it.key()), "unknown field");
    }
  }

  const std::string& source() const { return m_source; }

 private:
  std::string m_source;
  std::string m_prefix;
  const json* m_object = nullptr;
  std::set<std::string> m_seen;
};

ordered_json footprint_json(const geo::Ring& ring) {
  ordered_json coords = ordered_json::array();
  for (const auto& p : ring) coords.push_back({p.lon, p.lat});
  return ordered_json{{"type", "Polygon"}, {"coordinates", ordered_json::array({coords})}};
}

geo::Ring footprint_from(StrictObject& parent, const json& value) {
  StrictObject poly(value, parent.source(), parent.field("footprint"));
  if (poly.string("type") != "Polygon") poly.fail(poly.field("type"), "expected \"Polygon\"");
  const json& rings = poly.array("coordinates");
  if (rings.size() != 1) poly.fail(poly.field("coordinates"), "expected exactly one ring (no holes)");
  poly.finish();
  std::string name = poly.field("coordinates") + "[0]";
  const json& ring_json = rings[0];
  if (!ring_json.is_array() || ring_json.size() < 4) poly.fail(name, "expected a closed ring of at least 4 positions");
  geo::Ring ring;
  for (std::size_t i = 0; i < ring_json.size(); ++i) {
    const json& p = ring_json[i];
    std::string pname = name + "[" + std::to_string(i) + "]";
    if (!p.is_array() || p.size() != 2) poly.fail(pname, "expected [lon, lat]");
    double lon = poly.as_number(p[0], pname);
    double lat = poly.as_number(p[1], pname);
    if (lon < -180.0 || lon > 180.0 || lat < -90.0 || lat > 90.0) poly.fail(pname, "longitude/latitude out of range");
    ring.push_back({lon, lat});
  }
  if (ring.front().lon != ring.back().lon || ring.front().lat != ring.back().lat) poly.fail(name, "ring is not closed");
  return ring;
}

std::vector<std::string> string_list(StrictObject& obj, std::string_view key) {
  const json& arr = obj.array(key);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < arr.size(); ++i)
    out.push_back(obj.as_string(arr[i], obj.field(key) + "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace

std::string scene_date(const ChipRecord& record) {
  return format_yyyymmdd(record.scene_datetime);
}

std::string format_record_time(UtcTime time) {
  auto micros = time.time_since_epoch().count() % 1000000;
  if (micros == 0) return format_iso8601(time, 0);
  if (micros % 1000 == 0) return format_iso8601(time, 3);
  return format_iso8601(time, 6);
}

ordered_json to_json(const ChipRecord& r) {
  ordered_json j;
  j["record_version"] = chip_record_version;
  j["chip_id"] = r.chip_id;
  j["mmsi"] = r.mmsi;
  j["split"] = r.split;
  j["path"] = r.path;
  j["lat"] = r.lat;
  j["lon"] = r.lon;
  j["ais_lat"] = r.ais_lat;
  j["ais_lon"] = r.ais_lon;
  j["ais_time"] = format_record_time(r.ais_time);
  j["interpolation"] = opt(r.interpolation);
  j["uncertainty_m"] = opt(r.uncertainty_m);
  j["scene_id"] = r.scene_id;
  j["collection"] = r.collection;
  j["scene_datetime"] = format_record_time(r.scene_datetime);
  j["dt_s"] = r.dt_s;
  j["cloud_cover"] = opt(r.cloud_cover);
  j["processing_baseline"] = opt(r.processing_baseline);
  j["boa_offset_applied"] = opt(r.boa_offset_applied);
  j["reflectance"] =
      ordered_json{{"rule", r.reflectance.rule}, {"scale", r.reflectance.scale}, {"offset", r.reflectance.offset}};
  j["bands"] = r.bands;
  j["has_swir"] = r.has_swir;
  j["epsg"] = r.epsg;
  j["transform"] = r.transform;
  j["width"] = r.width;
  j["height"] = r.height;
  j["center_pixel"] = r.center_pixel;
  j["center_pixel_definition"] = center_pixel_definition;
  j["target_pixel"] = r.target_pixel;
  j["nodata_fraction"] = r.nodata_fraction;
  j["gate"] = ordered_json{{"enabled", r.gate.enabled},
                           {"scl_used", r.gate.scl_used},
                           {"passed", opt(r.gate.passed)},
                           {"qa_cloud_frac", opt(r.gate.qa_cloud_frac)},
                           {"qa_shadow_frac", opt(r.gate.qa_shadow_frac)},
                           {"qa_land_frac", opt(r.gate.qa_land_frac)},
                           {"qa_water_frac", opt(r.gate.qa_water_frac)},
                           {"qa_ndwi_water_frac", opt(r.gate.qa_ndwi_water_frac)}};
  j["relaxation_steps"] = r.relaxation_steps;
  j["footprint"] = footprint_json(r.footprint);
  if (r.ship_box) {
    ordered_json box{{"col_min", r.ship_box->col_min},
                     {"row_min", r.ship_box->row_min},
                     {"col_max", r.ship_box->col_max},
                     {"row_max", r.ship_box->row_max}};
    if (r.ship_box->length_m) box["length_m"] = *r.ship_box->length_m;
    if (r.ship_box->beam_m) box["beam_m"] = *r.ship_box->beam_m;
    if (r.ship_box->heading_deg) box["heading_deg"] = *r.ship_box->heading_deg;
    j["ship_box"] = box;
  } else {
    j["ship_box"] = nullptr;
  }
  j["created"] = format_record_time(r.created);
  j["software_version"] = r.software_version;
  return j;
}

bool operator==(const ChipRecord& a, const ChipRecord& b) {
  return to_json(a) == to_json(b);
}

std::string to_sidecar_text(const ChipRecord& record) {
  return to_json(record).dump(2) + "\n";
}

ChipRecord chip_record_from_json(const json& value, std::string_view source) {
  StrictObject o(value, source, "");
  ChipRecord r;
  std::int64_t version = o.integer("record_version");
  if (version != chip_record_version && version != 1) {
    o.fail("record_version", "unsupported version " + std::to_string(version) + " (this shipchips reads 1 to " +
                                 std::to_string(chip_record_version) + ")");
  }
  r.chip_id = o.string("chip_id");
  if (!is_chip_id(r.chip_id)) o.fail("chip_id", "expected 16 lower-case hex digits, got '" + r.chip_id + "'");
  r.mmsi = o.integer("mmsi");
  if (r.mmsi <= 0) o.fail("mmsi", "must be positive");
  r.split = o.string("split");
  if (r.split != "train" && r.split != "val" && r.split != "test")
    o.fail("split", "expected train, val or test, got '" + r.split + "'");
  r.path = o.string("path");
  if (r.path.empty() || r.path.front() == '/') o.fail("path", "expected a path relative to the dataset root");
  r.lat = o.number("lat");
  r.lon = o.number("lon");
  r.ais_lat = o.number("ais_lat");
  r.ais_lon = o.number("ais_lon");
  for (auto [name, v, limit] : {std::tuple{"lat", r.lat, 90.0}, std::tuple{"lon", r.lon, 180.0},
                                std::tuple{"ais_lat", r.ais_lat, 90.0}, std::tuple{"ais_lon", r.ais_lon, 180.0}}) {
    if (std::fabs(v) > limit) o.fail(name, "out of range");
  }
  r.ais_time = o.time("ais_time");
  r.interpolation = o.opt_string("interpolation");
  r.uncertainty_m = o.opt_number("uncertainty_m");
  r.scene_id = o.string("scene_id");
  if (r.scene_id.empty()) o.fail("scene_id", "must not be empty");
  r.collection = o.string("collection");
  r.scene_datetime = o.time("scene_datetime");
  r.dt_s = o.number("dt_s");
  r.cloud_cover = o.opt_number("cloud_cover");
  r.processing_baseline = o.opt_string("processing_baseline");
  r.boa_offset_applied = o.opt_boolean("boa_offset_applied");
  {
    StrictObject refl(o.need("reflectance"), source, "reflectance");
    r.reflectance.rule = refl.string("rule");
    r.reflectance.scale = refl.number("scale");
    r.reflectance.offset = refl.number("offset");
    refl.finish();
  }
  r.bands = string_list(o, "bands");
  if (r.bands.empty()) o.fail("bands", "must not be empty");
  r.has_swir = o.boolean("has_swir");
  std::int64_t epsg = o.integer("epsg");
  if (epsg <= 0 || epsg > 999999) o.fail("epsg", "out of range");
  r.epsg = static_cast<int>(epsg);
  const json& t = o.array("transform", 6);
  for (std::size_t i = 0; i < 6; ++i) r.transform[i] = o.as_number(t[i], "transform[" + std::to_string(i) + "]");
  std::int64_t width = o.integer("width");
  std::int64_t height = o.integer("height");
  if (width <= 0 || width > 1000000) o.fail("width", "must be a positive pixel count");
  if (height <= 0 || height > 1000000) o.fail("height", "must be a positive pixel count");
  r.width = static_cast<int>(width);
  r.height = static_cast<int>(height);
  const json& cp = o.array("center_pixel", 2);
  for (std::size_t i = 0; i < 2; ++i)
    r.center_pixel[i] = static_cast<int>(o.as_integer(cp[i], "center_pixel[" + std::to_string(i) + "]"));
  // The definition text is informational; the convention itself is checked on the numbers.
  o.string("center_pixel_definition");
  if (r.center_pixel[0] != r.width / 2 || r.center_pixel[1] != r.height / 2) {
    o.fail("center_pixel", "expected [" + std::to_string(r.width / 2) + ", " + std::to_string(r.height / 2) +
                               "] (pixel (width/2, height/2), integer division)");
  }
  const json& tp = o.array("target_pixel", 2);
  for (std::size_t i = 0; i < 2; ++i) r.target_pixel[i] = o.as_number(tp[i], "target_pixel[" + std::to_string(i) + "]");
  r.nodata_fraction = o.number("nodata_fraction");
  if (r.nodata_fraction < 0.0 || r.nodata_fraction > 1.0) o.fail("nodata_fraction", "must be between 0 and 1");
  {
    StrictObject g(o.need("gate"), source, "gate");
    r.gate.enabled = g.boolean("enabled");
    r.gate.scl_used = version >= 2 ? g.boolean("scl_used") : true;
    r.gate.passed = g.opt_boolean("passed");
    r.gate.qa_cloud_frac = g.opt_fraction("qa_cloud_frac");
    r.gate.qa_shadow_frac = g.opt_fraction("qa_shadow_frac");
    r.gate.qa_land_frac = g.opt_fraction("qa_land_frac");
    r.gate.qa_water_frac = g.opt_fraction("qa_water_frac");
    r.gate.qa_ndwi_water_frac = g.opt_fraction("qa_ndwi_water_frac");
    g.finish();
  }
  r.relaxation_steps = string_list(o, "relaxation_steps");
  r.footprint = footprint_from(o, o.need("footprint"));
  if (const json* box = o.nullable("ship_box")) {
    StrictObject b(*box, source, "ship_box");
    ShipBox sb;
    sb.col_min = b.number("col_min");
    sb.row_min = b.number("row_min");
    sb.col_max = b.number("col_max");
    sb.row_max = b.number("row_max");
    // The dimensions are optional inside a box (AIS static data may lack them).
    auto optional_number = [&](std::string_view key) -> std::optional<double> {
      const json* v = b.find(key);
      if (v == nullptr || v->is_null()) return std::nullopt;
      return b.as_number(*v, b.field(key));
    };
    sb.length_m = optional_number("length_m");
    sb.beam_m = optional_number("beam_m");
    sb.heading_deg = optional_number("heading_deg");
    b.finish();
    r.ship_box = sb;
  }
  r.created = o.time("created");
  r.software_version = o.string("software_version");
  o.finish();
  return r;
}

void check_record(const ChipRecord& record) {
  try {
    chip_record_from_json(json::parse(to_sidecar_text(record)), "chip record " + record.chip_id);
  } catch (const Error& e) {
    throw Error(ErrorCode::invalid_argument, e.what());
  }
}

ChipRecord chip_record_from_text(std::string_view text, std::string_view source) {
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(ErrorCode::input_invalid,
                located(source, 0, "", "not valid JSON at byte " + std::to_string(e.byte) + ": " + e.what()));
  } catch (const json::exception& e) {  // a number too large for a double (out_of_range 406)
    throw Error(ErrorCode::input_invalid, located(source, 0, "", std::string("not valid JSON: ") + e.what()));
  }
  return chip_record_from_json(value, source);
}

}  // namespace shipchips::dataset
