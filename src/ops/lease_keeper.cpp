#include "ops/lease_keeper.hpp"

#include <spdlog/spdlog.h>

namespace shipchips::ops {

LeaseKeeper::LeaseKeeper(JobStore& store, std::string owner, std::chrono::seconds lease, std::string run_id,
                         std::chrono::milliseconds interval)
    : m_store(store), m_owner(std::move(owner)), m_lease(lease), m_run_id(std::move(run_id)) {
  m_interval = interval.count() > 0
                   ? interval
                   : std::max<std::chrono::milliseconds>(
                         std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(lease) / 4);
  m_thread = std::thread([this] { loop(); });
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

std::size_t LeaseKeeper::beats() const {
  std::lock_guard lock(m_mutex);
  return m_beats;
}

void LeaseKeeper::loop() {
  std::unique_lock lock(m_mutex);
  while (!m_wake.wait_for(lock, m_interval, [this] { return m_stop; })) {
    lock.unlock();
    try {
      m_store.heartbeat(m_owner, m_lease);
      if (!m_run_id.empty()) m_store.heartbeat_run(m_run_id);
    } catch (const std::exception& e) {
      spdlog::warn("job store: heartbeat of {} failed (tried again in {} ms): {}", m_owner, m_interval.count(),
                   e.what());
    }
    lock.lock();
    ++m_beats;
  }
}

}  // namespace shipchips::ops
