#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "plan/schedule.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace shipchips;
namespace fs = std::filesystem;

TEST(PlanSchedule, SeedColumnsFirstSortedAndRoundTrip) {
  plan::OverpassWindow late{
      "31UFU", "S2B", parse_iso8601("2026-03-02T10:40:00Z"), parse_iso8601("2026-03-02T11:10:00Z"), 8, 46512, 0.734,
      31.25,   "tle"};
  plan::OverpassWindow early{"30STF",
                             "S2A",
                             parse_iso8601("2026-03-01T10:50:00Z"),
                             parse_iso8601("2026-03-01T11:20:00Z"),
                             std::nullopt,
                             std::nullopt,
                             std::nullopt,
                             std::nullopt,
                             "backfill"};
  std::string text = plan::schedule_csv({late, early});
  EXPECT_EQ(text,
            "tile_id,satellite,start_time_utc,end_time_utc,relative_orbit,absolute_orbit,coverage,sun_elevation_deg,"
            "source\n"
            "30STF,S2A,2026-03-01T10:50:00Z,2026-03-01T11:20:00Z,,,,,backfill\n"
            "31UFU,S2B,2026-03-02T10:40:00Z,2026-03-02T11:10:00Z,8,46512,0.7340,31.25,tle\n");
  fs::path path = fs::temp_directory_path() / ("shipchips_schedule_" + std::to_string(::getpid())) / "s.csv";
  plan::write_schedule(path, {late, early});
  auto back = plan::read_schedule(path);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0], early);
  EXPECT_EQ(back[1], late);
  fs::remove_all(path.parent_path());
}

TEST(PlanSchedule, BadRowsNameLineAndColumn) {
  fs::path path = fs::temp_directory_path() / ("shipchips_schedule_bad_" + std::to_string(::getpid())) / "s.csv";
  write_file_atomic(path,
                    "tile_id,satellite,start_time_utc,end_time_utc\n"
                    "30STF,S2A,2026-03-01T10:50:00Z,2026-03-01T10:40:00Z\n");
  try {
    plan::read_schedule(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("s.csv:2: end_time_utc:"), std::string::npos) << e.what();
  }
  fs::remove_all(path.parent_path());
}
