#pragma once
// SGP4/SDP4 orbit propagation following Vallado, Crawford, Hujsak and Kelso (2006),
// "Revisiting Spacetrack Report #3" (AIAA 2006-6753): WGS-72 constants, operation mode 'i'
// (improved), near-earth SGP4 and deep-space SDP4 (lunar-solar periodics, resonances).
//
// Initialisation (Sgp4Propagator's constructor, the paper's sgp4init) is separate from
// propagation: propagate() is const, allocation-free and thread-safe, so one initialised
// satellite can be propagated to many times from many threads. The deep-space resonance
// integrator always integrates from epoch, which gives the same numbers as the reference's
// cached integrator (its steps are always counted from epoch) without mutable state.

#include "orbit/tle.hpp"

#include <array>
#include <chrono>

namespace shipchips::orbit {

// WGS-72 as used by the reference implementation (the constants the TLEs were fitted with).
namespace wgs72 {
inline constexpr double mu_km3_s2 = 398600.8;
inline constexpr double radius_km = 6378.135;
inline constexpr double j2 = 0.001082616;
inline constexpr double j3 = -0.00000253881;
inline constexpr double j4 = -0.00000165597;
}  // namespace wgs72

// The reference's error codes, with the same numbers.
enum class Sgp4Error : int {
  none = 0,
  mean_eccentricity = 1,       // mean eccentricity outside [0, 1) (tolerance -0.001)
  negative_mean_motion = 2,    // mean motion <= 0
  perturbed_eccentricity = 3,  // eccentricity after lunar-solar periodics outside [0, 1]
  negative_semi_latus = 4,     // semi-latus rectum < 0
  suborbital_epoch = 5,        // legacy: epoch elements sub-orbital (no longer raised)
  decayed = 6,                 // radius below one earth radius: the satellite has decayed
  // Not one of the reference's codes: elements far outside any orbit (a mean motion of 1e100
  // rev/day, say) make the arithmetic overflow to NaN or infinity, which passes every check
  // above (a comparison with NaN is false); the reference would return that state.
  non_finite = 7,
};

const char* to_string(Sgp4Error error);

// Greenwich mean sidereal angle (IAU-82, radians in [0, 2π)) of a UT1 Julian date, the one
// SGP4 uses; TEME -> ECEF rotates about z by this angle.
double gmst_iau82(double jd_ut1);

struct StateVector {
  std::array<double, 3> r_km{};    // TEME position
  std::array<double, 3> v_km_s{};  // TEME velocity
};

namespace detail {
// Deep-space coefficients: lunar-solar periodics (dpper) and resonance terms (dspace).
struct DeepCoefficients {
  // Periodics.
  double e3 = 0, ee2 = 0, peo = 0, pgho = 0, pho = 0, pinco = 0, plo = 0, se2 = 0, se3 = 0, sgh2 = 0, sgh3 = 0,
         sgh4 = 0, sh2 = 0, sh3 = 0, si2 = 0, si3 = 0, sl2 = 0, sl3 = 0, sl4 = 0, xgh2 = 0, xgh3 = 0, xgh4 = 0, xh2 = 0,
         xh3 = 0, xi2 = 0, xi3 = 0, xl2 = 0, xl3 = 0, xl4 = 0, zmol = 0, zmos = 0;
  // Secular rates and resonances.
  int irez = 0;  // 0 none, 1 synchronous (24 h), 2 half-day (12 h)
  double d2201 = 0, d2211 = 0, d3210 = 0, d3222 = 0, d4410 = 0, d4422 = 0, d5220 = 0, d5232 = 0, d5421 = 0, d5433 = 0,
         dedt = 0, didt = 0, dmdt = 0, dnodt = 0, domdt = 0, del1 = 0, del2 = 0, del3 = 0, xfact = 0, xlamo = 0;
};

}  // namespace detail

class Sgp4Propagator {
 public:
  explicit Sgp4Propagator(const MeanElements& elements);
  explicit Sgp4Propagator(const Tle& tle) : Sgp4Propagator(tle.mean_elements()) {}

  // Position and velocity `tsince_min` minutes after epoch. On an error `out` is left
  // unchanged and the code says why (the reference returns no state either).
  Sgp4Error propagate(double tsince_min, StateVector& out) const noexcept;

  // The error of the propagation to epoch that initialisation performs (as sgp4init does).
  Sgp4Error init_error() const noexcept { return m_init_error; }
  bool deep_space() const noexcept { return m_deep; }
  long catalog_number() const noexcept { return m_catalog_number; }
  double epoch_jd() const noexcept { return m_epoch_jd; }
  double epoch_jd_fraction() const noexcept { return m_epoch_jd_fraction; }
  UtcTime epoch() const noexcept { return m_epoch; }
  // Minutes from epoch to `time` (the tsince argument of propagate).
  double minutes_since_epoch(UtcTime time) const noexcept {
    return std::chrono::duration<double, std::ratio<60>>(time - m_epoch).count();
  }
  // Greenwich sidereal angle at epoch (rad), IAU-82 as in the reference.
  double gsto() const noexcept { return m_gsto; }

 private:
  long m_catalog_number = 0;
  double m_epoch_jd = 0.0, m_epoch_jd_fraction = 0.0;
  UtcTime m_epoch{};
  bool m_deep = false;
  bool m_isimp = false;
  Sgp4Error m_init_error = Sgp4Error::none;
  Sgp4Error m_invalid = Sgp4Error::none;  // elements unusable: every propagation fails with this

  // Elements (rad, rad/min) and secular rates.
  double m_bstar = 0.0, m_ecco = 0.0, m_argpo = 0.0, m_inclo = 0.0, m_mo = 0.0, m_no_kozai = 0.0, m_nodeo = 0.0,
         m_no_unkozai = 0.0;
  double m_ao = 0.0;  // un-Kozai'd semi-major axis, earth radii
  double m_mdot = 0.0, m_argpdot = 0.0, m_nodedot = 0.0, m_gsto = 0.0;
  // Near-earth coefficients.
  double m_aycof = 0.0, m_con41 = 0.0, m_cc1 = 0.0, m_cc4 = 0.0, m_cc5 = 0.0, m_d2 = 0.0, m_d3 = 0.0, m_d4 = 0.0,
         m_delmo = 0.0, m_eta = 0.0, m_omgcof = 0.0, m_sinmao = 0.0, m_t2cof = 0.0, m_t3cof = 0.0, m_t4cof = 0.0,
         m_t5cof = 0.0, m_x1mth2 = 0.0, m_x7thm1 = 0.0, m_xlcof = 0.0, m_xmcof = 0.0, m_nodecf = 0.0;

  detail::DeepCoefficients m_ds;
};

}  // namespace shipchips::orbit
