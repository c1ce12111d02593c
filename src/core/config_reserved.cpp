#include "core/config_reserved.hpp"

namespace shipchips {

const std::vector<ReservedKey>& reserved_config_keys() {
  static const std::vector<ReservedKey> keys{
      {"ops.max_retries", "job retries (shipchips retry)"},
      {"ops.initial_backoff_min", "job retries (shipchips retry)"},
      {"ops.max_backoff_hours", "job retries (shipchips retry)"},
      {"ops.retry_batch_limit", "job retries (shipchips retry)"},
      {"ops.stuck_job_minutes", "reclaiming stuck jobs"},
      {"alerts.webhook_url", "failure-rate alerts"},
      {"alerts.threshold_fail_rate", "failure-rate alerts"},
      {"alerts.min_jobs", "failure-rate alerts"},
      {"masks.write_mask_rasters", "mask rasters beside each chip"},
      {"storage.layout.qa_report", "the QA report (shipchips qa-report)"},
      {"storage.layout.manifests", "run manifests"},
      {"storage.layout.runs", "run records"},
  };
  return keys;
}

}  // namespace shipchips
