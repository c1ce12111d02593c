#pragma once
// The seed's upload schema from an Excel workbook (.xlsx): the first sheet, first row the
// header, read through GDAL's XLSX driver and handed to the same row rules as the CSV
// (readers_csv.hpp), so a bad cell is reported as "file.xlsx:ROW: column: problem" with ROW the
// sheet's row number. Date cells become ISO 8601 UTC times; text cells are taken as written.

#include "ais/readers_csv.hpp"

#include <string>

namespace shipchips::ais {

ReadReport read_upload_ais_xlsx(const std::string& path, const AisSink& sink, const ReadOptions& options = {});

// The first sheet as CSV text (header line first), for the reader above and for tests.
std::string xlsx_sheet_as_csv(const std::string& path);

}  // namespace shipchips::ais
