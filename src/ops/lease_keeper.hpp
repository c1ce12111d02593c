#pragma once
// Keeps the leases of one owner alive while it works: a thread that heartbeats the job store
// (JobStore::heartbeat for the owner's chip jobs, heartbeat_run for its run) every quarter of
// the lease, so a job is reclaimed only when its worker has really stopped. Stops (and joins)
// when destroyed. A failed heartbeat (database busy) is logged and tried again next time: the
// lease has three more intervals before it expires.

#include "ops/job_store.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace shipchips::ops {

class LeaseKeeper {
 public:
  // `run_id` "" beats no run. `interval` 0 = lease / 4 (at least 1 s).
  LeaseKeeper(JobStore& store, std::string owner, std::chrono::seconds lease, std::string run_id = {},
              std::chrono::milliseconds interval = std::chrono::milliseconds(0));
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;
  ~LeaseKeeper();

  std::size_t beats() const;

 private:
  void loop();

  JobStore& m_store;
  std::string m_owner;
  std::chrono::seconds m_lease;
  std::string m_run_id;
  std::chrono::milliseconds m_interval;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::size_t m_beats = 0;
  std::thread m_thread;
};

}  // namespace shipchips::ops
