#include "ais/interpolate.hpp"

#include "ais/track_store.hpp"
#include "core/error.hpp"

#include <GeographicLib/Geocentric.hpp>
#include <GeographicLib/Geodesic.hpp>
#include <GeographicLib/LocalCartesian.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace shipchips::ais {
namespace {

constexpr double kKnotMs = 1852.0 / 3600.0;
constexpr double kPi = 3.14159265358979323846;

double seconds_between(UtcTime a, UtcTime b) {  // b − a
  return std::chrono::duration<double>(b - a).count();
}

double normalize_azimuth(double deg) {
  double a = std::fmod(deg, 360.0);
  if (a < 0) a += 360.0;
  return a >= 360.0 ? 0.0 : a;
}

// The cubic Hermite curve from a to b with their velocities (SOG along COG), at fraction f;
// false (out untouched) when either lacks a usable velocity or the velocities disagree with
// the distance covered (a stop, a data glitch): the geodesic is then the safer guess.
bool curve_between(const PositionReport& a, const PositionReport& b, double gap, double s12, double f,
                   const InterpolationOptions& o, InterpolatedPosition& out) {
  const auto sog_a = valid_sog(a.sog_kn), sog_b = valid_sog(b.sog_kn);
  const auto cog_a = valid_cog(a.cog_deg), cog_b = valid_cog(b.cog_deg);
  if (!sog_a || !sog_b || !cog_a || !cog_b) return false;
  if (*sog_a < o.min_moving_sog_kn || *sog_b < o.min_moving_sog_kn) return false;
  const double mean_speed = 0.5 * (*sog_a + *sog_b) * kKnotMs;
  const double chord_speed = s12 / gap;
  if (std::abs(chord_speed - mean_speed) > 0.3 * mean_speed) return false;

  const auto& geod = GeographicLib::Geodesic::WGS84();
  double mid_lat = 0, mid_lon = 0, azi = 0, s_unused = 0, azi_unused = 0;
  geod.Inverse(a.lat, a.lon, b.lat, b.lon, s_unused, azi, azi_unused);
  geod.Direct(a.lat, a.lon, azi, s12 / 2, mid_lat, mid_lon);
  const GeographicLib::LocalCartesian plane(mid_lat, mid_lon, 0.0, GeographicLib::Geocentric::WGS84());
  double xa = 0, ya = 0, za = 0, xb = 0, yb = 0, zb = 0;
  plane.Forward(a.lat, a.lon, 0.0, xa, ya, za);
  plane.Forward(b.lat, b.lon, 0.0, xb, yb, zb);
  auto velocity = [&](double sog_kn, double cog_deg) {
    const double v = sog_kn * kKnotMs * gap, c = cog_deg * kPi / 180.0;  // scaled by the gap (Hermite form)
    return std::pair{v * std::sin(c), v * std::cos(c)};
  };
  const auto [vxa, vya] = velocity(*sog_a, *cog_a);
  const auto [vxb, vyb] = velocity(*sog_b, *cog_b);
  const double f2 = f * f, f3 = f2 * f;
  const double h00 = 2 * f3 - 3 * f2 + 1, h10 = f3 - 2 * f2 + f, h01 = -2 * f3 + 3 * f2, h11 = f3 - f2;
  const double x = h00 * xa + h10 * vxa + h01 * xb + h11 * vxb;
  const double y = h00 * ya + h10 * vya + h01 * yb + h11 * vyb;
  // Derivatives for the course and speed at t (per unit f, so divided by the gap).
  const double d00 = 6 * f2 - 6 * f, d10 = 3 * f2 - 4 * f + 1, d01 = -6 * f2 + 6 * f, d11 = 3 * f2 - 2 * f;
  const double dx = (d00 * xa + d10 * vxa + d01 * xb + d11 * vxb) / gap;
  const double dy = (d00 * ya + d10 * vya + d01 * yb + d11 * vyb) / gap;
  double lat = 0, lon = 0, h = 0;
  plane.Reverse(x, y, 0.0, lat, lon, h);
  out.method = PositionMethod::interpolated_curved;
  out.lat = lat;
  out.lon = lon;
  out.speed_ms = std::hypot(dx, dy);
  if (*out.speed_ms > 0.01) out.course_deg = normalize_azimuth(std::atan2(dx, dy) * 180.0 / kPi);
  return true;
}

InterpolatedPosition interpolate_between(const PositionReport& a, const PositionReport& b, UtcTime t,
                                         const InterpolationOptions& o) {
  const auto& geod = GeographicLib::Geodesic::WGS84();
  InterpolatedPosition out;
  out.method = PositionMethod::interpolated;
  out.before = a;
  out.after = b;
  const double gap = seconds_between(a.time, b.time);
  const double since = seconds_between(a.time, t);
  const double until = seconds_between(t, b.time);
  out.nearest = since <= until ? a : b;
  out.dt_nearest_s = std::min(since, until);
  if (gap <= 0.0) {  // both at t: take the first, as the nearest
    out.method = PositionMethod::exact;
    out.lat = a.lat;
    out.lon = a.lon;
    out.course_deg = a.cog_deg;
    out.speed_ms = a.sog_kn ? std::optional<double>(*a.sog_kn * kKnotMs) : std::nullopt;
    out.uncertainty_m = o.gps_error_m;
    return out;
  }
  double s12 = 0, azi1 = 0, azi2 = 0;
  geod.Inverse(a.lat, a.lon, b.lat, b.lon, s12, azi1, azi2);
  const double f = since / gap;
  out.uncertainty_m = o.gps_error_m + 0.5 * o.a_max_ms2 * since * until;
  if (gap > o.curve_min_gap_s && curve_between(a, b, gap, s12, f, o, out)) return out;
  double lat = a.lat, lon = a.lon, azi = azi1;
  if (s12 > 0) geod.Direct(a.lat, a.lon, azi1, f * s12, lat, lon, azi);
  out.lat = lat;
  out.lon = lon;
  if (s12 > 0.01) out.course_deg = normalize_azimuth(azi);
  out.speed_ms = s12 / gap;
  return out;
}

InterpolatedPosition dead_reckon(const PositionReport& p, UtcTime t, const InterpolationOptions& o) {
  InterpolatedPosition out;
  out.method = PositionMethod::dead_reckoned;
  out.nearest = p;
  const double dt = seconds_between(p.time, t);  // negative: the ping is after t
  out.dt_nearest_s = std::abs(dt);
  out.lat = p.lat;
  out.lon = p.lon;
  const auto sog = valid_sog(p.sog_kn);
  const auto cog = valid_cog(p.cog_deg);
  if (sog && cog && *sog >= o.min_moving_sog_kn) {
    const double distance = *sog * kKnotMs * dt;
    double lat = 0, lon = 0, azi = 0;
    GeographicLib::Geodesic::WGS84().Direct(p.lat, p.lon, *cog, distance, lat, lon, azi);
    out.lat = lat;
    out.lon = lon;
    out.course_deg = normalize_azimuth(azi);
    out.speed_ms = *sog * kKnotMs;
    out.uncertainty_m = o.gps_error_m + 0.5 * o.a_max_ms2 * dt * dt +
                        std::abs(distance) * std::tan(o.cog_error_deg * kPi / 180.0) +
                        o.sog_error_kn * kKnotMs * std::abs(dt);
  } else if (sog) {
    // (Nearly) stopped: COG is noise, keep the position; it may start moving.
    out.method = PositionMethod::nearest;
    out.speed_ms = *sog * kKnotMs;
    out.course_deg = cog;
    out.uncertainty_m = o.gps_error_m + (*sog + o.sog_error_kn) * kKnotMs * std::abs(dt) + 0.5 * o.a_max_ms2 * dt * dt;
  } else {
    out.method = PositionMethod::nearest;
    out.uncertainty_m = o.gps_error_m + o.unknown_speed_kn * kKnotMs * std::abs(dt);
  }
  return out;
}

}  // namespace

