#pragma once
// The backfill planner: the overpasses of the `days` days before `start` ([start − days,
// start)), from the real orbit geometry (SGP4 on the element sets nearest to that past
// window), not a fixed time of day. Windows are marked source "backfill".

#include "plan/planner_tle.hpp"

namespace shipchips::plan {

PlannerResult plan_backfill(const PlannerRequest& request);

}  // namespace shipchips::plan
