// Reading config.yaml and SHIPCHIPS_* overrides through the key table of config_schema.cpp,
// then the rules that tie keys together; and the dumps of the effective configuration.
#include "core/config.hpp"
#include "core/config_schema.hpp"
#include "core/error.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

extern char** environ;

namespace shipchips {
namespace {

using config_detail::FieldSpec;
using config_detail::RawValue;
using config_detail::ValueError;

struct Origin {
  std::string where;  // file name or environment variable
  long line = 0;
  bool env = false;
};

RawValue raw_of(const YAML::Node& node) {
  RawValue v;
  v.line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      v.kind = RawValue::Kind::null;
      break;
    case YAML::NodeType::Scalar:
      v.kind = RawValue::Kind::scalar;
      v.text = node.Scalar();
      // yaml-cpp tags plain scalars "?" and quoted ones "!"; an explicit tag also means "as written".
      v.quoted = !(node.Tag().empty() || node.Tag() == "?");
      break;
    case YAML::NodeType::Sequence:
      v.kind = RawValue::Kind::sequence;
      for (const auto& item : node) v.items.push_back(raw_of(item));
      break;
    case YAML::NodeType::Map:
      v.kind = RawValue::Kind::mapping;
      break;
  }
  return v;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

class Loader {
 public:
  explicit Loader(std::string file_name) : m_file(std::move(file_name)) {}

  void read_yaml(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      throw Error(ErrorCode::config_invalid, located(m_file, e.mark.line + 1, "", "YAML syntax error: " + e.msg));
    }
    if (root.IsNull()) return;  // an empty file: every key keeps its default
    if (!root.IsMap()) {
      throw Error(ErrorCode::config_invalid,
                  located(m_file, line_of(root), "", "the top level must be a mapping of sections"));
    }
    const auto& sections = config_detail::config_sections();
    std::set<std::string> seen;
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string name = key_text(it->first, "");
      long line = line_of(it->first);
      if (!seen.insert(name).second) fail_at(line, name, "duplicate section");
      if (std::find(sections.begin(), sections.end(), name) == sections.end()) {
        std::string hint = config_detail::closest_name(name, sections);
        fail_at(line, name, "unknown section" + (hint.empty() ? "" : " (did you mean " + hint + "?)"));
      }
      m_origins[name] = {m_file, line, false};
      if (it->second.IsNull()) continue;
      if (!it->second.IsMap()) fail_at(line, name, "expected a mapping of keys, got " + describe_node(it->second));
      walk(it->second, name, "");
    }
  }

  void apply_env(const EnvMap& env) {
    const auto& fields = config_detail::config_fields();
    for (const auto& entry : env) {
      // Not a structured binding: clang before 16 cannot capture one in the lambda below.
      const std::string& name = entry.first;
      const std::string& value = entry.second;
      if (name.rfind("SHIPCHIPS_", 0) != 0) continue;
      auto field = std::find_if(fields.begin(), fields.end(), [&](const FieldSpec& f) { return f.env_name() == name; });
      if (field != fields.end()) {
        RawValue v;
        v.kind = RawValue::Kind::scalar;
        v.text = value;
        v.from_env = true;
        try {
          field->set(m_config, v);
        } catch (const ValueError& e) {
          throw Error(ErrorCode::config_invalid, located(name, 0, field->full_key(), e.message));
        }
        m_origins[field->full_key()] = {name, 0, true};
        continue;
      }
      for (const auto& section : config_detail::config_sections()) {
        std::string prefix = "SHIPCHIPS_" + upper(section) + "_";
        if (name.rfind(prefix, 0) != 0) continue;
        std::vector<std::string> known;
        for (const auto& f : fields) known.push_back(f.env_name());
        std::string hint = config_detail::closest_name(name, known);
        throw Error(ErrorCode::config_invalid, located(name, 0, "",
                                                       "no such setting in section " + section +
                                                           (hint.empty() ? "" : " (did you mean " + hint + "?)")));
      }
    }
  }

