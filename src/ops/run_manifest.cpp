#include "ops/run_manifest.hpp"

#include "core/atomic_file.hpp"
#include "core/sha256.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace shipchips::ops {
namespace {

constexpr int kManifestVersion = 1;

[[noreturn]] void bad(std::string_view source, std::string_view field, std::string_view what) {
  throw Error(ErrorCode::input_invalid, std::string(source) + ": " + std::string(field) + ": " + std::string(what));
}

const nlohmann::json& need(const nlohmann::json& j, const char* key, std::string_view source) {
  if (!j.is_object() || !j.contains(key)) bad(source, key, "missing");
  return j.at(key);
}

std::string need_string(const nlohmann::json& j, const char* key, std::string_view source) {
  const auto& v = need(j, key, source);
  if (!v.is_string()) bad(source, key, "must be a string");
  return v.get<std::string>();
}

nlohmann::json files_json(const std::vector<ManifestFile>& files) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : files) {
    nlohmann::json e{{"path", f.path}};
    if (f.bytes) e["bytes"] = *f.bytes;
    if (!f.sha256.empty()) e["sha256"] = f.sha256;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<ManifestFile> files_from(const nlohmann::json& j, const char* key, std::string_view source) {
  const auto& arr = need(j, key, source);
  if (!arr.is_array()) bad(source, key, "must be an array");
  std::vector<ManifestFile> files;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    const auto& e = arr[i];
    if (!e.is_object() || !e.contains("path") || !e["path"].is_string()) bad(source, field + ".path", "missing string");
    ManifestFile f;
    f.path = e["path"].get<std::string>();
    if (e.contains("bytes")) {
      if (!e["bytes"].is_number_unsigned()) bad(source, field + ".bytes", "must be a non-negative integer");
      f.bytes = e["bytes"].get<std::uintmax_t>();
    }
    if (e.contains("sha256")) {
      if (!e["sha256"].is_string() || e["sha256"].get<std::string>().size() != 64)
        bad(source, field + ".sha256", "must be 64 hex digits");
      f.sha256 = e["sha256"].get<std::string>();
    }
    files.push_back(std::move(f));
  }
  return files;
}

}  // namespace

ManifestFile describe_file(const std::filesystem::path& path, const std::filesystem::path& relative_to) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  if (ec) throw Error(ErrorCode::io_error, path.string() + ": cannot read its size: " + ec.message());
  ManifestFile f;
  f.path = path.string();
  if (!relative_to.empty()) {
    const auto rel = std::filesystem::relative(path, relative_to, ec);
    if (!ec && !rel.empty() && *rel.begin() != "..") f.path = rel.generic_string();
  }
  f.bytes = bytes;
  f.sha256 = sha256_of_file(path);
  return f;
}

std::filesystem::path manifest_day_dir(const Config& config, std::string_view step, std::string_view date) {
  return dataset_path(config, config.storage.layout.manifests) / std::string(step) / ("date=" + std::string(date));
}

std::filesystem::path manifest_path(const Config& config, std::string_view step, std::string_view date,
                                    std::string_view run_id) {
  return manifest_day_dir(config, step, date) / ("run=" + std::string(run_id)) / "manifest.json";
}

nlohmann::ordered_json to_json(const StepManifest& m) {
  nlohmann::ordered_json out;
  out["manifest_version"] = kManifestVersion;
  out["run_id"] = m.run_id;
  out["step"] = m.step;
  out["date"] = m.date;
  out["status"] = m.succeeded ? "succeeded" : "failed";
  out["started_at"] = format_iso8601(m.started_at, 3);
  out["finished_at"] = format_iso8601(m.finished_at, 3);
  out["duration_s"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(m.finished_at - m.started_at).count() / 1000.0;
  out["inputs"] = files_json(m.inputs);
  out["outputs"] = files_json(m.outputs);
  out["counts"] = m.counts;
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : m.checks) checks.push_back({{"name", c.name}, {"passed", c.passed}, {"detail", c.detail}});
  out["checks"] = std::move(checks);
  nlohmann::json durations = nlohmann::json::object();
  for (const auto& [k, v] : m.durations_ms) durations[k] = std::round(v * 10.0) / 10.0;
  out["durations_ms"] = std::move(durations);
  if (m.error) {
    nlohmann::json e{{"message", *m.error}};
    if (m.error_code) {
      e["code"] = to_string(*m.error_code);
      e["class"] = to_string(category_of(*m.error_code));
    }
    out["error"] = std::move(e);
  } else {
    out["error"] = nullptr;
  }
  out["software_version"] = SHIPCHIPS_VERSION;
  return out;
}

