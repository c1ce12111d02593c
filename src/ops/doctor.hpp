#pragma once
// `shipchips doctor`: is this installation ready to run? Checks the config (file + SHIPCHIPS_*
// overrides), .env files, secrets (names only, never values), the dataset root (writable, free
// space), the log folder, the SQLite job store, the libraries linked in, and whether the STAC endpoint answers.
// An unreachable endpoint is a warning (offline machines and CI are normal); anything that
// stops a run from starting is an error.

#include "core/config.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::ops {

enum class CheckStatus { ok, warn, error };
std::string_view to_string(CheckStatus status);

struct CheckResult {
  std::string name;
  CheckStatus status = CheckStatus::ok;
  std::string detail;  // redacted
};

struct DoctorOptions {
  std::filesystem::path config_path = "config.yaml";
  long stac_timeout_ms = 3000;
  bool check_network = true;
  std::filesystem::path db_path;  // empty: storage.db_path under the dataset root
};

struct DoctorReport {
  std::vector<CheckResult> checks;
  std::optional<Config> config;  // the effective config when it loaded
  bool ok() const;               // no check is an error
};

// Runs every check; never throws for a failed check (each becomes an error entry).
DoctorReport run_doctor(const DoctorOptions& options, const EnvMap& env);

// Single checks, for tests and for the health endpoint.
CheckResult check_dotenv(const std::filesystem::path& config_path);
CheckResult check_secrets(const EnvMap& env);
CheckResult check_storage(const Config& config);
CheckResult check_log_folder(const Config& config);
// An existing SQLite job store must open and pass PRAGMA quick_check; a missing one is fine
// if its folder is writable (it is created on first use).
CheckResult check_database(const std::filesystem::path& db_path);
std::vector<CheckResult> check_libraries();
// proj.db found and WGS 84 -> UTM 30N agreeing with GeographicLib.
CheckResult check_proj();
// The newest backup under ops.backup_dir: warn when there is none or it is older than 25 hours.
CheckResult check_backups(const Config& config, UtcTime now = utc_now());
CheckResult check_stac(const Config& config, long timeout_ms);

// {"checks":[{"name","status","detail"}...],"ok":bool} (+ "config" when include_config).
nlohmann::json to_json(const DoctorReport& report, bool include_config);
// A fixed-width table and a summary line, for terminals.
std::string format_table(const DoctorReport& report);

}  // namespace shipchips::ops
