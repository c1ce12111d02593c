// Typed value parsers for the config loader. They are strict on purpose: a quoted "20" is a
// string, not a number, and "1e3" is not an integer, so a typo cannot silently change meaning.
#include "core/config_schema.hpp"
#include "core/error.hpp"
#include "core/utf8.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

namespace shipchips {
namespace config_detail {
namespace {

constexpr std::array<std::pair<PlannerMode, std::string_view>, 4> kPlannerModes{{{PlannerMode::automatic, "auto"},
                                                                                 {PlannerMode::esa_plan, "esa_plan"},
                                                                                 {PlannerMode::tle, "tle"},
                                                                                 {PlannerMode::backfill, "backfill"}}};
constexpr std::array<std::pair<StacProvider, std::string_view>, 3> kProviders{
    {{StacProvider::earth_search_l2a, "earth_search_l2a"},
     {StacProvider::earth_search_c1_l2a, "earth_search_c1_l2a"},
     {StacProvider::planetary_computer, "planetary_computer"}}};
// GDAL calls bicubic "cubic"; the seed's config says "bicubic", so that is the spelling here.
constexpr std::array<std::pair<ResampleMethod, std::string_view>, 6> kResample{
    {{ResampleMethod::nearest, "nearest"},
     {ResampleMethod::bilinear, "bilinear"},
     {ResampleMethod::bicubic, "bicubic"},
     {ResampleMethod::cubic_spline, "cubicspline"},
     {ResampleMethod::lanczos, "lanczos"},
     {ResampleMethod::average, "average"}}};
constexpr std::array<std::pair<Compression, std::string_view>, 4> kCompression{{{Compression::deflate, "deflate"},
                                                                                {Compression::zstd, "zstd"},
                                                                                {Compression::lzw, "lzw"},
                                                                                {Compression::none, "none"}}};
constexpr std::array<std::pair<Predictor, std::string_view>, 2> kPredictor{
    {{Predictor::none, "none"}, {Predictor::floating_point, "floating_point"}}};
constexpr std::array<std::pair<SplitGroup, std::string_view>, 3> kSplitGroups{
    {{SplitGroup::mmsi, "mmsi"}, {SplitGroup::scene, "scene"}, {SplitGroup::chip, "chip"}}};
constexpr std::array<std::pair<LogLevel, std::string_view>, 7> kLogLevels{{{LogLevel::trace, "trace"},
                                                                           {LogLevel::debug, "debug"},
                                                                           {LogLevel::info, "info"},
                                                                           {LogLevel::warn, "warn"},
                                                                           {LogLevel::error, "error"},
                                                                           {LogLevel::critical, "critical"},
                                                                           {LogLevel::off, "off"}}};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view s) {
  const auto* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

std::string format_number(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

// A scalar that may be read as a number or bool: plain YAML or environment text.
const std::string& untyped_scalar(const RawValue& v, const char* expected) {
  if (v.kind != RawValue::Kind::scalar || (v.quoted && !v.from_env)) {
    throw ValueError{std::string("expected ") + expected + ", got " + describe(v)};
  }
  return v.text;
}

// The elements of a list value; environment text may be "a,b" or "[a, b]".
std::vector<RawValue> list_items(const RawValue& v) {
  if (v.kind == RawValue::Kind::sequence) return v.items;
  if (v.from_env && v.kind == RawValue::Kind::scalar) {
    std::string t = trim(v.text);
    if (!t.empty() && t.front() == '[') {
      if (t.back() != ']') throw ValueError{"list starts with '[' but does not end with ']'"};
      t = t.substr(1, t.size() - 2);
    }
    std::vector<RawValue> out;
    if (trim(t).empty()) return out;
    std::stringstream ss(t);
    std::string part;
    while (std::getline(ss, part, ',')) {
      RawValue item;
      item.kind = RawValue::Kind::scalar;
      item.from_env = true;
      item.text = trim(part);
      if (item.text.size() >= 2 && (item.text.front() == '"' || item.text.front() == '\'') &&
          item.text.back() == item.text.front()) {
        item.text = item.text.substr(1, item.text.size() - 2);
      }
      out.push_back(std::move(item));
    }
    return out;
  }
  throw ValueError{"expected a list, got " + describe(v)};
}

}  // namespace

std::span<const std::pair<PlannerMode, std::string_view>> enum_names(PlannerMode) {
  return kPlannerModes;
}
std::span<const std::pair<StacProvider, std::string_view>> enum_names(StacProvider) {
  return kProviders;
}
std::span<const std::pair<ResampleMethod, std::string_view>> enum_names(ResampleMethod) {
  return kResample;
}
std::span<const std::pair<Compression, std::string_view>> enum_names(Compression) {
  return kCompression;
}
std::span<const std::pair<Predictor, std::string_view>> enum_names(Predictor) {
  return kPredictor;
}
std::span<const std::pair<SplitGroup, std::string_view>> enum_names(SplitGroup) {
  return kSplitGroups;
}
std::span<const std::pair<LogLevel, std::string_view>> enum_names(LogLevel) {
  return kLogLevels;
}

std::string describe(const RawValue& v) {
  switch (v.kind) {
    case RawValue::Kind::null:
      return "nothing";
    case RawValue::Kind::sequence:
      return "a list";
    case RawValue::Kind::mapping:
      return "a mapping";
    case RawValue::Kind::scalar:
      break;
  }
  if (v.quoted) return "the string \"" + v.text + "\"";
  return "\"" + v.text + "\"";
}

Parser<int> integer(long lo, long hi) {
  return [lo, hi](const RawValue& v) -> int {
    const std::string& t = untyped_scalar(v, "an integer");
    std::string_view s = t;
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    long value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
      throw ValueError{"expected an integer, got " + describe(v)};
    }
    if (value < lo || value > hi) {
      throw ValueError{"must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + t};
    }
    return static_cast<int>(value);
  };
}

Parser<double> real(double lo, double hi, bool lo_open) {
  return [lo, hi, lo_open](const RawValue& v) -> double {
    const std::string& t = untyped_scalar(v, "a number");
    std::string_view s = t;
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
      throw ValueError{"expected a number, got " + describe(v)};
    }
    if ((lo_open ? value <= lo : value < lo) || value > hi) {
      std::string range = lo_open ? "must be greater than " + format_number(lo) + " and at most " + format_number(hi)
                                  : "must be between " + format_number(lo) + " and " + format_number(hi);
      throw ValueError{range + ", got " + t};
    }
    return value;
  };
}

Parser<bool> boolean() {
  return [](const RawValue& v) -> bool {
    std::string t = lower(untyped_scalar(v, "true or false"));
    if (t == "true" || t == "yes" || t == "on" || (v.from_env && t == "1")) return true;
    if (t == "false" || t == "no" || t == "off" || (v.from_env && t == "0")) return false;
    throw ValueError{"expected true or false, got " + describe(v)};
  };
}

Parser<std::string> text(bool allow_empty) {
  return [allow_empty](const RawValue& v) -> std::string {
    if (v.kind == RawValue::Kind::null && allow_empty) return "";
    if (v.kind != RawValue::Kind::scalar) throw ValueError{"expected text, got " + describe(v)};
    if (!allow_empty && trim(v.text).empty()) throw ValueError{"must not be empty"};
    // The value is printed in JSON (doctor --show-config, run manifests), which needs UTF-8.
    if (!is_valid_utf8(v.text)) throw ValueError{"is not valid UTF-8 text"};
    return v.text;
  };
}

Parser<std::string> url(std::vector<std::string> schemes, bool allow_empty) {
  return [schemes, allow_empty](const RawValue& v) -> std::string {
    std::string t = text(allow_empty)(v);
    if (t.empty()) return t;
    std::string allowed;
    for (const auto& s : schemes) allowed += (allowed.empty() ? "" : ", ") + s + "://";
    auto sep = t.find("://");
    if (sep == std::string::npos) throw ValueError{"not a URL (expected " + allowed + "), got \"" + t + "\""};
    std::string scheme = lower(t.substr(0, sep));
    if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
      throw ValueError{"URL scheme must be " + allowed + ", got \"" + t + "\""};
    }
    std::string rest = t.substr(sep + 3);
    std::string host = rest.substr(0, rest.find_first_of("/?#"));
    if (host.empty()) throw ValueError{"URL has no host: \"" + t + "\""};
    if (t.find_first_of(" \t\r\n") != std::string::npos) throw ValueError{"URL contains whitespace: \"" + t + "\""};
    return t;
  };
}

Parser<std::string> size_text(std::uint64_t min_bytes) {
  return [min_bytes](const RawValue& v) -> std::string {
    std::string t = text(false)(v);
    std::uint64_t bytes = 0;
    try {
      bytes = parse_size(t);
    } catch (const Error& e) {
      throw ValueError{e.what()};
    }
    if (bytes < min_bytes) {
      throw ValueError{"must be at least " + std::to_string(min_bytes) + " bytes, got \"" + t + "\""};
    }
    return t;
  };
}

Parser<std::string> relative_path(std::vector<std::string> placeholders) {
  return [placeholders](const RawValue& v) -> std::string {
    std::string t = text(false)(v);
    if (t.front() == '/' || t.front() == '\\')
      throw ValueError{"must be relative to storage.dataset_root, got \"" + t + "\""};
    std::stringstream parts(t);
    std::string part;
    while (std::getline(parts, part, '/')) {
      if (part == "..") throw ValueError{"must stay inside storage.dataset_root (no \"..\"), got \"" + t + "\""};
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '}') throw ValueError{"unbalanced '}' in \"" + t + "\""};
      if (t[i] != '{') continue;
      auto close = t.find('}', i);
      if (close == std::string::npos) throw ValueError{"unbalanced '{' in \"" + t + "\""};
      std::string name = t.substr(i + 1, close - i - 1);
      if (std::find(placeholders.begin(), placeholders.end(), name) == placeholders.end()) {
        std::string allowed;
        for (const auto& p : placeholders) allowed += (allowed.empty() ? "{" : ", {") + p + "}";
        throw ValueError{"unknown placeholder {" + name + "}" +
                         (allowed.empty() ? std::string(" (none allowed here)") : " (allowed: " + allowed + ")")};
      }
      i = close;
    }
    return t;
  };
}

