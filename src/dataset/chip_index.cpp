#include "dataset/chip_index.hpp"

#include "core/error.hpp"

#include <array>

namespace shipchips::dataset {
namespace {

constexpr std::array<sqlite::Migration, 2> kMigrations{{
    {1,
     "CREATE TABLE chips ("
     " chip_id TEXT PRIMARY KEY NOT NULL,"
     " mmsi INTEGER NOT NULL,"
     " split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),"
     " path TEXT NOT NULL,"
     " lat REAL NOT NULL, lon REAL NOT NULL,"
     " ais_lat REAL NOT NULL, ais_lon REAL NOT NULL, ais_time TEXT NOT NULL,"
     " interpolation TEXT, uncertainty_m REAL,"
     " scene_id TEXT NOT NULL, collection TEXT NOT NULL,"
     " scene_datetime TEXT NOT NULL, scene_date TEXT NOT NULL,"
     " dt_s REAL NOT NULL, cloud_cover REAL, processing_baseline TEXT,"
     " bands TEXT NOT NULL, has_swir INTEGER NOT NULL, epsg INTEGER NOT NULL,"
     " nodata_fraction REAL NOT NULL,"
     " qa_cloud_frac REAL, qa_shadow_frac REAL, qa_land_frac REAL, qa_water_frac REAL,"
     " qa_ndwi_water_frac REAL, gate_passed INTEGER,"
     " created TEXT NOT NULL, software_version TEXT NOT NULL,"
     " record_json TEXT NOT NULL);"
     "CREATE INDEX chips_mmsi ON chips(mmsi);"
     "CREATE INDEX chips_scene ON chips(scene_id);"
     "CREATE INDEX chips_scene_date ON chips(scene_date);"
     "CREATE INDEX chips_split ON chips(split);"},
    // v2: the newest chip found without a scan (the service's last-chip gauge, NoChips24h).
    {2, "CREATE INDEX chips_created ON chips(created);"},
}};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::optional<std::int64_t> opt_bool(const std::optional<bool>& b) {
  if (!b) return std::nullopt;
  return *b ? 1 : 0;
}

}  // namespace

std::string_view to_string(UpsertResult result) {
  switch (result) {
    case UpsertResult::inserted:
      return "inserted";
    case UpsertResult::updated:
      return "updated";
    case UpsertResult::unchanged:
      return "unchanged";
  }
  return "unchanged";
}

ChipIndex::ChipIndex(const std::filesystem::path& db_path) : m_db(db_path) {
  sqlite::migrate(m_db, schema_component, kMigrations);
}

bool ChipIndex::exists(const std::filesystem::path& db_path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) return false;
  sqlite::Database db(db_path, sqlite::OpenMode::read_only);
  {
    sqlite::Statement t = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'");
    if (!t.step()) return false;
  }
  sqlite::Statement q = db.prepare("SELECT version FROM schema_versions WHERE component = ?1");
  q.bind(1, schema_component);
  return q.step() && q.int64(0) > 0;
}

