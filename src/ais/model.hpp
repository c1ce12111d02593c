#pragma once
// The AIS data model every reader produces and the track store keeps: one PositionReport per
// ping and StaticData for what a ship says about itself. Units follow ITU-R M.1371 after
// scaling: degrees, knots, metres. A value the source marks "not available" (heading 511,
// SOG 102.3, COG 360, nav status 15, dimension 0) is std::nullopt, never a sentinel number.

#include "core/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shipchips::ais {

enum class AisClass { unknown, a, b };

// "A", "B" or "" (unknown).
std::string_view to_string(AisClass c);
// Accepts "A", "B", "Class A", "Class B" (any case); anything else → unknown.
AisClass parse_ais_class(std::string_view text);

struct PositionReport {
  std::int64_t mmsi = 0;
  UtcTime time{};
  double lat = 0;  // WGS-84 degrees, always valid (readers drop 91/181 and out-of-range)
  double lon = 0;
  std::optional<double> sog_kn;
  std::optional<double> cog_deg;      // [0, 360)
  std::optional<double> heading_deg;  // true heading [0, 360)
  std::optional<int> nav_status;      // 0..14
  AisClass ais_class = AisClass::unknown;
  std::string source;    // file or stream name
  std::string provider;  // "dma", "marinecadastre", "upload", "nmea", "aisstream", "synthetic"

  bool operator==(const PositionReport&) const = default;
};

struct StaticData {
  std::int64_t mmsi = 0;
  UtcTime time{};  // when it was reported
  std::string name, callsign, destination;
  std::optional<std::int64_t> imo;
  std::optional<int> ship_type;
  std::optional<int> dim_a, dim_b, dim_c, dim_d;  // to bow, stern, port, starboard (m)
  std::optional<double> draught_m;
  std::string source;
  std::string provider;

  bool operator==(const StaticData&) const = default;
};

// Static data arrives in parts (type 5, or 24 A then B) and CSV rows repeat it: folds `from`
// into `into`, keeping the newest known value of each field (an unknown field never erases one).
void merge_static(StaticData& into, const StaticData& from);

// ITU-R M.1371 validity of the scaled values, shared by the readers.
inline bool valid_position(double lat, double lon) {
  // 91 / 181 are "not available"; NaN fails both comparisons.
  return lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0;
}
// SOG 102.3 kn (raw 1023) is "not available"; negative is not a speed.
inline std::optional<double> valid_sog(std::optional<double> kn) {
  if (!kn || *kn < 0.0 || *kn >= 102.25) return std::nullopt;
  return kn;
}
// COG 360 (raw 3600) and above is "not available".
inline std::optional<double> valid_cog(std::optional<double> deg) {
  if (!deg || *deg < 0.0 || *deg >= 360.0) return std::nullopt;
  return deg;
}
// Heading 511 (and anything above 359) is "not available".
inline std::optional<double> valid_heading(std::optional<double> deg) {
  if (!deg || *deg < 0.0 || *deg >= 360.0) return std::nullopt;
  return deg;
}

}  // namespace shipchips::ais
