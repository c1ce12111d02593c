// ais::read_track_set: each ship's pings ordered by time with exact repeats dropped, static
// data merged across rows, bad rows counted (or fatal with strict).
#include "../support/temp_dir.hpp"
#include "ais/track_set.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <gtest/gtest.h>

namespace shipchips::ais {
namespace {

TEST(AisTrackSet, OrdersEachTrackByTimeDropsRepeatsAndMergesStatics) {
  testing::TempDir dir("shipchips-track-set");
  const std::string csv = dir.write("upload.csv",
                                    "mmsi,lat,lon,overpass_time,name,dim_a,dim_b\n"
                                    "211000001,54.10,10.20,2026-03-20T10:42:00Z,ALPHA,,\n"
                                    "211000001,54.00,10.00,2026-03-20T10:40:00Z,,20,5\n"
                                    "211000002,55.00,11.00,2026-03-20T10:41:00Z,BRAVO,,\n"
                                    "211000001,54.10,10.20,2026-03-20T10:42:00Z,ALPHA,,\n"
                                    "211000001,54.05,10.10,2026-03-20T10:41:00Z,,,\n");
  const TrackSet set = read_track_set(csv);
  EXPECT_EQ(set.read.records, 5);
  EXPECT_EQ(set.read.bad_rows, 0);
  ASSERT_EQ(set.tracks.size(), 2u);
  const auto& alpha = set.tracks.at(211000001);
  ASSERT_EQ(alpha.size(), 3u) << "the repeated 10:42 row is one ping";
  EXPECT_EQ(alpha[0].time, parse_iso8601("2026-03-20T10:40:00Z"));
  EXPECT_EQ(alpha[1].time, parse_iso8601("2026-03-20T10:41:00Z"));
  EXPECT_EQ(alpha[2].time, parse_iso8601("2026-03-20T10:42:00Z"));
  EXPECT_DOUBLE_EQ(alpha[0].lat, 54.00);
  ASSERT_TRUE(set.statics.contains(211000001));
  const StaticData& s = set.statics.at(211000001);
  EXPECT_EQ(s.name, "ALPHA");
  EXPECT_EQ(s.dim_a, 20);
  EXPECT_EQ(s.dim_b, 5);
  EXPECT_EQ(set.statics.at(211000002).name, "BRAVO");
}

TEST(AisTrackSet, BadRowsAreCountedOrFatalWithStrict) {
  testing::TempDir dir("shipchips-track-set-bad");
  const std::string csv = dir.write("upload.csv",
                                    "mmsi,lat,lon,overpass_time\n"
                                    "211000001,54.00,10.00,2026-03-20T10:40:00Z\n"
                                    "211000001,95.00,10.00,2026-03-20T10:41:00Z\n");
  const TrackSet set = read_track_set(csv);
  EXPECT_EQ(set.read.bad_rows, 1);
  EXPECT_EQ(set.tracks.at(211000001).size(), 1u);
  ReadOptions strict;
  strict.strict = true;
  try {
    read_track_set(csv, strict);
    FAIL() << "a bad row with strict must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_NE(std::string(e.what()).find("upload.csv:3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace shipchips::ais
