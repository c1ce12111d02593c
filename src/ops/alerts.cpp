#include "ops/alerts.hpp"

#include "core/env.hpp"

#include <cstdio>

namespace shipchips::ops {
namespace {

std::string percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", 100.0 * fraction);
  return buffer;
}

}  // namespace

AlertDecision decide_failure_rate_alert(const AlertsConfig& alerts, const FailureRate& jobs) {
  AlertDecision d;
  const std::string rate = "failure rate " + percent(jobs.rate()) + " (" + std::to_string(jobs.failed) + " of " +
                           std::to_string(jobs.finished) + " finished jobs)";
  const std::string threshold = "alerts.threshold_fail_rate " + percent(alerts.threshold_fail_rate);
  if (jobs.finished < static_cast<std::size_t>(std::max(alerts.min_jobs, 0))) {
    d.why = rate + ": fewer than alerts.min_jobs " + std::to_string(alerts.min_jobs) + " finished jobs, no alert";
    return d;
  }
  if (!(jobs.rate() > alerts.threshold_fail_rate)) {
    d.why = rate + ": not above " + threshold + ", no alert";
    return d;
  }
  d.over_threshold = true;
  d.send = !alerts.webhook_url.empty();
  d.why = rate + " is above " + threshold +
          (d.send ? ": alert POST to alerts.webhook_url" : ": alerts.webhook_url is not set, no alert sent");
  return d;
}

nlohmann::ordered_json alert_body(const FailureRateAlert& alert) {
  nlohmann::ordered_json j;
  j["alert"] = "FailureRate";
  j["failure_rate"] = alert.jobs.rate();
  j["threshold"] = alert.threshold;
  j["jobs"] = alert.jobs.finished;
  j["failed"] = alert.jobs.failed;
  j["dataset_root"] = alert.dataset_root;
  j["report"] = alert.report;
  j["generated_at"] = alert.generated_at;
  return j;
}

void post_alert(HttpClient& client, const std::string& url, const nlohmann::ordered_json& body) {
  try {
    client.request("POST", url, body.dump(), {{"Content-Type", "application/json"}});
  } catch (const HttpError& e) {
    std::string message = e.what();
    for (std::size_t pos = 0; !url.empty() && (pos = message.find(url, pos)) != std::string::npos;) {
      message.replace(pos, url.size(), "alerts.webhook_url");
      pos += std::string_view("alerts.webhook_url").size();
    }
    // A redirect target or a registered secret could still be in curl's words.
    throw Error(e.code(), "failure-rate alert: " + redact(message));
  }
}

}  // namespace shipchips::ops
