#pragma once
// The chipping step: AIS pings → the scene that imaged each ship → the ship's position at that
// scene's sensing time (interpolated from its track) → a chip read through GDAL, gated, written
// with its sidecars, indexed, and every attempt recorded in chip_jobs. Used by `shipchips chip`
// (and, later, by `shipchips run`).
//
// One chip per (ship, scene): chip_id = hash(mmsi, scene_id). A ship's scenes are the best
// scene (closest in time, within the window and cloud limit) of each of its pings. Work is
// grouped by scene, so each scene's COGs are opened once. A chip whose record and .tif exist
// is skipped without any network access, so a rerun writes nothing and changes no index byte;
// so is one rejected in an earlier run, unless retry_rejected is set.
//
// Parallel: reader threads (up to twice `tiling.workers`, 0 = one per core) each take whole
// scene groups, with their own raster::DatasetCache (GDAL datasets are not thread-safe). Within
// a scene, the chips are ordered by position and cut into batches whose decoded blocks fit the
// block cache; each batch's blocks are fetched (one multi-range read per rectangle of blocks)
// and decoded once before its chips are read, so a COG block shared by chips costs one fetch.
// The chips read are finished (gate, GeoTIFF, quicklook, sidecars) by a pool of `workers`
// threads shared by all readers. The main thread alone writes the index, committing outcomes in
// the sequential order, so the index is the same as with one worker.
//
// Jobs (ops/job_store.hpp): each round's chips are enqueued and claimed in one transaction
// before any pixel is read (lease = ops.stuck_job_minutes, kept alive by a heartbeat thread),
// and each outcome finishes its job (done / rejected / failed with its error class, so the
// retry policy decides). A chip under another live worker's lease is left to it
// (skipped_busy). Leases of dead processes on this host and expired ones are reclaimed first.
// Each input ship becomes a row of ais_observations with its outcome. Where the time goes, by
// stage, is in the report's stage_ms.

#include "ais/model.hpp"
#include "ais/readers_csv.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/stage_times.hpp"
#include "ops/ship_outcomes.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace shipchips::stac {
class StacClient;
}

namespace shipchips::pipeline {

struct ChipRunOptions {
  std::size_t max_ships = 0;  // 0: every ship
  std::size_t max_chips = 0;  // 0: no cap on chips written; a cap runs one worker, no prefetch
  bool include_swir = false;
  // A (ship, scene) rejected before (gate, no AIS near sensing time, ...) is skipped without
  // network access unless this is set (e.g. after changing the gate thresholds).
  bool retry_rejected = false;
  // The run this step belongs to (stamped on every job claimed); "" for none.
  std::string run_id;
  // The AIS input, recorded in each job's payload and observation so a retry pass can replan a
  // chip from it (ops-retry).
  std::string ais_source;
  // Only these chips (a retry pass); nullopt = every chip the input yields.
  std::optional<std::set<std::string>> only_chip_ids;
  // chip_ais_file: only the pings with first <= time < second (a backfill partition's UTC day;
  // a ship's track is then its pings of that day, which hold every Sentinel-2 overpass of it).
  std::optional<std::pair<UtcTime, UtcTime>> ping_window;
};

struct ChipRunReport {
  std::size_t pings = 0;
  std::size_t ships = 0;
  std::size_t chips_planned = 0;  // (ship, scene) pairs
  std::size_t written = 0;
  std::size_t skipped_existing = 0;
  std::size_t skipped_rejected = 0;  // rejected in an earlier run (see retry_rejected)
  std::size_t failed = 0;
  std::size_t skipped_busy = 0;                 // under another live worker's lease
  std::size_t reclaimed_leases = 0;             // taken back from dead or silent workers before the run
  std::map<std::string, std::size_t> rejected;  // reason → count (gate, no AIS near sensing time, ...)
  std::map<std::string, std::size_t> no_scene;  // reason → pings
  int stac_searches = 0;
  std::size_t cog_opens = 0;  // over all workers
  std::size_t workers = 0;    // threads finishing chips (gate, encode, quicklook, sidecars)
  std::size_t readers = 0;    // threads reading scenes at once (at most)
  std::size_t prefetched_blocks = 0;
  std::vector<std::string> errors;         // "chip_id mmsi scene: message" of failed chips (first 50)
  std::optional<ErrorCode> first_failure;  // the code of the first failed chip
  // One per input ship (in mmsi order), also recorded in the job store's ais_observations.
  std::vector<ops::ShipOutcome> ship_outcomes;
  // Milliseconds by core/stage_times Stage (CPU time summed over threads; fetch_wait and search
  // are wall time). ais_read is filled by chip_ais_file.
  std::array<double, kStageCount> stage_ms{};
};

// `tracks`: each ship's pings ordered by time; `ships_static`: their static data (dimensions
// A/B/C/D and ship type give the hull box in the sidecar, the outline on the quicklook and the
// COCO labels in labels/coco.json). `client` searches scenes; config gives the stac, tiling,
// gate, masks, splits, ais and storage settings.
ChipRunReport run_chipping(const std::map<std::int64_t, std::vector<ais::PositionReport>>& tracks,
                           stac::StacClient& client, const Config& config, const ChipRunOptions& options,
                           const std::map<std::int64_t, ais::StaticData>& ships_static = {});

struct ChipFileReport {
  ais::ReadReport read;  // the AIS file: rows, bad rows and their problems
  ChipRunReport run;
};

// `shipchips chip --ais FILE` (and the service's chip jobs): every ship of an AIS file (any
// format ais::read_ais_file knows; `read` says how bad rows are handled) chipped on the scenes
// that imaged it, searched through config.stac. Its pings are also imported into the dataset's
// track store (ais/tracks.sqlite, concurrently with the chipping).
ChipFileReport chip_ais_file(const std::string& ais_path, const Config& config, const ChipRunOptions& options,
                             const ais::ReadOptions& read = {});

}  // namespace shipchips::pipeline
