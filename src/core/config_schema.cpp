// The one table of configuration keys: name, type/rules and place in the Config struct.
// Rules that tie several keys together (fractions summing to 1, gate window inside the chip)
// live in config_load.cpp's check_cross_rules().
#include "core/config_schema.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace shipchips::config_detail {
namespace {

template <class T>
nlohmann::json json_of(const T& value) {
  if constexpr (std::is_enum_v<T>) {
    return std::string(enum_to_string(value));
  } else {
    return value;
  }
}

template <class T, class Access>
FieldSpec make_field(std::string section, std::string key, Access access, Parser<T> parse) {
  FieldSpec spec;
  spec.section = std::move(section);
  spec.key = std::move(key);
  spec.set = [access, parse](Config& c, const RawValue& v) { access(c) = parse(v); };
  spec.get = [access](const Config& c) { return json_of(access(const_cast<Config&>(c))); };
  return spec;
}

// FIELD(stac, cloud_cover_max, parser): the key's spelling and the member are one token, so
// they cannot drift apart. Nested keys work too: FIELD(storage, layout.qa_report, ...).
#define FIELD(section, key, parser)                                        \
  make_field<std::decay_t<decltype(std::declval<Config&>().section.key)>>( \
      #section, #key, [](Config & c) -> auto& { return c.section.key; }, parser)

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// "30STF" or "T30STF" → "30STF"; the MGRS rules of the Sentinel-2 grid (zone 01-60, band C-X
// without I and O, 100 km square letters without I and O).
std::string mgrs_tile(const std::string& raw) {
  std::string t = upper(raw);
  if (t.size() == 6 && t.front() == 'T') t.erase(0, 1);
  auto square_letter = [](char c) { return c >= 'A' && c <= 'Z' && c != 'I' && c != 'O'; };
  const std::string bands = "CDEFGHJKLMNPQRSTUVWX";
  bool ok = t.size() == 5 && std::isdigit(static_cast<unsigned char>(t[0])) &&
            std::isdigit(static_cast<unsigned char>(t[1])) && bands.find(t[2]) != std::string::npos &&
            square_letter(t[3]) && square_letter(t[4]);
  int zone = ok ? (t[0] - '0') * 10 + (t[1] - '0') : 0;
  if (!ok || zone < 1 || zone > 60) throw std::string("\"" + raw + "\" is not an MGRS tile id like 30STF");
  return t;
}

std::string one_of(const std::string& raw, std::initializer_list<const char*> allowed, const char* what) {
  std::string options;
  for (const char* a : allowed) {
    if (raw == a) return raw;
    options += (options.empty() ? "" : ", ") + std::string(a);
  }
  throw std::string("\"" + raw + "\" is not a " + what + " (one of " + options + ")");
}

std::string satellite(const std::string& raw) {
  return one_of(upper(raw), {"S2A", "S2B", "S2C", "S2D"}, "Sentinel-2 satellite");
}

// The reflectance bands the chipper reads (stac::kAllBands without SCL; a unit test keeps the
// two lists equal): accepting B01, B05-B07, B8A or B09 here would only fail at chip time.
std::string band(const std::string& raw) {
  return one_of(upper(raw), {"B02", "B03", "B04", "B08", "B11", "B12"}, "band shipchips can chip");
}

std::string identifier(const std::string& raw) {
  bool ok =
      !raw.empty() && std::all_of(raw.begin(), raw.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
  if (!ok) throw std::string("\"" + raw + "\" is not a message type name");
  return raw;
}

// One stac.relax_steps entry, checked by the same parser the scene lookup uses.
std::string relax_step(const std::string& raw) {
  try {
    (void)parse_stac_relax_step(raw);
  } catch (const Error& e) {
    throw std::string(e.what());
  }
  return raw;
}

constexpr long kIntMax = 2147483647L;

std::vector<FieldSpec> build_fields() {
  const std::vector<std::string> http{"http", "https"};
  const std::vector<std::string> day{"YYYYMMDD"};
  return {
      FIELD(satellite_tracking, mode, choice<PlannerMode>()),
      FIELD(satellite_tracking, tiles, string_list(mgrs_tile, false)),
      FIELD(satellite_tracking, satellites, string_list(satellite, false)),
      FIELD(satellite_tracking, overpass_window_minutes, integer(1, 720)),
      FIELD(satellite_tracking, prediction_days, integer(1, 60)),
      FIELD(satellite_tracking, tle_source, url(http, true)),
      FIELD(satellite_tracking, tle_file, text(true)),
      FIELD(satellite_tracking, esa_csv_path, text(true)),
      FIELD(satellite_tracking, esa_kml_path, text(true)),
      FIELD(satellite_tracking, min_sun_elevation_deg, real(-90, 90)),
      FIELD(satellite_tracking, tle_cache_hours, real(0, 24 * 365)),
      FIELD(satellite_tracking, tle_max_age_days, real(0, 3650, true)),
      FIELD(satellite_tracking, schedule_versions_keep, integer(0, 100000)),

      FIELD(ais, endpoint, url({"ws", "wss"}, false)),
      FIELD(ais, message_types, string_list(identifier, false)),
      FIELD(ais, batch_size, integer(1, 1000000)),
      FIELD(ais, flush_interval_s, real(0, 3600, true)),
      FIELD(ais, connect_timeout_s, real(0, 600, true)),
      FIELD(ais, reconnect_initial_backoff_s, real(0, 3600, true)),
      FIELD(ais, reconnect_max_backoff_s, real(0, 86400, true)),
      FIELD(ais, max_reconnects, integer(0, kIntMax)),
      FIELD(ais, bbox_margin_km, real(0, 1000)),
      FIELD(ais, max_gap_s, real(0, 86400, true)),
      FIELD(ais, max_extrapolation_s, real(0, 86400)),
      FIELD(ais, ping_interval_s, real(0, 3600, true)),
      FIELD(ais, read_timeout_s, real(0, 86400, true)),
      FIELD(ais, queue_capacity, integer(1, 100000000)),
      FIELD(ais, allow_global, boolean()),
      FIELD(ais, ca_file, text(true)),

      FIELD(stac, endpoint, url(http, false)),
      FIELD(stac, provider, choice<StacProvider>()),
      FIELD(stac, collection, text(false)),
      FIELD(stac, cloud_cover_max, real(0, 100)),
      FIELD(stac, search_window_hours, real(0, 24 * 60, true)),
      FIELD(stac, page_limit, integer(1, 10000)),
      FIELD(stac, max_items, integer(1, 10000000)),
      FIELD(stac, connect_timeout_s, real(0, 600, true)),
      FIELD(stac, request_timeout_s, real(0, 3600, true)),
      FIELD(stac, max_retries, integer(0, 20)),
      FIELD(stac, relax_steps, string_list(relax_step, true)),

      FIELD(tiling, chip_size_px, integer(16, 4096)),
      FIELD(tiling, bands_core, string_list(band, false)),
      FIELD(tiling, bands_swir, string_list(band, true)),
      FIELD(tiling, include_swir, boolean()),
      FIELD(tiling, resample_method, choice<ResampleMethod>()),
      FIELD(tiling, write_cog, boolean()),
      FIELD(tiling, block_size, integer(16, 4096)),
      FIELD(tiling, overviews, int_list(2, 4096, true, true)),
      FIELD(tiling, compression, choice<Compression>()),
      FIELD(tiling, compression_level, integer(0, 22)),
      FIELD(tiling, predictor, choice<Predictor>()),
      FIELD(tiling, write_quicklook, boolean()),
      FIELD(tiling, workers, integer(0, 1024)),
      FIELD(tiling, block_cache_mb, integer(8, 1048576)),

      FIELD(masks, use_scl, boolean()),
      FIELD(masks, scl_optional, boolean()),
      FIELD(masks, use_ndwi, boolean()),
      FIELD(masks, scl_cloud_classes, int_list(0, 11, true, false)),
      FIELD(masks, scl_shadow_classes, int_list(0, 11, true, false)),
      FIELD(masks, scl_land_classes, int_list(0, 11, true, false)),
      FIELD(masks, scl_water_classes, int_list(0, 11, true, false)),
      FIELD(masks, scl_nodata_classes, int_list(0, 11, true, false)),
      FIELD(masks, write_mask_rasters, boolean()),

      FIELD(gate, enabled, boolean()),
      FIELD(gate, center_window_px, integer(1, 4096)),
      FIELD(gate, max_cloud_center_frac, real(0, 1)),
      FIELD(gate, max_shadow_center_frac, real(0, 1)),
      FIELD(gate, max_land_center_frac, real(0, 1)),
      FIELD(gate, ndwi_water_thresh, real(-1, 1)),
      FIELD(gate, min_water_center_frac, real(0, 1)),

      FIELD(storage, dataset_root, text(false)),
      FIELD(storage, db_path, relative_path({})),
      FIELD(storage, min_free_gb, real(0, 1e6)),
      FIELD(storage, layout.chips, relative_path({"split", "mmsi", "YYYYMMDD"})),
      FIELD(storage, layout.tiles_index, relative_path({})),
      FIELD(storage, layout.daily_index, relative_path(day)),
      FIELD(storage, layout.qa_report, relative_path({"date"})),
      FIELD(storage, layout.stac, relative_path({})),
      FIELD(storage, layout.manifests, relative_path({})),
      FIELD(storage, layout.runs, relative_path({})),
      FIELD(storage, layout.ais_snapshots, relative_path(day)),
      FIELD(storage, layout.schedule, relative_path({})),

      FIELD(splits, train, real(0, 1)),
      FIELD(splits, val, real(0, 1)),
      FIELD(splits, test, real(0, 1)),
      FIELD(splits, group_by, choice<SplitGroup>()),

      FIELD(ops, max_retries, integer(0, 1000)),
      FIELD(ops, initial_backoff_min, real(0, 100000, true)),
      FIELD(ops, max_backoff_hours, real(0, 10000, true)),
      FIELD(ops, retry_batch_limit, integer(1, 1000000)),
      FIELD(ops, stuck_job_minutes, real(0, 100000, true)),
      FIELD(ops, backup_dir, text(false)),
      FIELD(ops, backup_keep_hourly, integer(0, 100000)),
      FIELD(ops, backup_keep_daily, integer(0, 100000)),

      FIELD(alerts, webhook_url, url(http, true)),
      FIELD(alerts, threshold_fail_rate, real(0, 1)),
      FIELD(alerts, min_jobs, integer(1, kIntMax)),

      FIELD(logging, level, choice<LogLevel>()),
      FIELD(logging, file, text(true)),
      FIELD(logging, rotation, size_text(1024)),
      FIELD(logging, keep, integer(0, 1000)),
      FIELD(logging, json, boolean()),
      FIELD(logging, console, boolean()),
  };
}

#undef FIELD

}  // namespace

std::string FieldSpec::env_name() const {
  std::string name = "SHIPCHIPS_" + upper(section) + "_" + upper(key);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

const std::vector<FieldSpec>& config_fields() {
  static const std::vector<FieldSpec> fields = build_fields();
  return fields;
}

const std::vector<std::string>& config_sections() {
  static const std::vector<std::string> sections{
      "satellite_tracking", "ais", "stac", "tiling", "masks", "gate", "storage", "splits", "ops", "alerts", "logging"};
  return sections;
}

}  // namespace shipchips::config_detail
