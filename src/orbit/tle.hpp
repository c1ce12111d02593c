#pragma once
// Two-line element sets (NORAD TLE): parsing of two- and three-line sets with checksums, fixed
// line lengths and Alpha-5 catalogue numbers, and conversion to the mean elements SGP4 reads.
// Every error is Error(input_invalid) "file:line: field: problem".

#include "core/time.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::orbit {

// Mean elements in the units SGP4 works in (radians, radians per minute). Filled from a TLE
// here, and from OMM by other readers.
struct MeanElements {
  long catalog_number = 0;
  double epoch_jd = 0.0;           // Julian date of the epoch, whole-day part (ends in .5)
  double epoch_jd_fraction = 0.0;  // fraction of the day, so epoch = epoch_jd + epoch_jd_fraction
  double bstar = 0.0;              // drag term, 1/earth radii
  double ndot = 0.0;               // first derivative of mean motion / 2, rad/min^2 (unused by SGP4)
  double nddot = 0.0;              // second derivative / 6, rad/min^3 (unused by SGP4)
  double eccentricity = 0.0;
  double arg_perigee_rad = 0.0;
  double inclination_rad = 0.0;
  double mean_anomaly_rad = 0.0;
  double mean_motion_rad_min = 0.0;  // Kozai mean motion as published
  double raan_rad = 0.0;
};

struct Tle {
  std::string name;         // the title line of a three-line set ("0 " prefix removed), or ""
  long catalog_number = 0;  // Alpha-5 decoded: "A0000" -> 100000
  char classification = 'U';
  std::string international_designator;  // columns 10-17, trimmed (may be empty)
  int epoch_year = 0;                    // four digits (two-digit 57-99 -> 19xx, 00-56 -> 20xx)
  double epoch_day = 0.0;                // day of year with fraction, 1.0 = 1 January 00:00 UTC
  double ndot_rev_day2 = 0.0;            // as printed: first derivative of mean motion / 2, rev/day^2
  double nddot_rev_day3 = 0.0;           // as printed: second derivative / 6, rev/day^3
  double bstar = 0.0;
  int ephemeris_type = 0;
  int element_set_number = 0;
  double inclination_deg = 0.0;
  double raan_deg = 0.0;
  double eccentricity = 0.0;
  double arg_perigee_deg = 0.0;
  double mean_anomaly_deg = 0.0;
  double mean_motion_rev_day = 0.0;
  long revolution_number = 0;
  std::string line1, line2;  // the element lines as read (line 2 cut to 69 columns)
  long source_line = 0;      // line number of line 1 in its file

  UtcTime epoch() const;
  MeanElements mean_elements() const;
};

struct TleParseOptions {
  // Vallado's verification file has deliberately wrong checksums and extra columns after
  // line 2 (start, stop, step); everything else must be exact.
  bool verify_checksums = true;
  bool allow_trailing_text = false;  // accept (and ignore) characters after column 69 of line 2
};

// Parses one element set; `line_number` is the line of `line1` in `source` (for messages).
Tle parse_tle(std::string_view line1, std::string_view line2, std::string_view source = "<tle>", long line_number = 1,
              const TleParseOptions& options = {});

// All sets in a text of two- or three-line sets (blank lines and lines starting with '#' are
// skipped; a line that is neither "1 ", "2 " nor followed by a line 1 is a title line).
std::vector<Tle> parse_tle_text(std::string_view text, std::string_view source = "<tle>",
                                const TleParseOptions& options = {});

std::vector<Tle> read_tle_file(const std::filesystem::path& path, const TleParseOptions& options = {});

// "A0000" -> 100000, "  123" / "00005" -> numbers; throws std::invalid_argument on bad text.
long decode_alpha5(std::string_view field);

// Modulo-10 checksum of the first 68 columns: digits count their value, '-' counts 1.
int tle_checksum(std::string_view line);

}  // namespace shipchips::orbit
