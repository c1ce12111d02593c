#include "pipeline/collect_ais.hpp"
#include "core/atomic_file.hpp"

#include "ais/aisstream_client.hpp"
#include "ais/synthetic.hpp"
#include "ais/track_store.hpp"
#include "core/error.hpp"
#include "pipeline/ais_snapshots.hpp"
#include "pipeline/capture_windows.hpp"
#include "plan/schedule.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace shipchips::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<CaptureArea> configured_areas(const Config& config) {
  std::vector<CaptureArea> areas;
  for (const std::string& tile : config.satellite_tracking.tiles)
    areas.push_back({tile, tile_capture_box(tile, config.ais.bbox_margin_km)});
  std::sort(areas.begin(), areas.end(), [](const auto& a, const auto& b) { return a.tile_id < b.tile_id; });
  return areas;
}

std::optional<ais::StreamSubscription> subscription_for(const std::vector<CaptureArea>& areas, const Config& config) {
  ais::StreamSubscription sub;
  sub.message_types = config.ais.message_types;
  for (const CaptureArea& a : areas) sub.boxes.push_back(a.box);
  if (sub.boxes.empty()) {
    if (!config.ais.allow_global) return std::nullopt;
    sub.boxes.push_back(ais::BBox{});  // the whole world, only when configured
  }
  return sub;
}

std::string tile_list(const std::vector<CaptureArea>& areas) {
  std::string out;
  for (const auto& a : areas) out += (out.empty() ? "" : ",") + a.tile_id;
  return out.empty() ? "none" : out;
}

// Snapshots for every (area, UTC day) the capture touched.
void write_snapshots(ais::TrackStore& store, const Config& config, const std::map<std::string, CaptureArea>& areas,
                     UtcTime first, UtcTime last, CollectReport& report) {
  for (const auto& [tile, area] : areas) {
    for (UtcTime day = std::chrono::floor<std::chrono::days>(first); day <= last; day += std::chrono::days{1}) {
      const SnapshotResult r = write_ais_snapshot(store, config, area, day);
      if (r.parquet.empty()) continue;
      report.snapshots.push_back(r.parquet);
      report.snapshot_rows += r.rows;
      if (r.recovered > 0)
        spdlog::warn("collect-ais: {} ping(s) of {} were only in the previous snapshot; kept", r.recovered,
                     r.xlsx.string());
      spdlog::info("collect-ais: snapshot {} ({} rows)", r.parquet.string(), r.rows);
    }
  }
}

CollectReport run_dry(const Config& config, const CollectOptions& options, ais::TrackStore& store,
                      const std::vector<plan::OverpassWindow>& schedule) {
  CollectReport report;
  const UtcTime start = options.now.value_or(utc_now());
  const double minutes = options.window_min > 0 ? options.window_min : 30.0;
  const UtcTime end = start + std::chrono::microseconds(static_cast<long long>(minutes * 60e6));
  ais::SyntheticOptions synth;
  synth.seed = options.seed;
  synth.ships_per_area = options.synthetic_ships;
  std::map<std::string, CaptureArea> used;
  if (options.restrict_to_schedule) {
    for (const TimedArea& t : windows_between(schedule, start, end, config.ais.bbox_margin_km)) {
      synth.areas.push_back({t.area.box, t.start, t.end});
      used.emplace(t.area.tile_id, t.area);
    }
  } else {
    for (const CaptureArea& a : configured_areas(config)) {
      synth.areas.push_back({a.box, start, end});
      used.emplace(a.tile_id, a);
    }
  }
  std::vector<CaptureArea> areas;
  for (const auto& [tile, area] : used) {
    report.tiles.push_back(tile);
    areas.push_back(area);
  }
  if (synth.areas.empty()) {
    report.ended = "no overpass window open between " + format_iso8601(start, 0) + " and " + format_iso8601(end, 0);
    if (auto next = next_window_change(schedule, start))
      report.ended += "; the next window change is at " + format_iso8601(*next, 0);
    spdlog::warn("collect-ais --dry-run: {}", report.ended);
    return report;
  }
  spdlog::info("collect-ais --dry-run: synthetic AIS (provider=synthetic) for {} area(s) [{}], {} to {}",
               synth.areas.size(), tile_list(areas), format_iso8601(start, 0), format_iso8601(end, 0));
  const ais::SyntheticTraffic traffic = ais::synthesize_ais(synth);
  report.positions_received = traffic.positions.size();
  report.static_received = traffic.statics.size();
  report.positions_inserted = store.insert(traffic.positions).inserted;
  store.insert(traffic.statics);
  report.ended = "synthetic window done";
  write_snapshots(store, config, used, start, end, report);
  return report;
}

