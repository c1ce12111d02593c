#include "pipeline/chip_run.hpp"

#include "ops/ship_outcomes.hpp"
#include "pipeline/chip_workers.hpp"
#include "pipeline/scene_reads.hpp"
#include "pipeline/ship_tally.hpp"

#include "ais/interpolate.hpp"
#include "ais/ship_geometry.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/stage_times.hpp"
#include "core/time.hpp"
#include "dataset/chip_geojson.hpp"
#include "dataset/chip_id.hpp"
#include "dataset/chip_index.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/chip_record.hpp"
#include "dataset/index_export.hpp"
#include "dataset/labels.hpp"
#include "dataset/splits.hpp"
#include "geo/polygon.hpp"
#include "ops/job_store.hpp"
#include "ops/lease_keeper.hpp"
#include "ops/lease_owner.hpp"
#include "raster/chip_reader.hpp"
#include "raster/chip_writer.hpp"
#include "raster/from_config.hpp"
#include "raster/gate.hpp"
#include "raster/quicklook.hpp"
#include "raster/window_reader.hpp"
#include "stac/from_config.hpp"
#include "stac/scene_lookup.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <variant>

namespace shipchips::pipeline {
namespace {

using detail::ChipFiles;
using detail::FinishPool;
using detail::FolderClaims;

// Rounds of "next candidate" at most (each round can only follow a nodata reject).
constexpr int kMaxSceneRounds = 4;

struct ChipTask {
  std::int64_t mmsi = 0;
  const stac::Item* item = nullptr;
  const std::vector<ais::PositionReport>* track = nullptr;
  const ais::StaticData* ship = nullptr;  // dimensions for the hull box; null when never reported
  std::vector<std::string> relax_steps;   // scene-search relaxations that found the scene
};

// One ship and its pings' scene candidates (pings without a scene are counted, not kept).
struct ShipVotes {
  std::int64_t mmsi = 0;
  const std::vector<ais::PositionReport>* track = nullptr;
  const ais::StaticData* ship = nullptr;
  std::vector<stac::LookupResult> votes;
};

std::vector<stac::Band> chip_bands(const TilingConfig& tiling, bool include_swir) {
  std::vector<stac::Band> bands;
  auto add = [&](const std::vector<std::string>& names) {
    for (const auto& name : names) {
      auto band = stac::parse_band(name);
      if (!band || *band == stac::Band::SCL) {
        throw Error(ErrorCode::config_invalid, "tiling: band " + name + " is not one shipchips can chip");
      }
      bands.push_back(*band);
    }
  };
  add(tiling.bands_core);
  if (include_swir) add(tiling.bands_swir);
  return bands;
}

bool footprint_holds(const stac::Item& item, double lon, double lat) {
  for (const auto& polygon : item.footprint) {
    if (geo::polygon_contains(polygon, lon, lat)) return true;
  }
  return false;
}

std::string rule_description(const stac::ProviderProfile& profile, const stac::Item& item) {
  std::string text(profile.name);
  text += ": baseline " + (item.processing_baseline.empty() ? std::string("unknown") : item.processing_baseline);
  if (item.boa_offset_applied) text += *item.boa_offset_applied ? ", offset applied" : ", offset not applied";
  return text;
}

// What a worker decided for one chip; the main thread records it (SQLite is single-threaded).
struct ChipOutcome {
  enum class Kind { written, rejected, failed };
  std::size_t seq = 0;
  Kind kind = Kind::failed;
  std::string reason;       // rejected
  std::string reject_kind;  // rejected: counted under this key when set ("gate")
  std::optional<Error> error;
  std::optional<dataset::ChipRecord> record;  // written
};

// Outcomes arrive in any order; they are committed in task order so SQLite sees the same
// sequence of writes whatever the number of workers.
class OutcomeQueue {
 public:
  void push(ChipOutcome outcome) {
    {
      std::lock_guard lock(m_mutex);
      m_items.push_back(std::move(outcome));
    }
    m_cv.notify_one();
  }
  void close() {
    {
      std::lock_guard lock(m_mutex);
      m_closed = true;
    }
    m_cv.notify_one();
  }
  // Waits for an outcome; nullopt once closed and drained.
  std::optional<ChipOutcome> pop() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return !m_items.empty() || m_closed; });
    if (m_items.empty()) return std::nullopt;
    ChipOutcome out = std::move(m_items.front());
    m_items.pop_front();
    return out;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<ChipOutcome> m_items;
  bool m_closed = false;
};

