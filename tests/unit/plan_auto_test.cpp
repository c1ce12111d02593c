// The auto planner's split between the ESA plan and TLE prediction, and versioned schedule
// writes. The end-to-end comparison with the esa_plan and tle modes is
// tests/integration/test_predict_auto.sh.
#include "../support/file_size_limit.hpp"
#include "../support/reference.hpp"
#include "core/error.hpp"
#include "plan/planner_auto.hpp"
#include "plan/schedule_versions.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace shipchips;
using namespace shipchips::plan;
namespace fs = std::filesystem;

namespace {

const std::string kRef = shipchips::testing::reference_dir();
const std::string kKml = kRef + "/esa-plans/Sentinel-2A_MP_ACQ_KML_20190912T120000_20190930T150000.kml";
const std::string kTle = kRef + "/tle/sentinel2_tles.txt";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

OverpassWindow window(const std::string& start) {
  OverpassWindow w;
  w.tile_id = "31UFU";
  w.satellite = "S2A";
  w.start = parse_iso8601(start);
  w.end = w.start + std::chrono::minutes(30);
  w.source = "tle";
  return w;
}

}  // namespace

TEST(PlanAuto, PeriodFromFileOrDocumentName) {
  const auto p = esa_plan_period_from_name("Sentinel-2A_MP_ACQ_KML_20190912T120000_20190930T150000.kml");
  ASSERT_TRUE(p);
  EXPECT_EQ(format_iso8601(p->first, 0), "2019-09-12T12:00:00Z");
  EXPECT_EQ(format_iso8601(p->second, 0), "2019-09-30T15:00:00Z");
  const auto q = esa_plan_period_from_name("S2 Planned Observations from 20240110T100000 to 20240125T180000");
  ASSERT_TRUE(q);
  EXPECT_EQ(format_iso8601(q->second, 0), "2024-01-25T18:00:00Z");
  EXPECT_FALSE(esa_plan_period_from_name("plan.kml"));
  EXPECT_FALSE(esa_plan_period_from_name("x_20191332T120000_20191340T150000.kml"));  // no such dates
  EXPECT_FALSE(esa_plan_period_from_name("x_20190930T150000_20190912T120000.kml"));  // reversed
}

TEST(PlanAuto, PlanCoveringEverythingNeedsNoElementSets) {
  AutoPlanRequest r;
  r.planner.tiles = {"T31UFU", "30STF"};
  r.planner.satellites = {"S2A"};
  r.planner.start = parse_iso8601("2019-09-15");
  r.planner.days = 7;
  r.esa_kml = kKml;
  bool loaded = false;
  r.load_element_sets = [&] {
    loaded = true;
    return std::vector<orbit::Tle>{};
  };
  const AutoPlanResult result = plan_auto(r);
  EXPECT_FALSE(loaded);
  ASSERT_EQ(result.esa_coverage.size(), 1u);
  EXPECT_EQ(result.esa_coverage[0].satellite, "S2A");
  EXPECT_EQ(format_iso8601(result.esa_coverage[0].to, 0), "2019-09-22T00:00:00Z");
  ASSERT_FALSE(result.windows.empty());
  for (const OverpassWindow& w : result.windows) {
    EXPECT_EQ(w.source, "esa_plan");
    EXPECT_TRUE(w.tile_id == "31UFU" || w.tile_id == "30STF") << w.tile_id;
  }
  EXPECT_TRUE(result.passes.empty());
}