Parser<std::vector<std::string>> string_list(std::function<std::string(const std::string&)> item, bool allow_empty) {
  return [item, allow_empty](const RawValue& v) -> std::vector<std::string> {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& element : list_items(v)) {
      if (element.kind != RawValue::Kind::scalar) {
        throw ValueError{"list items must be text, got " + describe(element), element.line};
      }
      if (!is_valid_utf8(element.text)) throw ValueError{"list item is not valid UTF-8 text", element.line};
      std::string value;
      try {
        value = item(element.text);
      } catch (const std::string& why) {
        throw ValueError{why, element.line};
      }
      if (!seen.insert(value).second) throw ValueError{"\"" + value + "\" is listed twice", element.line};
      out.push_back(std::move(value));
    }
    if (out.empty() && !allow_empty) throw ValueError{"must list at least one item"};
    return out;
  };
}

Parser<std::vector<int>> int_list(long lo, long hi, bool allow_empty, bool increasing) {
  return [=](const RawValue& v) -> std::vector<int> {
    std::vector<int> out;
    for (const auto& element : list_items(v)) {
      int value = 0;
      try {
        value = integer(lo, hi)(element);
      } catch (ValueError& e) {
        e.message = "list item: " + e.message;
        e.line = element.line;
        throw;
      }
      if (std::find(out.begin(), out.end(), value) != out.end()) {
        throw ValueError{std::to_string(value) + " is listed twice", element.line};
      }
      if (increasing && !out.empty() && value < out.back()) {
        throw ValueError{
            "must be in increasing order (" + std::to_string(value) + " after " + std::to_string(out.back()) + ")",
            element.line};
      }
      out.push_back(value);
    }
    if (out.empty() && !allow_empty) throw ValueError{"must list at least one item"};
    return out;
  };
}

