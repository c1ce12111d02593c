#pragma once
// The typed configuration: one struct per section of config.yaml, with defaults equal to the
// values written in the repository's config.yaml (a unit test keeps the two identical).
//
// Loading is strict (like PDAL's stage options): an unknown key, a value of the wrong type or
// a value out of range is an Error(config_invalid) whose message reads
//   "<file>:<line>: <section>.<key>: <what is wrong>"
// Environment variables SHIPCHIPS_<SECTION>_<KEY> (e.g. SHIPCHIPS_STAC_CLOUD_COVER_MAX=20)
// override single keys with the same typed rules; their errors name the variable instead of a
// line. Secrets never live here: they come from the environment or .env (see env.hpp).
//
// Relative paths (storage.dataset_root, logging.file, satellite_tracking.*_path/_file) are
// relative to the folder holding the config file; storage.layout.* and storage.db_path are
// relative to storage.dataset_root. Use resolve_path()/dataset_path() rather than the raw text.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace shipchips {

enum class PlannerMode { automatic, esa_plan, tle, backfill };  // "auto" in YAML
enum class StacProvider { earth_search_l2a, earth_search_c1_l2a, planetary_computer };
enum class ResampleMethod { nearest, bilinear, bicubic, cubic_spline, lanczos, average };
enum class Compression { deflate, zstd, lzw, none };
enum class Predictor { none, floating_point };
enum class SplitGroup { mmsi, scene, chip };
enum class LogLevel { trace, debug, info, warn, error, critical, off };

std::string_view to_string(PlannerMode v);
std::string_view to_string(StacProvider v);
std::string_view to_string(ResampleMethod v);
std::string_view to_string(Compression v);
std::string_view to_string(Predictor v);
std::string_view to_string(SplitGroup v);
std::string_view to_string(LogLevel v);

struct SatelliteTrackingConfig {
  PlannerMode mode = PlannerMode::automatic;
  std::vector<std::string> tiles{"30STF"};  // MGRS ids; a leading "T" is dropped
  std::vector<std::string> satellites{"S2A", "S2B", "S2C"};
  int overpass_window_minutes = 15;  // +/- around the predicted time
  int prediction_days = 7;
  std::string tle_source = "https://celestrak.org/NORAD/elements/gp.php?NAME=SENTINEL-2&FORMAT=tle";
  std::string tle_file;  // local TLE/OMM file; wins over tle_source
  std::string esa_csv_path;
  std::string esa_kml_path;
  double min_sun_elevation_deg = 5.0;
  double tle_cache_hours = 6.0;     // a downloaded TLE file is reused this long
  double tle_max_age_days = 14.0;   // elements older than this (vs the window) warn
  int schedule_versions_keep = 30;  // replaced schedules kept in plan/history (0 = all)
  bool operator==(const SatelliteTrackingConfig&) const = default;
};

struct AisConfig {
  std::string endpoint = "wss://stream.aisstream.io/v0/stream";
  std::vector<std::string> message_types{"PositionReport", "ShipStaticData", "StandardClassBPositionReport",
                                         "ExtendedClassBPositionReport", "StaticDataReport"};
  int batch_size = 500;
  double flush_interval_s = 5.0;
  double connect_timeout_s = 10.0;
  double reconnect_initial_backoff_s = 1.0;
  double reconnect_max_backoff_s = 60.0;
  int max_reconnects = 0;  // 0 = unlimited
  double bbox_margin_km = 10.0;
  double max_gap_s = 600.0;
  double max_extrapolation_s = 120.0;
  double ping_interval_s = 20.0;  // WebSocket ping when the link is quiet
  double read_timeout_s = 60.0;   // no frame (or pong) this long = reconnect
  int queue_capacity = 20000;     // messages between socket and DB writer
  bool allow_global = false;      // subscribe to the whole world with no window
  std::string ca_file;            // extra CA bundle for wss:// ("" = system)
  bool operator==(const AisConfig&) const = default;
};

struct StacConfig {
  std::string endpoint = "https://earth-search.aws.element84.com/v1";
  StacProvider provider = StacProvider::earth_search_l2a;
  std::string collection = "sentinel-2-l2a";
  double cloud_cover_max = 30.0;
  double search_window_hours = 12.0;
  int page_limit = 100;
  int max_items = 1000;
  double connect_timeout_s = 10.0;
  double request_timeout_s = 60.0;
  int max_retries = 4;
  std::vector<std::string> relax_steps;  // "cloud_cover_max=50,search_window_hours=24", ...
  bool operator==(const StacConfig&) const = default;
};

// One step of stac.relax_steps: the limits a scene search falls back to when no scene passes
// the configured ones ("cloud_cover_max=50,search_window_hours=24"; keys not named keep the
// configured value). Throws Error(config_invalid) naming the bad key or value.
struct StacRelaxStep {
  std::string text;                   // as written in the config (recorded in chip metadata)
  double cloud_cover_max = -1.0;      // < 0: unchanged
  double search_window_hours = -1.0;  // < 0: unchanged
};
StacRelaxStep parse_stac_relax_step(const std::string& text);

struct TilingConfig {
  int chip_size_px = 256;
  std::vector<std::string> bands_core{"B02", "B03", "B04", "B08"};
  std::vector<std::string> bands_swir{"B11", "B12"};
  bool include_swir = false;
  ResampleMethod resample_method = ResampleMethod::bicubic;
  bool write_cog = true;
  int block_size = 256;
  std::vector<int> overviews{2, 4, 8, 16};
  Compression compression = Compression::deflate;
  // DEFLATE 1..12, ZSTD 1..22, 0 = GDAL's default (6 and 9); lzw and none have no level.
  int compression_level = 1;
  Predictor predictor = Predictor::none;
  bool write_quicklook = true;
  int workers = 0;  // 0 = one per CPU core
  int block_cache_mb = 256;
  bool operator==(const TilingConfig&) const = default;
};

