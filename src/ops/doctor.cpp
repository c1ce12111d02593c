#include "ops/doctor.hpp"
#include "core/config_reserved.hpp"
#include "core/env.hpp"
#include "core/error.hpp"
#include "core/http_client.hpp"
#include "core/sqlite_db.hpp"
#include "ops/backup.hpp"

#include <GeographicLib/Config.h>
#include <curl/curl.h>
#include <fmt/core.h>
#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <spdlog/version.h>
#include <sqlite3.h>
#include <zlib.h>
#include <GeographicLib/UTMUPS.hpp>

#include <unistd.h>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

namespace shipchips::ops {
namespace {

CheckResult make(std::string name, CheckStatus status, const std::string& detail) {
  return {std::move(name), status, redact(detail)};
}

// Keys the schema accepts that no command reads yet (core/config_reserved.hpp): said, so that
// nobody tunes one expecting an effect.
CheckResult check_reserved_keys() {
  std::string keys;
  for (const ReservedKey& k : reserved_config_keys()) keys += (keys.empty() ? "" : ", ") + k.key;
  return make("config_reserved", CheckStatus::ok,
              std::to_string(reserved_config_keys().size()) +
                  " keys are accepted but not read yet (the operations commands that use them are not built): " + keys);
}

std::string gigabytes(std::uintmax_t bytes) {
  std::ostringstream os;
  os.precision(1);
  os << std::fixed << static_cast<double>(bytes) / 1e9 << " GB";
  return os.str();
}

// Creates `folder` if needed and proves a file can be created, written and removed in it.
// Returns "" on success, else the reason.
std::string probe_writable(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return "cannot create " + folder.string() + ": " + ec.message();
  if (!std::filesystem::is_directory(folder, ec)) return folder.string() + " is not a directory";
  std::random_device rd;
  auto probe = folder / (".doctor-probe-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + ".tmp");
  {
    std::ofstream out(probe, std::ios::binary);
    out << "shipchips doctor write probe\n";
    out.flush();
    if (!out) {
      std::filesystem::remove(probe, ec);
      return "cannot write in " + folder.string();
    }
  }
  if (!std::filesystem::remove(probe, ec) || ec) return "cannot remove a file in " + folder.string();
  return "";
}

}  // namespace

std::string_view to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::ok:
      return "ok";
    case CheckStatus::warn:
      return "warn";
    case CheckStatus::error:
      return "error";
  }
  return "error";
}

bool DoctorReport::ok() const {
  for (const auto& c : checks) {
    if (c.status == CheckStatus::error) return false;
  }
  return true;
}

CheckResult check_dotenv(const std::filesystem::path& config_path) {
  std::error_code ec;
  std::vector<std::filesystem::path> candidates{std::filesystem::absolute(config_path, ec).parent_path() / ".env",
                                                std::filesystem::current_path(ec) / ".env"};
  if (candidates[0].lexically_normal() == candidates[1].lexically_normal()) candidates.pop_back();
  std::string found;
  std::size_t variables = 0;
  for (const auto& path : candidates) {
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    try {
      variables += parse_dotenv(text.str(), path.string()).size();
    } catch (const Error& e) {
      return make("dotenv", CheckStatus::error, e.what());
    }
    found += (found.empty() ? "" : ", ") + path.string();
  }
  if (found.empty()) return make("dotenv", CheckStatus::ok, "no .env file (secrets come from the environment only)");
  return make("dotenv", CheckStatus::ok, found + " (" + std::to_string(variables) + " variables)");
}

CheckResult check_secrets(const EnvMap& env) {
  std::string missing, present;
  for (const auto& secret : known_secrets()) {
    auto it = env.find(secret.name);
    if (it == env.end() || it->second.empty()) {
      missing += (missing.empty() ? "" : "; ") + secret.name + " (needed for " + secret.purpose + ")";
    } else {
      present += (present.empty() ? "" : ", ") + secret.name;
    }
  }
  if (!missing.empty()) return make("secrets", CheckStatus::warn, "missing: " + missing);
  return make("secrets", CheckStatus::ok, "set: " + present);
}

