#pragma once
// CCSDS Orbit Mean-Elements Messages (OMM) with SGP4 mean elements, as Celestrak's and
// Space-Track's GP services publish them: CSV (one header row, one set per row) and JSON (an
// array of objects, numbers as JSON numbers or strings). Each set becomes the MeanElements
// SGP4 takes, with the same unit conversions as for a TLE. Errors are Error(input_invalid)
// "file:line: FIELD: problem" (CSV) or "file: [index].FIELD: problem" (JSON).
// OMM XML is not read here: it needs an XML parser (pugixml) linked into shipchips_lib.

#include "core/time.hpp"
#include "orbit/tle.hpp"

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::orbit {

struct Omm {
  std::string object_name;
  std::string object_id;       // international designator, "1958-002B"
  long catalog_number = 0;     // NORAD_CAT_ID
  char classification = 'U';
  int ephemeris_type = 0;
  int element_set_number = 0;
  long rev_at_epoch = 0;
  UtcTime epoch{};
  double mean_motion_rev_day = 0.0;
  double eccentricity = 0.0;
  double inclination_deg = 0.0;
  double raan_deg = 0.0;
  double arg_perigee_deg = 0.0;
  double mean_anomaly_deg = 0.0;
  double bstar = 0.0;
  double mean_motion_dot = 0.0;  // rev/day^2 / 2, as in the TLE
  double mean_motion_ddot = 0.0; // rev/day^3 / 6
  long source_line = 0;          // CSV line, or JSON array index

  MeanElements mean_elements() const;
};

std::vector<Omm> parse_omm_csv(std::istream& in, std::string_view source = "<omm.csv>");
std::vector<Omm> parse_omm_json(std::string_view text, std::string_view source = "<omm.json>");

// Reads CSV or JSON, told apart by the first non-blank character ('[' or '{' is JSON).
std::vector<Omm> read_omm_file(const std::filesystem::path& path);

} // namespace shipchips::orbit