// The worker side of the chip step: position, read, gate, chip files. Const and shared by all
// workers; everything it writes is per chip.
class ChipMaker {
 public:
  ChipMaker(const Config& config, const ChipRunOptions& options, StageTimes* stages)
      : m_config(config),
        m_stages(stages),
        m_profile(stac::provider_from(config.stac)),
        m_interpolation(ais::InterpolationOptions::from_config(config.ais)),
        m_read(raster::chip_read_options_from(config.tiling)),
        m_write(raster::chip_write_options_from(config.tiling)),
        m_gate(raster::gate_options_from(config.gate, config.masks)) {
    m_read.bands = chip_bands(config.tiling, options.include_swir || config.tiling.include_swir);
    m_read.read_scl = config.masks.use_scl;
    m_read.scl_optional = config.masks.scl_optional;
    m_read.transient_retries = config.stac.max_retries;
    m_read.stages = stages;
  }

  const raster::ChipReadOptions& read_options() const { return m_read; }
  const stac::ProviderProfile& profile() const { return m_profile; }

  using Planned = ais::InterpolatedPosition;

  // Where the ship was at sensing time; an outcome when the chip ends there.
  std::variant<Planned, ChipOutcome> plan(const ChipTask& task) const {
    const stac::Item& item = *task.item;
    try {
      auto where = ais::interpolate_position(*task.track, item.datetime, m_interpolation);
      if (auto* none = std::get_if<ais::NoPosition>(&where)) return rejected(none->reason);
      const auto& pos = std::get<ais::InterpolatedPosition>(where);
      if (!footprint_holds(item, pos.lon, pos.lat)) return rejected("ship outside the scene at sensing time");
      return pos;
    } catch (const Error& e) {
      return failed(e);
    }
  }

  ChipOutcome finish(const ChipTask& task, const Planned& planned, raster::ChipData& data) const {
    const stac::Item& item = *task.item;
    const std::string chip_id = dataset::make_chip_id(task.mmsi, item.id);
    std::optional<ChipFiles> attempt;  // set once the chip has paths: undone when it fails
    try {
      const int size = data.grid.size;
      const std::size_t centre = static_cast<std::size_t>(data.grid.center_index()) * size + data.grid.center_index();
      if (std::isnan(data.reflectance.front()[centre])) return rejected(std::string(kNoDataAtShip));
      if (!data.plausibility.ok) return rejected("implausible reflectance: " + data.plausibility.reason);

      std::optional<StageTimer> gate_timer(std::in_place, m_stages, Stage::gate);
      dataset::GateRecord gate_record;
      gate_record.enabled = m_config.gate.enabled;
      gate_record.scl_used = !data.scl.empty();
      if (m_config.gate.enabled) {
        const auto* green = data.band(stac::Band::B03);
        const auto* nir = data.band(stac::Band::B08);
        if (!green || !nir) throw Error(ErrorCode::config_invalid, "gate: needs B03 and B08 in tiling.bands_core");
        raster::GateOptions gate_options = m_gate;
        gate_options.use_scl = m_gate.use_scl && gate_record.scl_used;  // no SCL: NDWI alone
        raster::GateResult gate = raster::evaluate_gate(size, data.scl, *green, *nir, gate_options);
        if (!gate.passed) return rejected("gate: " + gate.reason, "gate");
        gate_record.passed = true;
        if (gate_options.use_scl) {  // the SCL fractions were not measured otherwise
          gate_record.qa_cloud_frac = gate.stats.cloud_frac;
          gate_record.qa_shadow_frac = gate.stats.shadow_frac;
          gate_record.qa_land_frac = gate.stats.land_frac;
          gate_record.qa_water_frac = gate.stats.water_frac;
        }
        gate_record.qa_ndwi_water_frac = gate.stats.ndwi_water_frac;
      }
      gate_timer.reset();

      dataset::ChipRecord record = describe(task, chip_id, planned, data, std::move(gate_record));
      auto paths = dataset::chip_paths(m_config, record.split, task.mmsi, item.datetime, chip_id);
      attempt.emplace(paths, dataset_root(m_config), m_folder_claims);
      record.path = paths.relative_tif;
      std::vector<raster::ChipBandView> views;
      for (std::size_t b = 0; b < data.bands.size(); ++b) {
        views.push_back({std::string(stac::to_string(data.bands[b])), data.reflectance[b]});
      }
      raster::QuicklookOptions quicklook;
      const ais::ChipFrame frame{data.grid.epsg, data.grid.geotransform, data.grid.size,
                                 data.grid.size, data.grid.target_x,     data.grid.target_y};
      const auto hull = ais::ship_outline(task.ship ? ais::hull_dimensions(*task.ship) : std::nullopt,
                                          ais::heading_at(planned, item.datetime), frame);
      if (const auto* outline = std::get_if<ais::ShipOutline>(&hull)) {
        record.ship_box =
            dataset::ShipBox{outline->col_min,  outline->row_min, outline->col_max,         outline->row_max,
                             outline->length_m, outline->beam_m,  outline->heading.true_deg};
        quicklook.overlay = [polygon = outline->pixel_polygon()](raster::RgbImage& image) {
          raster::draw_outline(image, polygon, {255, 64, 0});
        };
      }
      {
        StageTimer timer(m_stages, Stage::encode);
        raster::write_chip_geotiff(paths.tif, data.grid, views, m_write);
      }
      if (m_config.tiling.write_quicklook) {
        StageTimer timer(m_stages, Stage::quicklook);
        raster::write_quicklook_jpeg(paths.quicklook, size, *data.band(stac::Band::B04), *data.band(stac::Band::B03),
                                     *data.band(stac::Band::B02), quicklook);
      }
      {
        StageTimer timer(m_stages, Stage::sidecars);
        dataset::write_chip_sidecars(record, paths);
      }
      ChipOutcome out;
      out.kind = ChipOutcome::Kind::written;
      out.record = std::move(record);
      return out;
    } catch (const Error& e) {
      if (attempt) attempt->undo();
      return failed(e);
    } catch (const std::filesystem::filesystem_error& e) {
      if (attempt) attempt->undo();
      return failed(io_error_from(e));  // one chip fails, the run goes on
    }
  }

