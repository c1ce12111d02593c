#pragma once
// Vallado's SGP4 verification run: reads SGP4-VER.TLE (each line 2 followed by start, stop
// and step in minutes) and writes the output format of his test program (tcppver.out):
// a "<satnum> xx" header per satellite, a short line at epoch
// " tsince x y z xdot ydot zdot", then long lines for start..stop that add the osculating
// elements (a, e, i, node, argp, true and mean anomaly) and the UTC date. As in the
// reference, a failed propagation ends that satellite's lines; if the propagation at epoch
// fails, the epoch line repeats the previous satellite's last state (that is what the
// reference program prints, so the files compare line by line).

#include "orbit/sgp4.hpp"

#include <filesystem>
#include <ostream>
#include <vector>

namespace shipchips::orbit {

struct VerificationCase {
  Tle tle;
  double start_min = 0.0;
  double stop_min = 0.0;
  double step_min = 0.0;
};

struct VerificationError {
  long catalog_number = 0;
  double tsince_min = 0.0;
  Sgp4Error code = Sgp4Error::none;
};

std::vector<VerificationCase> read_verification_cases(const std::filesystem::path& path);

// Writes the tcppver.out format to `out`; returns the propagation errors met, in order.
std::vector<VerificationError> write_verification_output(const std::vector<VerificationCase>& cases, std::ostream& out);

// Classical orbital elements from a TEME state (Vallado's rv2coe); angles in radians,
// undefined ones are 999999.1 as in the reference.
struct ClassicalElements {
  double p = 0, a = 0, ecc = 0, incl = 0, node = 0, argp = 0, nu = 0, m = 0, arglat = 0, truelon = 0, lonper = 0;
};
ClassicalElements rv_to_classical(const StateVector& state, double mu_km3_s2 = wgs72::mu_km3_s2);

// Calendar date and time of a Julian date (Vallado's invjday), seconds with fraction.
struct CalendarTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0.0;
};
CalendarTime julian_to_calendar(double jd);

}  // namespace shipchips::orbit
