#include "plan/esa_plan_kml.hpp"

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "core/utf8.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

namespace shipchips::plan {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

long line_of(std::string_view text, std::ptrdiff_t offset) {
  if (offset < 0) return 0;
  const auto end = text.begin() + std::min<std::ptrdiff_t>(offset, static_cast<std::ptrdiff_t>(text.size()));
  return 1 + static_cast<long>(std::count(text.begin(), end, '\n'));
}

[[noreturn]] void bad_encoding(const std::string& source, const std::string& what) {
  throw Error(ErrorCode::input_invalid,
              source + ": unsupported encoding " + what + " (an ESA plan KML must be UTF-8 or ISO-8859-1)");
}

// The encoding named in the XML declaration ("" when there is none).
std::string declared_encoding(std::string_view bytes) {
  if (bytes.substr(0, 5) != "<?xml") return "";
  const auto close = bytes.find("?>");
  const auto decl = bytes.substr(0, close);
  const auto at = decl.find("encoding");
  if (at == std::string_view::npos) return "";
  auto rest = decl.substr(at + 8);
  rest = trim(rest);
  if (rest.empty() || rest.front() != '=') return "";
  rest = trim(rest.substr(1));
  if (rest.empty() || (rest.front() != '"' && rest.front() != '\'')) return "";
  const char quote = rest.front();
  const auto end = rest.find(quote, 1);
  return std::string(rest.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1));
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// Bytes → UTF-8 text, or a clear error naming the encoding.
std::string to_utf8(std::string_view bytes, const std::string& source) {
  if (bytes.size() >= 4 && ((bytes[0] == '\0' && bytes[1] == '\0') || (bytes[2] == '\0' && bytes[3] == '\0')))
    bad_encoding(source, "UTF-32 (NUL bytes in the first characters)");
  if (bytes.size() >= 2 &&
      ((static_cast<unsigned char>(bytes[0]) == 0xFF && static_cast<unsigned char>(bytes[1]) == 0xFE) ||
       (static_cast<unsigned char>(bytes[0]) == 0xFE && static_cast<unsigned char>(bytes[1]) == 0xFF)))
    bad_encoding(source, "UTF-16 (byte-order mark)");
  if (bytes.size() >= 2 && (bytes[0] == '\0' || bytes[1] == '\0'))
    bad_encoding(source, "UTF-16 (NUL bytes in the first characters)");
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  const std::string declared = declared_encoding(bytes);
  const std::string enc = lower(declared);
  if (enc.empty() || enc == "utf-8" || enc == "utf8" || enc == "us-ascii" || enc == "ascii") {
    const auto bad = invalid_utf8_at(bytes);
    if (bad != std::string_view::npos)
      throw Error(ErrorCode::input_invalid,
                  located(source, line_of(bytes, static_cast<std::ptrdiff_t>(bad)), "encoding",
                          "byte is not valid UTF-8 although the file declares " +
                              (declared.empty() ? std::string("no encoding (UTF-8 by default)") : declared)));
    return std::string(bytes);
  }
  if (enc == "iso-8859-1" || enc == "iso8859-1" || enc == "iso_8859-1" || enc == "latin1" || enc == "latin-1" ||
      enc == "l1")
    return latin1_to_utf8(bytes);
  bad_encoding(source, "\"" + declared + "\" declared in the XML header");
}

struct Context {
  const std::string& source;
  std::vector<std::size_t> newlines;  // offsets of '\n' in the text pugixml parsed
  Context(const std::string& src, std::string_view text) : source(src) {
    for (std::size_t i = text.find('\n'); i != std::string_view::npos; i = text.find('\n', i + 1))
      newlines.push_back(i);
  }
  // Every placemark records its line, so this is a binary search, not a rescan.
  long line(const pugi::xml_node& node) const {
    const auto offset = node.offset_debug();
    if (offset < 0) return 0;
    return 1 + static_cast<long>(std::lower_bound(newlines.begin(), newlines.end(), static_cast<std::size_t>(offset)) -
                                 newlines.begin());
  }
};

std::string_view local_name(const char* name) {
  std::string_view n(name);
  const auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
  for (auto c : node.children())
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  return {};
}

template <class F>
void for_each_descendant(const pugi::xml_node& node, std::string_view name, F&& f) {
  for (auto c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    if (local_name(c.name()) == name)
      f(c);
    else
      for_each_descendant(c, name, f);
  }
}

std::string text_of(const pugi::xml_node& node) {
  return std::string(trim(node.child_value()));
}

long parse_long(const Context& ctx, const pugi::xml_node& node, std::string_view field, std::string_view text) {
  long value = 0;
  const auto* first = text.data();
  const auto* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last || text.empty())
    throw Error(ErrorCode::input_invalid,
                located(ctx.source, ctx.line(node), field, "not an integer: \"" + std::string(text) + "\""));
  return value;
}

UtcTime parse_time(const Context& ctx, const pugi::xml_node& node, std::string_view field, const std::string& text) {
  try {
    return parse_iso8601(text);
  } catch (const Error& e) {
    throw Error(ErrorCode::input_invalid, located(ctx.source, ctx.line(node), field, e.what()));
  }
}

