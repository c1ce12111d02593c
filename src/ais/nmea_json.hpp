#pragma once
// gpsd-compatible JSON for decoded AIS messages: the object `gpsdecode -j` (gpsd 3.22,
// json_aivdm_dump with scaling on) prints, byte for byte: the same field names and order,
// the same units and scaling ("lon"/"lat" in degrees with 6 decimals, "speed"/"course" in
// knots/degrees with 1 decimal, "turn" as gpsd renders it), text with '@' padding trimmed,
// and the same "\r\n" line end.

#include "ais/nmea_messages.hpp"

#include <string>
#include <string_view>

namespace shipchips::ais {

// Appends the JSON line for `message` to `out` and returns true; returns false (appending
// nothing) for what gpsdecode does not print by default: a type 24 part A or part B that was
// not merged with its other half. `device` becomes gpsd's "device" field when not empty
// (gpsdecode prints "stdin").
bool append_gpsd_json(const AisMessage& message, std::string& out, std::string_view device = {});

// gpsd's legends, used by the JSON and by the readable summary.
std::string_view nav_status_text(int status) noexcept;
std::string_view epfd_text(int epfd) noexcept;
std::string_view ship_type_text(int ship_type) noexcept;

}  // namespace shipchips::ais
