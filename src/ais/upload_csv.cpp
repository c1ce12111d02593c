#include "ais/upload_csv.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"

#include <cmath>

namespace shipchips::ais {
namespace {

struct Columns {
  std::size_t mmsi, lat, lon;
  std::optional<std::size_t> overpass_time, captured_time, source, notes;
};

UploadRow parse_row(const CsvReader& csv, const Columns& col) {
  UploadRow row;
  row.line = csv.line();
  auto number = [&](std::size_t index, const char* name) {
    std::optional<double> value;
    try {
      value = parse_double_field(csv.field(index));
    } catch (const Error& e) {
      csv.fail(name, e.what());
    }
    if (!value) csv.fail(name, "empty value in a required column");
    if (!std::isfinite(*value)) csv.fail(name, "not a finite number");
    return *value;
  };
  std::optional<long long> mmsi;
  try {
    mmsi = parse_int_field(csv.field(col.mmsi));
  } catch (const Error& e) {
    csv.fail("mmsi", e.what());
  }
  if (!mmsi) csv.fail("mmsi", "empty value in a required column");
  if (*mmsi <= 0 || *mmsi > 999999999) csv.fail("mmsi", "must be a 1-9 digit positive number");
  row.mmsi = *mmsi;
  row.lat = number(col.lat, "lat");
  row.lon = number(col.lon, "lon");
  // ITU-R M.1371 encodes "position unavailable" as lat 91 / lon 181: not a position.
  if (row.lat < -90 || row.lat > 90) csv.fail("lat", "outside -90..90");
  if (row.lon < -180 || row.lon > 180) csv.fail("lon", "outside -180..180");
  auto time = [&](const std::optional<std::size_t>& index, const char* name) -> std::optional<UtcTime> {
    if (!index || csv.field(*index).empty()) return std::nullopt;
    try {
      return parse_iso8601(csv.field(*index));
    } catch (const Error& e) {
      csv.fail(name, e.what());
    }
  };
  row.overpass_time = time(col.overpass_time, "overpass_time");
  row.captured_time = time(col.captured_time, "captured_time");
  if (col.source) row.source = std::string(csv.field(*col.source));
  if (col.notes) row.notes = std::string(csv.field(*col.notes));
  return row;
}

}  // namespace

UploadReadReport read_upload_csv(const std::string& path, bool strict,
                                 const std::function<void(const UploadRow&)>& sink) {
  auto csv = CsvReader::open(path);
  Columns col{csv->require_column("mmsi"),  csv->require_column("lat"),   csv->require_column("lon"),
              csv->column("overpass_time"), csv->column("captured_time"), csv->column("source"),
              csv->column("notes")};
  UploadReadReport report;
  while (csv->next()) {
    ++report.rows;
    try {
      sink(parse_row(*csv, col));
    } catch (const Error& e) {
      if (strict || e.code() != ErrorCode::input_invalid) throw;
      ++report.bad_rows;
      if (report.problems.size() < 100) report.problems.emplace_back(e.what());
    }
  }
  return report;
}

}  // namespace shipchips::ais
