#pragma once
// Deterministic train/val/test assignment per group.
//
// Every chip belongs to a group (config splits.group_by): its ship (mmsi, the default), its
// scene, or itself (chip). The group key is hashed to a number u in [0, 1):
//
//   u = (first 8 bytes of SHA-256("split|" + group_key), big-endian) >> 11, divided by 2^53
//
// and the split is train when u < train, val when u < train + val, test otherwise (fractions
// from config). Because u depends on the group key alone, every chip of one group lands in the
// same split on every run and platform — with group_by mmsi one ship never sits in two splits
// — and a split with fraction 0 never receives a chip.

#include "core/config.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace shipchips::dataset {

enum class Split { train, val, test };

std::string_view to_string(Split split);
// "train" | "val" | "test"; Error(input_invalid) otherwise.
Split parse_split(std::string_view text);

// "mmsi:244660123", "scene:S2B_30STF_20240523_0_L2A" or "chip:0f3c9a...".
std::string split_group_key(SplitGroup group_by, std::int64_t mmsi, std::string_view scene_id,
                            std::string_view chip_id);

// u in [0, 1) as defined above.
double split_hash_unit(std::string_view group_key);

// The split of a group key under `splits` fractions.
Split assign_split(const SplitsConfig& splits, std::string_view group_key);

// Convenience: group key from splits.group_by, then assign_split.
Split assign_split(const SplitsConfig& splits, std::int64_t mmsi, std::string_view scene_id, std::string_view chip_id);

}  // namespace shipchips::dataset
