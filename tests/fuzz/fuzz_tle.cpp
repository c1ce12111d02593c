// Two- and three-line element sets as the planners read a TLE file or download
// (plan::parse_element_sets, which hands text that does not look like OMM to the TLE parser),
// then used as the planners use them. Bad input is Error(input_invalid); any other exception
// is a crash.
#include "core/error.hpp"
#include "fuzz_orbit.hpp"
#include "plan/planner_tle.hpp"

using namespace shipchips;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<orbit::Tle> sets;
  try {
    sets = plan::parse_element_sets(fuzz::as_text(data, size), "fuzz.tle");
  } catch (const Error& e) {
    SHIPCHIPS_FUZZ_CHECK(e.code() == ErrorCode::input_invalid);
    return 0;
  }
  for (const orbit::Tle& tle : sets) fuzz::use_element_set(tle);
  return 0;
}
