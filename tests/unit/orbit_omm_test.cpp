// OMM (CSV and JSON) -> mean elements -> SGP4, checked against Debian's python3-sgp4 reading the
// same reference file (sgp4.omm.parse_csv + omm.initialize, WGS-72, opsmode 'i') and against the
// equivalent TLE of the same element set (Celestrak, VANGUARD 1, epoch 2020-10-13).
#include "../support/reference.hpp"
#include "core/error.hpp"
#include "orbit/omm.hpp"
#include "orbit/sgp4.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

using namespace shipchips;
using namespace shipchips::orbit;

namespace {

const std::string kOmmCsv = shipchips::testing::reference_dir().string() + "/sgp4/sample_omm.csv";

// The same set as Celestrak's JSON GP format publishes it (numbers as JSON numbers).
const char* kOmmJson = R"([{"OBJECT_NAME":"VANGUARD 1","OBJECT_ID":"1958-002B","EPOCH":"2020-10-13T04:52:48.472320",
 "MEAN_MOTION":10.84869164,"ECCENTRICITY":0.1845686,"INCLINATION":34.2443,"RA_OF_ASC_NODE":225.5254,
 "ARG_OF_PERICENTER":162.2516,"MEAN_ANOMALY":205.2356,"EPHEMERIS_TYPE":0,"CLASSIFICATION_TYPE":"U",
 "NORAD_CAT_ID":5,"ELEMENT_SET_NO":999,"REV_AT_EPOCH":21814,"BSTAR":-2.2483e-5,"MEAN_MOTION_DOT":-1.6e-7,
 "MEAN_MOTION_DDOT":0}])";

