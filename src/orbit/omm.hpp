#pragma once
// CCSDS Orbit Mean-Elements Messages (OMM) with SGP4 mean elements, as Celestrak's and
// Space-Track's GP services publish them: CSV (one header row, one set per row) and JSON (an
// array of objects, numbers as JSON numbers or strings). Each set becomes the MeanElements
// SGP4 takes, with the same unit conversions as for a TLE. Errors are Error(input_invalid)
// "file:line: FIELD: problem" (CSV), "file: [index].FIELD: problem" (JSON) or
// "file:line: FIELD: problem" (XML, the line of the element or of its segment).
// XML is the CCSDS NDM/XML form Celestrak's gp.php?FORMAT=xml returns (omm_xml.cpp):
// <ndm><omm><body><segment><metadata>…</metadata><data><meanElements>…</meanElements>
// <tleParameters>…</tleParameters></data></segment></body></omm>…</ndm>, or one bare <omm>.

#include "core/time.hpp"
#include "orbit/tle.hpp"

#include <filesystem>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::orbit {

struct Omm {
  std::string object_name;
  std::string object_id;    // international designator, "1958-002B"
  long catalog_number = 0;  // NORAD_CAT_ID
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
  double mean_motion_dot = 0.0;   // rev/day^2 / 2, as in the TLE
  double mean_motion_ddot = 0.0;  // rev/day^3 / 6
  long source_line = 0;           // CSV line, JSON array index, or XML line of the <segment>

  MeanElements mean_elements() const;
};

std::vector<Omm> parse_omm_csv(std::istream& in, std::string_view source = "<omm.csv>");
std::vector<Omm> parse_omm_json(std::string_view text, std::string_view source = "<omm.json>");
std::vector<Omm> parse_omm_xml(std::string_view text, std::string_view source = "<omm.xml>");

// CSV, JSON or XML, told apart by the first non-blank character ('[' or '{' is JSON, '<' XML).
std::vector<Omm> parse_omm_text(std::string_view text, std::string_view source);
std::vector<Omm> read_omm_file(const std::filesystem::path& path);

namespace detail {
// One OMM record, whatever the container: text and numbers by keyword, and a failure
// callback that throws a message naming where the record is. Shared by the CSV, JSON and
// XML readers so every container gets the same fields, units and range checks.
struct OmmRecord {
  std::function<std::optional<std::string>(std::string_view)> text;
  std::function<std::optional<double>(std::string_view)> number;
  std::function<void(std::string_view, std::string_view)> fail;  // throws
};
Omm make_omm(const OmmRecord& record, long source_line);
// parse_double_field with a failure that names the keyword.
std::optional<double> parse_number_text(const OmmRecord& record, std::string_view name, const std::string& text);
}  // namespace detail

}  // namespace shipchips::orbit
