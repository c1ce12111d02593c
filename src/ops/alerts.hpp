#pragma once
// Failure-rate alerts (the alerts section of config.yaml): the decision — the failure rate
// (failed / finished chip jobs) over at least alerts.min_jobs finished jobs exceeds
// alerts.threshold_fail_rate, and alerts.webhook_url is set — and the JSON POST to the webhook
// through core/http_client.
//
// The webhook URL is a secret (Slack/Teams hooks carry their token in the path): it is never
// logged, printed or written into a report, and an HTTP failure's message names the config key
// alerts.webhook_url instead of the URL.

#include "core/config.hpp"
#include "core/http_client.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace shipchips::ops {

struct FailureRate {
  std::size_t finished = 0;  // done + rejected + failed chip jobs
  std::size_t failed = 0;
  double rate() const { return finished == 0 ? 0.0 : static_cast<double>(failed) / static_cast<double>(finished); }
};

struct AlertDecision {
  bool over_threshold = false;  // enough jobs and a rate above the threshold
  bool send = false;            // over_threshold and a webhook is configured
  std::string why;              // one line for the report and the terminal (no URL)
};

AlertDecision decide_failure_rate_alert(const AlertsConfig& alerts, const FailureRate& jobs);

// What an alert tells the receiver.
struct FailureRateAlert {
  FailureRate jobs;
  double threshold = 0;
  std::string dataset_root;
  std::string report;  // the QA report's path
  std::string generated_at;
};
nlohmann::ordered_json alert_body(const FailureRateAlert& alert);

// POSTs `body` as application/json to `url`. A failed POST (after the client's retries) is
// rethrown as Error with the HttpError's code (network_transient for 5xx/timeouts/refused
// connections, http_client_error for other 4xx) and a message where the URL reads
// "alerts.webhook_url".
void post_alert(HttpClient& client, const std::string& url, const nlohmann::ordered_json& body);

}  // namespace shipchips::ops
