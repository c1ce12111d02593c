// The backfill planner (see planner_backfill.hpp).
#include "plan/planner_backfill.hpp"

#include <chrono>

namespace shipchips::plan {

PlannerResult plan_backfill(const PlannerRequest& request) {
  return detail::plan_window(request, request.start - std::chrono::days(request.days), request.start, "backfill");
}

}  // namespace shipchips::plan
