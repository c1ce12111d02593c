// SGP4/SDP4 against independent sources: Debian's python3-sgp4 (run with /usr/bin/python3 as an
// oracle for the real Sentinel-2 element sets) and lines of Vallado's tcppver.out (the full
// verification run is tests/integration/test_sgp4_verify.sh).
#include "../support/reference.hpp"
#include "orbit/sgp4.hpp"
#include "orbit/tle.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace shipchips::orbit;

namespace {

const std::string kReference = shipchips::testing::reference_dir();

double distance(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

Sgp4Propagator from_lines(const char* l1, const char* l2) {
  TleParseOptions lenient;
  lenient.verify_checksums = false;  // some verification sets carry wrong checksums on purpose
  return Sgp4Propagator(parse_tle(l1, l2, "test", 1, lenient));
}

void expect_state(const Sgp4Propagator& sat, double t, std::array<double, 3> r, std::array<double, 3> v) {
  StateVector s;
  ASSERT_EQ(sat.propagate(t, s), Sgp4Error::none) << "t=" << t;
  // tcppver.out prints 8 decimals for km and 9 for km/s.
  EXPECT_LT(distance(s.r_km, r), 1e-5) << "t=" << t;
  EXPECT_LT(distance(s.v_km_s, v), 1e-8) << "t=" << t;
}

struct OracleRow {
  long satnum;
  double t;
  int error;
  std::array<double, 3> r, v;
};

// Runs Debian's python3-sgp4 on the Sentinel-2 reference file. Equivalent command:
//   /usr/bin/python3 -c 'from sgp4.api import Satrec, WGS72; s = Satrec.twoline2rv(l1, l2, WGS72);
//                        print(s.sgp4_tsince(t))'   (WGS-72, opsmode "i", the library defaults)
std::vector<OracleRow> python_sgp4_oracle(const std::string& tle_path, const std::vector<double>& times) {
  std::ostringstream script;
  script << "import sys\nfrom sgp4.api import Satrec, WGS72\n"
         << "lines = [l.rstrip() for l in open(sys.argv[1]) if l.startswith(('1 ', '2 '))]\n"
         << "times = [float(x) for x in sys.argv[2:]]\n"
         << "for i in range(0, len(lines), 2):\n"
         << "    s = Satrec.twoline2rv(lines[i], lines[i + 1], WGS72)\n"
         << "    for t in times:\n"
         << "        e, r, v = s.sgp4_tsince(t)\n"
         << "        print(s.satnum, repr(t), e, *(repr(x) for x in r), *(repr(x) for x in v))\n";
  const auto path =
      std::filesystem::temp_directory_path() / ("orbit_sgp4_oracle_" + std::to_string(::getpid()) + ".py");
  { std::ofstream(path) << script.str(); }
  std::string command = "/usr/bin/python3 " + path.string() + " " + tle_path;
  for (double t : times) {
    command += ' ';
    command += std::to_string(t);
  }
  std::vector<OracleRow> rows;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return rows;
  char buffer[1024];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    std::istringstream in(buffer);
    OracleRow row{};
    in >> row.satnum >> row.t >> row.error >> row.r[0] >> row.r[1] >> row.r[2] >> row.v[0] >> row.v[1] >> row.v[2];
    if (in) rows.push_back(row);
  }
  int status = ::pclose(pipe);
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << "the python3-sgp4 oracle failed: " << command;
  return rows;
}

}  // namespace

TEST(OrbitSgp4, Sentinel2AgreesWithPythonSgp4) {
  const std::string file = kReference + "/tle/sentinel2_tles.txt";
  const std::vector<double> times = {-1440.0, 0.0, 50.0, 90.5, 720.0, 1440.0, 7200.0, 14400.0, 43200.0};
  const auto sets = read_tle_file(file);
  const auto oracle = python_sgp4_oracle(file, times);
  ASSERT_EQ(oracle.size(), sets.size() * times.size());
  double max_dr = 0.0, max_dv = 0.0;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const Sgp4Propagator sat(sets[i]);
    EXPECT_FALSE(sat.deep_space());
    for (std::size_t k = 0; k < times.size(); ++k) {
      const OracleRow& row = oracle[i * times.size() + k];
      ASSERT_EQ(row.satnum, sets[i].catalog_number);
      ASSERT_EQ(row.error, 0);
      StateVector s;
      ASSERT_EQ(sat.propagate(times[k], s), Sgp4Error::none);
      max_dr = std::max(max_dr, distance(s.r_km, row.r));
      max_dv = std::max(max_dv, distance(s.v_km_s, row.v));
    }
  }
  // Same algorithm and constants: agreement to round-off (measured: ~1e-9 km).
  EXPECT_LT(max_dr, 1e-6);
  EXPECT_LT(max_dv, 1e-9);
  RecordProperty("max_dr_km", std::to_string(max_dr));
}

