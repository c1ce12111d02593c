#include "core/config_reserved.hpp"

namespace shipchips {

const std::vector<ReservedKey>& reserved_config_keys() {
  static const std::vector<ReservedKey> keys{
      {"masks.write_mask_rasters", "mask rasters beside each chip"},
  };
  return keys;
}

}  // namespace shipchips