std::string closest_name(const std::string& name, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& candidate : known) {
    std::vector<std::size_t> prev(candidate.size() + 1), cur(candidate.size() + 1);
    for (std::size_t j = 0; j <= candidate.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= name.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= candidate.size(); ++j) {
        std::size_t substitution = prev[j - 1] + (name[i - 1] == candidate[j - 1] ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitution});
      }
      std::swap(prev, cur);
    }
    if (prev[candidate.size()] < best_distance) {
      best_distance = prev[candidate.size()];
      best = candidate;
    }
  }
  return best;
}

}  // namespace config_detail

std::string_view to_string(PlannerMode v) {
  return config_detail::enum_to_string(v);
}
std::string_view to_string(StacProvider v) {
  return config_detail::enum_to_string(v);
}
std::string_view to_string(ResampleMethod v) {
  return config_detail::enum_to_string(v);
}
std::string_view to_string(Compression v) {
  return config_detail::enum_to_string(v);
}
std::string_view to_string(Predictor v) {
  return config_detail::enum_to_string(v);
}
std::string_view to_string(SplitGroup v) {
  return config_detail::enum_to_string(v);
}
std::string_view to_string(LogLevel v) {
  return config_detail::enum_to_string(v);
}

StacRelaxStep parse_stac_relax_step(const std::string& text) {
  StacRelaxStep step;
  step.text = config_detail::trim(text);
  auto fail = [&](const std::string& why) {
    throw Error(ErrorCode::config_invalid, "relaxation step \"" + step.text + "\": " + why +
                                               " (write key=value[,key=value] with cloud_cover_max 0..100 "
                                               "and/or search_window_hours > 0)");
  };
  if (step.text.empty()) fail("is empty");
  std::stringstream parts(step.text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    const auto eq = part.find('=');
    if (eq == std::string::npos) fail("\"" + config_detail::trim(part) + "\" has no '='");
    const std::string key = config_detail::trim(part.substr(0, eq));
    const std::string number = config_detail::trim(part.substr(eq + 1));
    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value))
      fail(key + ": \"" + number + "\" is not a number");
    double* target = nullptr;
    if (key == "cloud_cover_max") {
      if (value < 0 || value > 100) fail("cloud_cover_max must be within 0..100");
      target = &step.cloud_cover_max;
    } else if (key == "search_window_hours") {
      if (value <= 0 || value > 24 * 60) fail("search_window_hours must be within (0, 1440]");
      target = &step.search_window_hours;
    } else {
      fail("unknown key \"" + key + "\"");
    }
    if (*target >= 0) fail(key + " is given twice");
    *target = value;
  }
  return step;
}