  static ChipOutcome failed(const Error& e) {
    ChipOutcome out;
    out.kind = ChipOutcome::Kind::failed;
    out.error = e;
    return out;
  }

 private:
  static ChipOutcome rejected(std::string reason, std::string kind = "") {
    ChipOutcome out;
    out.kind = ChipOutcome::Kind::rejected;
    out.reason = std::move(reason);
    out.reject_kind = std::move(kind);
    return out;
  }

  dataset::ChipRecord describe(const ChipTask& task, const std::string& chip_id, const ais::InterpolatedPosition& pos,
                               const raster::ChipData& data, dataset::GateRecord gate) const {
    const stac::Item& item = *task.item;
    dataset::ChipRecord r;
    r.chip_id = chip_id;
    r.mmsi = task.mmsi;
    r.split = std::string(dataset::to_string(dataset::assign_split(m_config.splits, task.mmsi, item.id, chip_id)));
    r.lat = pos.lat;
    r.lon = pos.lon;
    r.ais_lat = pos.nearest.lat;
    r.ais_lon = pos.nearest.lon;
    r.ais_time = pos.nearest.time;
    r.interpolation = std::string(ais::to_string(pos.method));
    r.uncertainty_m = pos.uncertainty_m;
    r.scene_id = item.id;
    r.collection = item.collection;
    r.scene_datetime = item.datetime;
    r.dt_s = std::chrono::duration<double>(item.datetime - pos.nearest.time).count();
    r.cloud_cover = item.cloud_cover;
    if (!item.processing_baseline.empty()) r.processing_baseline = item.processing_baseline;
    r.boa_offset_applied = item.boa_offset_applied;
    r.reflectance = {rule_description(m_profile, item), data.rules.front().scale, data.rules.front().offset};
    for (auto band : data.bands) r.bands.emplace_back(stac::to_string(band));
    r.has_swir = std::find(data.bands.begin(), data.bands.end(), stac::Band::B11) != data.bands.end();
    r.epsg = data.grid.epsg;
    r.transform = data.grid.geotransform;
    r.width = r.height = data.grid.size;
    r.center_pixel = {data.grid.center_index(), data.grid.center_index()};
    r.target_pixel = {data.grid.target_col, data.grid.target_row};
    r.nodata_fraction = data.nodata_fraction;
    r.gate = std::move(gate);
    r.relaxation_steps = task.relax_steps;
    r.footprint = dataset::chip_footprint(r.epsg, r.transform, r.width, r.height);
    r.created = utc_now();
    return r;
  }

