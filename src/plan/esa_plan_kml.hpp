#pragma once
// ESA Sentinel-2 acquisition plan (KML) reader.
//
// The plans ESA publishes ("Sentinel-2A_MP_ACQ_KML_<from>_<to>.kml") group one Placemark per
// datatake segment in folders satellite / Mode / Timeliness. Each Placemark has a name (the
// datatake id), a TimeSpan, one Polygon (the swath segment) and ExtendedData fields ID,
// Timeliness, Station, Mode, ObservationTimeStart, ObservationTimeStop, ObservationDuration
// (ms), OrbitAbsolute, OrbitRelative, Scenes.
//
// Two variants exist and both are accepted:
//  - 2019: UTF-8, ExtendedData times without "Z" but TimeSpan times with it, styleUrl "#S2A_..".
//  - 2024: encoding="ISO-8859-1" in the XML declaration, times without "Z", styleUrl without
//    '#', Station possibly empty (or missing).
// Only UTF-8 (also plain ASCII) and ISO-8859-1 (aliases latin1, windows-1252 is NOT treated as
// Latin-1) are supported; anything else (UTF-16/32 byte-order marks or NUL bytes, another
// declared encoding, invalid UTF-8 in a file that claims UTF-8) is Error(input_invalid) naming
// the file and the encoding. Text is converted to UTF-8 before parsing, so strings in Datatake
// are always UTF-8. Times without a zone are UTC.

#include "core/time.hpp"
#include "geo/polygon.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::plan {

struct Datatake {
  std::string id;          // "22057-1" (ExtendedData ID, else the Placemark name)
  std::string satellite;   // "S2A", "S2B", "S2C"
  std::string mode;        // "NOBS", "VIC", "DARK-O", "SUN", ...
  std::string timeliness;  // "NOMINAL", "NOT_RECORDING", ...
  std::string station;     // "SGS_", "EDRS-A/SGS_", or "" when empty/missing
  UtcTime start{};         // ObservationTimeStart (TimeSpan begin when absent)
  UtcTime stop{};          // ObservationTimeStop (TimeSpan end when absent)
  long duration_ms = 0;    // ObservationDuration (stop - start when absent)
  long orbit_absolute = 0;
  int orbit_relative = 0;         // 1..143
  int scenes = 0;                 // 0 when absent
  std::vector<geo::Ring> swaths;  // outer rings, lon/lat, closed as written in the file
  long line = 0;                  // line of the Placemark in the file, for messages
};

// Reads a plan file. Errors (input_invalid) name the file, line and field; io_error when the
// file cannot be read.
std::vector<Datatake> read_esa_plan_kml(const std::filesystem::path& path);
// The same from bytes already in memory; `source` names the input in messages and is also
// used as the last resort for the satellite ("Sentinel-2A_MP_ACQ..." → S2A).
std::vector<Datatake> parse_esa_plan_kml(std::string_view bytes, const std::string& source);

// "S2A", "s2a", "Sentinel-2A", "SENTINEL-2A", "Sentinel2A", "S2A_..." → "S2A"; "" when the
// text does not start with a Sentinel-2 satellite name.
std::string normalize_s2_satellite(std::string_view text);

}  // namespace shipchips::plan
