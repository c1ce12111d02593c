#include "pipeline/ops_snapshot.hpp"

#include "dataset/chip_index.hpp"
#include "plan/schedule.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace shipchips::pipeline {
namespace {

double epoch_s(UtcTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

ops::OpsSnapshot take_ops_snapshot(const Config& config, ops::JobStore& store) {
  ops::OpsSnapshot s;
  s.now = epoch_s(utc_now());
  const ops::JobCounts counts = store.counts();
  auto state = [&](ops::JobStatus status) {
    const auto it = counts.by_status.find(status);
    return it == counts.by_status.end() ? 0.0 : static_cast<double>(it->second);
  };
  s.queued = state(ops::JobStatus::queued);
  s.running = state(ops::JobStatus::running);
  s.done = state(ops::JobStatus::done);
  s.rejected = state(ops::JobStatus::rejected);
  s.failed = state(ops::JobStatus::failed);
  s.retries_due = static_cast<double>(counts.due_retries);
  s.expired_leases = static_cast<double>(counts.expired_leases);

  std::error_code ec;
  const auto space = std::filesystem::space(dataset_root(config), ec);
  if (!ec) {
    s.disk_free_bytes = static_cast<double>(space.available);
    s.disk_size_bytes = static_cast<double>(space.capacity);
  }

  const auto schedule = dataset_path(config, config.storage.layout.schedule);
  if (std::filesystem::is_regular_file(schedule, ec)) {
    try {
      const auto windows = plan::read_schedule(schedule);
      for (const auto& w : windows) s.schedule_end = std::max(s.schedule_end.value_or(0.0), epoch_s(w.end));
    } catch (const Error& e) {
      // An unreadable schedule is no schedule for the alerts (StaleSchedule fires); say why.
      spdlog::warn("{}", e.what());
    }
  }

  const auto db = dataset_path(config, config.storage.db_path);
  if (dataset::ChipIndex::exists(db)) {
    dataset::ChipIndex index(db);
    if (const auto newest = index.newest_created()) s.last_chip = epoch_s(*newest);
  }
  return s;
}

}  // namespace shipchips::pipeline
