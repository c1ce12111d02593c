#include "ais/synthetic.hpp"

#include "core/error.hpp"

#include <GeographicLib/Geodesic.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>

namespace shipchips::ais {
namespace {

class Random {
 public:
  explicit Random(std::uint64_t seed) : m_engine(seed) {}
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(m_engine); }
  long long integer(long long lo, long long hi) { return std::uniform_int_distribution<long long>(lo, hi)(m_engine); }
  bool chance(double p) { return uniform(0.0, 1.0) < p; }

 private:
  std::mt19937_64 m_engine;
};

double box_width_deg(const BBox& b) {
  return b.max_lon >= b.min_lon ? b.max_lon - b.min_lon : b.max_lon + 360.0 - b.min_lon;
}

double wrap_lon(double lon) {
  while (lon > 180.0) lon -= 360.0;
  while (lon < -180.0) lon += 360.0;
  return lon;
}

bool inside(const BBox& b, double lat, double lon) {
  if (lat < b.min_lat || lat > b.max_lat) return false;
  if (b.max_lon >= b.min_lon) return lon >= b.min_lon && lon <= b.max_lon;
  return lon >= b.min_lon || lon <= b.max_lon;
}

// ITU-R M.1371 Table 1: class A reporting interval by speed; class B CS every 30 s.
double report_interval_s(AisClass cls, double sog_kn) {
  if (cls == AisClass::b) return sog_kn > 2.0 ? 30.0 : 180.0;
  if (sog_kn < 0.1) return 180.0;
  if (sog_kn <= 14.0) return 10.0;
  if (sog_kn <= 23.0) return 6.0;
  return 2.0;
}

// Maritime identification digits of real coastal states, for plausible MMSIs.
constexpr int kMids[] = {209, 211, 219, 224, 227, 232, 235, 244, 245, 246, 255, 257, 265, 266,
                         273, 303, 338, 366, 367, 412, 413, 431, 477, 503, 538, 563, 566, 636};

void check(const SyntheticArea& a) {
  const BBox& b = a.box;
  if (!(a.end > a.start))
    throw Error(ErrorCode::invalid_argument, "synthetic AIS: an area's end is not after its start");
  if (!(b.min_lat >= -90 && b.max_lat <= 90 && b.min_lat < b.max_lat) || std::fabs(b.min_lon) > 180 ||
      std::fabs(b.max_lon) > 180 || box_width_deg(b) <= 0)
    throw Error(ErrorCode::invalid_argument, "synthetic AIS: an area's box is empty or out of range");
}

}  // namespace

