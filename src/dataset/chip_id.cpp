#include "dataset/chip_id.hpp"

#include "core/error.hpp"

#include "core/sha256.hpp"

namespace shipchips::dataset {

std::string sha256_hex(std::string_view bytes) {
  return sha256_of_bytes(bytes);
}

std::string chip_id_key(std::int64_t mmsi, std::string_view scene_id) {
  if (mmsi < 0) throw Error(ErrorCode::invalid_argument, "chip_id: negative MMSI " + std::to_string(mmsi));
  if (scene_id.empty())
    throw Error(ErrorCode::invalid_argument, "chip_id: empty scene id for MMSI " + std::to_string(mmsi));
  std::string key = std::to_string(mmsi);
  key += '|';
  key += scene_id;
  return key;
}

std::string make_chip_id(std::int64_t mmsi, std::string_view scene_id) {
  return sha256_hex(chip_id_key(mmsi, scene_id)).substr(0, chip_id_length);
}

bool is_chip_id(std::string_view text) {
  if (text.size() != chip_id_length) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace shipchips::dataset