geo::Ring parse_coordinates(const Context& ctx, const pugi::xml_node& node) {
  geo::Ring ring;
  std::istringstream in(node.child_value());
  std::string tuple;
  while (in >> tuple) {
    double v[3] = {0, 0, 0};
    int n = 0;
    std::string_view rest(tuple);
    while (!rest.empty() && n < 3) {
      const auto comma = rest.find(',');
      const auto part = rest.substr(0, comma);
      const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v[n]);
      if (ec != std::errc{} || ptr != part.data() + part.size())
        throw Error(ErrorCode::input_invalid,
                    located(ctx.source, ctx.line(node), "coordinates", "bad number in \"" + tuple + "\""));
      ++n;
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    if (n < 2 || v[0] < -360 || v[0] > 360 || v[1] < -90 || v[1] > 90)
      throw Error(ErrorCode::input_invalid,
                  located(ctx.source, ctx.line(node), "coordinates", "bad lon,lat tuple \"" + tuple + "\""));
    ring.push_back({v[0], v[1]});
  }
  if (ring.size() < 4)
    throw Error(ErrorCode::input_invalid,
                located(ctx.source, ctx.line(node), "coordinates", "a ring needs at least 4 positions"));
  return ring;
}

Datatake parse_placemark(const Context& ctx, const pugi::xml_node& pm, const std::vector<std::string>& folders) {
  Datatake d;
  d.line = ctx.line(pm);
  std::vector<std::pair<std::string, pugi::xml_node>> data;
  if (auto ext = child(pm, "ExtendedData"))
    for (auto c : ext.children())
      if (c.type() == pugi::node_element && local_name(c.name()) == "Data")
        data.emplace_back(c.attribute("name").value(), c);
  auto find = [&](std::string_view name) -> const pugi::xml_node* {
    for (const auto& [n, node] : data)
      if (n == name) return &node;
    return nullptr;
  };
  auto value = [&](std::string_view name) -> std::string {
    const auto* node = find(name);
    return node ? text_of(child(*node, "value")) : std::string();
  };
  auto require = [&](std::string_view name) -> std::pair<std::string, pugi::xml_node> {
    const auto* node = find(name);
    if (!node) throw Error(ErrorCode::input_invalid, located(ctx.source, d.line, name, "missing in ExtendedData"));
    auto v = text_of(child(*node, "value"));
    if (v.empty()) throw Error(ErrorCode::input_invalid, located(ctx.source, ctx.line(*node), name, "empty"));
    return {v, *node};
  };

  d.id = value("ID");
  if (d.id.empty()) d.id = text_of(child(pm, "name"));
  if (d.id.empty())
    throw Error(ErrorCode::input_invalid, located(ctx.source, d.line, "ID", "missing (no ID and no name)"));
  // Folders are satellite / Mode / Timeliness; the satellite level may be missing.
  std::size_t mode_level = 0;
  for (std::size_t i = 0; i < folders.size(); ++i)
    if (!normalize_s2_satellite(folders[i]).empty()) {
      mode_level = i + 1;
      break;
    }
  d.timeliness = value("Timeliness");
  if (d.timeliness.empty() && folders.size() > mode_level + 1) d.timeliness = folders[mode_level + 1];
  d.station = value("Station");
  d.mode = value("Mode");
  if (d.mode.empty() && folders.size() > mode_level) d.mode = folders[mode_level];
  if (d.mode.empty())
    throw Error(ErrorCode::input_invalid, located(ctx.source, d.line, "Mode", "missing (no Mode and no mode folder)"));

  // Satellite: a folder named after it, else the style ("S2A_NOBS_NOMINAL1"), else the file
  // name ("Sentinel-2A_MP_ACQ_KML_...").
  for (const auto& f : folders)
    if (d.satellite.empty()) d.satellite = normalize_s2_satellite(f);
  if (d.satellite.empty()) {
    std::string style = text_of(child(pm, "styleUrl"));
    if (!style.empty() && style.front() == '#') style.erase(0, 1);
    d.satellite = normalize_s2_satellite(style);
  }
  if (d.satellite.empty()) d.satellite = normalize_s2_satellite(std::filesystem::path(ctx.source).filename().string());
  if (d.satellite.empty())
    throw Error(ErrorCode::input_invalid,
                located(ctx.source, d.line, "satellite", "no S2A/S2B/S2C folder, style or file name"));

  const auto span = child(pm, "TimeSpan");
  auto time_field = [&](std::string_view field, std::string_view span_child) {
    if (const auto* node = find(field)) {
      const auto v = text_of(child(*node, "value"));
      if (!v.empty()) return parse_time(ctx, *node, field, v);
    }
    if (span) {
      const auto n = child(span, span_child);
      const auto v = text_of(n);
      if (!v.empty()) return parse_time(ctx, n, field, v);
    }
    throw Error(ErrorCode::input_invalid,
                located(ctx.source, d.line, field, "missing (no ExtendedData value and no TimeSpan)"));
  };
  d.start = time_field("ObservationTimeStart", "begin");
  d.stop = time_field("ObservationTimeStop", "end");
  if (d.stop < d.start)
    throw Error(ErrorCode::input_invalid,
                located(ctx.source, d.line, "ObservationTimeStop", "before ObservationTimeStart"));
  if (const auto* node = find("ObservationDuration"); node && !text_of(child(*node, "value")).empty())
    d.duration_ms = parse_long(ctx, *node, "ObservationDuration", text_of(child(*node, "value")));
  else
    d.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(d.stop - d.start).count();
  {
    const auto [v, node] = require("OrbitAbsolute");
    d.orbit_absolute = parse_long(ctx, node, "OrbitAbsolute", v);
    if (d.orbit_absolute <= 0)
      throw Error(ErrorCode::input_invalid, located(ctx.source, ctx.line(node), "OrbitAbsolute", "must be positive"));
  }
  {
    const auto [v, node] = require("OrbitRelative");
    const long rel = parse_long(ctx, node, "OrbitRelative", v);
    if (rel < 1 || rel > 143)
      throw Error(ErrorCode::input_invalid,
                  located(ctx.source, ctx.line(node), "OrbitRelative", "outside 1..143: " + v));
    d.orbit_relative = static_cast<int>(rel);
  }
  if (const auto* node = find("Scenes"); node && !text_of(child(*node, "value")).empty())
    d.scenes = static_cast<int>(parse_long(ctx, *node, "Scenes", text_of(child(*node, "value"))));

  // Outer rings of every Polygon (a MultiGeometry may hold several); holes do not occur in
  // ESA plans and would not change which tiles a swath touches much, so they are ignored.
  for_each_descendant(pm, "Polygon", [&](const pugi::xml_node& poly) {
    const auto outer = child(poly, "outerBoundaryIs");
    const auto ring = outer ? child(outer, "LinearRing") : pugi::xml_node{};
    const auto coords = ring ? child(ring, "coordinates") : pugi::xml_node{};
    if (!coords)
      throw Error(ErrorCode::input_invalid,
                  located(ctx.source, ctx.line(poly), "Polygon", "no outerBoundaryIs/LinearRing/coordinates"));
    d.swaths.push_back(parse_coordinates(ctx, coords));
  });
  if (d.swaths.empty()) throw Error(ErrorCode::input_invalid, located(ctx.source, d.line, "Polygon", "missing"));
  return d;
}

