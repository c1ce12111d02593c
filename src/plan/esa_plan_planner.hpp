#pragma once
// ESA acquisition plan → per-tile overpass windows (mode esa_plan).
//
// Coverage: each imaging datatake's swath polygon is intersected with the tile footprint with
// GEOS in lon/lat, edges straight in lon/lat as KML draws them (both unwrapped around the
// tile's longitude, so the antimeridian is no special case); the intersection and the footprint are then projected
// vertex by vertex to the tile's UTM zone and their areas compared (coverage = area(swath ∩ tile) / area(tile)).
// Datatake segments of the same satellite and absolute orbit are one pass: their intersections
// are unioned and their times merged, giving one window per (tile, satellite, absolute orbit).
//
// Timing: ESA swath rings are written as start-edge centre (vertex 0), one side, end-edge
// centre (vertex n/2), other side (checked on every placemark of the 2019 plan: 660 rings,
// all with an even vertex count and ~290 km between paired side vertices). The along-track
// centre line is vertex 0, the midpoints of paired side vertices, vertex n/2; s is a point's
// arc-length fraction along that line. The polygons are shorter than the observation time at
// ground speed: over the 2019 plan, length = 6.7236 km/s × ObservationDuration − 22.5 km
// (least squares over datatakes ≥ 20 s, residual < 38 km on 1,700 s datatakes), i.e. ~3.3 s of
// each datatake's time is not in its polygon. Not knowing which end holds it, the polygon's
// imaging time L / 6.7236 km/s is centred in [start, stop] (error ≤ ~1.7 s) and the time at s
// is start + margin + s·(imaging time). The swath enters the tile
// at the smallest s of the intersection's vertices and leaves it at the largest; the window
// is that interval widened by window_minutes on both sides. A ring without that layout (odd
// vertex count) falls back to a line from vertex 0 to the vertex farthest from it.
//
// Imaging modes: the 2019 plan has NOBS (nominal observation), VIC (vicarious calibration),
// DARK-O and SUN (dark-signal / sun-diffuser calibration). By default only NOBS and EOBS
// (extended observation) datatakes with a timeliness other than NOT_RECORDING are used: those
// are the ones whose images reach the public archive. VIC acquisitions are sometimes
// distributed too; callers can add "VIC" to EsaPlanOptions::imaging_modes.

#include "plan/esa_plan_kml.hpp"
#include "plan/schedule.hpp"

#include <string>
#include <vector>

namespace shipchips::plan {

struct EsaPlanOptions {
  std::vector<std::string> imaging_modes{"NOBS", "EOBS"};
  bool skip_not_recording = true;  // Timeliness NOT_RECORDING: the data is never downlinked
  double min_coverage = 1e-6;      // intersections smaller than this (edge contacts) are dropped
};

bool is_imaging_datatake(const Datatake& d, const EsaPlanOptions& options = {});

// Windows sorted by (start, tile, satellite); source "esa_plan"; sun elevation at the tile
// centre at the middle of the swath's stay over the tile. Tile ids are validated
// (Error(invalid_argument) naming a bad id).
std::vector<OverpassWindow> plan_from_datatakes(const std::vector<Datatake>& datatakes,
                                                const std::vector<std::string>& tiles, int window_minutes);
std::vector<OverpassWindow> plan_from_datatakes(const std::vector<Datatake>& datatakes,
                                                const std::vector<std::string>& tiles, int window_minutes,
                                                const EsaPlanOptions& options);

// Along-track fraction (0 at the start edge, 1 at the end edge) of a point for a swath ring.
double along_track_fraction(const geo::Ring& swath, double lon, double lat);

// The (satellite, OrbitAbsolute, OrbitRelative) pairs of a plan, unique and sorted, for
// deriving and checking relative-orbit offsets.
struct OrbitPair {
  std::string satellite;
  long orbit_absolute = 0;
  int orbit_relative = 0;
  auto operator<=>(const OrbitPair&) const = default;
};
std::vector<OrbitPair> orbit_pairs(const std::vector<Datatake>& datatakes);
// "satellite,orbit_absolute,orbit_relative\n" rows.
std::string orbit_pairs_csv(const std::vector<OrbitPair>& pairs);

}  // namespace shipchips::plan
