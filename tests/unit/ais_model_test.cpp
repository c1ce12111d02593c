#include "ais/model.hpp"
#include "core/time.hpp"

#include <gtest/gtest.h>

using namespace shipchips;

// Type 24 part A carries the name, part B the type and dimensions; a later type 5 without a
// destination must not erase the one already known.
TEST(AisModel, MergeStaticKeepsTheNewestKnownValueOfEachField) {
  ais::StaticData part_a;
  part_a.mmsi = 338087471;
  part_a.time = parse_iso8601("2024-05-23T10:00:00Z");
  part_a.name = "PLEASURE ONE";
  ais::StaticData part_b;
  part_b.mmsi = 338087471;
  part_b.time = parse_iso8601("2024-05-23T10:00:06Z");
  part_b.ship_type = 37;
  part_b.dim_a = 8;
  part_b.dim_b = 4;
  part_b.dim_c = 2;
  part_b.dim_d = 2;
  part_b.destination = "HOME";
  ais::StaticData later;
  later.mmsi = 338087471;
  later.time = parse_iso8601("2024-05-23T10:06:00Z");
  later.dim_a = 9;

  ais::StaticData merged;
  ais::merge_static(merged, part_a);
  ais::merge_static(merged, part_b);
  ais::merge_static(merged, later);
  EXPECT_EQ(merged.mmsi, 338087471);
  EXPECT_EQ(merged.name, "PLEASURE ONE");
  EXPECT_EQ(merged.destination, "HOME");
  EXPECT_EQ(merged.ship_type, 37);
  EXPECT_EQ(merged.dim_a, 9);
  EXPECT_EQ(merged.dim_b, 4);
  EXPECT_EQ(merged.time, parse_iso8601("2024-05-23T10:06:00Z"));
  // An older report folded in afterwards does not move the time back.
  ais::merge_static(merged, part_a);
  EXPECT_EQ(merged.time, parse_iso8601("2024-05-23T10:06:00Z"));
}