TEST(PlanAuto, OtherSatellitesAndDaysOutsideThePlanArePredicted) {
  AutoPlanRequest r;
  r.planner.tiles = {"31UFU"};
  r.planner.start = parse_iso8601("2019-09-28");
  r.planner.days = 5;
  r.planner.tle_max_age_days = 1e6;  // the reference sets are years from 2019: no warnings wanted here
  r.esa_kml = kKml;
  int loads = 0;
  r.load_element_sets = [&] {
    ++loads;
    return read_element_sets(kTle);
  };
  const AutoPlanResult result = plan_auto(r);
  EXPECT_EQ(loads, 1);
  // S2C was launched in 2024: its 2026 elements propagated back to 2019 must not invent passes.
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0], "S2C: no passes before its launch on 2024-09-05 (dropped)");
  ASSERT_EQ(result.esa_coverage.size(), 1u);
  const UtcTime plan_end = parse_iso8601("2019-09-30T15:00:00Z");
  EXPECT_EQ(result.esa_coverage[0].to, plan_end);
  int esa = 0, tle = 0;
  for (const OverpassWindow& w : result.windows) {
    const UtcTime middle = w.start + (w.end - w.start) / 2;
    if (w.source == "esa_plan") {
      ++esa;
      EXPECT_EQ(w.satellite, "S2A");
      EXPECT_LT(middle, plan_end);
    } else {
      ++tle;
      EXPECT_EQ(w.source, "tle");
      EXPECT_NE(w.satellite, "S2C");
      if (w.satellite == "S2A") EXPECT_GE(middle, plan_end);
    }
  }
  EXPECT_GE(esa, 1);
  EXPECT_GE(tle, 2);  // S2A after the plan, S2B
  EXPECT_EQ(result.passes.size(), static_cast<std::size_t>(tle));
  r.esa_csv = "plan.csv";
  EXPECT_THROW(plan_auto(r), Error);  // two plans
}

TEST(PlanScheduleVersions, KeepsPreviousWithItsWriteTimeAndPrunes) {
  const fs::path dir = fs::temp_directory_path() / ("shipchips_versions_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path path = dir / "plan" / "overpass_schedule.csv";
  EXPECT_FALSE(write_schedule_versioned(path, {window("2026-03-20T10:00:00Z")}, 2).archived);
  const std::string v1 = read_text(path);
  const auto stamp = [&](const std::string& iso) {
    fs::last_write_time(path, std::chrono::file_clock::from_sys(parse_iso8601(iso)));
  };
  stamp("2026-03-20T01:02:03Z");
  auto r = write_schedule_versioned(path, {window("2026-03-21T10:00:00Z")}, 2);
  ASSERT_TRUE(r.archived);
  EXPECT_EQ(r.archived->filename(), "overpass_schedule_20260320T010203Z.csv");
  EXPECT_EQ(read_text(*r.archived), v1);
  // Same content: no version. Same second twice: a suffix keeps both.
  EXPECT_FALSE(write_schedule_versioned(path, {window("2026-03-21T10:00:00Z")}, 2).archived);
  stamp("2026-03-20T01:02:03Z");
  r = write_schedule_versioned(path, {window("2026-03-22T10:00:00Z")}, 0);
  ASSERT_TRUE(r.archived);
  EXPECT_EQ(r.archived->filename(), "overpass_schedule_20260320T010203Z_2.csv");
  stamp("2026-03-23T00:00:00Z");
  r = write_schedule_versioned(path, {window("2026-03-23T10:00:00Z")}, 2);
  ASSERT_EQ(r.pruned.size(), 1u);
  EXPECT_EQ(r.pruned[0].filename(), "overpass_schedule_20260320T010203Z.csv");
  const auto versions = schedule_versions(path);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].filename(), "overpass_schedule_20260320T010203Z_2.csv");
  EXPECT_EQ(versions[1].filename(), "overpass_schedule_20260323T000000Z.csv");
  EXPECT_EQ(read_schedule(path).at(0).start, parse_iso8601("2026-03-23T10:00:00Z"));
  EXPECT_THROW(write_schedule_versioned(path, {}, -1), Error);
  fs::remove_all(dir);
}

TEST(PlanScheduleVersions, FailedWriteLeavesScheduleAndHistoryAsTheyWere) {
  const fs::path dir = fs::temp_directory_path() / ("shipchips_versions_full_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path path = dir / "plan" / "overpass_schedule.csv";
  write_schedule_versioned(path, {window("2026-03-20T10:00:00Z")}, 0);
  const std::string v1 = read_text(path);
  std::vector<OverpassWindow> more;
  for (int day = 20; day < 30; ++day) more.push_back(window("2026-03-" + std::to_string(day) + "T10:00:00Z"));
  {
    // Room for the copy of the one-row schedule in history, not for the ten-row one.
    const shipchips::testing::FileSizeLimit limit(v1.size() + 10);
    EXPECT_THROW(write_schedule_versioned(path, more, 0), Error);
  }
  EXPECT_EQ(read_text(path), v1);
  EXPECT_FALSE(fs::exists(schedule_history_dir(path)));  // neither the copy nor its new folder
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator{}), 1);
  fs::remove_all(dir);
}
