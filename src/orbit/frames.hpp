#pragma once
// Reference frames for SGP4 output: TEME → ECEF (pseudo-Earth-fixed) → WGS-84 geodetic.
//
// TEME → ECEF follows Vallado's teme2ecef (Vallado et al. 2006, AIAA 2006-6753, app. C) with
// two documented simplifications:
//  - polar motion is neglected (the PEF frame is used as ECEF). Polar motion is ~0.3″, which
//    moves a point on the surface by ~10 m (and a satellite at 800 km by ~11 m);
//  - UT1 is taken equal to UTC (|UT1−UTC| < 0.9 s by definition), which rotates the frame by
//    up to 0.9 s × 7.29e-5 rad/s ≈ 6.6e-5 rad: ≤ 420 m along a parallel at the equator,
//    less in practice (|UT1−UTC| was below 0.1 s through 2023–2026).
// Both are far below what overpass planning needs (a 290 km swath, minute-scale windows).
//
// The rotation is about z by GMST (IAU-82, the angle SGP4 itself uses, gmst_iau82 in
// sgp4.hpp); velocities also remove the Earth's rotation (ω × r).

#include "core/time.hpp"
#include "orbit/sgp4.hpp"

#include <array>

namespace shipchips::orbit {

// Earth's rotation rate (rad/s), as in Vallado's teme2ecef (LOD neglected).
inline constexpr double earth_rotation_rad_s = 7.292115146706979e-5;

struct EcefState {
  std::array<double, 3> r_km{};    // Earth-fixed (PEF) position
  std::array<double, 3> v_km_s{};  // velocity relative to the rotating Earth
};

struct Geodetic {
  double lat_deg = 0.0;  // WGS-84 geodetic latitude
  double lon_deg = 0.0;  // (-180, 180]
  double height_km = 0.0;
};

// Julian date of a UTC time, split in a whole part ending in .5 (midnight) and a fraction of
// a day, so no precision is lost to the size of the Julian day number.
struct JulianDate {
  double whole = 0.0;
  double fraction = 0.0;
  double value() const { return whole + fraction; }
};
JulianDate julian_date(UtcTime time);

// GMST (IAU-82, rad in [0, 2π)) of a two-part UT1 Julian date: the same formula as
// gmst_iau82(double), to ~1e-11 rad instead of the one-double date's ~3e-9 rad.
double gmst_iau82(const JulianDate& jd_ut1);

// GMST (IAU-82, rad) at a UTC time taken as UT1.
double gmst_utc(UtcTime time);

// TEME → ECEF at the given GMST angle (rad), or at a UTC time (UT1 = UTC).
EcefState teme_to_ecef(const StateVector& teme, double gmst_rad);
EcefState teme_to_ecef(const StateVector& teme, UtcTime time);

// ECEF (km) → WGS-84 geodetic; exact to well below a millimetre (GeographicLib::Geocentric).
Geodetic ecef_to_geodetic(const std::array<double, 3>& r_km);

// WGS-84 geodetic → ECEF (km).
std::array<double, 3> geodetic_to_ecef(const Geodetic& g);

}  // namespace shipchips::orbit
