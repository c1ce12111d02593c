#include "pipeline/chip_run.hpp"

#include "ais/interpolate.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "dataset/chip_geojson.hpp"
#include "dataset/chip_id.hpp"
#include "dataset/chip_index.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/chip_record.hpp"
#include "dataset/index_export.hpp"
#include "dataset/splits.hpp"
#include "geo/polygon.hpp"
#include "ops/chip_jobs.hpp"
#include "raster/chip_reader.hpp"
#include "raster/chip_writer.hpp"
#include "raster/from_config.hpp"
#include "raster/gate.hpp"
#include "raster/quicklook.hpp"
#include "raster/window_reader.hpp"
#include "stac/from_config.hpp"
#include "stac/scene_lookup.hpp"

#include <chrono>
#include <cmath>
#include <set>
#include <spdlog/spdlog.h>

namespace shipchips::pipeline {
namespace {

struct ChipTask {
  std::int64_t mmsi = 0;
  const stac::Item* item = nullptr;
  const std::vector<ais::PositionReport>* track = nullptr;
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

// Everything the chip step needs for one (ship, scene), in the order it happens.
class ChipMaker {
public:
  ChipMaker(const Config& config, const ChipRunOptions& options, ChipRunReport& report)
      : m_config(config), m_report(report), m_profile(stac::provider_from(config.stac)),
        m_index(dataset_path(config, config.storage.db_path)), m_jobs(dataset_path(config, config.storage.db_path)),
        m_interpolation(ais::InterpolationOptions::from_config(config.ais)),
        m_read(raster::chip_read_options_from(config.tiling)),
        m_write(raster::chip_write_options_from(config.tiling)),
        m_gate(raster::gate_options_from(config.gate, config.masks)), m_retry_rejected(options.retry_rejected) {
    m_read.bands = chip_bands(config.tiling, options.include_swir || config.tiling.include_swir);
    m_read.read_scl = true;
  }

  // Returns true when a chip was written.
  bool make(const ChipTask& task) {
    const stac::Item& item = *task.item;
    const std::string chip_id = dataset::make_chip_id(task.mmsi, item.id);
    if (auto existing = m_index.get(chip_id);
        existing && std::filesystem::exists(dataset_path(m_config, existing->path))) {
      ++m_report.skipped_existing;
      return false;
    }
    if (!m_retry_rejected) {
      if (auto job = m_jobs.get(chip_id); job && job->status == ops::ChipJobStatus::rejected) {
        ++m_report.skipped_rejected;
        return false;
      }
    }
    m_jobs.start_attempt(chip_id, task.mmsi, item.id);
    try {
      auto where = ais::interpolate_position(*task.track, item.datetime, m_interpolation);
      if (auto* none = std::get_if<ais::NoPosition>(&where)) return reject(chip_id, none->reason);
      const auto& pos = std::get<ais::InterpolatedPosition>(where);
      if (!footprint_holds(item, pos.lon, pos.lat)) return reject(chip_id, "ship outside the scene at sensing time");

      raster::ChipData data = raster::read_chip(m_cache, item, m_profile, pos.lon, pos.lat, m_read);
      const int size = data.grid.size;
      const std::size_t centre = static_cast<std::size_t>(data.grid.center_index()) * size + data.grid.center_index();
      if (std::isnan(data.reflectance.front()[centre])) return reject(chip_id, "nodata at the ship's position");
      if (!data.plausibility.ok) return reject(chip_id, "implausible reflectance: " + data.plausibility.reason);

      dataset::GateRecord gate_record;
      gate_record.enabled = m_config.gate.enabled;
      if (m_config.gate.enabled) {
        const auto* green = data.band(stac::Band::B03);
        const auto* nir = data.band(stac::Band::B08);
        if (!green || !nir) throw Error(ErrorCode::config_invalid, "gate: needs B03 and B08 in tiling.bands_core");
        raster::GateResult gate = raster::evaluate_gate(size, data.scl, *green, *nir, m_gate);
        if (!gate.passed) return reject(chip_id, "gate: " + gate.reason, "gate");
        gate_record.passed = true;
        gate_record.qa_cloud_frac = gate.stats.cloud_frac;
        gate_record.qa_shadow_frac = gate.stats.shadow_frac;
        gate_record.qa_land_frac = gate.stats.land_frac;
        gate_record.qa_water_frac = gate.stats.water_frac;
        gate_record.qa_ndwi_water_frac = gate.stats.ndwi_water_frac;
      }

      dataset::ChipRecord record = describe(task, chip_id, pos, data, std::move(gate_record));
      auto paths = dataset::chip_paths(m_config, record.split, task.mmsi, item.datetime, chip_id);
      record.path = paths.relative_tif;
      std::vector<raster::ChipBandView> views;
      for (std::size_t b = 0; b < data.bands.size(); ++b) {
        views.push_back({std::string(stac::to_string(data.bands[b])), data.reflectance[b]});
      }
      raster::write_chip_geotiff(paths.tif, data.grid, views, m_write);
      if (m_config.tiling.write_quicklook) {
        raster::write_quicklook_jpeg(paths.quicklook, size, *data.band(stac::Band::B04), *data.band(stac::Band::B03),
                                     *data.band(stac::Band::B02));
      }
      dataset::write_chip_sidecars(record, paths);
      m_index.upsert(record);
      m_jobs.finish_done(chip_id);
      ++m_report.written;
      return true;
    } catch (const Error& e) {
      m_jobs.finish_failed(chip_id, e);
      ++m_report.failed;
      if (m_report.errors.size() < 50) {
        m_report.errors.push_back(chip_id + " " + std::to_string(task.mmsi) + " " + item.id + ": " + e.what());
      }
      spdlog::warn("chip {} (mmsi {}, {}) failed [{}]: {}", chip_id, task.mmsi, item.id, to_string(e.category()),
                   e.what());
      return false;
    }
  }