  void check_cross_rules() {
    const Config& c = m_config;
    double sum = c.splits.train + c.splits.val + c.splits.test;
    if (std::fabs(sum - 1.0) > 1e-6) {
      std::ostringstream os;
      os << "train + val + test must sum to 1, got " << c.splits.train << " + " << c.splits.val << " + "
         << c.splits.test << " = " << sum;
      fail_origin({"splits.train", "splits.val", "splits.test"}, "splits", os.str());
    }
    if (c.gate.center_window_px > c.tiling.chip_size_px) {
      fail_origin({"gate.center_window_px"}, "gate.center_window_px",
                  "must not exceed tiling.chip_size_px (" + std::to_string(c.tiling.chip_size_px) + "), got " +
                      std::to_string(c.gate.center_window_px));
    }
    if (c.gate.enabled && !c.masks.use_scl && !c.masks.use_ndwi) {
      fail_origin(
          {"masks.use_scl", "masks.use_ndwi", "gate.enabled"}, "masks.use_ndwi",
          "the gate needs SCL or NDWI: with masks.use_scl false, masks.use_ndwi must be true (or gate.enabled false)");
    }
    if (c.tiling.block_size % 16 != 0) {
      fail_origin({"tiling.block_size"}, "tiling.block_size",
                  "must be a multiple of 16 (a GeoTIFF rule), got " + std::to_string(c.tiling.block_size));
    }
    if (c.tiling.compression == Compression::deflate && c.tiling.compression_level > 12) {
      fail_origin({"tiling.compression_level", "tiling.compression"}, "tiling.compression_level",
                  "DEFLATE levels are 1..12 (0: GDAL's default), got " + std::to_string(c.tiling.compression_level));
    }
    if (c.ops.max_backoff_hours * 60.0 < c.ops.initial_backoff_min) {
      fail_origin({"ops.max_backoff_hours", "ops.initial_backoff_min"}, "ops.max_backoff_hours",
                  "must not be shorter than ops.initial_backoff_min");
    }
    if (c.ais.reconnect_max_backoff_s < c.ais.reconnect_initial_backoff_s) {
      fail_origin({"ais.reconnect_max_backoff_s", "ais.reconnect_initial_backoff_s"}, "ais.reconnect_max_backoff_s",
                  "must not be shorter than ais.reconnect_initial_backoff_s");
    }
    for (const auto& b : c.tiling.bands_swir) {
      if (std::find(c.tiling.bands_core.begin(), c.tiling.bands_core.end(), b) != c.tiling.bands_core.end()) {
        fail_origin({"tiling.bands_swir", "tiling.bands_core"}, "tiling.bands_swir",
                    b + " is already in tiling.bands_core");
      }
    }
    const std::vector<std::pair<std::string, const std::vector<int>*>> classes{
        {"masks.scl_cloud_classes", &c.masks.scl_cloud_classes},
        {"masks.scl_shadow_classes", &c.masks.scl_shadow_classes},
        {"masks.scl_land_classes", &c.masks.scl_land_classes},
        {"masks.scl_water_classes", &c.masks.scl_water_classes},
        {"masks.scl_nodata_classes", &c.masks.scl_nodata_classes}};
    for (std::size_t i = 0; i < classes.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        for (int cls : *classes[i].second) {
          const auto& other = *classes[j].second;
          if (std::find(other.begin(), other.end(), cls) != other.end()) {
            fail_origin({classes[i].first}, classes[i].first,
                        "SCL class " + std::to_string(cls) + " is also in " + classes[j].first);
          }
        }
      }
    }
  }

  Config& config() { return m_config; }

 private:
  static long line_of(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

  static std::string describe_node(const YAML::Node& node) { return config_detail::describe(raw_of(node)); }

  std::string key_text(const YAML::Node& key, const std::string& parent) const {
    if (!key.IsScalar()) fail_at(line_of(key), parent, "keys must be plain names");
    return key.Scalar();
  }

  [[noreturn]] void fail_at(long line, const std::string& field, const std::string& message) const {
    throw Error(ErrorCode::config_invalid, located(m_file, line, field, message));
  }

  // Cross-key errors point at an environment variable if one of the keys came from there,
  // else at the last of the keys written in the file, else at the section.
  [[noreturn]] void fail_origin(std::initializer_list<std::string> keys, const std::string& field,
                                const std::string& message) const {
    Origin best{m_file, 0, false};
    for (const auto& key : keys) {
      auto it = m_origins.find(key);
      if (it == m_origins.end()) continue;
      if (it->second.env) throw Error(ErrorCode::config_invalid, located(it->second.where, 0, field, message));
      best.line = std::max(best.line, it->second.line);
    }
    if (best.line == 0) {
      auto section = m_origins.find(std::string(*keys.begin()).substr(0, keys.begin()->find('.')));
      if (section != m_origins.end()) best.line = section->second.line;
    }
    throw Error(ErrorCode::config_invalid, located(best.where, best.line, field, message));
  }

  void walk(const YAML::Node& map, const std::string& section, const std::string& prefix) {
    const auto& fields = config_detail::config_fields();
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string parent = section + (prefix.empty() ? "" : "." + prefix);
      std::string name = key_text(it->first, parent);
      std::string key = prefix.empty() ? name : prefix + "." + name;
      std::string full = section + "." + key;
      long line = line_of(it->first);
      if (!seen.insert(name).second) fail_at(line, full, "duplicate key");
      auto field = std::find_if(fields.begin(), fields.end(),
                                [&](const FieldSpec& f) { return f.section == section && f.key == key; });
      if (field != fields.end()) {
        try {
          field->set(m_config, raw_of(it->second));
        } catch (const ValueError& e) {
          fail_at(e.line > 0 ? e.line : line, full, e.message);
        }
        m_origins[full] = {m_file, line, false};
        continue;
      }
      bool is_group = std::any_of(fields.begin(), fields.end(), [&](const FieldSpec& f) {
        return f.section == section && f.key.rfind(key + ".", 0) == 0;
      });
      if (is_group) {
        if (!it->second.IsMap() && !it->second.IsNull()) {
          fail_at(line, full, "expected a mapping of keys, got " + describe_node(it->second));
        }
        if (it->second.IsMap()) walk(it->second, section, key);
        continue;
      }
      // Known names at this level, for the hint.
      std::vector<std::string> known;
      for (const auto& f : fields) {
        if (f.section != section) continue;
        if (!prefix.empty() && f.key.rfind(prefix + ".", 0) != 0) continue;
        std::string rest = prefix.empty() ? f.key : f.key.substr(prefix.size() + 1);
        known.push_back(rest.substr(0, rest.find('.')));
      }
      std::string hint = config_detail::closest_name(name, known);
      fail_at(line, full, "unknown key" + (hint.empty() ? "" : " (did you mean " + hint + "?)"));
    }
  }

  std::string m_file;
  Config m_config;
  std::map<std::string, Origin> m_origins;
};

