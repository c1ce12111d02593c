#pragma once
// UTC time points with microsecond resolution and strict ISO 8601 parsing/formatting.
// Every time in shipchips is UTC; formatting always ends in "Z".

#include <chrono>
#include <string>
#include <string_view>

namespace shipchips {

using UtcTime = std::chrono::sys_time<std::chrono::microseconds>;

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fraction]]" with "T" or a space, followed by
// "Z", "+hh:mm", "+hhmm", "+hh" or nothing (taken as UTC). A fraction of any length is read
// (digits past microseconds are truncated). Throws Error(input_invalid) naming the text.
UtcTime parse_iso8601(std::string_view text);

// "2023-10-08T18:02:55.276000Z"; fraction_digits 0..6 (0: no fraction).
std::string format_iso8601(UtcTime time, int fraction_digits = 6);

// "YYYYMMDD", the date stamp used in dataset paths.
std::string format_yyyymmdd(UtcTime time);

UtcTime utc_now();

// Seconds since the Unix epoch (may be fractional).
double to_unix_seconds(UtcTime time);
UtcTime from_unix_seconds(double seconds);

}  // namespace shipchips
