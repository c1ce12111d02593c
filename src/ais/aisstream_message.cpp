#include "ais/aisstream_message.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

namespace shipchips::ais {

namespace {

using nlohmann::json;

[[noreturn]] void contract(std::string_view field, std::string_view message) {
  throw Error(ErrorCode::contract_violation, "aisstream frame: " + std::string(field) + ": " + std::string(message));
}

[[noreturn]] void bad_subscription(std::string_view message) {
  throw Error(ErrorCode::invalid_argument, "aisstream subscription: " + std::string(message));
}

// Shortest text that reads back as the same double ("-11", "33.731168333333336").
std::string number_text(double v) {
  std::array<char, 32> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), res.ptr);
}

std::string json_quoted(std::string_view s) {
  return json(std::string(s)).dump();
}

void append_string_list(std::string& out, std::string_view key, const std::vector<std::string>& values) {
  out += ", ";
  out += json_quoted(key);
  out += ": [";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += json_quoted(values[i]);
  }
  out += ']';
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Text fields arrive padded to their AIS width with spaces (and sometimes '@', the six-bit
// "no more text" mark).
std::string trimmed_text(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '@' || s.back() == '\0')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return std::string(s);
}

// Field access with the path in the error message ("Message.PositionReport.Sog").
const json& member(const json& obj, std::string_view path, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) contract(std::string(path) + "." + key, "missing");
  return *it;
}

const json& object_member(const json& obj, std::string_view path, const char* key) {
  const json& v = member(obj, path, key);
  if (!v.is_object()) contract(std::string(path) + "." + key, "not an object");
  return v;
}

std::optional<double> opt_number(const json& obj, std::string_view path, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) contract(std::string(path) + "." + key, "not a number");
  return it->get<double>();
}

double req_number(const json& obj, std::string_view path, const char* key) {
  const auto v = opt_number(obj, path, key);
  if (!v) contract(std::string(path) + "." + key, "missing");
  return *v;
}

std::optional<std::int64_t> opt_integer(const json& obj, std::string_view path, const char* key) {
  const auto v = opt_number(obj, path, key);
  if (!v) return std::nullopt;
  if (std::floor(*v) != *v || std::abs(*v) > 9.0e15) contract(std::string(path) + "." + key, "not an integer");
  return static_cast<std::int64_t>(*v);
}

std::string opt_string(const json& obj, std::string_view path, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) contract(std::string(path) + "." + key, "not a string");
  return trimmed_text(it->get_ref<const std::string&>());
}

std::optional<bool> opt_bool(const json& obj, std::string_view path, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer()) return it->get<std::int64_t>() != 0;
  contract(std::string(path) + "." + key, "not a boolean");
}

std::optional<int> nonzero(std::optional<std::int64_t> v) {
  if (!v || *v <= 0) return std::nullopt;
  return static_cast<int>(*v);
}

void read_dimension(const json& body, std::string_view path, StaticData& s) {
  const auto it = body.find("Dimension");
  if (it == body.end() || it->is_null()) return;
  if (!it->is_object()) contract(std::string(path) + ".Dimension", "not an object");
  const std::string dpath = std::string(path) + ".Dimension";
  s.dim_a = nonzero(opt_integer(*it, dpath, "A"));
  s.dim_b = nonzero(opt_integer(*it, dpath, "B"));
  s.dim_c = nonzero(opt_integer(*it, dpath, "C"));
  s.dim_d = nonzero(opt_integer(*it, dpath, "D"));
}

enum class Family { class_a_position, class_b_position, class_b_extended, ship_static, static_report, other };

Family family_of(std::string_view type) {
  if (type == "PositionReport") return Family::class_a_position;
  if (type == "StandardClassBPositionReport") return Family::class_b_position;
  if (type == "ExtendedClassBPositionReport") return Family::class_b_extended;
  if (type == "ShipStaticData") return Family::ship_static;
  if (type == "StaticDataReport") return Family::static_report;
  return Family::other;
}

StreamFrame ignored(std::string type, std::string reason) {
  StreamFrame f;
  f.kind = StreamFrameKind::ignored;
  f.message_type = std::move(type);
  f.text = std::move(reason);
  return f;
}

[[noreturn]] void bad_time(std::string_view text) {
  contract("MetaData.time_utc",
           "not a Go time \"YYYY-MM-DD HH:MM:SS[.fraction] +hhmm UTC\": \"" + std::string(text) + "\"");
}

