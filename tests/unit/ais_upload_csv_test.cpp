#include "ais/upload_csv.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace shipchips;
namespace fs = std::filesystem;

namespace {
fs::path write_temp(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / ("shipchips_upload_" + std::to_string(::getpid())) / name;
  write_file_atomic(p, text);
  return p;
}
}  // namespace

TEST(AisUploadCsv, ReadsTheSeedExample) {
  // The example table of the seed platform guide, section 9.
  auto path = write_temp("seed.csv",
                         "mmsi,lat,lon,overpass_time\n"
                         "244660123,36.1251,-5.4302,2025-10-27T10:27:00Z\n"
                         "244660124,36.2104,-5.3566,2025-10-27T10:28:30Z\n");
  std::vector<ais::UploadRow> rows;
  auto report = ais::read_upload_csv(path, true, [&](const ais::UploadRow& r) { rows.push_back(r); });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(report.bad_rows, 0);
  EXPECT_EQ(rows[1].mmsi, 244660124);
  EXPECT_DOUBLE_EQ(rows[1].lon, -5.3566);
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(format_iso8601(*rows[1].time(), 0), "2025-10-27T10:28:30Z");
}

TEST(AisUploadCsv, BadRowsAreCountedOrFatalWithLineAndColumn) {
  auto path = write_temp("bad.csv",
                         "mmsi,lat,lon,captured_time,notes\n"
                         "244660123,36.1,-5.4,2025-10-27T10:27:00Z,ok\n"
                         "244660123,91,181,2025-10-27T10:27:10Z,unavailable position\n"
                         "abc,36.1,-5.4,,bad mmsi\n"
                         "244660123,36.1,-5.4,yesterday,bad time\n"
                         "244660123,36.2,-5.5,,no time\n");
  std::vector<ais::UploadRow> rows;
  auto report = ais::read_upload_csv(path, false, [&](const ais::UploadRow& r) { rows.push_back(r); });
  EXPECT_EQ(report.rows, 5);
  EXPECT_EQ(report.bad_rows, 3);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[1].time().has_value());
  ASSERT_EQ(report.problems.size(), 3u);
  EXPECT_NE(report.problems[0].find("bad.csv:3: lat:"), std::string::npos) << report.problems[0];
  EXPECT_NE(report.problems[1].find("bad.csv:4: mmsi:"), std::string::npos) << report.problems[1];
  EXPECT_NE(report.problems[2].find("bad.csv:5: captured_time:"), std::string::npos) << report.problems[2];
  try {
    ais::read_upload_csv(path, true, [](const ais::UploadRow&) {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_NE(std::string(e.what()).find("bad.csv:3: lat:"), std::string::npos);
  }
}

TEST(AisUploadCsv, MissingRequiredColumnNamesIt) {
  auto path = write_temp("nolon.csv", "mmsi,lat\n1,2\n");
  try {
    ais::read_upload_csv(path, false, [](const ais::UploadRow&) {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nolon.csv:1: lon:"), std::string::npos) << e.what();
  }
}