UpsertResult ChipIndex::upsert(const ChipRecord& r) {
  check_record(r);
  std::string json = to_sidecar_text(r);
  sqlite::Transaction tx(m_db);
  sqlite::Statement existing = m_db.prepare("SELECT record_json FROM chips WHERE chip_id = ?1");
  existing.bind(1, r.chip_id);
  bool had = existing.step();
  bool same = had && existing.text(0) == json;
  existing.reset();
  if (same) return UpsertResult::unchanged;  // the transaction rolls back: nothing written
  sqlite::Statement up = m_db.prepare(
      "INSERT INTO chips(chip_id, mmsi, split, path, lat, lon, ais_lat, ais_lon, ais_time, interpolation,"
      " uncertainty_m, scene_id, collection, scene_datetime, scene_date, dt_s, cloud_cover, processing_baseline,"
      " bands, has_swir, epsg, nodata_fraction, qa_cloud_frac, qa_shadow_frac, qa_land_frac, qa_water_frac,"
      " qa_ndwi_water_frac, gate_passed, created, software_version, record_json)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,"
      " ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)"
      " ON CONFLICT(chip_id) DO UPDATE SET mmsi = excluded.mmsi, split = excluded.split, path = excluded.path,"
      " lat = excluded.lat, lon = excluded.lon, ais_lat = excluded.ais_lat, ais_lon = excluded.ais_lon,"
      " ais_time = excluded.ais_time, interpolation = excluded.interpolation, uncertainty_m = excluded.uncertainty_m,"
      " scene_id = excluded.scene_id, collection = excluded.collection, scene_datetime = excluded.scene_datetime,"
      " scene_date = excluded.scene_date, dt_s = excluded.dt_s, cloud_cover = excluded.cloud_cover,"
      " processing_baseline = excluded.processing_baseline, bands = excluded.bands, has_swir = excluded.has_swir,"
      " epsg = excluded.epsg, nodata_fraction = excluded.nodata_fraction, qa_cloud_frac = excluded.qa_cloud_frac,"
      " qa_shadow_frac = excluded.qa_shadow_frac, qa_land_frac = excluded.qa_land_frac,"
      " qa_water_frac = excluded.qa_water_frac, qa_ndwi_water_frac = excluded.qa_ndwi_water_frac,"
      " gate_passed = excluded.gate_passed, created = excluded.created,"
      " software_version = excluded.software_version, record_json = excluded.record_json");
  up.bind(1, r.chip_id)
      .bind(2, static_cast<std::int64_t>(r.mmsi))
      .bind(3, r.split)
      .bind(4, r.path)
      .bind(5, r.lat)
      .bind(6, r.lon)
      .bind(7, r.ais_lat)
      .bind(8, r.ais_lon)
      .bind(9, format_iso8601(r.ais_time))
      .bind(10, r.interpolation)
      .bind(11, r.uncertainty_m)
      .bind(12, r.scene_id)
      .bind(13, r.collection)
      .bind(14, format_iso8601(r.scene_datetime))
      .bind(15, scene_date(r))
      .bind(16, r.dt_s)
      .bind(17, r.cloud_cover)
      .bind(18, r.processing_baseline)
      .bind(19, join(r.bands))
      .bind(20, r.has_swir)
      .bind(21, r.epsg)
      .bind(22, r.nodata_fraction)
      .bind(23, r.gate.qa_cloud_frac)
      .bind(24, r.gate.qa_shadow_frac)
      .bind(25, r.gate.qa_land_frac)
      .bind(26, r.gate.qa_water_frac)
      .bind(27, r.gate.qa_ndwi_water_frac)
      .bind(28, opt_bool(r.gate.passed))
      .bind(29, format_iso8601(r.created))
      .bind(30, r.software_version)
      .bind(31, json);
  up.run();
  tx.commit();
  return had ? UpsertResult::updated : UpsertResult::inserted;
}

std::optional<ChipRecord> ChipIndex::get(std::string_view chip_id) {
  sqlite::Statement q = m_db.prepare("SELECT record_json FROM chips WHERE chip_id = ?1");
  q.bind(1, chip_id);
  if (!q.step()) return std::nullopt;
  return chip_record_from_text(q.text(0), m_db.path().string() + ": chips[" + std::string(chip_id) + "]");
}

std::vector<ChipRecord> ChipIndex::list() {
  std::vector<ChipRecord> out;
  sqlite::Statement q = m_db.prepare("SELECT chip_id, record_json FROM chips ORDER BY chip_id");
  while (q.step()) out.push_back(chip_record_from_text(q.text(1), m_db.path().string() + ": chips[" + q.text(0) + "]"));
  return out;
}

std::vector<std::string> ChipIndex::list_ids() {
  std::vector<std::string> out;
  sqlite::Statement q = m_db.prepare("SELECT chip_id FROM chips ORDER BY chip_id");
  while (q.step()) out.push_back(q.text(0));
  return out;
}

bool ChipIndex::remove(std::string_view chip_id) {
  sqlite::Statement q = m_db.prepare("DELETE FROM chips WHERE chip_id = ?1");
  q.bind(1, chip_id);
  q.run();
  return m_db.changes() > 0;
}

std::size_t ChipIndex::count() {
  sqlite::Statement q = m_db.prepare("SELECT count(*) FROM chips");
  q.step();
  return static_cast<std::size_t>(q.int64(0));
}

std::optional<UtcTime> ChipIndex::newest_created() {
  sqlite::Statement q = m_db.prepare("SELECT max(created) FROM chips");
  if (!q.step() || q.is_null(0)) return std::nullopt;
  return parse_iso8601(q.text(0));
}

}  // namespace shipchips::dataset
