// The verification-run writer: reading SGP4-VER.TLE and reproducing tcppver.out's text for
// near-earth and deep-space satellites, including the elements (rv2coe) and dates (invjday)
// columns. The numeric comparison of every line is tests/integration/test_sgp4_verify.sh.
#include "../support/reference.hpp"
#include "core/error.hpp"
#include "orbit/sgp4_verification.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace shipchips;
using namespace shipchips::orbit;

namespace {

const std::string kSgp4Dir = shipchips::testing::reference_dir().string() + "/sgp4";

std::vector<std::string> reference_block(long satnum) {
  std::ifstream in(kSgp4Dir + "/tcppver.out");
  std::vector<std::string> out;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.find(" xx") != std::string::npos) {
      if (inside) break;
      inside = line == std::to_string(satnum) + " xx";
    }
    if (inside) out.push_back(line);
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST(OrbitVerification, ReadsTheWholeSet) {
  const auto cases = read_verification_cases(kSgp4Dir + "/SGP4-VER.TLE");
  ASSERT_EQ(cases.size(), 33u);
  EXPECT_EQ(cases[0].tle.catalog_number, 5);
  EXPECT_DOUBLE_EQ(cases[1].start_min, -5184.0);
  EXPECT_DOUBLE_EQ(cases[1].stop_min, -4896.0);
  EXPECT_DOUBLE_EQ(cases[1].step_min, 120.0);
  EXPECT_DOUBLE_EQ(cases[11].start_min, 54.2028672);
}

TEST(OrbitVerification, TextOfNearAndDeepSatellitesIsIdentical) {
  const auto cases = read_verification_cases(kSgp4Dir + "/SGP4-VER.TLE");
  // 00005 near-earth, 04632 deep space with negative times and a partial last step,
  // 09880 Molniya (12 h resonance), 28623 (deep space, perigee < 156 km), 28626 GEO
  // (24 h resonance, Lyddane at low inclination).
  for (std::size_t index : {0u, 1u, 4u, 23u, 24u}) {
    std::ostringstream out;
    const auto errors = write_verification_output({cases[index]}, out);
    EXPECT_TRUE(errors.empty());
    EXPECT_EQ(split_lines(out.str()), reference_block(cases[index].tle.catalog_number))
        << "satellite " << cases[index].tle.catalog_number;
  }
}

TEST(OrbitVerification, ErrorsEndTheSatellitesLines) {
  const auto cases = read_verification_cases(kSgp4Dir + "/SGP4-VER.TLE");
  std::ostringstream out;
  const auto errors = write_verification_output({cases[25]}, out);  // 28872, decays at 55 min
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].catalog_number, 28872);
  EXPECT_DOUBLE_EQ(errors[0].tsince_min, 55.0);
  EXPECT_EQ(errors[0].code, Sgp4Error::decayed);
  EXPECT_EQ(split_lines(out.str()), reference_block(28872));
}

TEST(OrbitVerification, ElementsAndCalendar) {
  // tcppver.out, 00005 at 360 min: a 8635.341424 km, e 0.185684, i 34.26805°,
  // node 347.97998°, argp 332.85746°, nu 252.46796°, M 273.52819°, 2000-06-28 0:50:19.733571.
  StateVector s;
  s.r_km = {-7154.03120202, -3783.17682504, -3536.19412294};
  s.v_km_s = {4.741887409, -4.151817765, -2.093935425};
  const ClassicalElements el = rv_to_classical(s);
  const double deg = 180.0 / 3.14159265358979323846;
  EXPECT_NEAR(el.a, 8635.341424, 2e-6);
  EXPECT_NEAR(el.ecc, 0.185684, 1e-6);
  EXPECT_NEAR(el.incl * deg, 34.26805, 1e-5);
  EXPECT_NEAR(el.node * deg, 347.97998, 1e-5);
  EXPECT_NEAR(el.argp * deg, 332.85746, 1e-5);
  EXPECT_NEAR(el.nu * deg, 252.46796, 1e-5);
  EXPECT_NEAR(el.m * deg, 273.52819, 1e-5);
  const CalendarTime cal = julian_to_calendar(2451722.5 + 0.78495062 + 360.0 / 1440.0);
  EXPECT_EQ(cal.year, 2000);
  EXPECT_EQ(cal.month, 6);
  EXPECT_EQ(cal.day, 28);
  EXPECT_EQ(cal.hour, 0);
  EXPECT_EQ(cal.minute, 50);
  EXPECT_NEAR(cal.second, 19.733571, 1e-6);
}

TEST(OrbitVerification, BadStartStopStepNamesTheLine) {
  const std::string path = ::testing::TempDir() + "/bad_ver.tle";
  std::ofstream(path) << "# header\n"
                      << "1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753\n"
                      << "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667     0.00\n";
  try {
    read_verification_cases(path);
    FAIL() << "accepted a line 2 without stop and step";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3: start/stop/step: three numbers after column 69 expected, step > 0");
  }
}
