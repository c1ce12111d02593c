#pragma once
// Decoded AIS messages (ITU-R M.1371-5) of the types shipchips uses: 1, 2, 3 (class A
// position), 4 (base station; 11 shares its layout), 5 (class A static and voyage), 18, 19
// (class B position), 24 parts A and B (class B static) and 27 (long-range position).
//
// Structs keep the raw integer fields exactly as transmitted (so output can match gpsd bit
// for bit); the free functions below scale them and turn the "not available" codes into
// std::nullopt. Field names follow gpsd's JSON names.

#include "ais/nmea_bits.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace shipchips::ais {

struct AisHeader {
  int type = 0;
  int repeat = 0;
  std::uint32_t mmsi = 0;
};

// Types 1, 2, 3.
struct PositionReportA : AisHeader {
  int status = 15;   // navigational status; 15 = not defined
  int turn = -128;   // ROT_AIS, -128 = not available, ±127 = turning fast, no rate
  int speed = 1023;  // SOG in 0.1 kn; 1023 = not available, 1022 = 102.2 kn or more
  bool accuracy = false;
  std::int32_t lon = 108600000;  // 1/10000 minute; 181° = not available
  std::int32_t lat = 54600000;   // 1/10000 minute; 91° = not available
  int course = 3600;             // COG in 0.1°; 3600 = not available
  int heading = 511;             // true heading in degrees; 511 = not available
  int second = 60;               // UTC second of the fix; 60 = not available
  int maneuver = 0;
  bool raim = false;
  std::uint32_t radio = 0;
};

// Types 4 and 11.
struct BaseStationReport : AisHeader {
  int year = 0, month = 0, day = 0, hour = 24, minute = 60, second = 60;
  bool accuracy = false;
  std::int32_t lon = 108600000;
  std::int32_t lat = 54600000;
  int epfd = 0;
  bool raim = false;
  std::uint32_t radio = 0;
};

// Type 5.
struct StaticVoyageData : AisHeader {
  int ais_version = 0;
  std::uint32_t imo = 0;  // 0 = not available
  std::string callsign;
  std::string shipname;
  int shiptype = 0;                                             // 0 = not available
  int to_bow = 0, to_stern = 0, to_port = 0, to_starboard = 0;  // metres; dimensions A, B, C, D
  int epfd = 0;
  int month = 0, day = 0, hour = 24, minute = 60;  // ETA; 0/0/24/60 = not available
  int draught = 0;                                 // 0.1 m; 0 = not available
  std::string destination;
  bool dte = false;
};

// Type 18.
struct PositionReportB : AisHeader {
  int reserved = 0;
  int speed = 1023;
  bool accuracy = false;
  std::int32_t lon = 108600000;
  std::int32_t lat = 54600000;
  int course = 3600;
  int heading = 511;
  int second = 60;
  int regional = 0;
  bool cs = false, display = false, dsc = false, band = false, msg22 = false, assigned = false, raim = false;
  std::uint32_t radio = 0;
};

// Type 19.
struct ExtendedPositionReportB : AisHeader {
  int reserved = 0;
  int speed = 1023;
  bool accuracy = false;
  std::int32_t lon = 108600000;
  std::int32_t lat = 54600000;
  int course = 3600;
  int heading = 511;
  int second = 60;
  int regional = 0;
  std::string shipname;
  int shiptype = 0;
  int to_bow = 0, to_stern = 0, to_port = 0, to_starboard = 0;
  int epfd = 0;
  bool raim = false, dte = false, assigned = false;
};

enum class Type24Part { a, b, both };

// Type 24. Part A carries the name, part B the rest; the decoder merges a part B with the
// part A that came before it from the same MMSI (as gpsd does) and marks it Type24Part::both.
struct StaticDataReportB : AisHeader {
  Type24Part part = Type24Part::a;
  std::string shipname;  // parts A and both
  int shiptype = 0;      // parts B and both
  std::string vendorid;
  int model = 0;
  std::uint32_t serial = 0;
  std::string callsign;
  int to_bow = 0, to_stern = 0, to_port = 0, to_starboard = 0;
  std::uint32_t mothership_mmsi = 0;  // instead of dimensions for auxiliary craft (MMSI 98xxxxxxx)
};

