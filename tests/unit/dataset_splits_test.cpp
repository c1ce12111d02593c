#include "core/error.hpp"
#include "dataset/chip_id.hpp"
#include "dataset/splits.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace shipchips;
using namespace shipchips::dataset;

TEST(DatasetSplits, HashUnitIsFromSha256) {
  // Computed outside shipchips:
  //   printf '%s' 'split|mmsi:244660123' | sha256sum   → 49f26404231c0047e370...
  //   /usr/bin/python3 -c 'print(repr((0x49f26404231c0047 >> 11) / 2**53))'  → 0.2888548383808569
  EXPECT_EQ(split_hash_unit("mmsi:244660123"), 0.2888548383808569);
  // 0.289 < 0.8: this ship is in train with the default fractions.
  EXPECT_EQ(assign_split(SplitsConfig{}, 244660123, "any", "any"), Split::train);
}

TEST(DatasetSplits, OneShipNeverInTwoSplits) {
  SplitsConfig splits;  // group_by mmsi
  for (std::int64_t mmsi = 200000000; mmsi < 200000200; ++mmsi) {
    std::set<Split> seen;
    for (int scene = 0; scene < 10; ++scene) {
      std::string scene_id = "S2A_30STF_202405" + std::to_string(10 + scene) + "_0_L2A";
      seen.insert(assign_split(splits, mmsi, scene_id, make_chip_id(mmsi, scene_id)));
    }
    EXPECT_EQ(seen.size(), 1u) << "mmsi " << mmsi;
  }
}

TEST(DatasetSplits, GroupBySceneAndChip) {
  SplitsConfig splits;
  splits.group_by = SplitGroup::scene;
  EXPECT_EQ(split_group_key(SplitGroup::scene, 1, "S2A_X", "c"), "scene:S2A_X");
  EXPECT_EQ(split_group_key(SplitGroup::chip, 1, "S2A_X", "c"), "chip:c");
  EXPECT_EQ(split_group_key(SplitGroup::mmsi, 244660123, "S2A_X", "c"), "mmsi:244660123");
  // Every chip of one scene shares its split, whatever the ship.
  for (int s = 0; s < 50; ++s) {
    std::string scene = "S2B_30STF_2024" + std::to_string(1000 + s) + "_0_L2A";
    Split first = assign_split(splits, 1, scene, "a");
    for (std::int64_t mmsi = 2; mmsi < 20; ++mmsi)
      EXPECT_EQ(assign_split(splits, mmsi, scene, make_chip_id(mmsi, scene)), first);
  }
}

TEST(DatasetSplits, DistributionFollowsFractions) {
  SplitsConfig splits;  // 0.8 / 0.1 / 0.1
  std::map<Split, int> counts;
  for (std::int64_t mmsi = 230000000; mmsi < 230010000; ++mmsi)
    ++counts[assign_split(splits, split_group_key(SplitGroup::mmsi, mmsi, "", ""))];
  // Binomial standard deviation for n = 10000: ~40 for 0.8, ~30 for 0.1; allow 2 percentage points.
  EXPECT_NEAR(counts[Split::train] / 10000.0, 0.8, 0.02);
  EXPECT_NEAR(counts[Split::val] / 10000.0, 0.1, 0.02);
  EXPECT_NEAR(counts[Split::test] / 10000.0, 0.1, 0.02);

  SplitsConfig skewed{0.5, 0.0, 0.5, SplitGroup::mmsi};
  std::map<Split, int> c2;
  for (std::int64_t mmsi = 230000000; mmsi < 230010000; ++mmsi)
    ++c2[assign_split(skewed, split_group_key(SplitGroup::mmsi, mmsi, "", ""))];
  EXPECT_EQ(c2[Split::val], 0);
  EXPECT_NEAR(c2[Split::train] / 10000.0, 0.5, 0.02);
}

TEST(DatasetSplits, ZeroFractionsReceiveNothing) {
  SplitsConfig all_train{1.0, 0.0, 0.0, SplitGroup::mmsi};
  for (std::int64_t mmsi = 1; mmsi < 2000; ++mmsi) {
    EXPECT_EQ(assign_split(all_train, split_group_key(SplitGroup::mmsi, mmsi, "", "")), Split::train);
  }
  SplitsConfig no_test{0.7, 0.3, 0.0, SplitGroup::mmsi};
  for (std::int64_t mmsi = 1; mmsi < 2000; ++mmsi) {
    EXPECT_NE(assign_split(no_test, split_group_key(SplitGroup::mmsi, mmsi, "", "")), Split::test);
  }
}

TEST(DatasetSplits, StableValuesAndNames) {
  // Pinned: a change here reshuffles every published dataset's splits.
  SplitsConfig splits;
  std::string key = split_group_key(SplitGroup::mmsi, 244660123, "", "");
  Split s = assign_split(splits, key);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(assign_split(splits, key), s);
  double u = split_hash_unit(key);
  EXPECT_EQ(s, u < 0.8 ? Split::train : (u < 0.9 ? Split::val : Split::test));
  EXPECT_EQ(to_string(Split::train), "train");
  EXPECT_EQ(to_string(Split::val), "val");
  EXPECT_EQ(to_string(Split::test), "test");
  EXPECT_EQ(parse_split("val"), Split::val);
  EXPECT_THROW(parse_split("validation"), Error);
}