int two_digits(std::string_view s, std::size_t pos, std::string_view text) {
  if (pos + 2 > s.size() || s[pos] < '0' || s[pos] > '9' || s[pos + 1] < '0' || s[pos + 1] > '9') bad_time(text);
  return (s[pos] - '0') * 10 + (s[pos + 1] - '0');
}

}  // namespace

bool StreamSubscription::operator==(const StreamSubscription& other) const {
  if (boxes.size() != other.boxes.size()) return false;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const BBox& a = boxes[i];
    const BBox& b = other.boxes[i];
    if (a.min_lat != b.min_lat || a.min_lon != b.min_lon || a.max_lat != b.max_lat || a.max_lon != b.max_lon)
      return false;
  }
  return message_types == other.message_types && mmsi_filter == other.mmsi_filter;
}

std::vector<BBox> split_at_antimeridian(const std::vector<BBox>& boxes) {
  std::vector<BBox> out;
  out.reserve(boxes.size() + 1);
  for (const BBox& b : boxes) {
    if (b.min_lon > b.max_lon) {
      out.push_back(BBox{b.min_lat, b.min_lon, b.max_lat, 180.0});
      out.push_back(BBox{b.min_lat, -180.0, b.max_lat, b.max_lon});
    } else {
      out.push_back(b);
    }
  }
  return out;
}

bool box_contains(const BBox& box, double lat, double lon) {
  if (lat < box.min_lat || lat > box.max_lat) return false;
  if (box.min_lon <= box.max_lon) return lon >= box.min_lon && lon <= box.max_lon;
  return lon >= box.min_lon || lon <= box.max_lon;
}

std::string subscription_json(std::string_view api_key, const StreamSubscription& subscription) {
  if (api_key.empty()) bad_subscription("the API key is empty");
  if (subscription.boxes.empty()) bad_subscription("no bounding box (the service needs at least one)");
  for (const BBox& b : subscription.boxes) {
    const bool lat_ok = b.min_lat >= -90.0 && b.max_lat <= 90.0 && b.min_lat <= b.max_lat;
    const bool lon_ok = b.min_lon >= -180.0 && b.min_lon <= 180.0 && b.max_lon >= -180.0 && b.max_lon <= 180.0;
    if (!lat_ok || !lon_ok) {
      bad_subscription("box [" + number_text(b.min_lat) + ", " + number_text(b.min_lon) + ", " +
                       number_text(b.max_lat) + ", " + number_text(b.max_lon) +
                       "] is outside the globe or has min_lat > max_lat");
    }
  }
  for (const auto& m : subscription.mmsi_filter) {
    if (!all_digits(m) || m.size() > 9) bad_subscription("MMSI filter \"" + m + "\" is not 1-9 digits");
  }
  for (const auto& t : subscription.message_types) {
    if (t.empty()) bad_subscription("an empty message type");
  }

  std::string out = "{\"APIKey\": ";
  out += json_quoted(api_key);
  out += ", \"BoundingBoxes\": [";
  const auto boxes = split_at_antimeridian(subscription.boxes);
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const BBox& b = boxes[i];
    if (i) out += ", ";
    out += "[[" + number_text(b.min_lat) + ", " + number_text(b.min_lon) + "], [" + number_text(b.max_lat) + ", " +
           number_text(b.max_lon) + "]]";
  }
  out += ']';
  if (!subscription.mmsi_filter.empty()) append_string_list(out, "FiltersShipMMSI", subscription.mmsi_filter);
  if (!subscription.message_types.empty()) append_string_list(out, "FilterMessageTypes", subscription.message_types);
  out += '}';
  return out;
}