CheckResult check_storage(const Config& config) {
  auto root = dataset_root(config);
  std::string problem = probe_writable(root);
  if (!problem.empty()) return make("storage", CheckStatus::error, "storage.dataset_root: " + problem);
  std::error_code ec;
  auto space = std::filesystem::space(root, ec);
  if (ec) return make("storage", CheckStatus::warn, root.string() + " writable; free space unknown: " + ec.message());
  auto min_free = static_cast<std::uintmax_t>(config.storage.min_free_gb * 1e9);
  if (space.available < min_free) {
    return make("storage", CheckStatus::warn,
                root.string() + " writable; only " + gigabytes(space.available) + " free (storage.min_free_gb " +
                    fmt::format("{}", config.storage.min_free_gb) + ")");
  }
  return make("storage", CheckStatus::ok, root.string() + " writable, " + gigabytes(space.available) + " free");
}

CheckResult check_log_folder(const Config& config) {
  if (config.logging.file.empty()) return make("logging", CheckStatus::ok, "console only (logging.file is empty)");
  auto file = resolve_path(config, config.logging.file);
  std::string problem = probe_writable(file.parent_path());
  if (!problem.empty()) return make("logging", CheckStatus::error, "logging.file: " + problem);
  return make("logging", CheckStatus::ok,
              file.string() + " (rotates at " + config.logging.rotation + ", keeps " +
                  std::to_string(config.logging.keep) + ")");
}

CheckResult check_database(const std::filesystem::path& db_path) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) {
    // A bare file name (`--db ops.db`) lives in the current folder.
    std::string problem =
        probe_writable(db_path.has_parent_path() ? db_path.parent_path() : std::filesystem::path("."));
    if (!problem.empty()) return make("database", CheckStatus::error, "storage.db_path: " + problem);
    return make("database", CheckStatus::ok, db_path.string() + " (not created yet; its folder is writable)");
  }
  std::string result;
  try {
    sqlite::Database db(db_path, sqlite::OpenMode::read_only);
    db.set_busy_timeout(std::chrono::milliseconds(2000));
    sqlite::Statement check = db.prepare("PRAGMA quick_check");
    while (check.step()) result += (result.empty() ? "" : "; ") + check.text(0);
  } catch (const Error& e) {
    return make("database", CheckStatus::error, e.what());  // names the path and the SQLite error
  }
  if (result != "ok") return make("database", CheckStatus::error, db_path.string() + ": quick_check: " + result);
  auto size = std::filesystem::file_size(db_path, ec);
  return make("database", CheckStatus::ok,
              db_path.string() + " (" + std::to_string(ec ? 0 : size) + " bytes, quick_check ok)");
}

CheckResult check_backups(const Config& config, UtcTime now) {
  const auto dir = backup_dir(config);
  const auto backups = list_backups(dir);
  if (backups.empty())
    return make("backups", CheckStatus::warn, "no backup in " + dir.string() + " yet (shipchips backup, hourly)");
  const auto age = std::chrono::duration_cast<std::chrono::minutes>(now - backups.front().time);
  const std::string detail = backups.front().path.filename().string() + " (" + std::to_string(age.count() / 60) +
                             " h " + std::to_string(age.count() % 60) + " min old; " + std::to_string(backups.size()) +
                             " backups in " + dir.string() + ")";
  return age > std::chrono::hours(25) ? make("backups", CheckStatus::warn, "newest backup is stale: " + detail)
                                      : make("backups", CheckStatus::ok, detail);
}

