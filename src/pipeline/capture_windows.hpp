#pragma once
// Where and when collect-ais listens: the schedule's windows (plan/overpass_schedule.csv)
// active at a time, each tile's box from the Sentinel-2 grid (the tile's WGS-84 footprint box
// widened by ais.bbox_margin_km), merged per tile.

#include "ais/track_store.hpp"
#include "core/time.hpp"
#include "plan/schedule.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shipchips::pipeline {

struct CaptureArea {
  std::string tile_id;
  ais::BBox box;
  bool operator==(const CaptureArea&) const = default;
};

// The tile's footprint box widened by margin_km on every side (clamped to ±90°; a box that
// reaches across ±180° gets min_lon > max_lon). Throws Error(invalid_argument) for a bad id.
ais::BBox tile_capture_box(const std::string& tile_id, double margin_km);

// The tiles with a window holding `now` (start <= now < end), one area per tile, sorted by id.
std::vector<CaptureArea> active_areas(const std::vector<plan::OverpassWindow>& schedule, UtcTime now, double margin_km);

// The first window start or end after `now` (when the active set may change); nullopt if none.
std::optional<UtcTime> next_window_change(const std::vector<plan::OverpassWindow>& schedule, UtcTime now);

// The parts of [from, to) each tile's windows cover, for synthetic capture: one entry per
// (tile, window ∩ [from, to)) that is not empty, in schedule order.
struct TimedArea {
  CaptureArea area;
  UtcTime start{};
  UtcTime end{};
};
std::vector<TimedArea> windows_between(const std::vector<plan::OverpassWindow>& schedule, UtcTime from, UtcTime to,
                                       double margin_km);

}  // namespace shipchips::pipeline
