// Workbooks are made by GDAL's ogr2ogr (an independent XLSX writer) from CSV text, once with
// every cell text and once with the times as real date cells.
#include "ais/readers_xlsx.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace shipchips;
namespace fs = std::filesystem;

namespace {

fs::path make_xlsx(const std::string& name, const std::string& csv, bool typed_dates) {
  fs::path dir = fs::temp_directory_path() / ("shipchips_xlsx_" + std::to_string(::getpid()));
  fs::path csv_path = dir / (name + ".csv");
  fs::path xlsx = dir / (name + ".xlsx");
  write_file_atomic(csv_path, csv);
  fs::remove(xlsx);
  std::string command = "ogr2ogr -f XLSX " + std::string(typed_dates ? "-oo AUTODETECT_TYPE=YES " : "") + "'" +
                        xlsx.string() + "' '" + csv_path.string() + "' 2>/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return xlsx;
}

std::vector<ais::PositionReport> read_all(const fs::path& xlsx, ais::ReadReport* report = nullptr,
                                          bool strict = false) {
  std::vector<ais::PositionReport> out;
  ais::AisSink sink;
  sink.position = [&](const ais::PositionReport& p) { out.push_back(p); };
  ais::ReadOptions options;
  options.strict = strict;
  auto r = ais::read_ais_file(xlsx.string(), sink, options);
  if (report) *report = r;
  return out;
}

const char* kSeedExample =
    "mmsi,lat,lon,overpass_time\n"
    "244660123,36.1251,-5.4302,2025-10-27T10:27:00Z\n"
    "244660124,36.2104,-5.3566,2025-10-27T10:28:30Z\n";

}  // namespace

TEST(AisReadersXlsx, SeedExampleAsTextCells) {
  auto rows = read_all(make_xlsx("text", kSeedExample, false));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].mmsi, 244660123);
  EXPECT_DOUBLE_EQ(rows[0].lat, 36.1251);
  EXPECT_DOUBLE_EQ(rows[1].lon, -5.3566);
  EXPECT_EQ(format_iso8601(rows[1].time, 0), "2025-10-27T10:28:30Z");
  EXPECT_EQ(rows[1].provider, "upload");
}

TEST(AisReadersXlsx, DateCellsAndNumberCells) {
  auto rows = read_all(make_xlsx("typed", kSeedExample, true));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].mmsi, 244660123);
  EXPECT_EQ(format_iso8601(rows[0].time, 0), "2025-10-27T10:27:00Z");
  EXPECT_NEAR(rows[0].lat, 36.1251, 1e-9);
}

TEST(AisReadersXlsx, BadCellNamesTheSheetRowAndColumn) {
  auto xlsx = make_xlsx("bad",
                        "mmsi,lat,lon,overpass_time\n"
                        "244660123,36.1,-5.4,2025-10-27T10:27:00Z\n"
                        "244660123,95.0,-5.4,2025-10-27T10:28:00Z\n",
                        false);
  ais::ReadReport report;
  auto rows = read_all(xlsx, &report);
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(report.bad_rows, 1);
  ASSERT_FALSE(report.problems.empty());
  EXPECT_NE(report.problems[0].find("bad.xlsx:3: lat:"), std::string::npos) << report.problems[0];
  EXPECT_THROW(read_all(xlsx, nullptr, true), Error);
}
