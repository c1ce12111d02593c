#pragma once
// Configuration keys the schema accepts (and checks) but no command reads yet: they belong to
// the operations commands (job retries, alerts, QA report, manifests, runs, the STAC catalog,
// mask rasters) that are not built yet. `shipchips doctor` lists them so nobody tunes a key
// expecting an effect; each is wired, or removed, when those commands land.

#include <string>
#include <vector>

namespace shipchips {

struct ReservedKey {
  std::string key;      // "ops.max_retries"
  std::string used_by;  // what will read it
};

const std::vector<ReservedKey>& reserved_config_keys();

}  // namespace shipchips
