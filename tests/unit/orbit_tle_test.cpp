// TLE parsing: fields, epochs, Alpha-5, checksums and the errors bad input gets. Expected
// values are read off the element sets by hand or computed with Debian's python3-sgp4
// (Satrec.twoline2rv: jdsatepoch, jdsatepochF, no_kozai, bstar).
#include "../support/reference.hpp"
#include "../support/temp_dir.hpp"
#include "core/error.hpp"
#include "orbit/tle.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>

using namespace shipchips;
using namespace shipchips::orbit;

namespace {

const std::string kS2aTitle = "SENTINEL-2A";
const std::string kS2aLine1 = "1 40697U 15028A   26079.19377485 -.00000072  00000+0 -11026-4 0  9994";
const std::string kS2aLine2 = "2 40697  98.5642 155.3327 0001269  98.1407 261.9920 14.30816376561005";

std::string with_checksum(std::string line) {
  line[68] = static_cast<char>('0' + tle_checksum(line));
  return line;
}

std::string error_of(const std::string& text, const TleParseOptions& options = {}) {
  try {
    parse_tle_text(text, "sats.tle", options);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(OrbitTle, ChecksumOfPublishedLines) {
  // Column 69 of real element sets (Celestrak/Space-Track) is the modulo-10 sum.
  EXPECT_EQ(tle_checksum(kS2aLine1), 4);
  EXPECT_EQ(tle_checksum(kS2aLine2), 5);
  // '-' counts one: "-.00000072" and "-11026-4" contribute 3 in line 1.
  EXPECT_EQ(tle_checksum("1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753"), 3);
}

TEST(OrbitTle, Alpha5CatalogueNumbers) {
  EXPECT_EQ(decode_alpha5("00005"), 5);
  EXPECT_EQ(decode_alpha5("99999"), 99999);
  EXPECT_EQ(decode_alpha5("A0000"), 100000);
  EXPECT_EQ(decode_alpha5("H9999"), 179999);
  EXPECT_EQ(decode_alpha5("J0000"), 180000);  // I is skipped
  EXPECT_EQ(decode_alpha5("N0001"), 220001);
  EXPECT_EQ(decode_alpha5("P0000"), 230000);  // O is skipped
  EXPECT_EQ(decode_alpha5("Z9999"), 339999);
  EXPECT_THROW(decode_alpha5("I0000"), std::invalid_argument);
  EXPECT_THROW(decode_alpha5("O0000"), std::invalid_argument);
  EXPECT_THROW(decode_alpha5("A00"), std::invalid_argument);
  EXPECT_THROW(decode_alpha5("1a345"), std::invalid_argument);
}

TEST(OrbitTle, ThreeLineSetFields) {
  auto sets = parse_tle_text(kS2aTitle + "\n" + kS2aLine1 + "\n" + kS2aLine2 + "\n", "s2.tle");
  ASSERT_EQ(sets.size(), 1u);
  const Tle& t = sets[0];
  EXPECT_EQ(t.name, "SENTINEL-2A");
  EXPECT_EQ(t.catalog_number, 40697);
  EXPECT_EQ(t.classification, 'U');
  EXPECT_EQ(t.international_designator, "15028A");
  EXPECT_EQ(t.epoch_year, 2026);
  EXPECT_DOUBLE_EQ(t.epoch_day, 79.19377485);
  EXPECT_DOUBLE_EQ(t.ndot_rev_day2, -0.00000072);
  EXPECT_DOUBLE_EQ(t.nddot_rev_day3, 0.0);
  EXPECT_NEAR(t.bstar, -1.1026e-5, 1e-20);
  EXPECT_EQ(t.ephemeris_type, 0);
  EXPECT_EQ(t.element_set_number, 999);
  EXPECT_DOUBLE_EQ(t.inclination_deg, 98.5642);
  EXPECT_DOUBLE_EQ(t.raan_deg, 155.3327);
  EXPECT_NEAR(t.eccentricity, 0.0001269, 1e-16);
  EXPECT_DOUBLE_EQ(t.arg_perigee_deg, 98.1407);
  EXPECT_DOUBLE_EQ(t.mean_anomaly_deg, 261.9920);
  EXPECT_DOUBLE_EQ(t.mean_motion_rev_day, 14.30816376);
  EXPECT_EQ(t.revolution_number, 56100);
  EXPECT_EQ(t.source_line, 2);
  // Day 79.19377485 of 2026 = 20 March, 0.19377485 d = 04:39:02.147040.
  EXPECT_EQ(format_iso8601(t.epoch()), "2026-03-20T04:39:02.147040Z");

  const MeanElements m = t.mean_elements();
  // python3-sgp4: jdsatepoch 2461119.5, jdsatepochF 0.19377485, no_kozai 0.06243114188163293
  EXPECT_DOUBLE_EQ(m.epoch_jd, 2461119.5);
  EXPECT_NEAR(m.epoch_jd_fraction, 0.19377485, 1e-12);
  EXPECT_NEAR(m.mean_motion_rad_min, 0.06243114188163293, 1e-16);
  EXPECT_NEAR(m.bstar, -1.1026e-05, 1e-20);
  EXPECT_NEAR(m.ndot, -2.181661564992912e-12, 1e-25);
  EXPECT_NEAR(m.inclination_rad, 98.5642 * std::numbers::pi / 180.0, 1e-15);
}

TEST(OrbitTle, CelestrakZeroPrefixedTitleAndTwoLineSets) {
  std::string text = "0 SENTINEL-2A\r\n" + kS2aLine1 + "\r\n" + kS2aLine2 + "\r\n\r\n# comment\n" +
                     "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753\n" +
                     "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667\n";
  auto sets = parse_tle_text(text, "mixed.tle");
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name, "SENTINEL-2A");
  EXPECT_EQ(sets[1].name, "");
  EXPECT_EQ(sets[1].catalog_number, 5);
  EXPECT_EQ(sets[1].source_line, 6);
  EXPECT_EQ(sets[1].epoch_year, 2000);  // "00" -> 2000
  EXPECT_NEAR(sets[1].eccentricity, 0.1859667, 1e-15);
  EXPECT_NEAR(sets[1].bstar, 2.8098e-5, 1e-20);
  // python3-sgp4: jdsatepoch 2451722.5, jdsatepochF 0.78495062
  const MeanElements m = sets[1].mean_elements();
  EXPECT_DOUBLE_EQ(m.epoch_jd, 2451722.5);
  EXPECT_NEAR(m.epoch_jd_fraction, 0.78495062, 1e-12);
}

TEST(OrbitTle, TwoDigitYearsAndAlpha5InASet) {
  // 57..99 -> 19xx, 00..56 -> 20xx (the TLE convention that starts with Sputnik).
  std::string l1 = with_checksum("1 A0697U 15028A   57079.19377485 -.00000072  00000+0 -11026-4 0  9990");
  std::string l2 = with_checksum("2 A0697  98.5642 155.3327 0001269  98.1407 261.9920 14.30816376561000");
  Tle t = parse_tle(l1, l2);
  EXPECT_EQ(t.catalog_number, 100697);
  EXPECT_EQ(t.epoch_year, 1957);
  l1 = with_checksum("1 A0697U 15028A   56079.19377485 -.00000072  00000+0 -11026-4 0  9990");
  EXPECT_EQ(parse_tle(l1, l2).epoch_year, 2056);
}

TEST(OrbitTle, ImpliedExponentFields) {
  // Vallado's set: ndot .02550794, nddot -30915-6 = -0.30915e-6, bstar 18784-3 = 0.18784e-3.
  std::string l1 = "1 16925U 86065D   06151.67415771  .02550794 -30915-6  18784-3 0  4486";
  std::string l2 = "2 16925  62.0906 295.0239 5596327 245.1593  47.9690  4.88511875148616";
  Tle t = parse_tle(l1, l2);
  EXPECT_NEAR(t.nddot_rev_day3, -0.30915e-6, 1e-20);
  EXPECT_NEAR(t.bstar, 0.18784e-3, 1e-18);
  EXPECT_DOUBLE_EQ(t.ndot_rev_day2, 0.02550794);
}

TEST(OrbitTle, BadChecksumNamesFileLineAndField) {
  std::string bad1 = kS2aLine1;
  bad1[68] = '5';
  std::string msg = error_of(kS2aTitle + "\n" + bad1 + "\n" + kS2aLine2 + "\n");
  EXPECT_EQ(msg, "sats.tle:2: checksum: is 5, computed 4");
  std::string bad2 = kS2aLine2;
  bad2[68] = '0';
  msg = error_of(kS2aTitle + "\n" + kS2aLine1 + "\n" + bad2 + "\n");
  EXPECT_EQ(msg, "sats.tle:3: checksum: is 0, computed 5");
  // The verification file's sets with deliberately wrong checksums parse when asked to.
  TleParseOptions lenient;
  lenient.verify_checksums = false;
  EXPECT_EQ(parse_tle_text(bad1 + "\n" + kS2aLine2 + "\n", "x", lenient).size(), 1u);
}

TEST(OrbitTle, LineLengthsAndStructure) {
  EXPECT_EQ(error_of(kS2aLine1.substr(0, 68) + "\n" + kS2aLine2 + "\n"),
            "sats.tle:1: line 1: length 68, expected 69 columns");
  EXPECT_EQ(error_of(kS2aLine1 + "\n" + kS2aLine2 + "   12.0\n"), "sats.tle:2: line 2: length 76, expected 69 columns");
  // Trailing blanks and CR are not content.
  EXPECT_EQ(parse_tle_text(kS2aLine1 + "   \r\n" + kS2aLine2 + "\n", "x").size(), 1u);
  EXPECT_EQ(error_of(kS2aLine2 + "\n"), "sats.tle:1: line 2: without a preceding line 1");
  EXPECT_EQ(error_of("SENTINEL-2A\nSENTINEL-2B\n" + kS2aLine1 + "\n" + kS2aLine2 + "\n"),
            "sats.tle:1: title: not followed by line 1");
  EXPECT_EQ(error_of(kS2aLine1 + "\n"), "sats.tle:1: line 2: missing after line 1");
  EXPECT_EQ(error_of("SENTINEL-2A\n"), "sats.tle:1: title: not followed by line 1");
}

TEST(OrbitTle, FieldErrors) {
  std::string l2 = with_checksum("2 40698  98.5642 155.3327 0001269  98.1407 261.9920 14.30816376561005");
  EXPECT_EQ(error_of(kS2aLine1 + "\n" + l2 + "\n"), "sats.tle:2: catalog_number: 40698 differs from line 1 (40697)");
  std::string l1 = with_checksum("1 40697U 15028A   26079.1937748x -.00000072  00000+0 -11026-4 0  9994");
  EXPECT_EQ(error_of(l1 + "\n" + kS2aLine2 + "\n"), "sats.tle:1: epoch_day: '079.1937748x' is not a number");
  l2 = with_checksum("2 40697 198.5642 155.3327 0001269  98.1407 261.9920 14.30816376561005");
  EXPECT_EQ(error_of(kS2aLine1 + "\n" + l2 + "\n"), "sats.tle:2: inclination: outside 0..180 degrees");
  l1 = with_checksum("1 40697U 15028A   26079.19377485 -.00000072  00000+0 -11026x4 0  9994");
  EXPECT_EQ(error_of(l1 + "\n" + kS2aLine2 + "\n"), "sats.tle:1: bstar: '-11026x4' is not in the form ±NNNNN±E");
  l1 = with_checksum("1 I0697U 15028A   26079.19377485 -.00000072  00000+0 -11026-4 0  9994");
  l2 = with_checksum("2 I0697  98.5642 155.3327 0001269  98.1407 261.9920 14.30816376561005");
  EXPECT_EQ(error_of(l1 + "\n" + l2 + "\n"), "sats.tle:1: catalog_number: 'I0697': Alpha-5 does not use I or O");
}

TEST(OrbitTle, ReadsTheReferenceSentinel2File) {
  auto sets = read_tle_file(shipchips::testing::reference_dir().string() + "/tle/sentinel2_tles.txt");
  ASSERT_EQ(sets.size(), 7u);
  EXPECT_EQ(sets[2].name, "SENTINEL-2C");
  EXPECT_EQ(sets[2].catalog_number, 60989);
  EXPECT_EQ(sets[6].catalog_number, 42063);
  EXPECT_EQ(sets[6].epoch_year, 2024);
  EXPECT_THROW(read_tle_file("/nonexistent/x.tle"), Error);
}

TEST(OrbitTle, EmptyFileOrDirectoryIsBadInputNamingIt) {
  const shipchips::testing::TempDir dir("orbit-tle-files");
  const std::string empty = dir.write("empty.tle", "\n# only a comment\n");
  try {
    read_tle_file(empty);
    FAIL() << "an empty TLE file was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_EQ(std::string(e.what()), empty + ": no element set (an empty TLE file?)");
  }
  try {
    read_tle_file(dir.path);
    FAIL() << "a directory was read as a TLE file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_EQ(std::string(e.what()), dir.path.string() + ": is a directory, not a file (TLE file)");
  }
}
