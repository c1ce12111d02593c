// OMM XML (CCSDS NDM/XML as Celestrak's gp.php?FORMAT=xml returns it) -> mean elements.
// Checked against two independent forms of the same element sets: the real Sentinel-2 TLEs of
// 2026-03 in ../shared/reference/tle/sentinel2_tles.txt (the XML below was written by hand
// from their columns, epochs converted with Python's datetime) and the CSV OMM of the same
// sets; and Celestrak's own XML and CSV of VANGUARD 1 in ../shared/reference/sgp4.
#include "../support/reference.hpp"
#include "core/error.hpp"
#include "orbit/omm.hpp"
#include "orbit/sgp4.hpp"
#include "plan/planner_tle.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace shipchips;
using namespace shipchips::orbit;

namespace {

const std::string kRef = shipchips::testing::reference_dir();

// S2A, S2B, S2C of 2026-03-20 as Celestrak writes them (segment lines 3, 4 and 5).
const std::string kXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ndm xmlns:xsi="https://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://sanaregistry.org/r/ndmxml/ndmxml-1.0-master.xsd">
<omm id="CCSDS_OMM_VERS" version="2.0"><header><CREATION_DATE/><ORIGINATOR/></header><body><segment><metadata><OBJECT_NAME>SENTINEL-2A</OBJECT_NAME><OBJECT_ID>2015-028A</OBJECT_ID><CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM><MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata><data><meanElements><EPOCH>2026-03-20T04:39:02.147040</EPOCH><MEAN_MOTION>14.30816376</MEAN_MOTION><ECCENTRICITY>.0001269</ECCENTRICITY><INCLINATION>98.5642</INCLINATION><RA_OF_ASC_NODE>155.3327</RA_OF_ASC_NODE><ARG_OF_PERICENTER>98.1407</ARG_OF_PERICENTER><MEAN_ANOMALY>261.9920</MEAN_ANOMALY></meanElements><tleParameters><EPHEMERIS_TYPE>0</EPHEMERIS_TYPE><CLASSIFICATION_TYPE>U</CLASSIFICATION_TYPE><NORAD_CAT_ID>40697</NORAD_CAT_ID><ELEMENT_SET_NO>999</ELEMENT_SET_NO><REV_AT_EPOCH>56100</REV_AT_EPOCH><BSTAR>-.11026E-4</BSTAR><MEAN_MOTION_DOT>-7.2E-7</MEAN_MOTION_DOT><MEAN_MOTION_DDOT>0</MEAN_MOTION_DDOT></tleParameters></data></segment></body></omm>
<omm id="CCSDS_OMM_VERS" version="2.0"><header><CREATION_DATE/><ORIGINATOR/></header><body><segment><metadata><OBJECT_NAME>SENTINEL-2B</OBJECT_NAME><OBJECT_ID>2017-013A</OBJECT_ID><CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM><MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata><data><meanElements><EPOCH>2026-03-20T04:28:32.035296</EPOCH><MEAN_MOTION>14.30810963</MEAN_MOTION><ECCENTRICITY>.0001161</ECCENTRICITY><INCLINATION>98.5694</INCLINATION><RA_OF_ASC_NODE>155.2271</RA_OF_ASC_NODE><ARG_OF_PERICENTER>93.5553</ARG_OF_PERICENTER><MEAN_ANOMALY>266.5763</MEAN_ANOMALY></meanElements><tleParameters><EPHEMERIS_TYPE>0</EPHEMERIS_TYPE><CLASSIFICATION_TYPE>U</CLASSIFICATION_TYPE><NORAD_CAT_ID>42063</NORAD_CAT_ID><ELEMENT_SET_NO>999</ELEMENT_SET_NO><REV_AT_EPOCH>47191</REV_AT_EPOCH><BSTAR>.22231E-4</BSTAR><MEAN_MOTION_DOT>1.5E-7</MEAN_MOTION_DOT><MEAN_MOTION_DDOT>0</MEAN_MOTION_DDOT></tleParameters></data></segment></body></omm>
<omm id="CCSDS_OMM_VERS" version="2.0"><header><CREATION_DATE/><ORIGINATOR/></header><body><segment><metadata><OBJECT_NAME>SENTINEL-2C</OBJECT_NAME><OBJECT_ID>2024-157A</OBJECT_ID><CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM><MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata><data><meanElements><EPOCH>2026-03-20T05:18:59.852448</EPOCH><MEAN_MOTION>14.30817874</MEAN_MOTION><ECCENTRICITY>.0000963</ECCENTRICITY><INCLINATION>98.5671</INCLINATION><RA_OF_ASC_NODE>155.2832</RA_OF_ASC_NODE><ARG_OF_PERICENTER>112.7762</ARG_OF_PERICENTER><MEAN_ANOMALY>247.3522</MEAN_ANOMALY></meanElements><tleParameters><EPHEMERIS_TYPE>0</EPHEMERIS_TYPE><CLASSIFICATION_TYPE>U</CLASSIFICATION_TYPE><NORAD_CAT_ID>60989</NORAD_CAT_ID><ELEMENT_SET_NO>999</ELEMENT_SET_NO><REV_AT_EPOCH>8026</REV_AT_EPOCH><BSTAR>.55488E-4</BSTAR><MEAN_MOTION_DOT>.00000102</MEAN_MOTION_DOT><MEAN_MOTION_DDOT>0</MEAN_MOTION_DDOT></tleParameters></data></segment></body></omm>
</ndm>
)";