double distance(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

std::string csv_error(const std::string& text) {
  std::istringstream in(text);
  try {
    parse_omm_csv(in, "gp.csv");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(OrbitOmm, CsvAndJsonGiveTheSameElements) {
  const auto csv = read_omm_file(kOmmCsv);
  const auto json = parse_omm_json(kOmmJson, "gp.json");
  ASSERT_EQ(csv.size(), 1u);
  ASSERT_EQ(json.size(), 1u);
  const Omm& o = csv[0];
  EXPECT_EQ(o.object_name, "VANGUARD 1");
  EXPECT_EQ(o.object_id, "1958-002B");
  EXPECT_EQ(o.catalog_number, 5);
  EXPECT_EQ(o.element_set_number, 999);
  EXPECT_EQ(o.rev_at_epoch, 21814);
  EXPECT_EQ(format_iso8601(o.epoch), "2020-10-13T04:52:48.472320Z");
  EXPECT_DOUBLE_EQ(o.bstar, -0.22483e-4);
  EXPECT_EQ(o.source_line, 2);
  const MeanElements a = o.mean_elements();
  const MeanElements b = json[0].mean_elements();
  EXPECT_EQ(a.epoch_jd, b.epoch_jd);
  EXPECT_EQ(a.epoch_jd_fraction, b.epoch_jd_fraction);
  EXPECT_EQ(a.mean_motion_rad_min, b.mean_motion_rad_min);
  EXPECT_EQ(a.eccentricity, b.eccentricity);
  EXPECT_EQ(a.bstar, b.bstar);
  EXPECT_EQ(a.ndot, b.ndot);
  EXPECT_EQ(a.epoch_jd, 2459135.5);
}

TEST(OrbitOmm, PropagationMatchesPythonSgp4AndTheTle) {
  const Sgp4Propagator from_omm(read_omm_file(kOmmCsv)[0].mean_elements());
  ASSERT_EQ(from_omm.init_error(), Sgp4Error::none);
  // The same set as a TLE (Celestrak, CATNR=5).
  const Sgp4Propagator from_tle(parse_tle("1 00005U 58002B   20287.20333880 -.00000016  00000-0 -22483-4 0  9998",
                                          "2 00005  34.2443 225.5254 1845686 162.2516 205.2356 10.84869164218149"));
  // Oracle: /usr/bin/python3 with sgp4.omm.parse_csv + omm.initialize(Satrec(), fields).
  const std::string command =
      "/usr/bin/python3 -c \"import sys; from sgp4 import omm; from sgp4.api import Satrec; "
      "f = next(omm.parse_csv(open(sys.argv[1]))); s = Satrec(); omm.initialize(s, f); "
      "[print(t, *s.sgp4_tsince(t)[1], *s.sgp4_tsince(t)[2]) for t in (0.0, 720.0, 1440.0, 10080.0)]\" " +
      kOmmCsv;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::vector<std::array<double, 7>> rows;
  std::array<double, 7> row{};
  while (std::fscanf(pipe, "%lf %lf %lf %lf %lf %lf %lf", &row[0], &row[1], &row[2], &row[3], &row[4], &row[5],
                     &row[6]) == 7) {
    rows.push_back(row);
  }
  ASSERT_EQ(::pclose(pipe), 0) << command;
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& r : rows) {
    StateVector s, t;
    ASSERT_EQ(from_omm.propagate(r[0], s), Sgp4Error::none);
    EXPECT_LT(distance(s.r_km, {r[1], r[2], r[3]}), 1e-6) << "t=" << r[0];
    EXPECT_LT(distance(s.v_km_s, {r[4], r[5], r[6]}), 1e-9) << "t=" << r[0];
    ASSERT_EQ(from_tle.propagate(r[0], t), Sgp4Error::none);
    EXPECT_LT(distance(s.r_km, t.r_km), 1e-6) << "t=" << r[0];
  }
}

TEST(OrbitOmm, ErrorsNameFileLineAndField) {
  const std::string header =
      "OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,ARG_OF_PERICENTER,"
      "MEAN_ANOMALY,EPHEMERIS_TYPE,CLASSIFICATION_TYPE,NORAD_CAT_ID,ELEMENT_SET_NO,REV_AT_EPOCH,BSTAR,"
      "MEAN_MOTION_DOT,MEAN_MOTION_DDOT\n";
  const std::string good =
      "VANGUARD 1,1958-002B,2020-10-13T04:52:48.472320,10.84869164,.1845686,34.2443,225.5254,162.2516,205.2356,0,U,"
      "5,999,21814,-.22483E-4,-1.6E-7,0\n";
  EXPECT_EQ(csv_error(header + good), "no error");
  std::string bad = good;
  bad.replace(bad.find("10.84869164"), 11, "10.8x");
  EXPECT_EQ(csv_error(header + good + bad), "gp.csv:3: MEAN_MOTION: '10.8x' is not a number");
  bad = good;
  bad.replace(bad.find(".1845686"), 8, "1.5");
  EXPECT_EQ(csv_error(header + bad), "gp.csv:2: ECCENTRICITY: 1.5 outside 0..1");
  bad = good;
  bad.replace(bad.find("2020-10-13T04"), 13, "2020-13-13T04");
  EXPECT_NE(csv_error(header + bad).find("gp.csv:2: EPOCH: "), std::string::npos);
  std::string no_bstar = header;
  no_bstar.replace(no_bstar.find(",BSTAR"), 6, ",XSTAR");
  EXPECT_EQ(csv_error(no_bstar + good), "gp.csv:2: BSTAR: missing");
  try {
    parse_omm_json(R"([{"EPOCH":"2020-10-13T04:52:48","NORAD_CAT_ID":5}])", "gp.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "gp.json: [0].MEAN_MOTION: missing");
  }
  EXPECT_THROW(parse_omm_json("[{", "gp.json"), Error);
  // Space-Track's JSON writes numbers as strings: accepted.
  auto st = parse_omm_json(R"({"EPOCH":"2020-10-13T04:52:48.472320","NORAD_CAT_ID":"5","MEAN_MOTION":"10.84869164",
    "ECCENTRICITY":"0.1845686","INCLINATION":"34.2443","RA_OF_ASC_NODE":"225.5254","ARG_OF_PERICENTER":"162.2516",
    "MEAN_ANOMALY":"205.2356","BSTAR":"-0.000022483"})",
                           "st.json");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_DOUBLE_EQ(st[0].mean_motion_rev_day, 10.84869164);
}

// Found by fuzz_omm_csv / fuzz_omm_xml: a count far outside int/long was cast (undefined).
TEST(OrbitOmm, CountsOutOfRangeAreInputErrors) {
  const std::string header =
      "OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,ARG_OF_PERICENTER,"
      "MEAN_ANOMALY,EPHEMERIS_TYPE,CLASSIFICATION_TYPE,NORAD_CAT_ID,ELEMENT_SET_NO,REV_AT_EPOCH,BSTAR\n";
  const std::string row = "V,1958-002B,2020-10-13T04:52:48,10.8,.18,34.2,225.5,162.2,205.2,{type},U,5,{set},{rev},0\n";
  auto with = [&](const std::string& type, const std::string& set, const std::string& rev) {
    std::string r = row;
    r.replace(r.find("{type}"), 6, type);
    r.replace(r.find("{set}"), 5, set);
    r.replace(r.find("{rev}"), 5, rev);
    return header + r;
  };
  EXPECT_EQ(csv_error(with("0", "999", "21814")), "no error");
  EXPECT_EQ(csv_error(with("1.6225e18", "999", "21814")),
            "gp.csv:2: EPHEMERIS_TYPE: 1.6225e+18 is not a whole number in 0..9");
  EXPECT_EQ(csv_error(with("0", "-1", "21814")), "gp.csv:2: ELEMENT_SET_NO: -1 is not a whole number in 0..999999999");
  EXPECT_EQ(csv_error(with("0", "999", "4.5e105")),
            "gp.csv:2: REV_AT_EPOCH: 4.5e+105 is not a whole number in 0..999999999");
  EXPECT_EQ(csv_error(with("0", "999", "2.5")), "gp.csv:2: REV_AT_EPOCH: 2.5 is not a whole number in 0..999999999");
}

// Found by fuzz_omm_json: a number too large for a double is nlohmann's out_of_range, not a
// parse_error, and escaped as an internal error.
TEST(OrbitOmm, JsonNumberOverflowIsAnInputError) {
  try {
    parse_omm_json(R"([{"MEAN_MOTION": 0.18e4568}])", "gp.json");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    EXPECT_EQ(std::string(e.what()).rfind("gp.json: json: ", 0), 0u) << e.what();
  }
}