void walk(const Context& ctx, const pugi::xml_node& node, std::vector<std::string>& folders,
          std::vector<Datatake>& out) {
  for (auto c : node.children()) {
    if (c.type() != pugi::node_element) continue;
    const auto name = local_name(c.name());
    if (name == "Folder") {
      folders.push_back(text_of(child(c, "name")));
      walk(ctx, c, folders, out);
      folders.pop_back();
    } else if (name == "Placemark") {
      out.push_back(parse_placemark(ctx, c, folders));
    } else if (name == "Document" || name == "kml") {
      walk(ctx, c, folders, out);
    }
  }
}

}  // namespace

std::string normalize_s2_satellite(std::string_view text) {
  const std::string t = lower(trim(text));
  std::string_view rest(t);
  if (rest.starts_with("sentinel")) {
    rest.remove_prefix(8);
    if (!rest.empty() && (rest.front() == '-' || rest.front() == '_' || rest.front() == ' ')) rest.remove_prefix(1);
    if (!rest.starts_with("2")) return "";
    rest.remove_prefix(1);
  } else if (rest.starts_with("s2")) {
    rest.remove_prefix(2);
  } else {
    return "";
  }
  if (rest.empty()) return "";
  const char unit = rest.front();
  if (unit < 'a' || unit > 'd') return "";
  if (rest.size() > 1 && std::isalnum(static_cast<unsigned char>(rest[1]))) return "";
  return std::string("S2") + static_cast<char>(std::toupper(static_cast<unsigned char>(unit)));
}

std::vector<Datatake> parse_esa_plan_kml(std::string_view bytes, const std::string& source) {
  const std::string text = to_utf8(bytes, source);
  pugi::xml_document doc;
  const auto result = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result)
    throw Error(ErrorCode::input_invalid, located(source, line_of(text, result.offset), "xml",
                                                  std::string("not well-formed XML: ") + result.description()));
  const auto root = doc.document_element();
  if (local_name(root.name()) != "kml")
    throw Error(ErrorCode::input_invalid,
                located(source, 1, "kml", "root element is <" + std::string(root.name()) + ">, not <kml>"));
  const Context ctx(source, text);
  std::vector<Datatake> out;
  std::vector<std::string> folders;
  walk(ctx, root, folders, out);
  return out;
}

std::vector<Datatake> read_esa_plan_kml(const std::filesystem::path& path) {
  return parse_esa_plan_kml(read_input_file(path, "ESA plan KML"), path.string());
}

}  // namespace shipchips::plan
