#pragma once
// Chip identity. A chip is one ship (MMSI) seen in one Sentinel-2 scene, so its id is a hash
// of exactly that pair and nothing that may drift between runs (positions, times, versions):
//
//   chip_id = lower-case hex of the first 8 bytes (16 hex digits) of
//             SHA-256( decimal(mmsi) + "|" + scene_id )
//
// decimal(mmsi) is the MMSI in base 10 without sign, leading zeros or spaces ("244660123");
// scene_id is the STAC item id as published ("S2B_30STF_20240523_0_L2A"); the hashed bytes are
// their UTF-8 text with a single '|' (0x7C) between them and nothing else (no newline). The
// same pair gives the same id on every run and platform; check one with
//   printf '%s' '244660123|S2B_30STF_20240523_0_L2A' | sha256sum | cut -c1-16

#include <cstdint>
#include <string>
#include <string_view>

namespace shipchips::dataset {

inline constexpr std::size_t chip_id_length = 16;

// The 32 bytes of SHA-256(bytes) as 64 lower-case hex digits (core/sha256.hpp).
std::string sha256_hex(std::string_view bytes);

// The exact byte string that is hashed: "244660123|S2B_30STF_20240523_0_L2A".
// Throws Error(invalid_argument) for a negative MMSI or an empty scene id.
std::string chip_id_key(std::int64_t mmsi, std::string_view scene_id);

std::string make_chip_id(std::int64_t mmsi, std::string_view scene_id);

// True for exactly 16 lower-case hex digits (what make_chip_id returns).
bool is_chip_id(std::string_view text);

}  // namespace shipchips::dataset