TEST(OrbitSgp4, NearEarthVallado) {
  // tcppver.out, satellite 00005 (period 133 min, e = 0.186).
  auto sat = from_lines("1 00005U 58002B   00179.78495062  .00000023  00000-0  28098-4 0  4753",
                        "2 00005  34.2682 348.7242 1859667 331.7664  19.3264 10.82419157413667");
  EXPECT_FALSE(sat.deep_space());
  EXPECT_EQ(sat.init_error(), Sgp4Error::none);
  expect_state(sat, 0.0, {7022.46529266, -1400.08296755, 0.03995155}, {1.893841015, 6.405893759, 4.534807250});
  expect_state(sat, 4320.0, {-9060.47373569, 4658.70952502, 813.68673153}, {-2.232832783, -4.110453490, -3.157345433});
  // python3-sgp4 gsto for this set: 3.4691723423794016 rad.
  EXPECT_NEAR(sat.gsto(), 3.4691723423794016, 1e-9);
  // Original STR#3 SGP4 test case 88888.
  auto str3 = from_lines("1 88888U          80275.98708465  .00073094  13844-3  66816-4 0    87",
                         "2 88888  72.8435 115.9689 0086731  52.6988 110.5714 16.05824518  1058");
  expect_state(str3, 1440.0, {2742.55398832, -6079.67009123, -326.39012649}, {1.948497651, 1.211072678, -7.356193131});
  // CBERS 2, e < 1e-4 (drag terms dropped).
  auto cbers = from_lines("1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
                          "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550");
  expect_state(cbers, 2880.0, {1788.42334580, 1990.50530957, -6640.59337725},
               {-2.074169091, -6.683381288, -2.562777776});
}

TEST(OrbitSgp4, DeepSpaceVallado) {
  // Original STR#3 SDP4 test case (11801), 1440 min.
  auto sat = from_lines("1 11801U          80230.29629788  .01431103  00000-0  14311-1      13",
                        "2 11801  46.7916 230.4354 7318036  47.4722  10.4117  2.28537848    13");
  EXPECT_TRUE(sat.deep_space());
  expect_state(sat, 1440.0, {9787.87836256, 33753.32249667, -15030.79874625},
               {-1.094251553, 0.923589906, -1.522311008});
  // Molniya 2-14, 12 h resonance (irez 2).
  auto molniya = from_lines("1 08195U 75081A   06176.33215444  .00000099  00000-0  11873-3 0   813",
                            "2 08195  64.1586 279.0717 6877146 264.7651  20.2257  2.00491383225656");
  expect_state(molniya, 2880.0, {3417.20931586, -16038.79510665, 1894.74934058},
               {2.585515864, -2.596818146, 4.456882556});
  // ITALSAT 2, 24 h resonance (irez 1).
  auto geo = from_lines("1 24208U 96044A   06177.04061740 -.00000094  00000-0  10000-3 0  1600",
                        "2 24208   3.8536  80.0121 0026640 311.0977  48.3000  1.00778054 36119");
  expect_state(geo, 1440.0, {5501.08137100, 41590.27784405, 138.32522930}, {-3.050691874, 0.409203052, 0.207958133});
}

