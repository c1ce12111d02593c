// Reflectance rules per provider, baseline and BOA-offset flag (rules from
// ../shared/reference/README.md), checked on the recorded real items where they exist.

#include "../support/reference.hpp"
#include "stac/provider.hpp"

#include "core/error.hpp"
#include "stac/search.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using shipchips::Error;
using shipchips::ErrorCode;
using namespace shipchips::stac;

namespace {

const fs::path kEarthSearch = shipchips::testing::reference_dir() / "earth-search";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Item load_item(const std::string& name) {
  return parse_item(nlohmann::json::parse(read_text(kEarthSearch / name)), name);
}

Item synthetic(std::optional<std::string> baseline, std::optional<bool> flag) {
  Item item;
  item.id = "synthetic";
  if (baseline) {
    item.processing_baseline = *baseline;
    item.processing_baseline_number = parse_processing_baseline(*baseline);
  }
  item.boa_offset_applied = flag;
  return item;
}

const ProviderProfile& es() {
  return provider_profile(ProviderId::earth_search_l2a);
}
const ProviderProfile& c1() {
  return provider_profile(ProviderId::earth_search_c1_l2a);
}
const ProviderProfile& pc() {
  return provider_profile(ProviderId::planetary_computer);
}

}  // namespace

TEST(StacProvider, EarthSearchFlagTrueMeansOffsetAlreadyApplied) {
  const Item item = load_item("item__S2A_13TDE_20231008_0_L2A.json");  // 05.09, flag true, declares -0.1
  const auto rule = es().reflectance(item);
  EXPECT_DOUBLE_EQ(rule.scale, 0.0001);
  EXPECT_DOUBLE_EQ(rule.offset, 0.0);
  EXPECT_DOUBLE_EQ(rule.apply(1234), 0.1234);
  const Item recent = load_item("item__S2B_24MVV_20250731_0_L2A.json");  // 05.11, flag true
  EXPECT_DOUBLE_EQ(es().reflectance(recent, Band::B11).apply(2500), 0.25);
}

TEST(StacProvider, EarthSearchPre2022HasNoOffset) {
  const Item item = load_item("item__S2A_29RKH_20200219_0_L2A.json");  // 02.14, flag false
  const auto rule = es().reflectance(item);
  EXPECT_DOUBLE_EQ(rule.apply(1000), 0.1);  // DN / 10000
  EXPECT_DOUBLE_EQ(rule.offset, 0.0);
}

TEST(StacProvider, EarthSearchFlagFalseFromBaseline4SubtractsOffset) {
  for (const char* baseline : {"04.00", "05.09", "05.11"}) {
    const auto rule = es().reflectance(synthetic(baseline, false));
    EXPECT_DOUBLE_EQ(rule.apply(1000), 0.0) << baseline;  // (1000 - 1000) / 10000
    EXPECT_DOUBLE_EQ(rule.apply(3500), 0.25) << baseline;
  }
  EXPECT_DOUBLE_EQ(es().reflectance(synthetic("03.01", false)).apply(3500), 0.35);
  // No flag at all: the ESA rule on the baseline, as for false.
  EXPECT_DOUBLE_EQ(es().reflectance(synthetic("04.00", std::nullopt)).apply(3500), 0.25);
  // Flag true before 04.00: there was no offset to apply either way.
  EXPECT_DOUBLE_EQ(es().reflectance(synthetic("02.14", true)).apply(3500), 0.35);
}

TEST(StacProvider, MissingBaselineIsAContractViolationWhenTheRuleNeedsIt) {
  try {
    es().reflectance(synthetic(std::nullopt, false));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
    EXPECT_NE(std::string(e.what()).find("s2:processing_baseline"), std::string::npos);
  }
  EXPECT_THROW(pc().reflectance(synthetic(std::nullopt, std::nullopt)), Error);
  // With the flag true the baseline does not matter.
  EXPECT_DOUBLE_EQ(es().reflectance(synthetic(std::nullopt, true)).offset, 0.0);
}

