// OMM element sets in XML (CCSDS NDM/XML), as Celestrak's and Space-Track's GP services publish
// them, turned into the Tle values the planners use (plan::tle_from_omm) and used as they use
// them. Bad input is Error(input_invalid); any other exception is a crash.
#include "core/error.hpp"
#include "fuzz_orbit.hpp"
#include "orbit/omm.hpp"
#include "plan/planner_tle.hpp"

using namespace shipchips;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<orbit::Omm> sets;
  try {
    sets = orbit::parse_omm_xml(fuzz::as_text(data, size), "fuzz.xml");
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::input_invalid);
    return 0;
  }
  for (const orbit::Omm& omm : sets) {
    (void)omm.mean_elements();
    fuzz::use_element_set(plan::tle_from_omm(omm));
  }
  return 0;
}