// Type 27.
struct LongRangeReport : AisHeader {
  bool accuracy = false, raim = false;
  int status = 15;
  std::int32_t lon = 108600;  // 1/10 minute; 181° = not available
  std::int32_t lat = 54600;   // 1/10 minute; 91° = not available
  int speed = 63;             // knots; 63 = not available
  int course = 511;           // degrees; 511 = not available
  bool gnss = false;          // position latency bit (gpsd's name): false = under 5 s
};

using AisMessage = std::variant<PositionReportA, BaseStationReport, StaticVoyageData, PositionReportB,
                                ExtendedPositionReportB, StaticDataReportB, LongRangeReport>;

const AisHeader& header_of(const AisMessage& message) noexcept;

enum class DecodeStatus {
  ok,
  unsupported_type,  // a valid message of a type not decoded here (6, 8, 21, ...)
  bad_length,        // too short (or too long) for its type, by gpsd's rules
  bad_subtype,       // type 24 part number 2 or 3
};

// Stateful only for type 24: remembers the last 8 part A names per radio channel to merge
// with their part B. Like gpsd, channels 'A'/'1'/none and 'B'/'2' keep separate memories, so a
// part A heard on one channel and its part B on the other are not merged.
class AisDecoder {
 public:
  DecodeStatus decode(const AisBits& bits, AisMessage& out, char channel = 'A');

 private:
  struct Part24A {
    std::uint32_t mmsi = 0;
    std::string shipname;
  };
  struct Part24Memory {
    std::array<Part24A, 8> parts{};
    std::size_t next = 0;
  };
  std::array<Part24Memory, 2> m_part_a{};
};

// ----- Scaled values; std::nullopt where M.1371 says "not available" or the value is invalid.

// Latitude/longitude from 1/10000 minute (types 1-4, 18, 19): 91/181 or out of range → nullopt.
std::optional<double> latitude_deg(std::int32_t raw) noexcept;
std::optional<double> longitude_deg(std::int32_t raw) noexcept;
// The same from type 27's 1/10 minute.
std::optional<double> latitude_deg_long_range(std::int32_t raw) noexcept;
std::optional<double> longitude_deg_long_range(std::int32_t raw) noexcept;
// SOG from 0.1 kn: 1023 → nullopt; 1022 means "102.2 kn or more".
std::optional<double> speed_knots(int raw) noexcept;
// COG from 0.1°: 3600 (and above) → nullopt.
std::optional<double> course_deg(int raw) noexcept;
// True heading: 511 (and anything above 359) → nullopt.
std::optional<int> heading_deg(int raw) noexcept;
// Rate of turn in °/min from ROT_AIS (sign kept): -128 → nullopt; ±127 (turning faster than
// 5°/30 s, no turn indicator) → nullopt as well, since no rate is known.
std::optional<double> rate_of_turn_deg_min(int raw) noexcept;
// Draught in metres from 0.1 m: 0 → nullopt.
std::optional<double> draught_m(int raw) noexcept;

// What the track store needs from a position message (types 1, 2, 3, 18, 19, 27).
struct AisPositionFix {
  std::uint32_t mmsi = 0;
  int type = 0;
  char ais_class = 'A';  // 'A' (1, 2, 3, 27) or 'B' (18, 19)
  std::optional<double> lat, lon, sog_kn, cog_deg;
  std::optional<int> heading_deg;
  std::optional<int> nav_status;  // class A; 15 (not defined) → nullopt
  std::optional<int> second;      // UTC second of the fix; 60..63 → nullopt
};
std::optional<AisPositionFix> position_fix(const AisMessage& message);

// What the track store needs from a static message (types 5, 19, 24 part B or both).
// Dimensions A, B, C, D are to bow, stern, port, starboard; 0 → nullopt.
struct AisShipStatic {
  std::uint32_t mmsi = 0;
  int type = 0;
  char ais_class = 'A';
  std::optional<std::uint32_t> imo;
  std::string name, callsign, destination;  // empty when not sent
  std::optional<int> ship_type;
  std::optional<int> dim_a, dim_b, dim_c, dim_d;
  std::optional<double> draught_m;
};
std::optional<AisShipStatic> ship_static(const AisMessage& message);

}  // namespace shipchips::ais