StepManifest manifest_from_json(const nlohmann::json& j, std::string_view source) {
  if (!j.is_object()) bad(source, "(root)", "must be an object");
  const auto& version = need(j, "manifest_version", source);
  if (!version.is_number_integer() || version.get<int>() != kManifestVersion)
    bad(source, "manifest_version", "must be " + std::to_string(kManifestVersion));
  StepManifest m;
  m.run_id = need_string(j, "run_id", source);
  m.step = need_string(j, "step", source);
  m.date = need_string(j, "date", source);
  const std::string status = need_string(j, "status", source);
  if (status != "succeeded" && status != "failed") bad(source, "status", "must be succeeded or failed");
  m.succeeded = status == "succeeded";
  try {
    m.started_at = parse_iso8601(need_string(j, "started_at", source));
    m.finished_at = parse_iso8601(need_string(j, "finished_at", source));
  } catch (const Error& e) {
    bad(source, "started_at/finished_at", e.what());
  }
  m.inputs = files_from(j, "inputs", source);
  m.outputs = files_from(j, "outputs", source);
  m.counts = need(j, "counts", source);
  if (!m.counts.is_object()) bad(source, "counts", "must be an object");
  const auto& checks = need(j, "checks", source);
  if (!checks.is_array()) bad(source, "checks", "must be an array");
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const auto& c = checks[i];
    const std::string field = "checks[" + std::to_string(i) + "]";
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() || !c.contains("passed") ||
        !c["passed"].is_boolean())
      bad(source, field, "needs a string name and a boolean passed");
    m.checks.push_back({c["name"].get<std::string>(), c["passed"].get<bool>(),
                        c.contains("detail") && c["detail"].is_string() ? c["detail"].get<std::string>() : ""});
  }
  if (j.contains("durations_ms") && j["durations_ms"].is_object()) {
    for (const auto& [k, v] : j["durations_ms"].items()) {
      if (v.is_number()) m.durations_ms[k] = v.get<double>();
    }
  }
  const auto& error = need(j, "error", source);
  if (!error.is_null()) {
    if (!error.is_object() || !error.contains("message") || !error["message"].is_string())
      bad(source, "error.message", "missing string");
    m.error = error["message"].get<std::string>();
    if (error.contains("code") && error["code"].is_string())
      m.error_code = error_code_from_name(error["code"].get<std::string>());
  }
  return m;
}

std::filesystem::path write_manifest(const Config& config, const StepManifest& manifest) {
  const auto path = manifest_path(config, manifest.step, manifest.date, manifest.run_id);
  make_directories(path.parent_path());
  write_file_atomic(path, to_json(manifest).dump(2) + "\n");
  return path;
}

StepManifest read_manifest(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io_error, path.string() + ": cannot open manifest");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::input_invalid, path.string() + ": not JSON: " + e.what());
  }
  return manifest_from_json(j, path.string());
}

std::vector<StepManifest> manifests_of(const Config& config, std::string_view step, std::string_view date) {
  const auto dir = manifest_day_dir(config, step, date);
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return {};
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto candidate = entry.path() / "manifest.json";
    if (entry.is_directory() && entry.path().filename().string().rfind("run=", 0) == 0 &&
        std::filesystem::exists(candidate))
      paths.push_back(candidate);
  }
  std::sort(paths.begin(), paths.end());
  std::vector<StepManifest> out;
  for (const auto& p : paths) out.push_back(read_manifest(p));
  return out;
}

}  // namespace shipchips::ops
