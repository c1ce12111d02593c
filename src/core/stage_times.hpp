#pragma once
// Where a run's time goes, by stage: CPU time of the thread doing the stage (so stages running
// on several threads at once add up to the process's CPU, not to its wall time), except the
// stages that are waiting by nature (fetch_wait, search), which count wall time. Thread-safe:
// workers add to one StageTimes at once. `shipchips chip --json` reports it as `stage_ms`, and
// bench/peer_end_to_end.py divides it by the chips written.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace shipchips {

enum class Stage {
  ais_read,     // reading the AIS file and building tracks (CPU)
  search,       // STAC searches and the per-ping scene lookup (wall: mostly waiting on the API)
  fetch_wait,   // block prefetch: its wall time minus its CPU time, i.e. waiting on COG bytes
  decode,       // block prefetch: its CPU time (range requests handled, tiles decompressed)
  resample,     // chip windows cut from the decoded blocks (20 m bands resampled, SCL nearest)
  reflectance,  // DNs to reflectance and the offset plausibility check
  gate,         // cloud/shadow/land/NDWI gate
  encode,       // chip GeoTIFF: overviews, predictor, DEFLATE, the file
  quicklook,    // the JPEG quicklook with the hull outline
  sidecars,     // the chip's JSON and GeoJSON sidecars
  index,        // job store and index rows (SQLite), GeoParquet/GeoJSON exports, COCO labels
};
inline constexpr std::size_t kStageCount = 11;

std::string_view to_string(Stage stage);

// CPU time consumed by the calling thread so far, in nanoseconds.
std::int64_t thread_cpu_ns();
// A monotonic clock, in nanoseconds.
std::int64_t wall_ns();

class StageTimes {
 public:
  void add(Stage stage, std::int64_t ns) { m_ns[static_cast<std::size_t>(stage)].fetch_add(ns); }
  std::int64_t ns(Stage stage) const { return m_ns[static_cast<std::size_t>(stage)].load(); }
  double ms(Stage stage) const { return static_cast<double>(ns(stage)) / 1e6; }

 private:
  std::array<std::atomic<std::int64_t>, kStageCount> m_ns{};
};

// Adds the calling thread's CPU time between construction and destruction to `stage` (wall
// time for the waiting stages). A null `times` measures nothing.
class StageTimer {
 public:
  StageTimer(StageTimes* times, Stage stage);
  ~StageTimer();
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  StageTimes* m_times;
  Stage m_stage;
  bool m_wall;
  std::int64_t m_start;
};

// A step that both waits and works (a prefetch: curl waits, then tiles are decoded): its CPU
// time goes to `work`, the rest of its wall time to `wait`.
class SplitTimer {
 public:
  SplitTimer(StageTimes* times, Stage wait, Stage work);
  ~SplitTimer();
  SplitTimer(const SplitTimer&) = delete;
  SplitTimer& operator=(const SplitTimer&) = delete;

 private:
  StageTimes* m_times;
  Stage m_wait, m_work;
  std::int64_t m_wall_start, m_cpu_start;
};

}  // namespace shipchips
