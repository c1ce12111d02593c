#pragma once
// Internal to pipeline/chip_run.cpp: the finishing pool its scene readers hand chips to, and the
// bookkeeping that lets a failed chip attempt remove what it wrote while other chips are written
// into the same folders at the same time.

#include "dataset/chip_paths.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace shipchips::pipeline::detail {

// Finishing chips (gate, GeoTIFF, quicklook, sidecars: most of the CPU) on a pool of threads
// shared by all scene readers, so the cores stay busy however the chips fall into scenes (three
// scenes on two workers used to leave one core idle for a third of the run). submit() blocks
// while `capacity` chips wait, which bounds the decoded chips held in memory; the first
// exception a job throws is kept, later jobs are dropped, and finish() rethrows it.
class FinishPool {
 public:
  FinishPool(std::size_t threads, std::size_t capacity) : m_capacity(std::max<std::size_t>(1, capacity)) {
    for (std::size_t t = 0; t < threads; ++t) m_threads.emplace_back([this] { work(); });
  }
  ~FinishPool() { stop(); }
  FinishPool(const FinishPool&) = delete;
  FinishPool& operator=(const FinishPool&) = delete;

  void submit(std::function<void()> job) {
    std::unique_lock lock(m_mutex);
    m_space.wait(lock, [&] { return m_jobs.size() < m_capacity; });
    m_jobs.push_back(std::move(job));
    m_ready.notify_one();
  }

  // Runs what was submitted, joins the threads, rethrows the first exception of a job.
  void finish() {
    stop();
    if (m_error) std::rethrow_exception(m_error);
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [&] { return !m_jobs.empty() || m_closed; });
        if (m_jobs.empty()) return;
        job = std::move(m_jobs.front());
        m_jobs.pop_front();
        m_space.notify_one();
        if (m_error) continue;
      }
      try {
        job();
      } catch (...) {
        std::lock_guard lock(m_mutex);
        if (!m_error) m_error = std::current_exception();
      }
    }
  }

  void stop() {
    {
      std::lock_guard lock(m_mutex);
      m_closed = true;
    }
    m_ready.notify_all();
    for (auto& t : m_threads)
      if (t.joinable()) t.join();
  }

  std::size_t m_capacity;
  std::mutex m_mutex;
  std::condition_variable m_ready, m_space;
  std::deque<std::function<void()>> m_jobs;
  bool m_closed = false;
  std::exception_ptr m_error;
  std::vector<std::thread> m_threads;
};

// The chip folders attempts are about to create or are using, shared by the finishing threads.
// Chips finished at once often share folders (chips/train/<mmsi>/<day>): an attempt claims the
// folders of its path that do not exist yet or that another attempt in flight claimed, and on
// failure removes a folder only when no other attempt still claims it and it is empty. (Judging
// by "did it exist when I started" alone, a failing chip could keep a folder another failing
// chip had just created, and each left the other's folders behind.)
class FolderClaims {
 public:
  // Claims the folders from `dir` up to the first one below `root` that exists and is unclaimed.
  std::vector<std::filesystem::path> claim(const std::filesystem::path& dir, const std::filesystem::path& root) {
    std::lock_guard lock(m_mutex);
    std::vector<std::filesystem::path> claimed;
    std::error_code ec;
    for (std::filesystem::path d = dir; !d.empty() && d != root && d != d.parent_path(); d = d.parent_path()) {
      if (std::filesystem::exists(d, ec) && !m_claims.count(d)) break;
      ++m_claims[d];
      claimed.push_back(d);
    }
    return claimed;  // deepest first
  }

  // Gives the claims back; with `remove_empty`, removes each folder no attempt claims any more
  // and that is empty, deepest first.
  void release(const std::vector<std::filesystem::path>& claimed, bool remove_empty) noexcept {
    std::lock_guard lock(m_mutex);
    for (const auto& d : claimed) {
      auto it = m_claims.find(d);
      if (it == m_claims.end()) continue;
      const bool last = --it->second == 0;
      if (last) m_claims.erase(it);
      std::error_code ec;
      if (remove_empty && last && std::filesystem::is_empty(d, ec) && !ec) std::filesystem::remove(d, ec);
    }
  }

 private:
  std::mutex m_mutex;
  std::map<std::filesystem::path, int> m_claims;
};

// The files one chip attempt may write (GeoTIFF, quicklook, sidecars). undo() removes those that
// did not exist before the attempt and then the folders it claimed that are left empty, so a
// chip that fails (full disk, a write error) leaves nothing half-written behind; otherwise the
// claims are given back when the attempt ends.
class ChipFiles {
 public:
  ChipFiles(const dataset::ChipPaths& paths, const std::filesystem::path& root, FolderClaims& claims)
      : m_claims(claims), m_folders(claims.claim(paths.dir, root)) {
    std::error_code ec;
    for (const auto& file : {paths.tif, paths.quicklook, paths.json, paths.geojson})
      if (!std::filesystem::exists(file, ec)) m_new_files.push_back(file);
  }
  ~ChipFiles() { m_claims.release(m_folders, false); }
  ChipFiles(const ChipFiles&) = delete;
  ChipFiles& operator=(const ChipFiles&) = delete;

  void undo() noexcept {
    std::error_code ec;
    for (const auto& file : m_new_files) std::filesystem::remove(file, ec);
    m_claims.release(m_folders, true);
    m_folders.clear();
  }

 private:
  FolderClaims& m_claims;
  std::vector<std::filesystem::path> m_folders;  // claimed, deepest first
  std::vector<std::filesystem::path> m_new_files;
};

}  // namespace shipchips::pipeline::detail
