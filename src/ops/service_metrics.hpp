#pragma once
// The service's gauges of the dataset's state (the names ops/alert_rules.hpp's rules use),
// registered once and set from an OpsSnapshot at every scrape. A value the snapshot does not
// have (no schedule, no chip yet) is left out of the scrape rather than exported as 0, so the
// rules' absent() and "no result" cases mean what they say.

#include "ops/alert_rules.hpp"
#include "ops/metrics.hpp"

namespace shipchips::ops {

void register_state_metrics(metrics::Registry& registry);
void update_state_metrics(metrics::Registry& registry, const OpsSnapshot& snapshot);

}  // namespace shipchips::ops