TEST(OrbitSgp4, ErrorCodesAsVallado) {
  // 33334: perturbed eccentricity out of range already at epoch (code 3).
  auto e3 = from_lines("1 33334U 78066F   06174.85818871  .00000620  00000-0  10000-3 0  6809",
                       "2 33334  68.4714 236.1303 5602877 123.7484 302.5767  0.00001000 67521");
  EXPECT_EQ(e3.init_error(), Sgp4Error::perturbed_eccentricity);
  // 33333: semi-latus rectum < 0 at 25 min (code 4); fine at 20 min.
  auto e4 = from_lines("1 33333U 05037B   05333.02012661  .25992681  00000-0  24476-3 0  1534",
                       "2 33333  96.4736 157.9986 9950000 244.0492 110.6523  4.00004038 10708");
  StateVector s;
  EXPECT_EQ(e4.propagate(20.0, s), Sgp4Error::none);
  const StateVector before = s;
  EXPECT_EQ(e4.propagate(25.0, s), Sgp4Error::negative_semi_latus);
  EXPECT_EQ(s.r_km, before.r_km);  // no state on error
  // 28872: decays between 50 and 55 min (code 6).
  auto e6 = from_lines("1 28872U 05037B   05333.02012661  .25992681  00000-0  24476-3 0  1534",
                       "2 28872  96.4736 157.9986 0303955 244.0492 110.6523 16.46015938 10708");
  EXPECT_EQ(e6.propagate(50.0, s), Sgp4Error::none);
  EXPECT_EQ(e6.propagate(55.0, s), Sgp4Error::decayed);
  // 22312: mean eccentricity out of range at 494.2 min (code 1).
  auto e1 = from_lines("1 22312U 93002D   06094.46235912  .99999999  81888-5  49949-3 0  3953",
                       "2 22312  62.1486  77.4698 0308723 267.9229  88.7392 15.95744531 98783");
  EXPECT_EQ(e1.propagate(474.2028672, s), Sgp4Error::none);
  EXPECT_EQ(e1.propagate(494.2028672, s), Sgp4Error::mean_eccentricity);
  EXPECT_STREQ(to_string(Sgp4Error::decayed), "satellite has decayed");

  // Elements a TLE parser rejects but an OMM could carry: an error, not NaN.
  MeanElements bad;
  bad.mean_motion_rad_min = 0.0;
  EXPECT_EQ(Sgp4Propagator(bad).init_error(), Sgp4Error::negative_mean_motion);
  EXPECT_EQ(Sgp4Propagator(bad).propagate(10.0, s), Sgp4Error::negative_mean_motion);
  bad.mean_motion_rad_min = 0.06;
  bad.eccentricity = 1.2;
  EXPECT_EQ(Sgp4Propagator(bad).propagate(10.0, s), Sgp4Error::mean_eccentricity);

  // Found by fuzz_omm_csv: MEAN_MOTION 1.4e104 rev/day turns the arithmetic into NaN, which
  // slipped past every check above and came back as a "valid" state.
  bad = MeanElements{};
  bad.mean_motion_rad_min = 1.4e104 / (1440.0 / (2.0 * 3.141592653589793));
  bad.eccentricity = 0.0001;
  const Sgp4Propagator nan_orbit(bad);
  EXPECT_EQ(nan_orbit.init_error(), Sgp4Error::non_finite);
  const StateVector kept = s;
  EXPECT_EQ(nan_orbit.propagate(90.0, s), Sgp4Error::non_finite);
  EXPECT_EQ(s.r_km, kept.r_km);
  EXPECT_STREQ(to_string(Sgp4Error::non_finite), "elements give no finite state");
}

TEST(OrbitSgp4, PropagationIsConstAndOrderIndependent) {
  // SL-12 R/B (20413): 24 h resonance integrated over ~3.5 years. The result must not depend on
  // earlier calls (the reference caches its integrator; ours restarts from epoch) or threads.
  auto sat = from_lines("1 20413U 83020D   05363.79166667  .00000000  00000-0  00000+0 0  7041",
                        "2 20413  12.3514 187.4253 7864447 196.3027 356.5478  0.24690082  7978");
  StateVector a, b, c;
  ASSERT_EQ(sat.propagate(1844340.0, a), Sgp4Error::none);
  ASSERT_EQ(sat.propagate(1844000.0, b), Sgp4Error::none);
  ASSERT_EQ(sat.propagate(1844340.0, c), Sgp4Error::none);
  EXPECT_EQ(a.r_km, c.r_km);
  // tcppver.out values at 1844000 and 1844340 min.
  EXPECT_LT(distance(b.r_km, {-35697.35025451, -70749.92495964, 14190.12461545}), 1e-5);
  EXPECT_LT(distance(a.r_km, {5091.55546380, -5030.01134361, -1222.14210549}), 1e-5);
  EXPECT_LT(distance(a.v_km_s, {0.252792005, 10.276493768, -0.621814132}), 1e-8);

  std::vector<StateVector> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 50; ++k) sat.propagate(1844340.0, results[i]);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r.r_km, a.r_km);
}

TEST(OrbitSgp4, EpochAndSiderealTime) {
  const auto sets = read_tle_file(kReference + "/tle/sentinel2_tles.txt");
  for (const Tle& tle : sets) {
    const Sgp4Propagator sat(tle);
    const auto diff = sat.epoch() - tle.epoch();
    EXPECT_LE(std::abs(diff.count()), 1) << tle.catalog_number;  // microseconds
    EXPECT_NEAR(sat.minutes_since_epoch(tle.epoch() + std::chrono::minutes(90)), 90.0, 1e-7);
  }
  // python3-sgp4 gsto of the first Sentinel-2A set: 4.319537937258907 rad.
  EXPECT_NEAR(Sgp4Propagator(sets[0]).gsto(), 4.319537937258907, 1e-9);
  // GMST at J2000.0 (2000-01-01 12:00 UT1) is 280.46061837°.
  EXPECT_NEAR(gmst_iau82(2451545.0) * 180.0 / 3.14159265358979323846, 280.46061837, 1e-7);
}