CheckResult check_proj() {
  // Something real: PROJ finds its database (proj.db) and transforms a point WGS 84 → UTM 30N
  // (EPSG:32630) to within a millimetre of GeographicLib's UTM.
  const std::string release = std::string("PROJ ") + proj_info().release;
  PJ_CONTEXT* ctx = proj_context_create();
  const char* db = proj_context_get_database_path(ctx);
  const std::string db_path = db ? db : "";
  PJ* pj = proj_create_crs_to_crs(ctx, "EPSG:4326", "EPSG:32630", nullptr);
  PJ* norm = pj ? proj_normalize_for_visualization(ctx, pj) : nullptr;
  CheckResult result;
  if (db_path.empty() || !norm) {
    result = make("lib.proj", CheckStatus::error,
                  release + ": " + (db_path.empty() ? "proj.db not found" : "EPSG:4326 -> EPSG:32630 unavailable") +
                      " (" + proj_context_errno_string(ctx, proj_context_errno(ctx)) + ")");
  } else {
    const double lon = -5.4, lat = 36.1;
    PJ_COORD c = proj_trans(norm, PJ_FWD, proj_coord(lon, lat, 0, 0));
    int zone = 0;
    bool north = true;
    double x = 0, y = 0;
    GeographicLib::UTMUPS::Forward(lat, lon, zone, north, x, y, 30);
    const double off = std::hypot(c.xy.x - x, c.xy.y - y);
    result = off < 1e-3 ? make("lib.proj", CheckStatus::ok,
                               release + ", " + db_path + "; (36.1 N, 5.4 W) -> UTM 30N agrees with GeographicLib (" +
                                   fmt::format("{:.1e}", off) + " m)")
                        : make("lib.proj", CheckStatus::error,
                               release + ": (36.1 N, 5.4 W) -> UTM 30N is " + fmt::format("{:.3f}", off) +
                                   " m from GeographicLib's");
  }
  if (norm) proj_destroy(norm);
  if (pj) proj_destroy(pj);
  proj_context_destroy(ctx);
  return result;
}

