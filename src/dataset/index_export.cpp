#include "dataset/index_export.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "dataset/chip_geojson.hpp"
#include "dataset/chip_index.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/geoparquet.hpp"
#include "dataset/parquet_writer.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace shipchips::dataset {
namespace fs = std::filesystem;
namespace pq = parquet;

namespace {

pq::Value opt_double(const std::optional<double>& v) {
  return v ? pq::Value(*v) : pq::Value(pq::null_value);
}
pq::Value opt_string(const std::optional<std::string>& v) {
  return v ? pq::Value(*v) : pq::Value(pq::null_value);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string relative_to(const fs::path& path, const fs::path& root) {
  return path.lexically_relative(root).generic_string();
}

}  // namespace

std::string tiles_parquet_bytes(std::span<const ChipRecord> records) {
  using T = pq::ColumnType;
  pq::Writer w({{"chip_id", T::string},
                {"path", T::string},
                {"mmsi", T::int64},
                {"lat", T::float64},
                {"lon", T::float64},
                {"overpass_time", T::timestamp},
                {"scene_id", T::string},
                {"scene_datetime", T::timestamp},
                {"cloud_cover", T::float64, true},
                {"split", T::string},
                {"bands", T::string},
                {"has_swir", T::boolean},
                {"qa_cloud_frac", T::float64, true},
                {"qa_water_frac", T::float64, true},
                {"qa_land_frac", T::float64, true},
                {"ais_lat", T::float64},
                {"ais_lon", T::float64},
                {"dt_s", T::float64},
                {"processing_baseline", T::string, true},
                {"epsg", T::int32},
                {"qa_shadow_frac", T::float64, true},
                {"nodata_fraction", T::float64},
                {"interpolation", T::string, true},
                {"uncertainty_m", T::float64, true},
                {"created", T::timestamp},
                {"geometry", T::binary}});
  GeoColumn geometry("geometry", {"Polygon"});
  const ChipRecord* previous = nullptr;
  for (const ChipRecord& r : records) {
    if (previous != nullptr && !(previous->chip_id < r.chip_id)) {
      throw Error(ErrorCode::invalid_argument,
                  "tiles.parquet: rows not sorted by unique chip_id at '" + r.chip_id + "'");
    }
    previous = &r;
    w.append_row({r.chip_id,
                  r.path,
                  static_cast<std::int64_t>(r.mmsi),
                  r.lat,
                  r.lon,
                  r.ais_time,
                  r.scene_id,
                  r.scene_datetime,
                  opt_double(r.cloud_cover),
                  r.split,
                  join(r.bands),
                  r.has_swir,
                  opt_double(r.gate.qa_cloud_frac),
                  opt_double(r.gate.qa_water_frac),
                  opt_double(r.gate.qa_land_frac),
                  r.ais_lat,
                  r.ais_lon,
                  r.dt_s,
                  opt_string(r.processing_baseline),
                  static_cast<std::int32_t>(r.epsg),
                  opt_double(r.gate.qa_shadow_frac),
                  r.nodata_fraction,
                  opt_string(r.interpolation),
                  opt_double(r.uncertainty_m),
                  r.created,
                  geometry.add_polygon(geo::Polygon{r.footprint})});
  }
  w.set_metadata("geo", geometry.metadata_json());
  return w.finish();
}

bool write_if_changed(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == bytes.size() && !ec) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream current;
    current << in.rdbuf();
    if (in && current.str() == bytes) return false;
  }
  write_file_atomic(path, bytes);
  return true;
}

ExportReport export_indexes(std::span<const ChipRecord> records, const fs::path& root, const StorageLayout& layout) {
  ExportReport report;
  report.rows = records.size();
  auto note = [&](const fs::path& path, bool written) {
    (written ? report.written : report.unchanged).push_back(relative_to(path, root));
  };

  fs::path tiles = root / layout.tiles_index;
  note(tiles, write_if_changed(tiles, tiles_parquet_bytes(records)));

  // Records are sorted by chip_id, so each day's slice keeps that order.
  std::map<std::string, std::vector<ChipRecord>> by_day;
  for (const ChipRecord& r : records) by_day[scene_date(r)].push_back(r);
  DailyPattern pattern = daily_pattern(root, layout.daily_index);
  for (const auto& [day, day_records] : by_day) {
    fs::path file = daily_index_path(root, layout.daily_index, day);
    note(file, write_if_changed(file, feature_collection_text(day_records)));
  }
  std::error_code ec;
  if (fs::is_directory(pattern.folder, ec)) {
    std::set<fs::path> stale;
    for (const auto& entry : fs::directory_iterator(pattern.folder)) {
      std::string day = pattern.date_of(entry.path().filename().string());
      if (!day.empty() && entry.is_regular_file() && !by_day.count(day)) stale.insert(entry.path());
    }
    for (const fs::path& file : stale) {
      if (!fs::remove(file, ec) || ec) {
        throw Error(ErrorCode::io_error, file.string() + ": cannot remove stale daily index: " + ec.message());
      }
      report.removed.push_back(relative_to(file, root));
    }
  }
  return report;
}

ExportReport export_indexes(ChipIndex& index, const Config& config) {
  std::vector<ChipRecord> records = index.list();
  return export_indexes(records, dataset_root(config), config.storage.layout);
}

void require_chip_index(const Config& config) {
  const fs::path db = dataset_path(config, config.storage.db_path);
  if (!ChipIndex::exists(db)) {
    throw Error(ErrorCode::not_found,
                db.string() + ": no chips index yet; `shipchips index rebuild` creates it from the chips tree");
  }
}

ExportReport export_from_database(const Config& config) {
  require_chip_index(config);
  ChipIndex index(dataset_path(config, config.storage.db_path));
  return export_indexes(index, config);
}

}  // namespace shipchips::dataset