SyntheticTraffic synthesize_ais(const SyntheticOptions& options) {
  if (options.ships_per_area < 1)
    throw Error(ErrorCode::invalid_argument, "synthetic AIS: ships_per_area must be >= 1");
  const GeographicLib::Geodesic& geod = GeographicLib::Geodesic::WGS84();
  constexpr double kKnot = 1852.0 / 3600.0;
  SyntheticTraffic out;
  Random rng(options.seed * 0x9e3779b97f4a7c15ULL + 17);
  for (const SyntheticArea& area : options.areas) {
    check(area);
    const BBox& b = area.box;
    const double width = box_width_deg(b);
    for (int s = 0; s < options.ships_per_area; ++s) {
      const AisClass cls = rng.chance(0.7) ? AisClass::a : AisClass::b;
      const std::int64_t mmsi =
          static_cast<std::int64_t>(kMids[rng.integer(0, std::size(kMids) - 1)]) * 1000000 + rng.integer(0, 999999);
      const double speed_kn = cls == AisClass::a ? rng.uniform(6.0, 22.0) : rng.uniform(3.0, 12.0);
      const bool reports_heading = cls == AisClass::a || rng.chance(0.2);
      // Start away from the edges so the first leg has room.
      double lat = b.min_lat + (b.max_lat - b.min_lat) * rng.uniform(0.15, 0.85);
      double lon = wrap_lon(b.min_lon + width * rng.uniform(0.15, 0.85));
      double course = rng.uniform(0.0, 360.0);
      double leg_left_m = rng.uniform(15e3, 60e3);

      StaticData st;
      st.mmsi = mmsi;
      st.name = "SYNTHETIC " + std::to_string(mmsi % 100000);
      st.callsign = "SY" + std::to_string(mmsi % 10000);
      if (cls == AisClass::a) st.imo = 9000000 + (mmsi % 999999);
      st.ship_type = cls == AisClass::a ? static_cast<int>(rng.integer(70, 89)) : (rng.chance(0.5) ? 37 : 36);
      const int length =
          cls == AisClass::a ? static_cast<int>(rng.integer(80, 300)) : static_cast<int>(rng.integer(8, 25));
      const int beam = std::max(3, length / static_cast<int>(rng.integer(5, 8)));
      st.dim_a = static_cast<int>(length * rng.uniform(0.6, 0.8));
      st.dim_b = length - *st.dim_a;
      st.dim_c = beam / 2;
      st.dim_d = beam - *st.dim_c;
      if (cls == AisClass::a) st.draught_m = std::round(rng.uniform(4.0, 14.0) * 10.0) / 10.0;
      st.destination = cls == AisClass::a ? "SYNTHETIC PORT" : "";
      st.source = st.provider = "synthetic";

      // Each ship's first report falls somewhere in its first interval (slots are not aligned).
      UtcTime t = area.start + std::chrono::microseconds(
                                   static_cast<long long>(rng.uniform(0.0, report_interval_s(cls, speed_kn)) * 1e6));
      UtcTime next_static = t;
      while (t < area.end) {
        const double sog = std::max(0.0, speed_kn + rng.uniform(-0.3, 0.3));
        PositionReport p;
        p.mmsi = mmsi;
        p.time = t;
        // Reported to 1e-6° (0.1 m), as feeds print them: short decimals survive every text
        // round trip (CSV, XLSX), so a re-imported snapshot row is an exact duplicate.
        p.lat = std::round(lat * 1e6) / 1e6;
        p.lon = std::round(lon * 1e6) / 1e6;
        p.sog_kn = std::round(sog * 10.0) / 10.0;
        const double cog = std::round(std::fmod(course + 360.0, 360.0) * 10.0) / 10.0;
        p.cog_deg = cog >= 360.0 ? 0.0 : cog;
        if (reports_heading) p.heading_deg = std::fmod(std::round(course + rng.uniform(-2.0, 2.0)) + 360.0, 360.0);
        p.nav_status = cls == AisClass::a ? std::optional<int>(0) : std::nullopt;
        p.ais_class = cls;
        p.source = p.provider = "synthetic";
        out.positions.push_back(p);
        if (t >= next_static) {
          StaticData copy = st;
          copy.time = t;
          out.statics.push_back(copy);
          next_static = t + std::chrono::minutes(6);
        }

        const double dt = report_interval_s(cls, speed_kn) + rng.uniform(-0.5, 0.5);
        double step_m = speed_kn * kKnot * dt;
        // Sail along the leg's geodesic; at its end, turn and start a new leg.
        while (step_m > 0) {
          const double go = std::min(step_m, leg_left_m);
          double lat2 = 0, lon2 = 0, azi2 = 0;
          geod.Direct(lat, lon, course, go, lat2, lon2, azi2);
          lat = lat2;
          lon = wrap_lon(lon2);
          course = std::fmod(azi2 + 360.0, 360.0);
          step_m -= go;
          leg_left_m -= go;
          if (leg_left_m <= 0) {
            leg_left_m = rng.uniform(15e3, 60e3);
            double probe_lat = 0, probe_lon = 0;
            const double turned =
                std::fmod(course + (rng.chance(0.5) ? 1 : -1) * rng.uniform(10.0, 60.0) + 360.0, 360.0);
            geod.Direct(lat, lon, turned, leg_left_m, probe_lat, probe_lon);
            if (inside(b, probe_lat, wrap_lon(probe_lon))) {
              course = turned;
            } else {
              // Head for the box centre instead.
              const double clat = (b.min_lat + b.max_lat) / 2, clon = wrap_lon(b.min_lon + width / 2);
              double s12 = 0, azi1 = 0, azi_end = 0;
              geod.Inverse(lat, lon, clat, clon, s12, azi1, azi_end);
              course = std::fmod(azi1 + 360.0, 360.0);
              leg_left_m = std::max(5e3, s12);
            }
          }
        }
        t += std::chrono::microseconds(static_cast<long long>(dt * 1e6));
      }
    }
  }
  return out;
}

}  // namespace shipchips::ais