// The same sets as Celestrak's CSV.
const std::string kCsv =
    "OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,ARG_OF_PERICENTER,MEAN_ANOMALY,"
    "EPHEMERIS_TYPE,CLASSIFICATION_TYPE,NORAD_CAT_ID,ELEMENT_SET_NO,REV_AT_EPOCH,BSTAR,MEAN_MOTION_DOT,MEAN_MOTION_"
    "DDOT\n"
    "SENTINEL-2A,2015-028A,2026-03-20T04:39:02.147040,14.30816376,.0001269,98.5642,155.3327,98.1407,261.9920,0,U,40697,"
    "999,56100,-.11026E-4,-7.2E-7,0\n"
    "SENTINEL-2B,2017-013A,2026-03-20T04:28:32.035296,14.30810963,.0001161,98.5694,155.2271,93.5553,266.5763,0,U,42063,"
    "999,47191,.22231E-4,1.5E-7,0\n"
    "SENTINEL-2C,2024-157A,2026-03-20T05:18:59.852448,14.30817874,.0000963,98.5671,155.2832,112.7762,247.3522,0,U,"
    "60989,"
    "999,8026,.55488E-4,.00000102,0\n";

std::string xml_error(const std::string& text) {
  try {
    parse_omm_xml(text, "gp.xml");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid);
    return e.what();
  }
  return "no error";
}

void expect_same_omm(const Omm& a, const Omm& b) {
  EXPECT_EQ(a.object_name, b.object_name);
  EXPECT_EQ(a.object_id, b.object_id);
  EXPECT_EQ(a.catalog_number, b.catalog_number);
  EXPECT_EQ(a.classification, b.classification);
  EXPECT_EQ(a.ephemeris_type, b.ephemeris_type);
  EXPECT_EQ(a.element_set_number, b.element_set_number);
  EXPECT_EQ(a.rev_at_epoch, b.rev_at_epoch);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.mean_motion_rev_day, b.mean_motion_rev_day);
  EXPECT_EQ(a.eccentricity, b.eccentricity);
  EXPECT_EQ(a.inclination_deg, b.inclination_deg);
  EXPECT_EQ(a.raan_deg, b.raan_deg);
  EXPECT_EQ(a.arg_perigee_deg, b.arg_perigee_deg);
  EXPECT_EQ(a.mean_anomaly_deg, b.mean_anomaly_deg);
  EXPECT_EQ(a.bstar, b.bstar);
  EXPECT_EQ(a.mean_motion_dot, b.mean_motion_dot);
  EXPECT_EQ(a.mean_motion_ddot, b.mean_motion_ddot);
}