  const Config& m_config;
  StageTimes* m_stages;
  mutable FolderClaims m_folder_claims;  // shared by the finishing threads
  const stac::ProviderProfile& m_profile;
  ais::InterpolationOptions m_interpolation;
  raster::ChipReadOptions m_read;
  raster::ChipWriteOptions m_write;
  raster::GateOptions m_gate;
};

struct SequencedTask {
  std::size_t seq = 0;
  ChipTask task;
};

struct RoundContext {
  const Config& config;
  const ChipRunOptions& options;
  dataset::ChipIndex& index;
  ops::JobStore& jobs;
  const ops::Lease& lease;
  const ChipMaker& maker;
  ChipRunReport& report;
  ShipTally& tally;
  StageTimes& stages;
};

using ShipScene = std::pair<std::int64_t, const stac::Item*>;

// One pass over planned chips grouped by scene: skips what exists or was rejected before (no
// network), reads/gates/writes the rest in parallel, commits outcomes in task order. Returns
// the (ship, scene) pairs rejected for nodata at the ship's position.
std::vector<ShipScene> run_round(RoundContext& ctx, const std::map<std::string, std::vector<ChipTask>>& by_scene) {
  const Config& config = ctx.config;
  const ChipRunOptions& options = ctx.options;
  ChipRunReport& report = ctx.report;
  const ChipMaker& maker = ctx.maker;

  // SQLite stays on this thread: what exists or was rejected is decided here, without network.
  std::vector<std::vector<const ChipTask*>> candidates;
  std::vector<ops::ChipJobSpec> specs;
  std::vector<std::string> settle;
  for (const auto& [scene_id, tasks] : by_scene) {
    std::vector<const ChipTask*> remaining;
    for (const auto& task : tasks) {
      const std::string chip_id = dataset::make_chip_id(task.mmsi, task.item->id);
      if (options.only_chip_ids && !options.only_chip_ids->count(chip_id)) continue;
      report.chips_planned += 1;
      if (auto existing = ctx.index.get(chip_id);
          existing && std::filesystem::exists(dataset_path(config, existing->path))) {
        ++report.skipped_existing;
        ctx.tally.chip_exists(task.mmsi);
        // A chip whose files and row exist but whose job never recorded it (the process died
        // between the two, or an earlier attempt failed after writing): its job becomes done.
        if (auto job = ctx.jobs.get(chip_id); job && job->status != ops::JobStatus::done) settle.push_back(chip_id);
        continue;
      }
      if (!options.retry_rejected) {
        if (auto job = ctx.jobs.get(chip_id); job && job->status == ops::JobStatus::rejected) {
          ++report.skipped_rejected;
          ctx.tally.chip_rejected(task.mmsi, job->error);
          continue;
        }
      }
      remaining.push_back(&task);
      nlohmann::json payload{{"ais_source", options.ais_source}, {"relaxation_steps", task.relax_steps}};
      specs.push_back({chip_id, task.mmsi, task.item->id, payload.dump()});
    }
    if (!remaining.empty()) candidates.push_back(std::move(remaining));
  }
  if (!settle.empty()) {
    std::vector<ops::JobFinish> finishes;
    for (const auto& job : ctx.jobs.claim(settle, ctx.lease))
      finishes.push_back({job.chip_id, ops::JobFinish::Kind::done, "", ErrorCode::internal});
    ctx.jobs.finish(finishes, ctx.lease.owner);
  }
  // Claimed before any work starts, all in one transaction; a chip under another worker's live
  // lease is left to that worker.
  std::set<std::string> claimed;
  if (!specs.empty()) {
    ctx.jobs.enqueue(specs, options.run_id);
    std::vector<std::string> ids;
    ids.reserve(specs.size());
    for (const auto& spec : specs) ids.push_back(spec.chip_id);
    for (const auto& job : ctx.jobs.claim(ids, ctx.lease)) claimed.insert(job.chip_id);
  }
  std::vector<std::vector<SequencedTask>> groups;
  std::size_t sequenced = 0;
  for (const auto& group : candidates) {
    std::vector<SequencedTask> remaining;
    for (const ChipTask* task : group) {
      const std::string chip_id = dataset::make_chip_id(task->mmsi, task->item->id);
      if (!claimed.count(chip_id)) {
        ++report.skipped_busy;
        spdlog::info("chip {} (mmsi {}, {}) is being made by another worker: left to it", chip_id, task->mmsi,
                     task->item->id);
        continue;
      }
      remaining.push_back({sequenced++, *task});
    }
    if (!remaining.empty()) groups.push_back(std::move(remaining));
  }
  // Heartbeats keep the claims alive while the chips are made (until this round returns).
  std::optional<ops::LeaseKeeper> keeper;
  if (!claimed.empty()) keeper.emplace(ctx.jobs, ctx.lease.owner, ctx.lease.duration, ctx.lease.run_id);
  std::vector<const ChipTask*> by_seq(sequenced);
  for (const auto& group : groups)
    for (const auto& t : group) by_seq[t.seq] = &t.task;

  // A cap must stop at exactly max_chips written, in task order: one worker, chip by chip.
  // Otherwise `workers` threads finish chips (gate, encode, quicklook, sidecars) for readers
  // that each take whole scene groups; readers mostly wait on the network or decode, so up to
  // twice as many as workers read at once (each with its share of the block cache).
  const bool capped = options.max_chips != 0;
  report.workers = capped ? 1 : resolve_workers(config.tiling.workers);
  const std::size_t readers = capped ? 1 : std::max<std::size_t>(1, std::min(groups.size(), 2 * report.workers));
  report.readers = std::max(report.readers, readers);
  const std::size_t budget =
      static_cast<std::size_t>(std::max(config.tiling.block_cache_mb, 16)) * (1u << 20) / (2 * readers);

  OutcomeQueue queue;
  std::atomic<std::size_t> written_by_workers{report.written};
  std::atomic<std::size_t> prefetched{0};
  std::exception_ptr worker_error;
  std::thread runner([&] {
    std::optional<FinishPool> pool;
    if (!capped) pool.emplace(report.workers, 2 * report.workers + readers);
    try {
      report.cog_opens += for_each_scene_group(groups.size(), readers, [&](std::size_t g, raster::DatasetCache& cache) {
        const auto& group = groups[g];
        const stac::Item& item = *group.front().task.item;
        auto emit = [&written_by_workers, &queue](ChipOutcome outcome, std::size_t seq) {
          outcome.seq = seq;
          if (outcome.kind == ChipOutcome::Kind::written) ++written_by_workers;
          queue.push(std::move(outcome));
        };
        // The chips that need pixels, with where the ship was.
        std::vector<LonLat> targets;
        std::vector<const SequencedTask*> read_tasks;
        std::vector<ais::InterpolatedPosition> positions;
        auto read = [&](std::size_t budget_bytes, bool prefetch) {
          prefetched += read_scene_chips(
              cache, item, maker.profile(), targets, maker.read_options(), budget_bytes, prefetch,
              [&](std::size_t i, raster::ChipData* data, const Error* error) {
                const SequencedTask& t = *read_tasks[i];
                if (!data) {
                  emit(ChipMaker::failed(*error), t.seq);
                } else if (!pool) {
                  emit(maker.finish(t.task, positions[i], *data), t.seq);
                } else {
                  // emit is this group's closure: copied (it holds references to the run's
                  // queue and counter), as the job may run after the group is done.
                  pool->submit([emit, &maker, &t, pos = positions[i], chip = std::move(*data)]() mutable {
                    emit(maker.finish(t.task, pos, chip), t.seq);
                  });
                }
              });
        };
        for (const auto& t : group) {
          // Capped: chip by chip in task order, stopping at the cap as the sequential loop does.
          if (capped && written_by_workers >= options.max_chips) return;
          auto planned = maker.plan(t.task);
          if (auto* outcome = std::get_if<ChipOutcome>(&planned)) {
            emit(std::move(*outcome), t.seq);
            continue;
          }
          const auto& pos = std::get<ais::InterpolatedPosition>(planned);
          targets.push_back({pos.lon, pos.lat});
          read_tasks.push_back(&t);
          positions.push_back(pos);
          if (capped) {
            read(0, false);
            targets.clear();
            read_tasks.clear();
            positions.clear();
          }
        }
        if (!targets.empty()) read(budget, true);
      });
    } catch (...) {
      worker_error = std::current_exception();
    }
    try {
      if (pool) pool->finish();  // every submitted chip finished (and emitted) before the queue closes
    } catch (...) {
      if (!worker_error) worker_error = std::current_exception();
    }
    queue.close();
  });

  // Commit outcomes in task order, so the job store and index see the sequential run's writes.
  std::vector<ShipScene> nodata_chips;
  std::map<std::size_t, ChipOutcome> pending;
  std::size_t next = 0;
  auto commit = [&](const ChipOutcome& outcome) {
    const ChipTask& task = *by_seq[outcome.seq];
    const std::string chip_id = dataset::make_chip_id(task.mmsi, task.item->id);
    auto finish = [&](ops::JobFinish::Kind kind, std::string message, ErrorCode code) {
      const std::vector<ops::JobFinish> one{{chip_id, kind, std::move(message), code}};
      if (ctx.jobs.finish(one, ctx.lease.owner) == 0) {
        spdlog::warn(
            "chip {} (mmsi {}, {}): its job was reclaimed from this worker before it finished; the outcome "
            "stays in the index and the retry finds it there",
            chip_id, task.mmsi, task.item->id);
      }
    };
    switch (outcome.kind) {
      case ChipOutcome::Kind::written:
        ctx.index.upsert(*outcome.record);
        finish(ops::JobFinish::Kind::done, "", ErrorCode::internal);
        ++report.written;
        ctx.tally.chip_exists(task.mmsi);
        spdlog::info("chip {} (mmsi {}, {}) written: {} ({}, ±{:.0f} m)", chip_id, task.mmsi, task.item->id,
                     outcome.record->path, outcome.record->interpolation.value_or("?"),
                     outcome.record->uncertainty_m.value_or(0.0));
        break;
      case ChipOutcome::Kind::rejected:
        finish(ops::JobFinish::Kind::rejected, outcome.reason, ErrorCode::internal);
        ctx.tally.chip_rejected(task.mmsi, outcome.reason);
        spdlog::info("chip {} (mmsi {}, {}) rejected: {}", chip_id, task.mmsi, task.item->id, outcome.reason);
        ++report.rejected[outcome.reject_kind.empty() ? outcome.reason : outcome.reject_kind];
        if (outcome.reason == kNoDataAtShip) nodata_chips.emplace_back(task.mmsi, task.item);
        break;
      case ChipOutcome::Kind::failed: {
        const Error& e = *outcome.error;
        finish(ops::JobFinish::Kind::failed, e.what(), e.code());
        ++report.failed;
        if (!report.first_failure) report.first_failure = e.code();
        ctx.tally.chip_failed(task.mmsi, e.what());
        if (report.errors.size() < 50) {
          report.errors.push_back(chip_id + " " + std::to_string(task.mmsi) + " " + task.item->id + ": " + e.what());
        }
        spdlog::warn("chip {} (mmsi {}, {}) failed [{}]: {}", chip_id, task.mmsi, task.item->id,
                     to_string(e.category()), e.what());
        break;
      }
    }
  };
  std::exception_ptr commit_error;
  while (auto outcome = queue.pop()) {
    if (commit_error) continue;  // drain so the workers can finish
    try {
      StageTimer timer(&ctx.stages, Stage::index);
      pending.emplace(outcome->seq, std::move(*outcome));
      for (auto it = pending.find(next); it != pending.end(); it = pending.find(next)) {
        commit(it->second);
        pending.erase(it);
        ++next;
      }
    } catch (...) {
      commit_error = std::current_exception();
    }
  }
  runner.join();
  if (worker_error) std::rethrow_exception(worker_error);
  if (commit_error) std::rethrow_exception(commit_error);
  if (!pending.empty())
    throw Error(ErrorCode::internal, "chip step: outcomes missing before task " + std::to_string(next));
  report.prefetched_blocks += prefetched;
  return nodata_chips;
}