std::uint64_t parse_size(std::string_view text) {
  std::string t = config_detail::trim(text);
  std::size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  std::string number = t.substr(0, i);
  std::string unit = config_detail::lower(config_detail::trim(t.substr(i)));
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size()) {
    throw Error(ErrorCode::invalid_argument,
                "size \"" + std::string(text) + "\" is not a number with a unit such as \"10 MB\" or \"512 KiB\"");
  }
  static const std::array<std::pair<std::string_view, double>, 11> units{{{"", 1.0},
                                                                          {"b", 1.0},
                                                                          {"k", 1e3},
                                                                          {"kb", 1e3},
                                                                          {"kib", 1024.0},
                                                                          {"m", 1e6},
                                                                          {"mb", 1e6},
                                                                          {"mib", 1048576.0},
                                                                          {"g", 1e9},
                                                                          {"gb", 1e9},
                                                                          {"gib", 1073741824.0}}};
  for (const auto& [name, factor] : units) {
    if (unit != name) continue;
    double bytes = std::round(value * factor);
    if (bytes > static_cast<double>(std::numeric_limits<std::int64_t>::max())) {
      throw Error(ErrorCode::invalid_argument, "size \"" + std::string(text) + "\" is too large");
    }
    return static_cast<std::uint64_t>(bytes);
  }
  throw Error(ErrorCode::invalid_argument, "size \"" + std::string(text) + "\" has an unknown unit \"" + unit +
                                               "\" (use B, KB, MB, GB, KiB, MiB or GiB)");
}

}  // namespace shipchips