// A copy of kXml with the first occurrence of `from` replaced.
std::string with(const std::string& from, const std::string& to) {
  std::string s = kXml;
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TEST(OrbitOmmXml, SentinelSetsEqualTheirTles) {
  const std::vector<Omm> xml = parse_omm_xml(kXml, "gp.xml");
  ASSERT_EQ(xml.size(), 3u);
  EXPECT_EQ(xml[0].source_line, 3);
  EXPECT_EQ(xml[2].source_line, 5);
  // The first three sets of the reference file are S2A, S2B, S2C of 2026-03-20.
  const std::vector<Tle> tles = read_tle_file(kRef + "/tle/sentinel2_tles.txt");
  ASSERT_GE(tles.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const Tle& t = tles[i];
    const Omm& o = xml[i];
    SCOPED_TRACE(t.name);
    EXPECT_EQ(o.object_name, t.name);
    EXPECT_EQ(o.catalog_number, t.catalog_number);
    EXPECT_EQ(o.rev_at_epoch, t.revolution_number);
    EXPECT_EQ(o.element_set_number, t.element_set_number);
    const MeanElements a = o.mean_elements();
    const MeanElements b = t.mean_elements();
    EXPECT_EQ(a.catalog_number, b.catalog_number);
    // Same instant: the TLE's day fraction has 8 decimals (0.86 ms), printed here to 1 µs.
    EXPECT_NEAR((a.epoch_jd - b.epoch_jd) + (a.epoch_jd_fraction - b.epoch_jd_fraction), 0.0, 2e-11);
    EXPECT_DOUBLE_EQ(a.mean_motion_rad_min, b.mean_motion_rad_min);
    EXPECT_DOUBLE_EQ(a.eccentricity, b.eccentricity);
    EXPECT_DOUBLE_EQ(a.inclination_rad, b.inclination_rad);
    EXPECT_DOUBLE_EQ(a.raan_rad, b.raan_rad);
    EXPECT_DOUBLE_EQ(a.arg_perigee_rad, b.arg_perigee_rad);
    EXPECT_DOUBLE_EQ(a.mean_anomaly_rad, b.mean_anomaly_rad);
    EXPECT_DOUBLE_EQ(a.bstar, b.bstar);
    EXPECT_DOUBLE_EQ(a.ndot, b.ndot);
    EXPECT_EQ(a.nddot, b.nddot);
    // And they fly the same orbit: a day of SGP4 within a millimetre.
    const Sgp4Propagator from_xml(a);
    const Sgp4Propagator from_tle(t);
    for (double minutes : {0.0, 97.0, 720.0, 1440.0}) {
      StateVector s, u;
      ASSERT_EQ(from_xml.propagate(minutes, s), Sgp4Error::none);
      ASSERT_EQ(from_tle.propagate(minutes, u), Sgp4Error::none);
      EXPECT_LT(std::hypot(s.r_km[0] - u.r_km[0], s.r_km[1] - u.r_km[1], s.r_km[2] - u.r_km[2]), 1e-6) << minutes;
    }
  }
}

TEST(OrbitOmmXml, SameAsCsvAndJsonPaths) {
  const std::vector<Omm> xml = parse_omm_xml(kXml, "gp.xml");
  std::istringstream in(kCsv);
  const std::vector<Omm> csv = parse_omm_csv(in, "gp.csv");
  ASSERT_EQ(csv.size(), xml.size());
  for (std::size_t i = 0; i < xml.size(); ++i) expect_same_omm(xml[i], csv[i]);
  // Celestrak's own XML and CSV of one set (reference files), read through read_omm_file's
  // format detection.
  const std::vector<Omm> ref_xml = read_omm_file(kRef + "/sgp4/sample_omm.xml");
  const std::vector<Omm> ref_csv = read_omm_file(kRef + "/sgp4/sample_omm.csv");
  ASSERT_EQ(ref_xml.size(), 1u);
  ASSERT_EQ(ref_csv.size(), 1u);
  expect_same_omm(ref_xml[0], ref_csv[0]);
  EXPECT_EQ(ref_xml[0].object_name, "VANGUARD 1");
  EXPECT_EQ(ref_xml[0].source_line, 4);
}

TEST(OrbitOmmXml, PlannerReadsXmlFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("omm_xml_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "gp.xml";
  std::ofstream(path) << "\xEF\xBB\xBF" << kXml;  // with a byte-order mark, as some tools write
  const std::vector<Tle> sets = plan::read_element_sets(path);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[1].catalog_number, 42063);
  EXPECT_EQ(sets[1].source_line, 4);
  // The TLE made from the OMM has the TLE's epoch (day of year with fraction).
  EXPECT_NEAR(sets[0].epoch_day, 79.19377485, 1e-9);
  EXPECT_EQ(sets[2].revolution_number, 8026);
}

TEST(OrbitOmmXml, ErrorsNameFileLineAndElement) {
  EXPECT_EQ(xml_error(kXml), "no error");
  // Not well-formed: the parser's offset becomes a line.
  const std::string mismatched =
      xml_error(with("</ARG_OF_PERICENTER><MEAN_ANOMALY>266.5763", "</ARG_OF_PERICENTERX><MEAN_ANOMALY>266.5763"));
  EXPECT_EQ(mismatched.rfind("gp.xml:4: xml: ", 0), 0u) << mismatched;
  const std::string broken =
      kXml.substr(0, kXml.find("<omm", kXml.find("SENTINEL-2A"))) + "<omm><body><segment>\n<oops";
  EXPECT_EQ(xml_error(broken).rfind("gp.xml:5: xml: ", 0), 0u) << xml_error(broken);
  // A missing keyword names the segment's line; a bad value names its element's line.
  EXPECT_EQ(xml_error(with("<MEAN_MOTION>14.30816376</MEAN_MOTION>", "")), "gp.xml:3: MEAN_MOTION: missing");
  EXPECT_EQ(xml_error(with("<NORAD_CAT_ID>42063</NORAD_CAT_ID>", "")), "gp.xml:4: NORAD_CAT_ID: missing");
  EXPECT_EQ(xml_error(with("<INCLINATION>98.5671</INCLINATION>", "\n<INCLINATION>98.5x</INCLINATION>")),
            "gp.xml:6: INCLINATION: '98.5x' is not a number");
  EXPECT_EQ(xml_error(with("<ECCENTRICITY>.0001269</ECCENTRICITY>", "<ECCENTRICITY>1.2</ECCENTRICITY>")),
            "gp.xml:3: ECCENTRICITY: 1.2 outside 0..1");
  std::string renamed = with("<meanElements>", "<meanElementz>");
  renamed.replace(renamed.find("</meanElements>"), 15, "</meanElementz>");
  EXPECT_EQ(xml_error(renamed), "gp.xml:3: meanElements: missing in <data>");
  EXPECT_EQ(xml_error("<?xml version=\"1.0\"?>\n<ndm></ndm>\n"),
            "gp.xml:1: segment: no OMM <segment> in the XML document");
  // SGP4-XP elements (Celestrak's ephemeris type 4) would propagate wrongly with SGP4.
  EXPECT_EQ(xml_error(with("<MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY>",
                           "<MEAN_ELEMENT_THEORY>SGP4-XP</MEAN_ELEMENT_THEORY>")),
            "gp.xml:3: MEAN_ELEMENT_THEORY: 'SGP4-XP' is not SGP4");
  // Celestrak's answer to a query that matches nothing is plain text, not OMM.
  EXPECT_THROW(plan::parse_element_sets("No GP data found", "gp"), Error);
}