ops::Lease chip_lease(const Config& config, const ChipRunOptions& options) {
  ops::Lease lease;
  lease.owner = ops::this_owner();
  lease.duration = ops::lease_duration(config.ops);
  lease.run_id = options.run_id;
  return lease;
}

// Expired leases, and those of processes on this host that are gone, back to due retries
// before the run plans its chips (so a rerun after kill -9 redoes the chips at once).
std::size_t reclaim_leases(ops::JobStore& jobs) {
  const auto reclaimed = jobs.reap(ops::dead_owners(jobs.lease_owners()));
  for (const auto& job : reclaimed) {
    spdlog::warn("chip {} (mmsi {}, {}): lease of {} reclaimed (attempt {}); it is due again", job.chip_id, job.mmsi,
                 job.scene_id, job.lease_owner.empty() ? std::string("an unknown worker") : job.lease_owner,
                 job.attempts);
  }
  return reclaimed.size();
}

// The seed's ais_observations row of one input ship: its id is "<mmsi>|<first ping>|<last
// ping>" (the seed's third part, the tile, is only known after the scene search, so it cannot
// name the input; the group's pings can), placed at its ping nearest the scene's sensing time.
ops::Observation observation_of(const ops::ShipOutcome& outcome, const std::vector<ais::PositionReport>& track,
                                const stac::Item* scene, const ChipRunOptions& options) {
  ops::Observation o;
  o.mmsi = outcome.mmsi;
  o.captured_time = outcome.first_ping;
  o.last_ping = outcome.last_ping;
  o.id = std::to_string(outcome.mmsi) + "|" + format_iso8601(outcome.first_ping, 6) + "|" +
         format_iso8601(outcome.last_ping, 6);
  o.pings = outcome.pings;
  o.status = std::string(ops::to_string(outcome.kind));
  o.reason = outcome.reason;
  o.chips = outcome.chips;
  o.run_id = options.run_id;
  o.last_attempt_at = utc_now();
  if (outcome.kind == ops::ShipOutcomeKind::failed) o.last_error = outcome.reason;
  const ais::PositionReport* placed = track.empty() ? nullptr : &track.front();
  if (scene) {
    o.tile_id = scene->mgrs_tile;
    o.overpass_time = scene->datetime;
    for (const auto& ping : track) {
      if (std::chrono::abs(ping.time - scene->datetime) < std::chrono::abs(placed->time - scene->datetime))
        placed = &ping;
    }
  }
  if (placed) {
    o.lat = placed->lat;
    o.lon = placed->lon;
    o.source = options.ais_source.empty() ? placed->source : options.ais_source;
    o.provider = placed->provider;
  }
  return o;
}

}  // namespace

