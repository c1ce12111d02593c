#include "core/error.hpp"
#include "dataset/chip_id.hpp"

#include <gtest/gtest.h>

using namespace shipchips;
using namespace shipchips::dataset;

TEST(DatasetChipId, Sha256MatchesKnownVectors) {
  // FIPS 180-2 / NIST test vectors.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DatasetChipId, KeyIsMmsiBarSceneId) {
  EXPECT_EQ(chip_id_key(244660123, "S2B_30STF_20240523_0_L2A"), "244660123|S2B_30STF_20240523_0_L2A");
}

TEST(DatasetChipId, MatchesIndependentSha256sum) {
  // Computed outside shipchips with coreutils:
  //   printf '%s' '244660123|S2B_30STF_20240523_0_L2A' | sha256sum
  //   → bda90879eff2229be5c6073bf8e9886ad190742eefc9d02f711e90d7de00bb4b
  EXPECT_EQ(make_chip_id(244660123, "S2B_30STF_20240523_0_L2A"), "bda90879eff2229b");
  EXPECT_EQ(sha256_hex(chip_id_key(244660123, "S2B_30STF_20240523_0_L2A")),
            "bda90879eff2229be5c6073bf8e9886ad190742eefc9d02f711e90d7de00bb4b");
}

TEST(DatasetChipId, StableAndSensitiveToBothParts) {
  std::string a = make_chip_id(244660123, "S2B_30STF_20240523_0_L2A");
  EXPECT_EQ(a, make_chip_id(244660123, "S2B_30STF_20240523_0_L2A"));
  EXPECT_NE(a, make_chip_id(244660124, "S2B_30STF_20240523_0_L2A"));
  EXPECT_NE(a, make_chip_id(244660123, "S2A_30STF_20240523_0_L2A"));
  EXPECT_TRUE(is_chip_id(a));
}

TEST(DatasetChipId, ValidatesInputsAndIds) {
  EXPECT_THROW(make_chip_id(-1, "S2B_30STF_20240523_0_L2A"), Error);
  EXPECT_THROW(make_chip_id(244660123, ""), Error);
  EXPECT_FALSE(is_chip_id("BDA90879EFF2229B"));  // upper case is not what make_chip_id writes
  EXPECT_FALSE(is_chip_id("bda90879eff2229"));
  EXPECT_FALSE(is_chip_id("bda90879eff2229bb"));
  EXPECT_FALSE(is_chip_id("bda90879eff2229g"));
}