std::filesystem::path absolute_folder_of(const std::filesystem::path& file) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(file, ec);
  if (ec) return std::filesystem::current_path();
  return abs.lexically_normal().parent_path();
}

void emit_yaml(YAML::Emitter& out, const nlohmann::ordered_json& value) {
  if (value.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : value.items()) {
      out << YAML::Key << k << YAML::Value;
      emit_yaml(out, v);
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const auto& v : value) emit_yaml(out, v);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    out << YAML::DoubleQuoted << value.get<std::string>();
  } else if (value.is_boolean()) {
    out << value.get<bool>();
  } else if (value.is_number_integer()) {
    out << value.get<long long>();
  } else if (value.is_number()) {
    out << value.get<double>();
  } else {
    out << YAML::Null;
  }
}

nlohmann::ordered_json ordered_dump(const Config& config) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& f : config_detail::config_fields()) {
    nlohmann::ordered_json* node = &out[f.section];
    std::stringstream parts(f.key);
    std::string part;
    std::vector<std::string> path;
    while (std::getline(parts, part, '.')) path.push_back(part);
    for (std::size_t i = 0; i + 1 < path.size(); ++i) node = &(*node)[path[i]];
    (*node)[path.back()] = nlohmann::ordered_json::parse(f.get(config).dump());
  }
  return out;
}

}  // namespace

bool Config::operator==(const Config& o) const {
  return satellite_tracking == o.satellite_tracking && ais == o.ais && stac == o.stac && tiling == o.tiling &&
         masks == o.masks && gate == o.gate && storage == o.storage && splits == o.splits && ops == o.ops &&
         alerts == o.alerts && logging == o.logging;
}

EnvMap current_environment() {
  EnvMap env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

Config default_config() {
  Config config;
  config.base_dir = std::filesystem::current_path();
  return config;
}

Config load_config_text(std::string_view yaml_text, const std::string& name, const EnvMap& env) {
  Loader loader(name);
  loader.read_yaml(yaml_text);
  loader.apply_env(env);
  loader.check_cross_rules();
  Config config = loader.config();
  config.source_file = name;
  config.base_dir = absolute_folder_of(name);
  return config;
}

Config load_config(const std::filesystem::path& path, const EnvMap& env) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error(ErrorCode::config_invalid,
                located(path.string(), 0, "",
                        "file not found (run from the folder that holds config.yaml or pass --config FILE)"));
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(ErrorCode::config_invalid, located(path.string(), 0, "", "is a directory, not a YAML file"));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) {
    throw Error(ErrorCode::config_invalid, located(path.string(), 0, "", "cannot be read"));
  }
  return load_config_text(buffer.str(), path.string(), env);
}

Config load_config(const std::filesystem::path& path) {
  return load_config(path, EnvMap{});
}

std::vector<std::pair<std::string, std::string>> config_keys_and_env_names() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : config_detail::config_fields()) out.emplace_back(f.full_key(), f.env_name());
  return out;
}

nlohmann::json to_json(const Config& config) {
  return nlohmann::json::parse(ordered_dump(config).dump());
}

std::string to_yaml(const Config& config) {
  YAML::Emitter out;
  emit_yaml(out, ordered_dump(config));
  return std::string(out.c_str()) + "\n";
}

std::filesystem::path resolve_path(const Config& config, const std::filesystem::path& p) {
  if (p.is_absolute()) return p.lexically_normal();
  std::filesystem::path base = config.base_dir.empty() ? std::filesystem::current_path() : config.base_dir;
  return (base / p).lexically_normal();
}

std::filesystem::path dataset_root(const Config& config) {
  return resolve_path(config, config.storage.dataset_root);
}

std::filesystem::path dataset_path(const Config& config, const std::string& relative) {
  return (dataset_root(config) / relative).lexically_normal();
}

}  // namespace shipchips