ChipRunReport run_chipping(const std::map<std::int64_t, std::vector<ais::PositionReport>>& tracks,
                           stac::StacClient& client, const Config& config, const ChipRunOptions& options,
                           const std::map<std::int64_t, ais::StaticData>& ships_static) {
  ChipRunReport report;
  StageTimes stages;
  raster::configure_gdal_for_cogs(raster::remote_read_options_from(config));

  stac::SceneLookup lookup(client, stac::scene_lookup_options_from(config.stac));

  // The ships to work on; every ping's search key is prefetched (one search per tile and day).
  std::vector<ShipVotes> ships;
  std::vector<stac::ScenePoint> points;
  for (const auto& [mmsi, track] : tracks) {
    if (options.max_ships && ships.size() >= options.max_ships) break;
    auto found_static = ships_static.find(mmsi);
    ships.push_back({mmsi, &track, found_static == ships_static.end() ? nullptr : &found_static->second, {}});
    for (const auto& ping : track) points.push_back({ping.lon, ping.lat, ping.time});
  }
  report.ships = ships.size();
  report.pings = points.size();
  std::optional<StageTimer> search_timer(std::in_place, &stages, Stage::search);
  lookup.prefetch(points);
  ShipTally tally;
  // Each ping votes for its scenes, best first; a ship gets one chip per scene it was seen near.
  for (ShipVotes& ship : ships) {
    for (const auto& ping : *ship.track) {
      auto found = lookup.lookup({ping.lon, ping.lat, ping.time});
      if (found.candidates.empty()) {
        ++report.no_scene[std::string(stac::to_string(found.reason))];
        tally.ping_without_scene(ship.mmsi, std::string(stac::to_string(found.reason)));
      } else {
        ship.votes.push_back(std::move(found));
      }
    }
  }
  search_timer.reset();

  dataset::ChipIndex index(dataset_path(config, config.storage.db_path));
  std::unique_ptr<ops::JobStore> store = ops::open_job_store(config);
  ops::JobStore& jobs = *store;
  const ops::Lease lease = chip_lease(config, options);
  report.reclaimed_leases = reclaim_leases(jobs);
  ChipMaker maker(config, options, &stages);
  RoundContext context{config, options, index, jobs, lease, maker, report, tally, stages};

  // Rounds: a chip whose scene has no data at the ship (a footprint is only an outline of the
  // data) hands the ping's vote to its next candidate scene; chips known to end that way from
  // an earlier run are passed over without network access.
  // Whether a (ship, scene) is known to have no data at the ship: from this run's rounds, or
  // (unless retry_rejected) from the job store, asked once per pair rather than per ping.
  std::map<ShipScene, bool> no_data;
  auto has_no_data = [&](std::int64_t mmsi, const stac::Item* item) {
    auto [it, inserted] = no_data.emplace(ShipScene{mmsi, item}, false);
    if (inserted && !options.retry_rejected) {
      const auto job = jobs.get(dataset::make_chip_id(mmsi, item->id));
      it->second = job && job->status == ops::JobStatus::rejected && job->error == kNoDataAtShip;
      if (it->second) {
        ++report.skipped_rejected;
        tally.chip_rejected(mmsi, std::string(kNoDataAtShip));
      }
    }
    return it->second;
  };
  std::set<ShipScene> attempted;                          // planned in this run
  std::map<std::int64_t, const stac::Item*> first_scene;  // each ship's earliest planned scene
  for (int round = 0; round < kMaxSceneRounds; ++round) {
    std::map<std::string, std::vector<ChipTask>> by_scene;
    for (const ShipVotes& ship : ships) {
      std::map<const stac::Item*, const std::vector<std::string>*> chosen;  // scene → relaxations used
      for (const stac::LookupResult& vote : ship.votes) {
        for (const stac::SceneCandidate& candidate : vote.candidates) {
          if (has_no_data(ship.mmsi, candidate.item)) continue;
          auto [it, inserted] = chosen.emplace(candidate.item, &vote.relax_steps);
          if (!inserted && vote.relax_steps.size() < it->second->size()) it->second = &vote.relax_steps;
          break;
        }
      }
      for (const auto& [item, relax] : chosen) {
        if (!attempted.insert({ship.mmsi, item}).second) continue;
        auto [first, fresh] = first_scene.emplace(ship.mmsi, item);
        if (!fresh && item->datetime < first->second->datetime) first->second = item;
        by_scene[item->id].push_back({ship.mmsi, item, ship.track, ship.ship, *relax});
      }
    }
    if (by_scene.empty()) break;
    const std::vector<ShipScene> nodata_chips = run_round(context, by_scene);
    if (nodata_chips.empty()) break;
    for (const ShipScene& pair : nodata_chips) no_data[pair] = true;
  }

  // One outcome per input ship, in the job store and the report.
  std::optional<StageTimer> index_timer(std::in_place, &stages, Stage::index);
  std::vector<ops::Observation> observations;
  for (const ShipVotes& ship : ships) {
    report.ship_outcomes.push_back(tally.outcome(ship.mmsi, *ship.track));
    const auto scene = first_scene.find(ship.mmsi);
    observations.push_back(observation_of(report.ship_outcomes.back(), *ship.track,
                                          scene == first_scene.end() ? nullptr : scene->second, options));
  }
  jobs.record_observations(observations);
  for (const auto& o : report.ship_outcomes) {
    if (o.kind != ops::ShipOutcomeKind::chipped)
      spdlog::info("ship {} ({} pings): {}: {}", o.mmsi, o.pings, ops::to_string(o.kind), o.reason);
  }
  spdlog::info(
      "chip run: {} ships, {} chips written, {} already present, {} rejected earlier, {} failed, {} left to "
      "other workers",
      report.ships, report.written, report.skipped_existing, report.skipped_rejected, report.failed,
      report.skipped_busy);

  dataset::export_indexes(index, config);
  dataset::ShipTypes ship_types;
  for (const auto& [mmsi, data] : ships_static) {
    if (data.ship_type) ship_types[mmsi] = *data.ship_type;
  }
  dataset::write_coco_labels(index.list(), dataset_root(config), {}, ship_types);
  index_timer.reset();
  report.stac_searches = lookup.searches();
  for (std::size_t k = 0; k < kStageCount; ++k) report.stage_ms[k] = stages.ms(static_cast<Stage>(k));
  return report;
}

}  // namespace shipchips::pipeline
