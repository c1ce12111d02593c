#include "pipeline/ais_snapshots.hpp"

#include "ais/readers_csv.hpp"
#include "ais/readers_xlsx.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/parquet_writer.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace shipchips::pipeline {
namespace {

namespace pq = dataset::parquet;

struct Row {
  const ais::PositionReport* p = nullptr;
  const ais::StaticData* s = nullptr;  // may be null
};

const std::vector<pq::Column>& columns() {
  using T = pq::ColumnType;
  static const std::vector<pq::Column> cols{{"tile_id", T::string},
                                            {"mmsi", T::int64},
                                            {"captured_time", T::timestamp},
                                            {"lat", T::float64},
                                            {"lon", T::float64},
                                            {"sog", T::float64, true},
                                            {"cog", T::float64, true},
                                            {"heading", T::float64, true},
                                            {"nav_status", T::int64, true},
                                            {"class", T::string, true},
                                            {"name", T::string, true},
                                            {"callsign", T::string, true},
                                            {"imo", T::int64, true},
                                            {"ship_type", T::int64, true},
                                            {"dim_a", T::int64, true},
                                            {"dim_b", T::int64, true},
                                            {"dim_c", T::int64, true},
                                            {"dim_d", T::int64, true},
                                            {"draught", T::float64, true},
                                            {"destination", T::string, true},
                                            {"source", T::string},
                                            {"provider", T::string}};
  return cols;
}

// One row's cells in column order (null = monostate).
std::vector<pq::Value> cells(const std::string& tile, const Row& r) {
  auto opt_d = [](const std::optional<double>& v) -> pq::Value {
    return v ? pq::Value(*v) : pq::Value(pq::null_value);
  };
  auto opt_i = [](const auto& v) -> pq::Value {
    return v ? pq::Value(static_cast<std::int64_t>(*v)) : pq::Value(pq::null_value);
  };
  auto opt_s = [](const std::string& v) -> pq::Value { return v.empty() ? pq::Value(pq::null_value) : pq::Value(v); };
  const ais::PositionReport& p = *r.p;
  const std::string cls(ais::to_string(p.ais_class));
  std::vector<pq::Value> row{tile,
                             static_cast<std::int64_t>(p.mmsi),
                             p.time,
                             p.lat,
                             p.lon,
                             opt_d(p.sog_kn),
                             opt_d(p.cog_deg),
                             opt_d(p.heading_deg),
                             opt_i(p.nav_status),
                             opt_s(cls)};
  if (r.s) {
    row.insert(row.end(), {opt_s(r.s->name), opt_s(r.s->callsign), opt_i(r.s->imo), opt_i(r.s->ship_type),
                           opt_i(r.s->dim_a), opt_i(r.s->dim_b), opt_i(r.s->dim_c), opt_i(r.s->dim_d),
                           opt_d(r.s->draught_m), opt_s(r.s->destination)});
  } else {
    row.insert(row.end(), 10, pq::Value(pq::null_value));
  }
  row.push_back(p.source.empty() ? std::string("unknown") : p.source);
  row.push_back(p.provider.empty() ? std::string("unknown") : p.provider);
  return row;
}

// XLSX through OGR: numbers as Real/Integer64 fields, the time as ISO 8601 text.
void write_xlsx(const std::filesystem::path& path, const std::string& tile, const std::vector<Row>& rows) {
  GDALAllRegister();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("XLSX");
  if (!driver) throw Error(ErrorCode::internal, "GDAL lacks the XLSX driver");
  // The driver picks the format from the extension: AtomicOutput's temporary name keeps ".xlsx".
  AtomicOutput output(path);
  const std::filesystem::path& temp = output.temp_path();
  {
    std::unique_ptr<GDALDataset> ds(driver->Create(temp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw Error(ErrorCode::io_error, "cannot create " + temp.string() + ": " + CPLGetLastErrorMsg());
    OGRLayer* layer = ds->CreateLayer("ais", nullptr, wkbNone, nullptr);
    if (!layer) throw Error(ErrorCode::io_error, "cannot create the sheet in " + temp.string());
    for (const pq::Column& c : columns()) {
      OGRFieldType type = OFTString;
      if (c.type == pq::ColumnType::float64) type = OFTReal;
      if (c.type == pq::ColumnType::int64) type = OFTInteger64;
      OGRFieldDefn field(c.name.c_str(), type);
      if (layer->CreateField(&field) != OGRERR_NONE)
        throw Error(ErrorCode::io_error, "cannot add column " + c.name + " to " + temp.string());
    }
    for (const Row& r : rows) {
      const std::vector<pq::Value> values = cells(tile, r);
      OGRFeature feature(layer->GetLayerDefn());
      for (std::size_t i = 0; i < values.size(); ++i) {
        const int idx = static_cast<int>(i);
        std::visit(
            [&](const auto& v) {
              using V = std::decay_t<decltype(v)>;
              if constexpr (std::is_same_v<V, std::monostate>) {
                feature.SetFieldNull(idx);
              } else if constexpr (std::is_same_v<V, std::string>) {
                feature.SetField(idx, v.c_str());
              } else if constexpr (std::is_same_v<V, double>) {
                feature.SetField(idx, v);
              } else if constexpr (std::is_same_v<V, std::int64_t> || std::is_same_v<V, std::int32_t>) {
                feature.SetField(idx, static_cast<GIntBig>(v));
              } else if constexpr (std::is_same_v<V, UtcTime>) {
                feature.SetField(idx, format_iso8601(v, 6).c_str());
              } else {
                feature.SetField(idx, v ? 1 : 0);
              }
            },
            values[i]);
      }
      if (layer->CreateFeature(&feature) != OGRERR_NONE)
        throw Error(ErrorCode::io_error, "cannot write a row to " + temp.string());
    }
  }  // closing the dataset writes the workbook
  output.commit();
}

}  // namespace

std::filesystem::path snapshot_dir(const Config& config, UtcTime day) {
  return dataset_path(config,
                      dataset::expand_layout(config.storage.layout.ais_snapshots, {{"YYYYMMDD", format_yyyymmdd(day)}},
                                             "storage.layout.ais_snapshots"));
}

SnapshotResult write_ais_snapshot(ais::TrackStore& store, const Config& config, const CaptureArea& area, UtcTime day) {
  const UtcTime day_start = std::chrono::floor<std::chrono::days>(day);
  const UtcTime day_end = day_start + std::chrono::days{1};
  SnapshotResult result;
  const std::filesystem::path dir = snapshot_dir(config, day_start);
  result.parquet = dir / ("ais_overpass_" + area.tile_id + ".parquet");
  result.xlsx = dir / ("ais_overpass_" + area.tile_id + ".xlsx");

  // Merge: what the previous snapshot holds goes (back) into the store first.
  if (std::filesystem::exists(result.xlsx)) {
    std::vector<ais::PositionReport> positions;
    std::vector<ais::StaticData> statics;
    ais::AisSink sink;
    sink.position = [&](const ais::PositionReport& p) { positions.push_back(p); };
    sink.static_data = [&](const ais::StaticData& s) { statics.push_back(s); };
    ais::ReadOptions options;
    options.strict = true;  // our own file: a bad row means it was damaged; stop rather than lose rows
    ais::read_upload_ais_xlsx(result.xlsx.string(), sink, options);
    // A ping the store holds already is known by (mmsi, time): the spreadsheet's numbers
    // need not round-trip to the last bit of a double, so its values are not compared. The
    // rows keep their source and provider columns.
    std::set<std::pair<std::int64_t, UtcTime>> held;
    for (const auto& p : store.ships_in(area.box, day_start, day_end)) held.emplace(p.mmsi, p.time);
    std::erase_if(positions, [&](const ais::PositionReport& p) { return held.count({p.mmsi, p.time}) > 0; });
    result.recovered = store.insert(positions).inserted;
    store.insert(statics);
  }

  const std::vector<ais::PositionReport> pings = store.ships_in(area.box, day_start, day_end);
  std::map<std::int64_t, std::optional<ais::StaticData>> statics;
  for (const auto& p : pings) {
    if (!statics.count(p.mmsi)) statics[p.mmsi] = store.static_of(p.mmsi);
  }
  std::vector<Row> rows;
  rows.reserve(pings.size());
  for (const auto& p : pings) {
    const auto& s = statics[p.mmsi];
    rows.push_back({&p, s ? &*s : nullptr});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::pair(a.p->mmsi, a.p->time) < std::pair(b.p->mmsi, b.p->time);
  });

  if (rows.empty() && result.recovered == 0 && !std::filesystem::exists(result.parquet)) {
    // Nothing heard there that day, and no earlier snapshot: no empty files.
    result.parquet.clear();
    result.xlsx.clear();
    return result;
  }
  make_directories(dir);
  pq::Writer writer(columns());
  for (const Row& r : rows) writer.append_row(cells(area.tile_id, r));
  writer.write_file(result.parquet);
  write_xlsx(result.xlsx, area.tile_id, rows);
  result.rows = rows.size();
  return result;
}

}  // namespace shipchips::pipeline