  dataset::ChipIndex& index() { return m_index; }
  std::size_t cog_opens() const { return m_cache.opens(); }

private:
  bool reject(const std::string& chip_id, const std::string& reason, const std::string& kind = "") {
    m_jobs.finish_rejected(chip_id, reason);
    ++m_report.rejected[kind.empty() ? reason : kind];
    return false;
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
    r.footprint = dataset::chip_footprint(r.epsg, r.transform, r.width, r.height);
    r.created = utc_now();
    return r;
  }

  const Config& m_config;
  ChipRunReport& m_report;
  const stac::ProviderProfile& m_profile;
  dataset::ChipIndex m_index;
  ops::ChipJobs m_jobs;
  raster::DatasetCache m_cache;
  ais::InterpolationOptions m_interpolation;
  raster::ChipReadOptions m_read;
  raster::ChipWriteOptions m_write;
  raster::GateOptions m_gate;
  bool m_retry_rejected = false;
};

} // namespace

ChipRunReport run_chipping(const std::map<std::int64_t, std::vector<ais::PositionReport>>& tracks,
                           stac::StacClient& client, const Config& config, const ChipRunOptions& options) {
  ChipRunReport report;
  raster::configure_gdal_for_cogs(raster::remote_read_options_from(config));

  stac::SceneLookupOptions lookup_options;
  lookup_options.collections = {config.stac.collection};
  lookup_options.window_hours = config.stac.search_window_hours;
  lookup_options.cloud_cover_max = config.stac.cloud_cover_max;
  lookup_options.page_limit = config.stac.page_limit;
  stac::SceneLookup lookup(client, lookup_options);

  // The ships to work on, and one search per UTC day of their pings.
  std::vector<std::pair<std::int64_t, const std::vector<ais::PositionReport>*>> ships;
  std::vector<stac::ScenePoint> points;
  for (const auto& [mmsi, track] : tracks) {
    if (options.max_ships && ships.size() >= options.max_ships) break;
    ships.emplace_back(mmsi, &track);
    for (const auto& ping : track) points.push_back({ping.lon, ping.lat, ping.time});
  }
  report.ships = ships.size();
  report.pings = points.size();
  lookup.prefetch(points);

  // Each ping votes for its best scene; a ship gets one chip per scene it was seen near.
  std::map<std::string, std::vector<ChipTask>> by_scene;
  for (const auto& [mmsi, track] : ships) {
    std::set<const stac::Item*> scenes;
    for (const auto& ping : *track) {
      auto found = lookup.lookup({ping.lon, ping.lat, ping.time});
      if (found.candidates.empty()) {
        ++report.no_scene[std::string(stac::to_string(found.reason))];
      } else {
        scenes.insert(found.candidates.front().item);
      }
    }
    for (const stac::Item* item : scenes) by_scene[item->id].push_back({mmsi, item, track});
  }

  ChipMaker maker(config, options, report);
  for (const auto& [scene_id, tasks] : by_scene) {
    report.chips_planned += tasks.size();
  }
  for (const auto& [scene_id, tasks] : by_scene) {
    for (const auto& task : tasks) {
      if (options.max_chips && report.written >= options.max_chips) break;
      maker.make(task);
    }
  }
  dataset::export_indexes(maker.index(), config);
  report.stac_searches = lookup.searches();
  report.cog_opens = maker.cog_opens();
  return report;
}

} // namespace shipchips::pipeline
