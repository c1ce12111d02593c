#pragma once
// One readable line per decoded AIS message, for `shipchips ais decode` without --json:
// scaled values with units, "n/a" for values M.1371 marks as not available.

#include "ais/nmea_stream.hpp"

#include <string>

namespace shipchips::ais {

// e.g. "line 12 type 1 mmsi 371798000 class A lat 48.381633 lon -123.395383 sog 12.3 kn
//       cog 224.0 hdg 215 status 0 (Under way using engine) time 2023-10-08T18:02:55Z"
std::string summarize(const DecodedAis& decoded);

}  // namespace shipchips::ais
