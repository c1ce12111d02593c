#pragma once
// Deep-space (SDP4) parts of SGP4, used by sgp4.cpp only: the reference's dscom + dsinit
// (initialisation), dspace (secular and resonance terms) and dpper (lunar-solar periodics),
// for operation mode 'i'.

#include "orbit/sgp4.hpp"

namespace shipchips::orbit::detail {

struct DeepInitInput {
  double epoch = 0.0;  // days since 1950 January 0.0 UTC
  double ecco = 0.0, argpo = 0.0, inclo = 0.0, nodeo = 0.0, mo = 0.0, no_unkozai = 0.0;
  double mdot = 0.0, nodedot = 0.0, xpidot = 0.0, gsto = 0.0, eccsq = 0.0;
};

// Lunar and solar coefficients and the resonance set-up (dscom, dsinit at t = 0).
DeepCoefficients deep_space_init(const DeepInitInput& in);

// Secular lunar-solar rates and resonance integration to time t (minutes since epoch),
// applied to the mean elements (dspace). The integrator starts from epoch every call.
void deep_space_secular(const DeepCoefficients& ds, double argpo, double argpdot, double gsto, double no_unkozai,
                        double t, double& em, double& argpm, double& inclm, double& mm, double& nodem,
                        double& nm) noexcept;

// Lunar-solar periodics at time t (dpper after initialisation), applied in place.
void deep_space_periodics(const DeepCoefficients& ds, double t, double& ep, double& inclp, double& nodep, double& argpp,
                          double& mp) noexcept;

}  // namespace shipchips::orbit::detail
