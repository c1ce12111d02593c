#include "ais/readers_xlsx.hpp"

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/input_file.hpp"

#include <gdal.h>
#include <ogr_api.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <mutex>
#include <sstream>

namespace shipchips::ais {
namespace {

std::string csv_quote(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Date and time cells: Excel stores local-free serial dates; they are taken as UTC, as every
// time in shipchips.
std::string date_cell(OGRFeatureH feature, int index) {
  int y = 0, m = 0, d = 0, hh = 0, mm = 0, tz = 0;
  float ss = 0;
  if (!OGR_F_GetFieldAsDateTimeEx(feature, index, &y, &m, &d, &hh, &mm, &ss, &tz)) return "";
  char buf[48];
  const int whole = static_cast<int>(std::floor(ss));
  const int micros = static_cast<int>(std::lround((ss - whole) * 1e6));
  if (micros > 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d, hh, mm, whole, micros);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mm, whole);
  }
  return buf;
}

// A date cell in a text column comes as "YYYY/MM/DD HH:MM:SS[.fff]" (GDAL's form): as ISO 8601
// UTC. Anything else is returned unchanged.
std::string gdal_date_to_iso(std::string text) {
  auto digits = [&](std::size_t from, std::size_t count) {
    if (text.size() < from + count) return false;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
    }
    return true;
  };
  if (!(digits(0, 4) && text.size() >= 10 && text[4] == '/' && digits(5, 2) && text[7] == '/' && digits(8, 2))) {
    return text;
  }
  text[4] = '-';
  text[7] = '-';
  if (text.size() == 10) return text;
  if (text[10] != ' ' || !digits(11, 2) || text.size() < 16 || text[13] != ':' || !digits(14, 2)) return text;
  text[10] = 'T';
  return text + "Z";
}

}  // namespace

std::string xlsx_sheet_as_csv(const std::string& path) {
  static std::once_flag registered;
  std::call_once(registered, [] { GDALAllRegister(); });
  check_input_file(path, "AIS file");
  // The first row is always the header: GDAL's own guess fails when every cell is text.
  const char* open_options[] = {"HEADERS=DISABLE", "FIELD_TYPES=AUTO", nullptr};
  const char* drivers[] = {"XLSX", nullptr};
  GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, open_options, nullptr);
  if (!ds) throw Error(ErrorCode::input_invalid, path + ": cannot open as an Excel workbook (.xlsx)");
  std::unique_ptr<void, decltype(&GDALClose)> guard(ds, &GDALClose);
  if (GDALDatasetGetLayerCount(ds) < 1) throw Error(ErrorCode::input_invalid, path + ": the workbook has no sheet");
  OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  const int fields = OGR_FD_GetFieldCount(defn);
  std::string out;
  OGR_L_ResetReading(layer);
  bool first = true;
  while (OGRFeatureH feature = OGR_L_GetNextFeature(layer)) {
    // GDAL 3.6 still takes a typed sheet's first row as field names (its rows then start at
    // FID 2): that row is the header line.
    if (first && OGR_F_GetFID(feature) > 1) {
      for (int i = 0; i < fields; ++i) {
        if (i) out += ',';
        out += csv_quote(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
      }
      out += '\n';
    }
    first = false;
    for (int i = 0; i < fields; ++i) {
      if (i) out += ',';
      if (!OGR_F_IsFieldSetAndNotNull(feature, i)) continue;
      const OGRFieldType type = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, i));
      if (type == OFTDateTime || type == OFTDate) {
        out += date_cell(feature, i);
      } else {
        // Newlines inside a cell would shift the row numbers the messages report.
        std::string text = gdal_date_to_iso(OGR_F_GetFieldAsString(feature, i));
        for (char& c : text) {
          if (c == '\n' || c == '\r') c = ' ';
        }
        out += csv_quote(text);
      }
    }
    out += '\n';
    OGR_F_Destroy(feature);
  }
  if (out.empty()) throw Error(ErrorCode::input_invalid, path + ": the first sheet is empty (no header row)");
  return out;
}

ReadReport read_upload_ais_xlsx(const std::string& path, const AisSink& sink, const ReadOptions& options) {
  std::istringstream text(xlsx_sheet_as_csv(path));
  CsvReader table(text, path);
  return read_upload_table(table, path, sink, options);
}

}  // namespace shipchips::ais
