#pragma once
// Internal to the config loader: the one table of keys (config_schema.cpp) and the typed value
// parsers it is built from (config_values.cpp). A key, its type, its rules and its place in the
// Config struct are written once; the YAML reader, the environment overrides and the dumps all
// walk the same table, so they cannot disagree.

#include "core/config.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace shipchips::config_detail {

// A value as written, before typing: from a YAML node or from an environment variable.
struct RawValue {
  enum class Kind { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  std::string text;       // scalar text
  bool quoted = false;    // YAML '...' or "..." (a string, never a number or bool)
  bool from_env = false;  // environment text: lists may be written "a,b" or "[a, b]"
  long line = 0;          // 1-based; 0 when unknown
  std::vector<RawValue> items;
};

// Thrown by parsers; the loader adds file, line (item line if set) and key.
struct ValueError {
  std::string message;
  long line = 0;
};

template <class T>
using Parser = std::function<T(const RawValue&)>;

struct FieldSpec {
  std::string section;
  std::string key;  // may be nested: "layout.qa_report"
  std::function<void(Config&, const RawValue&)> set;
  std::function<nlohmann::json(const Config&)> get;

  std::string full_key() const { return section + "." + key; }
  std::string env_name() const;
};

const std::vector<FieldSpec>& config_fields();
const std::vector<std::string>& config_sections();

// Enum spellings (one table per enum, tag-dispatched on a value of the enum).
std::span<const std::pair<PlannerMode, std::string_view>> enum_names(PlannerMode);
std::span<const std::pair<StacProvider, std::string_view>> enum_names(StacProvider);
std::span<const std::pair<ResampleMethod, std::string_view>> enum_names(ResampleMethod);
std::span<const std::pair<Compression, std::string_view>> enum_names(Compression);
std::span<const std::pair<Predictor, std::string_view>> enum_names(Predictor);
std::span<const std::pair<SplitGroup, std::string_view>> enum_names(SplitGroup);
std::span<const std::pair<LogLevel, std::string_view>> enum_names(LogLevel);

std::string describe(const RawValue& v);  // "the string \"x\"", "a list", "nothing", ...

Parser<int> integer(long lo, long hi);
// lo_open: the lower bound itself is not allowed (e.g. "> 0").
Parser<double> real(double lo, double hi, bool lo_open = false);
Parser<bool> boolean();
Parser<std::string> text(bool allow_empty);
Parser<std::string> url(std::vector<std::string> schemes, bool allow_empty);
Parser<std::string> size_text(std::uint64_t min_bytes);
// A path below the dataset root: relative, no "..", only the given {placeholders}.
Parser<std::string> relative_path(std::vector<std::string> placeholders);
Parser<std::vector<std::string>> string_list(std::function<std::string(const std::string&)> item, bool allow_empty);
Parser<std::vector<int>> int_list(long lo, long hi, bool allow_empty, bool increasing);

template <class E>
Parser<E> choice() {
  return [](const RawValue& v) -> E {
    std::string options;
    for (const auto& [value, name] : enum_names(E{})) {
      if (v.kind == RawValue::Kind::scalar && v.text == name) return value;
      if (!options.empty()) options += ", ";
      options += name;
    }
    throw ValueError{"must be one of " + options + ", got " + describe(v)};
  };
}

template <class E>
std::string_view enum_to_string(E value) {
  for (const auto& [v, name] : enum_names(E{})) {
    if (v == value) return name;
  }
  return "?";
}

// Closest known name within edit distance 2, or "".
std::string closest_name(const std::string& name, const std::vector<std::string>& known);

}  // namespace shipchips::config_detail