struct MasksConfig {
  bool use_scl = true;
  bool scl_optional = false;  // an item without an SCL asset is chipped on NDWI alone
  bool use_ndwi = true;
  std::vector<int> scl_cloud_classes{8, 9, 10};
  std::vector<int> scl_shadow_classes{3};
  std::vector<int> scl_land_classes{4, 5};
  std::vector<int> scl_water_classes{6};
  std::vector<int> scl_nodata_classes{0, 1};
  bool write_mask_rasters = false;
  bool operator==(const MasksConfig&) const = default;
};

struct GateConfig {
  bool enabled = true;
  int center_window_px = 64;
  double max_cloud_center_frac = 0.2;
  double max_shadow_center_frac = 0.2;
  double max_land_center_frac = 0.3;
  double ndwi_water_thresh = 0.0;
  double min_water_center_frac = 0.5;
  bool operator==(const GateConfig&) const = default;
};

struct StorageLayout {
  std::string chips = "chips/{split}/{mmsi}/{YYYYMMDD}";
  std::string tiles_index = "indexes/tiles.parquet";
  std::string daily_index = "indexes/tiles_{YYYYMMDD}.geojson";
  std::string qa_report = "QA/reports/{date}.html";
  std::string stac = "stac";
  std::string manifests = "manifests";
  std::string runs = "runs";
  std::string ais_snapshots = "ais/{YYYYMMDD}";
  std::string schedule = "plan/overpass_schedule.csv";
  bool operator==(const StorageLayout&) const = default;
};

struct StorageConfig {
  std::string dataset_root = "dataset";
  std::string db_path = "ops.db";
  double min_free_gb = 1.0;
  StorageLayout layout;
  bool operator==(const StorageConfig&) const = default;
};

struct SplitsConfig {
  double train = 0.8;
  double val = 0.1;
  double test = 0.1;
  SplitGroup group_by = SplitGroup::mmsi;
  bool operator==(const SplitsConfig&) const = default;
};

struct OpsConfig {
  int max_retries = 5;
  double initial_backoff_min = 5.0;
  double max_backoff_hours = 24.0;
  int retry_batch_limit = 50;
  double stuck_job_minutes = 60.0;
  std::string backup_dir = "backups";  // relative to storage.dataset_root, or absolute
  int backup_keep_hourly = 24;
  int backup_keep_daily = 14;
  bool operator==(const OpsConfig&) const = default;
};

struct AlertsConfig {
  std::string webhook_url;  // treated as a secret in logs
  double threshold_fail_rate = 0.5;
  int min_jobs = 10;
  bool operator==(const AlertsConfig&) const = default;
};

struct LoggingConfig {
  LogLevel level = LogLevel::info;
  std::string file = "logs/run.log";  // "" = console only
  std::string rotation = "10 MB";     // see parse_size()
  int keep = 5;                       // rotated files kept besides the live one
  bool json = false;
  bool console = true;
  bool operator==(const LoggingConfig&) const = default;
};

struct Config {
  SatelliteTrackingConfig satellite_tracking;
  AisConfig ais;
  StacConfig stac;
  TilingConfig tiling;
  MasksConfig masks;
  GateConfig gate;
  StorageConfig storage;
  SplitsConfig splits;
  OpsConfig ops;
  AlertsConfig alerts;
  LoggingConfig logging;

  // Where the settings came from (not settings themselves; ignored by operator==).
  std::filesystem::path source_file;  // empty for built-in defaults
  std::filesystem::path base_dir;     // folder relative paths are resolved against

  bool operator==(const Config& other) const;
};

// Environment snapshot used for overrides (tests pass their own map).
using EnvMap = std::map<std::string, std::string>;
EnvMap current_environment();

// Built-in defaults, base_dir = current directory.
Config default_config();

// Reads and validates `path`. Throws Error(config_invalid) naming file, line and key; a missing
// or unreadable file is an error too (there is no silent fallback to defaults: a job that runs
// on defaults in the wrong folder writes its dataset somewhere unexpected).
Config load_config(const std::filesystem::path& path);
// Same, then applies SHIPCHIPS_<SECTION>_<KEY> variables from `env` and re-checks the rules
// that tie several keys together. A SHIPCHIPS_<SECTION>_* variable naming no key is an error.
Config load_config(const std::filesystem::path& path, const EnvMap& env);
// For tests and tools: parse YAML text as if it were the file `name`.
Config load_config_text(std::string_view yaml_text, const std::string& name, const EnvMap& env = {});

// Every key as "section.key" with the SHIPCHIPS_* variable that overrides it.
std::vector<std::pair<std::string, std::string>> config_keys_and_env_names();

// The effective settings as JSON / YAML (for `doctor --show-config`).
nlohmann::json to_json(const Config& config);
std::string to_yaml(const Config& config);

// "10 MB" / "512 KB" / "1.5 GB" / "2 MiB" / "4096" → bytes. KB, MB, GB are powers of 1000
// (as in the seed's "10 MB"), KiB, MiB, GiB powers of 1024; units are case-insensitive.
// Throws Error(invalid_argument) with the reason.
std::uint64_t parse_size(std::string_view text);

// Absolute paths stay; relative ones are taken relative to config.base_dir.
std::filesystem::path resolve_path(const Config& config, const std::filesystem::path& p);
// storage.dataset_root, resolved.
std::filesystem::path dataset_root(const Config& config);
// A path relative to the dataset root (a storage.layout value or db_path), resolved.
std::filesystem::path dataset_path(const Config& config, const std::string& relative);

}  // namespace shipchips
