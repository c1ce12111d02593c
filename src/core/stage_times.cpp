#include "core/stage_times.hpp"

#include <algorithm>
#include <ctime>

namespace shipchips {

std::string_view to_string(Stage stage) {
  switch (stage) {
    case Stage::ais_read:
      return "ais_read";
    case Stage::search:
      return "search";
    case Stage::fetch_wait:
      return "fetch_wait";
    case Stage::decode:
      return "decode";
    case Stage::resample:
      return "resample";
    case Stage::reflectance:
      return "reflectance";
    case Stage::gate:
      return "gate";
    case Stage::encode:
      return "encode";
    case Stage::quicklook:
      return "quicklook";
    case Stage::sidecars:
      return "sidecars";
    case Stage::index:
      return "index";
  }
  return "?";
}

namespace {

std::int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool counts_wall(Stage stage) {
  return stage == Stage::fetch_wait || stage == Stage::search;
}

}  // namespace

std::int64_t thread_cpu_ns() {
  return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

std::int64_t wall_ns() {
  return clock_ns(CLOCK_MONOTONIC);
}

StageTimer::StageTimer(StageTimes* times, Stage stage)
    : m_times(times), m_stage(stage), m_wall(counts_wall(stage)), m_start(0) {
  if (m_times) m_start = m_wall ? wall_ns() : thread_cpu_ns();
}

StageTimer::~StageTimer() {
  if (m_times) m_times->add(m_stage, (m_wall ? wall_ns() : thread_cpu_ns()) - m_start);
}

SplitTimer::SplitTimer(StageTimes* times, Stage wait, Stage work)
    : m_times(times), m_wait(wait), m_work(work), m_wall_start(0), m_cpu_start(0) {
  if (m_times) {
    m_wall_start = wall_ns();
    m_cpu_start = thread_cpu_ns();
  }
}

SplitTimer::~SplitTimer() {
  if (!m_times) return;
  const std::int64_t cpu = thread_cpu_ns() - m_cpu_start;
  const std::int64_t wall = wall_ns() - m_wall_start;
  m_times->add(m_work, cpu);
  m_times->add(m_wait, std::max<std::int64_t>(0, wall - cpu));
}

}  // namespace shipchips
