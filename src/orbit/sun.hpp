#pragma once
// Low-precision solar position: the Astronomical Almanac's algorithm ("Low precision formulas
// for the Sun", section C; quoted accuracy 0.01° between 1950 and 2050, the same order for
// a few decades either side), then the topocentric horizon coordinates with GMST (IAU-82,
// UT1 taken as UTC: ≤ 0.9 s, ≤ 0.004°).
//
// Elevations are geometric (no atmospheric refraction, which lifts the sun ~0.57° at the
// horizon and < 0.02° above 45°); the 8.8″ solar parallax is ignored. The planners need the
// sun's elevation to a tenth of a degree (Sentinel-2 images only with the sun above a
// threshold of several degrees).

#include "core/time.hpp"

namespace shipchips::orbit {

struct SunEquatorial {
  double ra_deg = 0.0;            // right ascension, [0, 360), equinox of date
  double dec_deg = 0.0;           // declination
  double distance_au = 0.0;       // Earth–Sun distance
  double ecliptic_lon_deg = 0.0;  // apparent ecliptic longitude, [0, 360)
};

struct SunHorizontal {
  double elevation_deg = 0.0;  // geometric, above the horizon, [-90, 90]
  double azimuth_deg = 0.0;    // from north through east, [0, 360)
};

SunEquatorial sun_equatorial(UtcTime time);

// The sun seen from a WGS-84 longitude/latitude (degrees) at a UTC time.
SunHorizontal sun_horizontal(UtcTime time, double lon_deg, double lat_deg);

inline double sun_elevation_deg(UtcTime time, double lon_deg, double lat_deg) {
  return sun_horizontal(time, lon_deg, lat_deg).elevation_deg;
}

}  // namespace shipchips::orbit