StreamSubscription parse_subscription_json(std::string_view text, std::string* api_key) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::contract_violation, std::string("aisstream subscription: not JSON: ") + e.what());
  }
  auto fail = [](std::string_view field, std::string_view message) -> void {
    throw Error(ErrorCode::contract_violation,
                "aisstream subscription: " + std::string(field) + ": " + std::string(message));
  };
  if (!doc.is_object()) fail("(root)", "not an object");
  const auto key = doc.find("APIKey");
  if (key == doc.end() || !key->is_string()) fail("APIKey", "missing or not a string");
  if (api_key) *api_key = key->get<std::string>();
  StreamSubscription sub;
  const auto boxes = doc.find("BoundingBoxes");
  if (boxes == doc.end() || !boxes->is_array()) fail("BoundingBoxes", "missing or not an array");
  for (std::size_t i = 0; i < boxes->size(); ++i) {
    const json& box = (*boxes)[i];
    const std::string field = "BoundingBoxes[" + std::to_string(i) + "]";
    const auto corner_ok = [](const json& c) {
      return c.is_array() && c.size() == 2 && c[0].is_number() && c[1].is_number();
    };
    if (!box.is_array() || box.size() != 2 || !corner_ok(box[0]) || !corner_ok(box[1])) {
      fail(field, "not [[lat, lon], [lat, lon]]");
    }
    // Corners may come in any order; the box is what they span.
    const double lat1 = box[0][0].get<double>(), lon1 = box[0][1].get<double>();
    const double lat2 = box[1][0].get<double>(), lon2 = box[1][1].get<double>();
    sub.boxes.push_back(BBox{std::min(lat1, lat2), std::min(lon1, lon2), std::max(lat1, lat2), std::max(lon1, lon2)});
  }
  const auto strings = [&](const char* name, std::vector<std::string>& into) {
    const auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) return;
    if (!it->is_array()) fail(name, "not an array");
    for (const json& v : *it) {
      if (!v.is_string()) fail(name, "holds a value that is not a string");
      into.push_back(v.get<std::string>());
    }
  };
  strings("FiltersShipMMSI", sub.mmsi_filter);
  strings("FilterMessageTypes", sub.message_types);
  return sub;
}

UtcTime parse_aisstream_time(std::string_view text) {
  std::string_view s = text;
  if (s.ends_with(" UTC")) s.remove_suffix(4);
  // "YYYY-MM-DD HH:MM:SS" is 19 characters; at least " +hhmm" follows.
  if (s.size() < 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') bad_time(text);
  int year = 0;
  const auto yr = std::from_chars(s.data(), s.data() + 4, year);
  if (yr.ec != std::errc() || yr.ptr != s.data() + 4) bad_time(text);
  const int month = two_digits(s, 5, text), day = two_digits(s, 8, text);
  const int hour = two_digits(s, 11, text), minute = two_digits(s, 14, text), second = two_digits(s, 17, text);
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (s[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');  // past microseconds: truncated
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) bad_time(text);
    for (std::size_t d = digits; d < 6; ++d) micros *= 10;
  }
  if (pos + 6 != s.size() || s[pos] != ' ' || (s[pos + 1] != '+' && s[pos + 1] != '-')) bad_time(text);
  const int off_h = two_digits(s, pos + 2, text), off_m = two_digits(s, pos + 4, text);
  const int sign = s[pos + 1] == '-' ? -1 : 1;

  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60 || off_h > 23 || off_m > 59) {
    contract("MetaData.time_utc", "date or time out of range: \"" + std::string(text) + "\"");
  }
  using namespace std::chrono;
  const auto local = sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} + microseconds{micros};
  return local - sign * (hours{off_h} + minutes{off_m});
}

std::string_view to_string(StreamFrameKind kind) {
  switch (kind) {
    case StreamFrameKind::position:
      return "position";
    case StreamFrameKind::static_data:
      return "static_data";
    case StreamFrameKind::error:
      return "error";
    case StreamFrameKind::ignored:
      return "ignored";
  }
  return "ignored";
}

