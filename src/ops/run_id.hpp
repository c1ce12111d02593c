#pragma once
// Run ids: every command that changes data runs under one, and every step of that run (and its
// manifest, manifests/<step>/date=<YYYY-MM-DD>/run=<run_id>/manifest.json) carries it.
//
//   run_id = <UTC start, YYYYMMDDTHHMMSSZ> "-" <8 lower-case hex digits from the OS's random source>
//            e.g. "20261203T133619Z-9f3a61c2"
//
// Sorting run ids as text sorts them by start time (to the second); the random part keeps two
// runs started in the same second apart. Only [0-9A-Za-z-] appear, so an id is safe in a path.

#include "core/time.hpp"

#include <string>
#include <string_view>

namespace shipchips::ops {

std::string make_run_id(UtcTime started = utc_now());

// True for the form make_run_id returns.
bool is_run_id(std::string_view text);

}  // namespace shipchips::ops