CollectReport run_live(const Config& config, const CollectOptions& options, ais::TrackStore& store,
                       const std::vector<plan::OverpassWindow>& schedule) {
  if (options.api_key.empty())
    throw Error(ErrorCode::config_invalid,
                "collect-ais --no-dry-run: AISSTREAM_API_KEY is not set (environment or .env)");
  CollectReport report;
  const UtcTime started = utc_now();
  const auto deadline =
      options.window_min > 0
          ? std::optional(Clock::now() + std::chrono::microseconds(static_cast<long long>(options.window_min * 60e6)))
          : std::nullopt;
  auto areas_now = [&] {
    return options.restrict_to_schedule ? active_areas(schedule, utc_now(), config.ais.bbox_margin_km)
                                        : configured_areas(config);
  };
  std::map<std::string, CaptureArea> used;
  std::vector<CaptureArea> areas = areas_now();
  for (const auto& a : areas) used.emplace(a.tile_id, a);

  ais::AisStreamClient client(ais::stream_options_from(config.ais, options.api_key));
  client.start(subscription_for(areas, config));
  spdlog::info("collect-ais: listening on {} for tile(s) {}", config.ais.endpoint, tile_list(areas));
  bool said_idle = false;

  std::vector<ais::StreamFrame> frames;
  std::vector<ais::PositionReport> positions;
  std::vector<ais::StaticData> statics;
  auto last_flush = Clock::now();
  auto flush = [&] {
    if (!positions.empty()) report.positions_inserted += store.insert(positions).inserted;
    if (!statics.empty()) store.insert(statics);
    positions.clear();
    statics.clear();
    last_flush = Clock::now();
  };
  auto take = [&] {
    for (ais::StreamFrame& f : frames) {
      if (f.position) {
        positions.push_back(std::move(*f.position));
        ++report.positions_received;
      }
      if (f.static_data) {
        statics.push_back(std::move(*f.static_data));
        ++report.static_received;
      }
    }
    frames.clear();
    const auto interval = std::chrono::duration<double>(config.ais.flush_interval_s);
    if (positions.size() + statics.size() >= static_cast<std::size_t>(config.ais.batch_size) ||
        Clock::now() - last_flush >= interval)
      flush();
  };

  auto last_check = Clock::now();
  while (true) {
    if (options.stop && options.stop->load()) {
      report.ended = "stop requested";
      break;
    }
    if (deadline && Clock::now() >= *deadline) {
      report.ended = "--window-min elapsed";
      break;
    }
    if (client.state() == ais::StreamState::failed) break;
    if (Clock::now() - last_check >= std::chrono::seconds(1)) {
      last_check = Clock::now();
      std::vector<CaptureArea> now_areas = areas_now();
      if (now_areas != areas) {
        areas = std::move(now_areas);
        for (const auto& a : areas) used.emplace(a.tile_id, a);
        client.update_subscription(subscription_for(areas, config));
        spdlog::info("collect-ais: windows changed; now tile(s) {}", tile_list(areas));
        said_idle = false;
      }
    }
    if (areas.empty() && !config.ais.allow_global) {
      const auto next = options.restrict_to_schedule ? next_window_change(schedule, utc_now()) : std::nullopt;
      if (options.once || !next) {
        report.ended = next ? "no overpass window open (--once)" : "no overpass window open and none ahead";
        break;
      }
      if (!said_idle) {
        spdlog::info("collect-ais: no overpass window open; waiting for the next at {}", format_iso8601(*next, 0));
        said_idle = true;
      }
    }
    client.pop_batch(frames, static_cast<std::size_t>(config.ais.batch_size), std::chrono::milliseconds(200));
    take();
  }
  client.stop();
  while (client.pop_batch(frames, static_cast<std::size_t>(config.ais.batch_size), std::chrono::milliseconds(50)))
    take();
  take();
  flush();
  client.join();
  const ais::StreamStats stats = client.stats();
  report.error_frames = stats.error_frames;
  report.reconnects = stats.reconnects;
  for (const auto& [tile, area] : used) report.tiles.push_back(tile);
  write_snapshots(store, config, used, started, utc_now(), report);
  if (client.state() == ais::StreamState::failed) client.throw_if_failed();
  return report;
}

}  // namespace

std::filesystem::path track_store_path(const Config& config) {
  return dataset_path(config, "ais/tracks.sqlite");
}

CollectReport collect_ais(const Config& config, const CollectOptions& options) {
  if (options.window_min < 0) throw Error(ErrorCode::invalid_argument, "--window-min: must not be negative");
  std::vector<plan::OverpassWindow> schedule;
  if (options.restrict_to_schedule) {
    const std::filesystem::path path =
        options.schedule.empty() ? dataset_path(config, config.storage.layout.schedule) : options.schedule;
    if (!std::filesystem::exists(path))
      throw Error(ErrorCode::input_invalid, path.string() + ": no overpass schedule (run predict-overpasses first)");
    schedule = plan::read_schedule(path);
  }
  make_directories(track_store_path(config).parent_path());
  ais::TrackStore store(track_store_path(config).string());
  return options.dry_run ? run_dry(config, options, store, schedule) : run_live(config, options, store, schedule);
}

}  // namespace shipchips::pipeline
