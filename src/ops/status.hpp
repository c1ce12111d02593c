#pragma once
// What `shipchips ops-status` (and the service's status endpoints) report from the job store:
// jobs by state and error class, the oldest job in progress, expired leases, due and exhausted
// retries, the most recent failures with their reasons, each input ship's outcome (counts by
// outcome and the ships without a chip with why), and the latest runs with their steps.

#include "ops/job_store.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace shipchips::ops {

struct StatusOptions {
  std::size_t recent_failures = 10;
  std::size_t ships_listed = 20;  // ships without a chip listed by name (all are counted)
  std::size_t runs = 5;
};

nlohmann::ordered_json status_report(JobStore& store, const StatusOptions& options = {});
// The same as text for a terminal.
std::string format_status(const nlohmann::ordered_json& report);

}  // namespace shipchips::ops
