#pragma once
// What the planners do with an element set once it is parsed (plan/passes_orbit.cpp): its
// epoch, its SGP4 mean elements, and propagation from epoch over a day. Any element set the
// parsers accept must survive this without undefined behaviour; SGP4's own error codes are
// return values.

#include "fuzz_support.hpp"
#include "orbit/sgp4.hpp"
#include "orbit/tle.hpp"

#include <cmath>

namespace shipchips::fuzz {

inline void use_element_set(const orbit::Tle& tle) {
  (void)tle.epoch();
  const orbit::MeanElements elements = tle.mean_elements();
  SHIPCHIPS_FUZZ_CHECK(std::isfinite(elements.epoch_jd) && std::isfinite(elements.epoch_jd_fraction));
  SHIPCHIPS_FUZZ_CHECK(elements.mean_motion_rad_min > 0.0);
  SHIPCHIPS_FUZZ_CHECK(elements.eccentricity >= 0.0 && elements.eccentricity < 1.0);
  const orbit::Sgp4Propagator propagator(elements);
  orbit::StateVector state;
  for (double minutes : {0.0, 90.0, 1440.0}) {
    if (propagator.propagate(minutes, state) == orbit::Sgp4Error::none) {
      for (double r : state.r_km) SHIPCHIPS_FUZZ_CHECK(std::isfinite(r));
    }
  }
}

}  // namespace shipchips::fuzz
