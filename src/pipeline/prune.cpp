#include "pipeline/prune.hpp"

#include "ais/interpolate.hpp"
#include "ais/track_store.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/sqlite_db.hpp"
#include "dataset/chip_index.hpp"
#include "dataset/index_export.hpp"
#include "dataset/labels.hpp"
#include "pipeline/collect_ais.hpp"

#include <fmt/core.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace shipchips::pipeline {
namespace fs = std::filesystem;
namespace {

fs::path journal_path(const Config& config) {
  return dataset_path(config, config.storage.layout.manifests) / "prune" / "pending.json";
}

struct Victim {
  std::string chip_id;
  std::string reason;
  std::vector<std::string> files;  // relative to the dataset root
};

std::vector<Victim> read_journal(const fs::path& path) {
  std::ifstream in(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::input_invalid, path.string() + ": a prune journal that is not JSON: " + e.what());
  }
  std::vector<Victim> out;
  if (!j.is_object() || !j.contains("chips") || !j["chips"].is_array())
    throw Error(ErrorCode::input_invalid, path.string() + ": chips: missing array");
  for (const auto& c : j["chips"]) {
    Victim v;
    v.chip_id = c.value("chip_id", "");
    v.reason = c.value("reason", "");
    if (c.contains("files") && c["files"].is_array())
      for (const auto& f : c["files"]) v.files.push_back(f.get<std::string>());
    if (v.chip_id.empty()) throw Error(ErrorCode::input_invalid, path.string() + ": chips[]: chip_id missing");
    out.push_back(std::move(v));
  }
  return out;
}

// Steps 2-5 of the removal (the journal is already on disk). Idempotent: a crash anywhere is
// finished by running it again.
std::size_t apply_journal(const Config& config, const std::vector<Victim>& victims) {
  const fs::path db = dataset_path(config, config.storage.db_path);
  {
    sqlite::Database database(db);
    sqlite::Transaction tx(database);
    sqlite::Statement del = database.prepare("DELETE FROM chips WHERE chip_id = ?1");
    sqlite::Statement job = database.prepare(
        "UPDATE chip_jobs SET status = 'rejected', error = ?2, error_code = NULL, error_class = 'permanent',"
        " next_retry_at = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE chip_id = ?1");
    for (const auto& v : victims) {
      del.reset();
      del.bind(1, v.chip_id);
      del.run();
      job.reset();
      job.bind(1, v.chip_id).bind(2, "pruned: " + v.reason);
      job.run();
    }
    tx.commit();
  }
  dataset::ChipIndex index(db);
  const auto records = index.list();
  dataset::export_indexes(records, dataset_root(config), config.storage.layout);
  dataset::ShipTypes types;
  const auto store_path = track_store_path(config);
  if (fs::exists(store_path)) {
    ais::TrackStore store(store_path.string());
    for (const auto& r : records) {
      if (types.count(r.mmsi)) continue;
      if (const auto s = store.static_of(r.mmsi); s && s->ship_type) types[r.mmsi] = *s->ship_type;
    }
  }
  dataset::write_coco_labels(records, dataset_root(config), {}, types);
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& v : victims) {
    for (const auto& f : v.files) {
      if (fs::remove(dataset_path(config, f), ec)) ++removed;
    }
  }
  return removed;
}

}  // namespace

PruneReport prune_chips(const Config& config, const PruneOptions& options) {
  if (options.time_tol_min < 0 || options.dist_tol_m < 0)
    throw Error(ErrorCode::invalid_argument, "prune: --time-tol-min and --dist-tol-m must not be negative");
  PruneReport report;
  const fs::path db = dataset_path(config, config.storage.db_path);
  if (!fs::exists(db)) return report;  // nothing indexed yet
  const fs::path journal = journal_path(config);
  if (fs::exists(journal) && !options.dry_run) {
    spdlog::warn("prune: finishing the prune an earlier process left in {}", journal.string());
    report.files_removed += apply_journal(config, read_journal(journal));
    fs::remove(journal);
    report.resumed_journal = true;
  }
  dataset::ChipIndex index(db);
  const auto records = index.list();
  report.chips = records.size();
  const fs::path store_path = track_store_path(config);
  std::optional<ais::TrackStore> store;
  if (fs::exists(store_path)) store.emplace(store_path.string());
  // The same interpolation as the chip step (ais.max_gap_s, ais.max_extrapolation_s).
  const ais::InterpolationOptions interpolation = ais::InterpolationOptions::from_config(config.ais);
  std::vector<Victim> victims;
  for (const auto& r : records) {
    if (!store || !store->time_span(r.mmsi)) {
      ++report.unverifiable;
      ++report.kept;
      continue;
    }
    PrunedChip p{r.chip_id, r.mmsi, r.scene_id, "", std::nullopt, std::nullopt};
    const ais::InterpolationResult result = ais::interpolate_position(*store, r.mmsi, r.scene_datetime, interpolation);
    if (const auto* none = std::get_if<ais::NoPosition>(&result)) {
      p.dt_nearest_s = none->dt_nearest_s;
      p.reason = none->dt_nearest_s ? fmt::format("no position at sensing time (nearest ping {:.1f} min away)",
                                                  *none->dt_nearest_s / 60.0)
                                    : "no AIS ping of the ship near the sensing time";
    } else {
      const auto& pos = std::get<ais::InterpolatedPosition>(result);
      p.dt_nearest_s = pos.dt_nearest_s;
      p.distance_m = ais::geodesic_distance_m(pos.lat, pos.lon, r.lat, r.lon);
      if (pos.dt_nearest_s > options.time_tol_min * 60.0) {
        p.reason = fmt::format("nearest ping {:.1f} min from sensing time > {:g} min", pos.dt_nearest_s / 60.0,
                               options.time_tol_min);
      } else if (*p.distance_m > options.dist_tol_m) {
        p.reason = fmt::format("the ship at sensing time is {:.0f} m from the chip centre > {:g} m", *p.distance_m,
                               options.dist_tol_m);
      }
    }
    if (p.reason.empty()) {
      ++report.kept;
      continue;
    }
    // The chip's files beside the .tif its record names.
    const fs::path dir = fs::path(r.path).parent_path();
    victims.push_back(
        {r.chip_id,
         p.reason,
         {r.path, (dir / (r.chip_id + ".json")).generic_string(), (dir / (r.chip_id + ".geojson")).generic_string(),
          (dir / (r.chip_id + "_quicklook.jpg")).generic_string()}});
    report.pruned.push_back(std::move(p));
  }
  if (options.dry_run || victims.empty()) return report;
  nlohmann::json j;
  j["created"] = format_iso8601(utc_now(), 0);
  j["time_tol_min"] = options.time_tol_min;
  j["dist_tol_m"] = options.dist_tol_m;
  nlohmann::json chips = nlohmann::json::array();
  for (const auto& v : victims) chips.push_back({{"chip_id", v.chip_id}, {"reason", v.reason}, {"files", v.files}});
  j["chips"] = std::move(chips);
  make_directories(journal.parent_path());
  write_file_atomic(journal, j.dump(2) + "\n");
  report.files_removed += apply_journal(config, victims);
  fs::remove(journal);
  fsync_directory(journal.parent_path());
  return report;
}

}  // namespace shipchips::pipeline