TEST(StacProvider, CollectionOneUsesTheDeclaredScaleAndOffset) {
  const auto page = parse_search_page(
      read_text(kEarthSearch / "other-providers" / "earth_search_v1_sentinel-2-c1-l2a_itemcollection_10items.json"),
      "c1");
  for (const auto& item : page.items) {
    const auto rule = c1().reflectance(item, Band::B04);
    EXPECT_DOUBLE_EQ(rule.scale, 0.0001) << item.id;
    EXPECT_DOUBLE_EQ(rule.offset, -0.1) << item.id;
    EXPECT_DOUBLE_EQ(rule.apply(3500), 0.25) << item.id;
  }
  // Without raster:bands (e.g. a CDSE-like excerpt) the documented constants apply.
  EXPECT_DOUBLE_EQ(c1().reflectance(synthetic("05.11", std::nullopt)).apply(1000), 0.0);
}

TEST(StacProvider, PlanetaryComputerFollowsTheEsaRule) {
  const auto page = parse_search_page(read_text(kEarthSearch / "other-providers" / "mpc_search_page1.json"), "pc");
  ASSERT_EQ(page.items.size(), 1u);
  const Item& item = page.items[0];  // baseline 04.00, original DNs, no raster:bands
  EXPECT_DOUBLE_EQ(pc().reflectance(item).apply(1500), 0.05);
  EXPECT_DOUBLE_EQ(pc().reflectance(synthetic("02.09", std::nullopt)).apply(1500), 0.15);
  EXPECT_EQ(pc().band_asset(item, Band::B11).key, "B11");
  EXPECT_EQ(pc().band_asset(item, Band::SCL).key, "SCL");
  EXPECT_EQ(provider_for_item(item), ProviderId::planetary_computer);
}

TEST(StacProvider, AssetKeysAndNames) {
  const std::array<std::string_view, 7> es_keys{"blue", "green", "red", "nir", "swir16", "swir22", "scl"};
  const std::array<std::string_view, 7> pc_keys{"B02", "B03", "B04", "B08", "B11", "B12", "SCL"};
  for (std::size_t i = 0; i < kAllBands.size(); ++i) {
    EXPECT_EQ(es().asset_key(kAllBands[i]), es_keys[i]);
    EXPECT_EQ(c1().asset_key(kAllBands[i]), es_keys[i]);
    EXPECT_EQ(pc().asset_key(kAllBands[i]), pc_keys[i]);
    EXPECT_EQ(parse_band(to_string(kAllBands[i])), kAllBands[i]);
  }
  EXPECT_EQ(parse_band("scl"), Band::SCL);
  EXPECT_FALSE(parse_band("B8A"));
  EXPECT_EQ(es().collection, "sentinel-2-l2a");
  EXPECT_EQ(c1().collection, "sentinel-2-c1-l2a");
  EXPECT_EQ(pc().collection, "sentinel-2-l2a");
  EXPECT_EQ(provider_by_name("earth-search").id, ProviderId::earth_search_l2a);
  EXPECT_EQ(provider_by_name("Earth_Search_C1_L2A").id, ProviderId::earth_search_c1_l2a);
  EXPECT_EQ(provider_by_name("planetary-computer").id, ProviderId::planetary_computer);
  try {
    provider_by_name("sentinel-hub");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("earth-search"), std::string::npos);
  }
}

TEST(StacProvider, EveryRecordedEarthSearchL2aItemHasTheProfileBands) {
  const auto page = parse_search_page(
      read_text(kEarthSearch / "search_response__TestCLISearch.test_filter_inprocess___2.json"), "page2");
  int l2a = 0;
  for (const auto& item : page.items) {
    const auto provider = provider_for_item(item);
    if (item.collection == "sentinel-2-l1c") {
      EXPECT_FALSE(provider) << item.id;
      continue;
    }
    ASSERT_TRUE(provider) << item.id;
    const auto& profile = provider_profile(*provider);
    for (Band band : kAllBands) EXPECT_FALSE(profile.band_asset(item, band).href.empty()) << item.id;
    ++l2a;
  }
  EXPECT_EQ(l2a, 7);  // 4 sentinel-2-l2a + 3 sentinel-2-c1-l2a; the 3 L1C items have no profile
}

TEST(StacProvider, SclHasNoReflectanceAndMissingAssetsAreNamed) {
  const Item item = load_item("item__S2A_13TDE_20231008_0_L2A.json");
  EXPECT_THROW(es().reflectance(item, Band::SCL), Error);
  Item stripped = item;
  stripped.assets.erase("swir22");
  try {
    es().band_asset(stripped, Band::B12);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
    EXPECT_NE(std::string(e.what()).find("assets.swir22"), std::string::npos);
  }
}
