// Satellite names, orbit numbering and the choice of element set per satellite.
#include "core/error.hpp"
#include "orbit/sgp4.hpp"
#include "plan/passes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <optional>

namespace shipchips::plan {
namespace {

struct SatelliteInfo {
  const char* name;
  long catalog;
  std::optional<long> esa_offset;  // ESA relative = ((absolute - offset) mod 143) + 1
  const char* launch;              // lift-off, UTC (ESA): no pass before it
};

// S2A: every (OrbitAbsolute, OrbitRelative) pair of ESA's 2019 acquisition plan satisfies
// offset -2 (e.g. 22057 -> 38). S2B: the commonly used rel = (abs + 70) mod 143 + 1 (not
// verified: no S2B plan at hand). S2C: none known.
const SatelliteInfo k_satellites[] = {
    {"S2A", 40697, -2, "2015-06-23T01:51:58Z"},
    {"S2B", 42063, -70, "2017-03-07T01:49:24Z"},
    {"S2C", 60989, std::nullopt, "2024-09-05T01:50:00Z"},
};

const SatelliteInfo& info_for(std::string_view satellite) {
  for (const SatelliteInfo& s : k_satellites)
    if (satellite == s.name) return s;
  throw Error(ErrorCode::invalid_argument,
              "satellite: unknown Sentinel-2 satellite \"" + std::string(satellite) + "\" (S2A, S2B or S2C)");
}

}  // namespace

UtcTime satellite_launch(std::string_view satellite) {
  return parse_iso8601(info_for(satellite).launch);
}

namespace {

double days_between(UtcTime a, UtcTime b) {
  return std::chrono::duration<double, std::ratio<86400>>(b - a).count();
}

// Argument of latitude (fraction of a revolution from the ascending node, [0, 1)).
double argument_of_latitude_fraction(const orbit::StateVector& s) {
  const auto& r = s.r_km;
  const auto& v = s.v_km_s;
  const std::array<double, 3> h{r[1] * v[2] - r[2] * v[1], r[2] * v[0] - r[0] * v[2], r[0] * v[1] - r[1] * v[0]};
  // Node vector n = z × h; u is the angle from n to r in the orbit plane.
  const double nx = -h[1], ny = h[0];
  const double nn = std::hypot(nx, ny);
  const double rr = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
  double c = (nx * r[0] + ny * r[1]) / (nn * rr);
  c = std::clamp(c, -1.0, 1.0);
  double u = std::acos(c);
  if (r[2] < 0) u = 2.0 * std::numbers::pi - u;
  return u / (2.0 * std::numbers::pi);
}

double fraction_at(const orbit::Sgp4Propagator& sat, double tsince_min, const orbit::Tle& tle) {
  orbit::StateVector s;
  const orbit::Sgp4Error e = sat.propagate(tsince_min, s);
  if (e != orbit::Sgp4Error::none) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", tsince_min);
    throw Error(ErrorCode::input_invalid,
                located("<tle>", tle.source_line, std::to_string(tle.catalog_number),
                        std::string("SGP4 failed at ") + buf + " min from epoch: " + orbit::to_string(e)));
  }
  return argument_of_latitude_fraction(s);
}

}  // namespace

std::string satellite_for_catalog(long catalog_number) {
  for (const SatelliteInfo& s : k_satellites)
    if (s.catalog == catalog_number) return s.name;
  return "";
}

long catalog_for_satellite(std::string_view satellite) {
  return info_for(satellite).catalog;
}

std::optional<int> relative_orbit_esa(std::string_view satellite, long absolute_orbit) {
  const std::optional<long> offset = info_for(satellite).esa_offset;
  if (!offset) return std::nullopt;
  long m = (absolute_orbit - *offset) % 143;
  if (m < 0) m += 143;
  return static_cast<int>(m) + 1;
}

int relative_orbit_from_node(double ascending_node_lon_deg) {
  // Track k = relative − 1 has its node at r001 − k · 3600/143 (mod 360): k · 10 ≡ steps
  // (mod 143), where steps counts 360/143° westward; 10⁻¹ ≡ 43 (mod 143).
  const double west = r001_node_lon_deg - ascending_node_lon_deg;
  long steps = std::lround(west * 143.0 / 360.0) % 143;
  if (steps < 0) steps += 143;
  return static_cast<int>((steps * 43) % 143) + 1;
}

long revolution_at(const orbit::Tle& tle, UtcTime time) {
  const orbit::Sgp4Propagator sat(tle);
  // Nodal revolutions per day, measured over the first day after epoch (the mean motion is
  // anomalistic; the nodal period differs by the perigee's drift).
  const double f0 = fraction_at(sat, 0.0, tle);
  const double f1 = fraction_at(sat, 1440.0, tle);
  const double whole = std::round(tle.mean_motion_rev_day - (f1 - f0));
  const double nodal_rev_day = whole + f1 - f0;
  const double days = days_between(tle.epoch(), time);
  const double ft = fraction_at(sat, days * 1440.0, tle);
  // (ft - f0) + K = elapsed revolutions; K counts the ascending nodes crossed.
  const long crossings = std::lround(nodal_rev_day * days - ft + f0);
  return tle.revolution_number + crossings;
}

std::vector<SatelliteElements> select_elements(const std::vector<orbit::Tle>& sets,
                                               const std::vector<std::string>& satellites, UtcTime start, UtcTime end,
                                               std::vector<std::string>& warnings, double stale_days) {
  std::vector<SatelliteElements> out;
  const UtcTime middle = start + (end - start) / 2;
  for (const std::string& name : satellites) {
    const long catalog = catalog_for_satellite(name);
    const orbit::Tle* best = nullptr;
    double best_gap = std::numeric_limits<double>::infinity();
    for (const orbit::Tle& t : sets) {
      if (t.catalog_number != catalog) continue;
      const double gap = std::abs(days_between(t.epoch(), middle));
      if (gap < best_gap) {
        best_gap = gap;
        best = &t;
      }
    }
    if (best == nullptr)
      throw Error(ErrorCode::input_invalid,
                  "tle: no element set for " + name + " (catalogue number " + std::to_string(catalog) + ")");
    const UtcTime epoch = best->epoch();
    const double before = days_between(epoch, start);  // epoch before the window
    const double after = days_between(end, epoch);     // epoch after the window
    const double outside = std::max(before, after);
    if (outside > stale_days) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "%s: element set of %s (line %ld) is %.1f days from the window (more than %.0f): "
                    "predictions drift, fetch fresher TLEs",
                    name.c_str(), format_iso8601(epoch, 0).c_str(), best->source_line, outside, stale_days);
      warnings.emplace_back(buf);
      spdlog::warn("{}", buf);
    }
    out.push_back({name, *best});
  }
  return out;
}

}  // namespace shipchips::plan
