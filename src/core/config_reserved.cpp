#include "core/config_reserved.hpp"

namespace shipchips {

const std::vector<ReservedKey>& reserved_config_keys() {
  static const std::vector<ReservedKey> keys{
      {"alerts.webhook_url", "failure-rate alerts"},
      {"alerts.threshold_fail_rate", "failure-rate alerts"},
      {"alerts.min_jobs", "failure-rate alerts"},
      {"masks.write_mask_rasters", "mask rasters beside each chip"},
      {"storage.layout.qa_report", "the QA report (shipchips qa-report)"},
  };
  return keys;
}

}  // namespace shipchips