StreamFrame parse_stream_frame(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    contract("(frame)", std::string("not JSON: ") + e.what());
  }
  if (!doc.is_object()) contract("(frame)", "not a JSON object");

  if (const auto err = doc.find("error"); err != doc.end()) {
    StreamFrame f;
    f.kind = StreamFrameKind::error;
    f.text = err->is_string() ? err->get<std::string>() : err->dump();
    return f;
  }

  const json& type_value = member(doc, "(frame)", "MessageType");
  if (!type_value.is_string()) contract("MessageType", "not a string");
  std::string type = type_value.get<std::string>();
  const Family family = family_of(type);
  if (family == Family::other) return ignored(std::move(type), "message type not used");

  const json& meta = object_member(doc, "(frame)", "MetaData");
  const json& time_value = member(meta, "MetaData", "time_utc");
  if (!time_value.is_string()) contract("MetaData.time_utc", "not a string");
  const UtcTime time = parse_aisstream_time(time_value.get_ref<const std::string&>());

  const json& message = object_member(doc, "(frame)", "Message");
  const std::string path = "Message." + type;
  const json& body = object_member(message, "Message", type.c_str());

  // UserID is the MMSI the message itself carries; MetaData.MMSI is the service's copy.
  auto mmsi = opt_integer(body, path, "UserID");
  if (!mmsi) mmsi = opt_integer(meta, "MetaData", "MMSI");
  if (!mmsi) contract(path + ".UserID", "missing (and no MetaData.MMSI)");
  if (const auto valid = opt_bool(body, path, "Valid"); valid && !*valid) {
    return ignored(std::move(type), "Valid is false");
  }
  if (*mmsi <= 0 || *mmsi > 999999999)
    return ignored(std::move(type), "MMSI " + std::to_string(*mmsi) + " out of range");

  StreamFrame frame;
  frame.message_type = type;

  if (family == Family::ship_static || family == Family::static_report) {
    StaticData s;
    s.mmsi = *mmsi;
    s.time = time;
    s.source = "aisstream";
    s.provider = "aisstream";
    if (family == Family::ship_static) {
      s.name = opt_string(body, path, "Name");
      s.callsign = opt_string(body, path, "CallSign");
      s.destination = opt_string(body, path, "Destination");
      if (const auto imo = opt_integer(body, path, "ImoNumber"); imo && *imo > 0) s.imo = *imo;
      s.ship_type = nonzero(opt_integer(body, path, "Type"));
      read_dimension(body, path, s);
      if (const auto d = opt_number(body, path, "MaximumStaticDraught"); d && *d > 0.0) s.draught_m = *d;
    } else {
      // Type 24: PartNumber false = part A (name), true = part B (type, call sign, dimensions);
      // the service fills both sub-objects and marks the one in use Valid.
      const bool part_b = opt_bool(body, path, "PartNumber").value_or(false);
      const char* part_key = part_b ? "ReportB" : "ReportA";
      const std::string part_path = path + "." + part_key;
      const json& part = object_member(body, path, part_key);
      if (const auto valid = opt_bool(part, part_path, "Valid"); valid && !*valid) {
        return ignored(std::move(type), std::string(part_key) + ".Valid is false");
      }
      if (part_b) {
        s.ship_type = nonzero(opt_integer(part, part_path, "ShipType"));
        s.callsign = opt_string(part, part_path, "CallSign");
        read_dimension(part, part_path, s);
      } else {
        s.name = opt_string(part, part_path, "Name");
      }
    }
    frame.kind = StreamFrameKind::static_data;
    frame.static_data = std::move(s);
    return frame;
  }

  const double lat = req_number(body, path, "Latitude");
  const double lon = req_number(body, path, "Longitude");
  if (lat == 91.0 || lon == 181.0) return ignored(std::move(type), "position not available (91/181)");
  if (!valid_position(lat, lon)) return ignored(std::move(type), "position outside the globe");

  PositionReport p;
  p.mmsi = *mmsi;
  p.time = time;
  p.lat = lat;
  p.lon = lon;
  p.sog_kn = valid_sog(opt_number(body, path, "Sog"));
  p.cog_deg = valid_cog(opt_number(body, path, "Cog"));
  p.heading_deg = valid_heading(opt_number(body, path, "TrueHeading"));
  if (family == Family::class_a_position) {
    if (const auto st = opt_integer(body, path, "NavigationalStatus"); st && *st >= 0 && *st <= 14) {
      p.nav_status = static_cast<int>(*st);
    }
  }
  p.ais_class = family == Family::class_a_position ? AisClass::a : AisClass::b;
  p.source = "aisstream";
  p.provider = "aisstream";
  frame.kind = StreamFrameKind::position;
  frame.position = std::move(p);

  if (family == Family::class_b_extended) {
    // Type 19 carries the name, type and dimensions beside the position.
    StaticData s;
    s.mmsi = *mmsi;
    s.time = time;
    s.source = "aisstream";
    s.provider = "aisstream";
    s.name = opt_string(body, path, "Name");
    s.ship_type = nonzero(opt_integer(body, path, "Type"));
    read_dimension(body, path, s);
    frame.static_data = std::move(s);
  }
  return frame;
}

}  // namespace shipchips::ais
