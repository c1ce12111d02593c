#pragma once
// Sentinel-2 pass prediction: when each satellite's MSI swath crosses each Sentinel-2 tile on
// a descending (daylight) pass, from SGP4 and TLEs.
//
// Model. The MSI swath is 290 km wide: ±10.3° off-nadir around the ground track. At the
// satellite's height h over a local Earth radius R that is a band of half-width
// λ = asin((R + h) / R · sin 10.3°) − 10.3° (central angle, ≈ 1.29° ≈ 143 km) each side of
// the sub-satellite track. A tile is seen on a pass when part of it lies inside that band.
//
// Method (built for every MGRS square × 3 satellites × 10 days in seconds):
//  1. each satellite is propagated once on a time grid (20 s steps) over the span; each step
//     keeps the Earth-fixed position and velocity and its geodetic sub-satellite point;
//  2. tiles are bucketed by their centre in 1° × 1° cells; each step on a descending arc
//     visits only the cells within reach of the swath (swath + tile radius + half a step),
//     keeping, per tile and revolution, the step nearest the tile centre;
//  3. only those candidates are refined: golden-section search for the time of closest
//     approach of the sub-satellite point to the tile centre, on a cubic Hermite
//     interpolation of the grid (position + velocity; interpolation error ~ millimetres);
//  4. at closest approach the ground track is taken as the great circle through the
//     sub-satellite point along its motion: each of n × n sample points of the tile is inside
//     the swath when its cross-track angle is below λ, and is imaged when the scan line passes
//     it (along-track angle / angular ground speed). Coverage is the fraction of samples
//     inside; the window runs from the first to the last imaged sample, widened by
//     overpass_window_minutes each side.
//  Passes are kept when the sub-satellite point moves south at closest approach (descending)
//  and the sun at the tile centre is at least min_sun_elevation_deg high.
//
// Orbit numbers. The absolute orbit is the TLE's revolution number at epoch plus the
// ascending-node crossings since (the TLE convention: the count steps at each ascending
// node; Space-Track's count, which need not equal ESA's numbering). The relative orbit comes
// from the longitude of the ascending node that starts the revolution (relative_orbit_from_node;
// see src/plan/README.md for what is verified and what assumed).

#include "core/time.hpp"
#include "geo/s2_grid.hpp"
#include "orbit/tle.hpp"
#include "plan/schedule.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::plan {

// "S2A" for 40697, "S2B" for 42063, "S2C" for 60989; "" for other catalogue numbers.
std::string satellite_for_catalog(long catalog_number);
// 40697 for "S2A" ...; throws Error(invalid_argument) for an unknown satellite name.
long catalog_for_satellite(std::string_view satellite);
// Launch time (UTC) of "S2A", "S2B", "S2C": a planner predicts no pass before it (elements of
// 2026 propagated back to 2019 would invent passes of a satellite still on the ground).
UtcTime satellite_launch(std::string_view satellite);

// Relative orbit 1..143 of an absolute orbit in ESA's numbering: ((absolute − offset) mod 143)
// + 1. S2A: offset −2, which every (OrbitAbsolute, OrbitRelative) pair of ESA's 2019
// acquisition plan satisfies. S2B: −70, the commonly used rel = (abs + 70) mod 143 + 1, not
// verified here (no S2B plan). S2C: no formula known, nothing returned. A formula holds only
// while a satellite keeps its orbital phase: with the 2026 TLEs, S2A's passes need offset 26
// on its revolution numbers (which still agree with the plan's absolute orbits extrapolated
// at 14.3 rev/day), consistent with S2A having been moved along its orbit since 2019. So the
// planners derive relative orbits from the ground track (relative_orbit_from_node).
// Throws Error(invalid_argument) for an unknown satellite.
std::optional<int> relative_orbit_esa(std::string_view satellite, long absolute_orbit);