std::string_view to_string(PositionMethod method) {
  switch (method) {
    case PositionMethod::interpolated:
      return "interpolated";
    case PositionMethod::interpolated_curved:
      return "interpolated_curved";
    case PositionMethod::dead_reckoned:
      return "dead_reckoned";
    case PositionMethod::exact:
      return "exact";
    case PositionMethod::nearest:
      return "nearest";
  }
  return "interpolated";
}

InterpolationOptions InterpolationOptions::from_config(const AisConfig& config) {
  InterpolationOptions o;
  o.max_gap_s = config.max_gap_s;
  o.max_extrapolation_s = config.max_extrapolation_s;
  return o;
}

InterpolationResult interpolate_position(std::span<const PositionReport> pings, UtcTime t,
                                         const InterpolationOptions& options) {
  const auto by_time = [](const PositionReport& a, const PositionReport& b) { return a.time < b.time; };
  if (!std::is_sorted(pings.begin(), pings.end(), by_time))
    throw Error(ErrorCode::contract_violation, "interpolate_position: pings are not ordered by time");
  if (pings.empty()) return NoPosition{std::string(kNoAisNearSensingTime), std::nullopt};

  // First ping at or after t; the one before it is the last at or before t.
  const auto after =
      std::lower_bound(pings.begin(), pings.end(), t, [](const PositionReport& p, UtcTime v) { return p.time < v; });
  if (after != pings.end() && after->time == t)  // a ping exactly at t
    return interpolate_between(*after, *after, t, options);
  const bool has_after = after != pings.end();
  const bool has_before = after != pings.begin();
  if (has_before && has_after) {
    const auto& a = *(after - 1);
    const auto& b = *after;
    if (seconds_between(a.time, b.time) <= options.max_gap_s) return interpolate_between(a, b, t, options);
  }
  const PositionReport* nearest = nullptr;
  if (has_before) nearest = &*(after - 1);
  if (has_after && (!nearest || seconds_between(t, after->time) < seconds_between(nearest->time, t))) nearest = &*after;
  const double dt = std::abs(seconds_between(nearest->time, t));
  if (dt <= options.max_extrapolation_s) return dead_reckon(*nearest, t, options);
  return NoPosition{std::string(kNoAisNearSensingTime), dt};
}

InterpolationResult interpolate_position(const TrackStore& store, std::int64_t mmsi, UtcTime t,
                                         const InterpolationOptions& options) {
  const double reach_s = std::max(options.max_gap_s, options.max_extrapolation_s);
  const auto reach = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::duration<double>(reach_s));
  auto pings = store.track(mmsi, t - reach, t + reach);
  if (pings.empty()) {
    // Say how far the nearest ping is, so the report can tell "no AIS at all" from "too far".
    const auto span = store.time_span(mmsi);
    std::optional<double> dt;
    if (span)
      dt = t < span->first ? seconds_between(t, span->first)
                           : (t > span->second ? seconds_between(span->second, t) : std::optional<double>{});
    return NoPosition{std::string(kNoAisNearSensingTime), dt};
  }
  return interpolate_position(std::span<const PositionReport>(pings), t, options);
}

double geodesic_distance_m(double lat1, double lon1, double lat2, double lon2) {
  double s12 = 0;
  GeographicLib::Geodesic::WGS84().Inverse(lat1, lon1, lat2, lon2, s12);
  return s12;
}

}  // namespace shipchips::ais
