#include "dataset/splits.hpp"

#include "core/error.hpp"
#include "dataset/chip_id.hpp"

namespace shipchips::dataset {

std::string_view to_string(Split split) {
  switch (split) {
    case Split::train:
      return "train";
    case Split::val:
      return "val";
    case Split::test:
      return "test";
  }
  return "train";
}

Split parse_split(std::string_view text) {
  if (text == "train") return Split::train;
  if (text == "val") return Split::val;
  if (text == "test") return Split::test;
  throw Error(ErrorCode::input_invalid, "split: expected train, val or test, got '" + std::string(text) + "'");
}

std::string split_group_key(SplitGroup group_by, std::int64_t mmsi, std::string_view scene_id,
                            std::string_view chip_id) {
  switch (group_by) {
    case SplitGroup::mmsi:
      return "mmsi:" + std::to_string(mmsi);
    case SplitGroup::scene:
      return "scene:" + std::string(scene_id);
    case SplitGroup::chip:
      return "chip:" + std::string(chip_id);
  }
  return "mmsi:" + std::to_string(mmsi);
}

double split_hash_unit(std::string_view group_key) {
  std::string hex = sha256_hex("split|" + std::string(group_key));
  std::uint64_t bits = std::stoull(hex.substr(0, 16), nullptr, 16);
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

Split assign_split(const SplitsConfig& splits, std::string_view group_key) {
  double u = split_hash_unit(group_key);
  if (u < splits.train) return Split::train;
  if (u < splits.train + splits.val) return Split::val;
  // Rounding of train + val may leave a sliver near 1 when test is 0: it goes to the last
  // split that takes chips, so a zero fraction really receives nothing.
  if (splits.test > 0.0) return Split::test;
  return splits.val > 0.0 ? Split::val : Split::train;
}

Split assign_split(const SplitsConfig& splits, std::int64_t mmsi, std::string_view scene_id, std::string_view chip_id) {
  return assign_split(splits, split_group_key(splits.group_by, mmsi, scene_id, chip_id));
}

}  // namespace shipchips::dataset
