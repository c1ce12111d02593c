#pragma once
// The values the service's gauges export and the alert rules look at (ops/alert_rules.hpp),
// read from the dataset in one pass: chip jobs by state, due retries and expired leases (the
// job store), the file system's free and total bytes under the dataset root, the schedule's
// last window end (storage.layout.schedule), and the newest chip's creation time (the chips
// index, by its created index). Cheap enough for every scrape: counts and index lookups only,
// the schedule CSV read once (a few hundred rows).

#include "core/config.hpp"
#include "ops/alert_rules.hpp"
#include "ops/job_store.hpp"

namespace shipchips::pipeline {

ops::OpsSnapshot take_ops_snapshot(const Config& config, ops::JobStore& store);

}  // namespace shipchips::pipeline