// Relative orbit (1..143) of the revolution whose ascending node lies at this longitude.
// Sentinel-2 flies a 143-revolution, 10-day repeat ground track shared by every satellite;
// each revolution's node is 3600/143 ≈ 25.17° west of the previous one, so the node
// longitude names the track whatever the satellite, its orbital phase or how its revolutions
// are counted. The longitude of R001's node is calibrated against ESA's acquisition plan
// (see src/plan/README.md); tracks are 2.52° apart at the node, the control box ±2 km.
int relative_orbit_from_node(double ascending_node_lon_deg);
inline constexpr double r001_node_lon_deg = 0.988;

// One satellite with the element set used for it.
struct SatelliteElements {
  std::string satellite;  // "S2A"
  orbit::Tle tle;
};

// Picks, for each wanted satellite, the set in `sets` whose epoch is nearest to the middle
// of [start, end). Throws Error(input_invalid) when a satellite has no set. A set more than
// `stale_days` from the window (before its start or after its end) is used but reported in
// `warnings` (and logged with spdlog::warn).
std::vector<SatelliteElements> select_elements(const std::vector<orbit::Tle>& sets,
                                               const std::vector<std::string>& satellites, UtcTime start, UtcTime end,
                                               std::vector<std::string>& warnings, double stale_days = 14.0);

struct PassOptions {
  UtcTime start{};  // passes whose closest approach lies in [start, end)
  UtcTime end{};
  double step_s = 20.0;                // propagation grid
  double off_nadir_deg = 10.3;         // half the MSI field of view
  double min_sun_elevation_deg = 5.0;  // at the tile centre, at closest approach
  int window_minutes = 15;             // widening of [enter, leave] each side
  int samples_per_side = 9;            // tile sampled on n × n points (corners included)
  int threads = 2;                     // worker threads for the tile search
  std::string source = "tle";          // OverpassWindow::source
};

struct PredictedPass {
  OverpassWindow window;            // start/end already widened; coverage, orbits, sun filled
  UtcTime closest_approach{};       // sub-satellite point nearest the tile centre
  UtcTime swath_enter{};            // first sample of the tile imaged
  UtcTime swath_leave{};            // last sample imaged
  double centre_distance_km = 0.0;  // sub-satellite point ↔ tile centre at closest approach
  double cross_track_km = 0.0;      // signed cross-track distance of the centre (+ = left of track)
  double swath_half_width_km = 0.0;
  double ascending_node_lon_deg = 0.0;  // where the revolution began (fixes the relative orbit)
};

// Precomputed tile geometry (corner and centre directions), reusable across calls.
struct TileGeometry {
  std::string id;
  double centre_lon_deg = 0.0, centre_lat_deg = 0.0;
  std::array<double, 3> centre_ecef_km{};              // on the WGS-84 ellipsoid
  std::array<std::array<double, 3>, 4> corner_unit{};  // geocentric unit vectors: SW, SE, NE, NW
  double radius_rad = 0.0;                             // largest angle centre → corner
};
TileGeometry tile_geometry(const geo::S2Tile& tile);

// Passes of every satellite over every tile, ordered by (closest approach, tile, satellite).
std::vector<PredictedPass> predict_passes(const std::vector<SatelliteElements>& satellites,
                                          const std::vector<TileGeometry>& tiles, const PassOptions& options);

// Revolution (absolute orbit) number at `time` from a TLE: the revolution number at epoch
// plus the ascending-node crossings between epoch and `time` (negative span counts back).
long revolution_at(const orbit::Tle& tle, UtcTime time);

// Every Sentinel-2 tile (MGRS 100 km square) whose centre lies in [lat_min, lat_max]:
// enumerates the squares of every UTM zone and keeps those MGRS defines (for benchmarks and
// world-wide planning).
std::vector<geo::S2Tile> all_tiles(double lat_min_deg = -56.0, double lat_max_deg = 84.0);

}  // namespace shipchips::plan