std::vector<CheckResult> check_libraries() {
  std::vector<CheckResult> out;
  GDALAllRegister();
  std::string gdal = GDALVersionInfo("RELEASE_NAME");
  std::string missing_drivers;
  for (const char* driver : {"GTiff", "COG", "JPEG", "GeoJSON"}) {
    if (GDALGetDriverByName(driver) == nullptr)
      missing_drivers += (missing_drivers.empty() ? "" : ", ") + std::string(driver);
  }
  if (missing_drivers.empty()) {
    out.push_back(make("lib.gdal", CheckStatus::ok, "GDAL " + gdal + " (GTiff, COG, JPEG, GeoJSON drivers)"));
  } else {
    out.push_back(make("lib.gdal", CheckStatus::error, "GDAL " + gdal + " lacks drivers: " + missing_drivers));
  }
  out.push_back(check_proj());
  out.push_back(make("lib.sqlite", CheckStatus::ok, std::string("SQLite ") + sqlite3_libversion()));
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  bool https = false;
  for (const char* const* p = curl->protocols; p != nullptr && *p != nullptr; ++p) {
    if (std::string_view(*p) == "https") https = true;
  }
  std::string curl_detail =
      std::string("curl ") + curl->version + (curl->ssl_version ? std::string(", ") + curl->ssl_version : "");
  out.push_back(https ? make("lib.curl", CheckStatus::ok, curl_detail)
                      : make("lib.curl", CheckStatus::error, curl_detail + " without https support"));
  out.push_back(make("lib.geos", CheckStatus::ok, std::string("GEOS ") + GEOSversion()));
  out.push_back(make("lib.geographiclib", CheckStatus::ok, "GeographicLib " GEOGRAPHICLIB_VERSION_STRING));
  out.push_back(make("lib.spdlog", CheckStatus::ok,
                     fmt::format("spdlog {}.{}.{}, fmt {}.{}.{}", SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH,
                                 FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)));
  out.push_back(make("lib.json", CheckStatus::ok,
                     fmt::format("nlohmann_json {}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                 NLOHMANN_JSON_VERSION_PATCH)));
  out.push_back(make("lib.zlib", CheckStatus::ok, std::string("zlib ") + zlibVersion()));
  return out;
}

CheckResult check_stac(const Config& config, long timeout_ms) {
  HttpOptions options;
  options.connect_timeout_ms = timeout_ms;
  options.timeout_ms = timeout_ms;
  options.max_retries = 0;
  const std::string& url = config.stac.endpoint;
  auto start = std::chrono::steady_clock::now();
  try {
    HttpClient client(options);
    HttpResponse response = client.get(url);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (response.status < 200 || response.status >= 300) {
      return make("stac", CheckStatus::warn, url + " answered HTTP " + std::to_string(response.status));
    }
    auto landing = nlohmann::json::parse(response.body, nullptr, false);
    if (landing.is_discarded() || !landing.is_object() || !landing.contains("links")) {
      return make("stac", CheckStatus::warn, url + " answered, but not with a STAC landing page");
    }
    std::string version = landing.value("stac_version", std::string("?"));
    return make("stac", CheckStatus::ok, fmt::format("{} reachable (STAC {}, {} ms)", url, version, ms));
  } catch (const Error& e) {
    return make("stac", CheckStatus::warn, url + " unreachable: " + e.what());
  }
}

DoctorReport run_doctor(const DoctorOptions& options, const EnvMap& env) {
  DoctorReport report;
  try {
    report.config = load_config(options.config_path, env);
    report.checks.push_back(make("config", CheckStatus::ok, options.config_path.string() + " is valid"));
    report.checks.push_back(check_reserved_keys());
  } catch (const Error& e) {
    report.checks.push_back(make("config", CheckStatus::error, e.what()));
  }
  report.checks.push_back(check_dotenv(options.config_path));
  report.checks.push_back(check_secrets(env));
  if (report.config) {
    report.checks.push_back(check_storage(*report.config));
    report.checks.push_back(check_log_folder(*report.config));
    report.checks.push_back(check_database(
        options.db_path.empty() ? dataset_path(*report.config, report.config->storage.db_path) : options.db_path));
    report.checks.push_back(check_backups(*report.config));
  } else {
    report.checks.push_back(make("storage", CheckStatus::warn, "not checked: the config did not load"));
  }
  for (auto& lib : check_libraries()) report.checks.push_back(std::move(lib));
  if (!options.check_network) {
    report.checks.push_back(make("stac", CheckStatus::warn, "not checked (network checks off)"));
  } else if (report.config) {
    report.checks.push_back(check_stac(*report.config, options.stac_timeout_ms));
  } else {
    report.checks.push_back(make("stac", CheckStatus::warn, "not checked: the config did not load"));
  }
  return report;
}

nlohmann::json to_json(const DoctorReport& report, bool include_config) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : report.checks) {
    checks.push_back({{"name", c.name}, {"status", std::string(to_string(c.status))}, {"detail", c.detail}});
  }
  nlohmann::json out{{"checks", checks}, {"ok", report.ok()}};
  if (include_config && report.config) out["config"] = shipchips::to_json(*report.config);
  return out;
}

std::string format_table(const DoctorReport& report) {
  std::size_t width = 5;
  for (const auto& c : report.checks) width = std::max(width, c.name.size());
  std::string out = fmt::format("{:<6} {:<{}} {}\n", "STATUS", "CHECK", width, "DETAIL");
  int warnings = 0, errors = 0;
  for (const auto& c : report.checks) {
    out += fmt::format("{:<6} {:<{}} {}\n", to_string(c.status), c.name, width, c.detail);
    warnings += c.status == CheckStatus::warn;
    errors += c.status == CheckStatus::error;
  }
  out += fmt::format("{} checks: {} ok, {} warnings, {} errors\n", report.checks.size(),
                     report.checks.size() - warnings - errors, warnings, errors);
  return out;
}

}  // namespace shipchips::ops
