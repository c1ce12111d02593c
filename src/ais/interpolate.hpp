#pragma once
// Where was the ship at the sensing time t? From its time-ordered pings:
//
//  1. Two pings bracket t (before.time <= t <= after.time) and are at most max_gap_s apart →
//     interpolated: along the WGS-84 geodesic from `before` to `after` (GeographicLib), at
//     the time fraction (t - t_before) / (t_after - t_before). A ping exactly at t is used as
//     it is → exact.
//     When the gap is longer than curve_min_gap_s and both pings carry a usable SOG and COG
//     that agree with the distance covered (mean of the two SOGs within 30 % of the
//     distance / gap), the ship is taken along the cubic Hermite curve through both positions
//     with both velocities, in a local east/north plane (GeographicLib LocalCartesian at the
//     midpoint) → interpolated_curved: a ship turning between the pings is followed round the
//     turn instead of across its chord; a straight, steady track gives the same position.
//  2. Otherwise the nearest ping is within max_extrapolation_s → dead_reckoned: along the
//     geodesic from that ping with azimuth COG and distance SOG·Δt (Δt negative when the
//     ping is after t: the ship is moved back). Without SOG/COG (or SOG below
//     min_moving_sog_kn, where GPS COG is noise) the ping's position is kept → nearest.
//  3. Otherwise no position, reason "no AIS near sensing time".
//
// Uncertainty radius (metres, meant as a bound for ~95 % of cases, not 1 σ):
//  - interpolated: gps_error_m + a_max/2 · (t − t_before)(t_after − t): the classical
//    bound on the error of linear interpolation of a motion whose acceleration (speed change
//    or turning, |a| ≤ a_max) is bounded; 0 at the pings, largest mid-gap. With a_max
//    0.05 m/s² (a ship turning at 12 kn on a 750 m radius) a 30 s gap adds 6 m at mid-gap, a
//    600 s gap 2.25 km.
//  - dead reckoned with SOG/COG: gps_error_m + a_max/2 · Δt² (speed change or turn since the
//    ping) + |distance| · tan(cog_error_deg) (course error) + sog_error_kn · |Δt| (SOG
//    resolution and noise).
//  - position kept (no SOG/COG): gps_error_m + unknown_speed_kn · |Δt|; when SOG is known but
//    below min_moving_sog_kn: gps_error_m + (SOG + sog_error_kn) · |Δt| + a_max/2 · Δt².

#include "ais/model.hpp"
#include "core/config.hpp"

#include <optional>
#include <span>
#include <string>
#include <variant>

namespace shipchips::ais {

class TrackStore;

// exact: a ping at t itself (its position, uncertainty gps_error_m: the AIS position's own);
// nearest: the nearest ping's position kept, no usable SOG/COG to move it (or too slow for
// COG to mean anything).
// The reason of a NoPosition when no ping is near enough to t.
inline constexpr std::string_view kNoAisNearSensingTime = "no AIS near sensing time";

enum class PositionMethod { interpolated, interpolated_curved, dead_reckoned, exact, nearest };
std::string_view to_string(PositionMethod method);

struct InterpolationOptions {
  double max_gap_s = 600.0;
  double max_extrapolation_s = 120.0;
  double gps_error_m = 10.0;
  double a_max_ms2 = 0.05;
  double cog_error_deg = 5.0;
  double sog_error_kn = 0.2;
  double min_moving_sog_kn = 0.5;
  double unknown_speed_kn = 20.0;
  double curve_min_gap_s = 60.0;

  static InterpolationOptions from_config(const AisConfig& config);
};

struct InterpolatedPosition {
  double lat = 0;
  double lon = 0;
  PositionMethod method = PositionMethod::interpolated;
  double dt_nearest_s = 0;  // |t − time of the nearest ping|
  double uncertainty_m = 0;
  // Course over ground at t (degrees, [0, 360)): the geodesic's azimuth there when
  // interpolated (nullopt when both pings are at the same place), the ping's COG when dead
  // reckoned. Speed over ground in m/s likewise (distance / gap, or the ping's SOG).
  std::optional<double> course_deg;
  std::optional<double> speed_ms;
  PositionReport nearest;                // the raw ping nearest in time (ais_lat/ais_lon/ais_time)
  std::optional<PositionReport> before;  // the bracketing pings when interpolated
  std::optional<PositionReport> after;
};

struct NoPosition {
  std::string reason;                  // "no AIS near sensing time"
  std::optional<double> dt_nearest_s;  // to the nearest ping at all, when there is one
};

using InterpolationResult = std::variant<InterpolatedPosition, NoPosition>;

// `pings` of one ship, ordered by time (Error(contract_violation) otherwise).
InterpolationResult interpolate_position(std::span<const PositionReport> pings, UtcTime t,
                                         const InterpolationOptions& options = {});

// Fetches the pings of `mmsi` that can matter (t ± max(max_gap_s, max_extrapolation_s)) from
// the store and interpolates.
InterpolationResult interpolate_position(const TrackStore& store, std::int64_t mmsi, UtcTime t,
                                         const InterpolationOptions& options = {});

// Geodesic distance in metres on WGS-84.
double geodesic_distance_m(double lat1, double lon1, double lat2, double lon2);

}  // namespace shipchips::ais
