#include "ops/service_metrics.hpp"

#include <string>

namespace shipchips::ops {
namespace {

void set_optional(metrics::Registry& r, std::string_view name, const std::optional<double>& value) {
  r.clear_gauge(name);
  if (value) r.gauge(name).set(*value);
}

}  // namespace

void register_state_metrics(metrics::Registry& r) {
  r.add_gauge(std::string(metric::jobs), "Chip jobs in the job store, by state.", {"state"});
  r.add_gauge(std::string(metric::job_retries_due), "Failed retryable chip jobs whose next retry is due.");
  r.add_gauge(std::string(metric::jobs_expired_leases), "Running chip jobs whose lease has expired.");
  r.add_gauge(std::string(metric::disk_free_bytes), "Bytes available to shipchips on the dataset's file system.");
  r.add_gauge(std::string(metric::disk_size_bytes), "Size of the dataset's file system in bytes.");
  r.add_gauge(std::string(metric::schedule_end), "End of the last overpass window in the schedule (Unix time).");
  r.add_gauge(std::string(metric::last_chip), "Creation time of the newest chip in the index (Unix time).");
}

void update_state_metrics(metrics::Registry& r, const OpsSnapshot& s) {
  const std::pair<const char*, double> states[] = {
      {"queued", s.queued}, {"running", s.running}, {"done", s.done}, {"rejected", s.rejected}, {"failed", s.failed}};
  for (const auto& [state, value] : states) r.gauge(metric::jobs, {state}).set(value);
  r.gauge(metric::job_retries_due).set(s.retries_due);
  r.gauge(metric::jobs_expired_leases).set(s.expired_leases);
  set_optional(r, metric::disk_free_bytes, s.disk_free_bytes);
  set_optional(r, metric::disk_size_bytes, s.disk_size_bytes);
  set_optional(r, metric::schedule_end, s.schedule_end);
  set_optional(r, metric::last_chip, s.last_chip);
}

}  // namespace shipchips::ops
