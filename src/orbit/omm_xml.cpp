// OMM in CCSDS NDM/XML (see omm.hpp): every <segment> is one element set; its keywords are the
// child elements of <metadata>, <data><meanElements> and <data><tleParameters>, the same
// keywords the CSV and JSON forms use as column / member names, so detail::make_omm applies
// the same units and checks to all three.
#include "orbit/omm.hpp"

#include "core/error.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

namespace shipchips::orbit {
namespace {

// Namespace prefixes ("ndm:segment") do not change what an element means.
std::string_view local_name(const char* name) {
  std::string_view n(name);
  const std::size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

long line_of(std::string_view text, std::ptrdiff_t offset) {
  if (offset < 0) return 0;
  const auto end = text.begin() + std::min<std::ptrdiff_t>(offset, static_cast<std::ptrdiff_t>(text.size()));
  return 1 + static_cast<long>(std::count(text.begin(), end, '\n'));
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  return {};
}

template <typename F>
void for_each_element(const pugi::xml_node& node, std::string_view name, F&& f) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (local_name(c.name()) == name)
      f(c);
    else
      for_each_element(c, name, f);
  }
}

struct Field {
  std::string text;
  long line = 0;
};

}  // namespace

std::vector<Omm> parse_omm_xml(std::string_view text, std::string_view source) {
  pugi::xml_document doc;
  // parse_default keeps the buffer offsets that offset_debug() turns into line numbers.
  const pugi::xml_parse_result parsed =
      doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed) {
    throw Error(ErrorCode::input_invalid, located(source, line_of(text, parsed.offset), "xml", parsed.description()));
  }
  std::vector<Omm> out;
  for_each_element(doc, "segment", [&](const pugi::xml_node& segment) {
    const long segment_line = line_of(text, segment.offset_debug());
    const pugi::xml_node metadata = child(segment, "metadata");
    const pugi::xml_node data = child(segment, "data");
    if (!metadata)
      throw Error(ErrorCode::input_invalid, located(source, segment_line, "metadata", "missing in <segment>"));
    if (!data) throw Error(ErrorCode::input_invalid, located(source, segment_line, "data", "missing in <segment>"));
    const pugi::xml_node mean = child(data, "meanElements");
    const pugi::xml_node tle = child(data, "tleParameters");
    if (!mean)
      throw Error(ErrorCode::input_invalid,
                  located(source, line_of(text, data.offset_debug()), "meanElements", "missing in <data>"));

    std::map<std::string, Field, std::less<>> fields;
    for (const pugi::xml_node& group : {metadata, mean, tle}) {
      if (!group) continue;  // tleParameters is optional in CCSDS; make_omm then names what is missing
      for (pugi::xml_node c = group.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        fields[std::string(local_name(c.name()))] = Field{trimmed(c.child_value()), line_of(text, c.offset_debug())};
      }
    }
    // Mean elements of another theory (e.g. Celestrak's "SGP4-XP") are not SGP4's: propagating
    // them with SGP4 gives wrong positions without any error, so refuse them here.
    if (const auto it = fields.find("MEAN_ELEMENT_THEORY"); it != fields.end() && !it->second.text.empty()) {
      std::string theory = it->second.text;
      std::transform(theory.begin(), theory.end(), theory.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      if (theory != "SGP4" && theory != "SGP/SGP4")
        throw Error(ErrorCode::input_invalid,
                    located(source, it->second.line, "MEAN_ELEMENT_THEORY", "'" + it->second.text + "' is not SGP4"));
    }

    detail::OmmRecord r;
    r.fail = [&](std::string_view name, std::string_view msg) {
      const auto it = fields.find(name);
      throw Error(ErrorCode::input_invalid,
                  located(source, it == fields.end() ? segment_line : it->second.line, name, msg));
    };
    r.text = [&](std::string_view name) -> std::optional<std::string> {
      const auto it = fields.find(name);
      if (it == fields.end()) return std::nullopt;
      return it->second.text;
    };
    r.number = [&](std::string_view name) -> std::optional<double> {
      const auto it = fields.find(name);
      if (it == fields.end() || it->second.text.empty()) return std::nullopt;
      return detail::parse_number_text(r, name, it->second.text);
    };
    out.push_back(detail::make_omm(r, segment_line));
  });
  if (out.empty()) {
    throw Error(ErrorCode::input_invalid, located(source, 1, "segment", "no OMM <segment> in the XML document"));
  }
  return out;
}

}  // namespace shipchips::orbit
