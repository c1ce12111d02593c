// ESA Sentinel-2 acquisition plans (KML) as the esa_plan and auto planners read them, from a
// file or a download (plan::parse_esa_plan_kml): encoding check and Latin-1 conversion, XML,
// folders, ExtendedData, TimeSpan and swath polygons. Bad input is Error(input_invalid); any
// other exception is a crash.
#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "plan/esa_plan_kml.hpp"

#include <cmath>

using namespace shipchips;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<plan::Datatake> datatakes;
  try {
    // The file name is the satellite of last resort, as for ESA's own file names.
    datatakes = plan::parse_esa_plan_kml(fuzz::as_text(data, size), "Sentinel-2A_MP_ACQ_KML_fuzz.kml");
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::input_invalid);
    return 0;
  }
  for (const plan::Datatake& d : datatakes) {
    // S2D too: the reader (and config's satellite list) already know the next unit.
    SHIPCHIPS_FUZZ_CHECK(d.satellite == "S2A" || d.satellite == "S2B" || d.satellite == "S2C" || d.satellite == "S2D");
    SHIPCHIPS_FUZZ_CHECK(!d.id.empty() && !d.mode.empty());
    SHIPCHIPS_FUZZ_CHECK(d.start <= d.stop);
    SHIPCHIPS_FUZZ_CHECK(d.orbit_absolute > 0 && d.orbit_relative >= 1 && d.orbit_relative <= 143);
    SHIPCHIPS_FUZZ_CHECK(!d.swaths.empty());
    for (const geo::Ring& ring : d.swaths) {
      SHIPCHIPS_FUZZ_CHECK(ring.size() >= 4);
      for (const geo::LonLat& p : ring) {
        // What the reader promises for every position: a longitude in -360..360 (swaths that
        // cross the antimeridian run past 180) and a latitude in -90..90.
        SHIPCHIPS_FUZZ_CHECK(p.lon >= -360.0 && p.lon <= 360.0 && p.lat >= -90.0 && p.lat <= 90.0);
      }
    }
  }
  return 0;
}
