// Pass prediction: propagation grid, tile search and refinement (see passes.hpp for the model).
#include "plan/passes.hpp"

#include "core/error.hpp"
#include "orbit/frames.hpp"
#include "orbit/sgp4.hpp"
#include "orbit/sun.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <thread>

namespace shipchips::plan {
namespace {

using Vec3 = std::array<double, 3>;
constexpr double deg = std::numbers::pi / 180.0;

Vec3 sub(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
double norm(const Vec3& a) {
  return std::sqrt(dot(a, a));
}
Vec3 scale(const Vec3& a, double k) {
  return {a[0] * k, a[1] * k, a[2] * k};
}
Vec3 unit(const Vec3& a) {
  return scale(a, 1.0 / norm(a));
}
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

// WGS-84.
constexpr double k_a = 6378.137;
constexpr double k_f = 1.0 / 298.257223563;
constexpr double k_b = k_a * (1.0 - k_f);
constexpr double k_e2 = k_f * (2.0 - k_f);
constexpr double k_ep2 = k_e2 / (1.0 - k_e2);

// Sub-satellite point on the ellipsoid (the foot of the geodetic normal through r), from
// Bowring's formula: one step, error far below a metre up to 1,000 km height, and no trig.
Vec3 subpoint(const Vec3& r) {
  // sqrt of sums rather than std::hypot: no overflow is possible at these magnitudes, and
  // this runs tens of millions of times in a world-wide plan.
  const double p = std::sqrt(r[0] * r[0] + r[1] * r[1]);
  const double za = r[2] * k_a, pb = p * k_b;
  const double hyp = std::sqrt(za * za + pb * pb);
  const double st = za / hyp, ct = pb / hyp;
  const double num = r[2] + k_ep2 * k_b * st * st * st;
  const double den = p - k_e2 * k_a * ct * ct * ct;
  const double h = std::sqrt(num * num + den * den);
  const double sphi = num / h, cphi = den / h;
  const double n = k_a / std::sqrt(1.0 - k_e2 * sphi * sphi);
  const double cl = p > 0 ? r[0] / p : 1.0, sl = p > 0 ? r[1] / p : 0.0;
  return {n * cphi * cl, n * cphi * sl, n * (1.0 - k_e2) * sphi};
}

struct Step {
  Vec3 r{}, v{};    // Earth-fixed position (km) and velocity (km/s)
  Vec3 sub_unit{};  // direction of the sub-satellite point
  long rev = 0;
  bool descending = false;
};

struct Track {
  std::size_t sat = 0;
  double t0 = 0.0;    // seconds from options.start of step 0
  double step = 0.0;  // seconds
  std::vector<Step> steps;
  long first_rev = 0;
  std::vector<double>
      anx_lon_deg;  // longitude of the ascending node starting revolution first_rev + k (NaN: before the grid)

  // Cubic Hermite interpolation of the Earth-fixed position (position + velocity at both ends).
  Vec3 position(double t) const {
    double x = (t - t0) / step;
    auto i = static_cast<std::ptrdiff_t>(std::floor(x));
    i = std::clamp<std::ptrdiff_t>(i, 0, static_cast<std::ptrdiff_t>(steps.size()) - 2);
    const double s = x - static_cast<double>(i);
    const Step& p0 = steps[static_cast<std::size_t>(i)];
    const Step& p1 = steps[static_cast<std::size_t>(i) + 1];
    const double s2 = s * s, s3 = s2 * s;
    const double h00 = 2 * s3 - 3 * s2 + 1, h10 = (s3 - 2 * s2 + s) * step, h01 = -2 * s3 + 3 * s2,
                 h11 = (s3 - s2) * step;
    Vec3 out;
    for (int k = 0; k < 3; ++k) out[k] = h00 * p0.r[k] + h10 * p0.v[k] + h01 * p1.r[k] + h11 * p1.v[k];
    return out;
  }
};

UtcTime at(UtcTime start, double seconds) {
  return start + std::chrono::microseconds(std::llround(seconds * 1e6));
}

Track propagate_track(std::size_t sat_index, const SatelliteElements& sat, const PassOptions& o) {
  const orbit::Sgp4Propagator prop(sat.tle);
  Track tr;
  tr.sat = sat_index;
  tr.step = o.step_s;
  const double span = std::chrono::duration<double>(o.end - o.start).count();
  // One revolution (~101 min) more before the window, so the ascending node that starts the
  // first revolution in the window (which fixes its relative orbit) is on the grid.
  const double pad = 3.0 * o.step_s;
  const double lead = 110.0 * 60.0;
  tr.t0 = -pad - lead;
  const auto n = static_cast<std::size_t>(std::ceil((span + 2 * pad + lead) / o.step_s)) + 1;
  tr.steps.resize(n);
  const double tsince0 = prop.minutes_since_epoch(o.start);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = tr.t0 + static_cast<double>(i) * o.step_s;
    orbit::StateVector teme;
    const orbit::Sgp4Error e = prop.propagate(tsince0 + t / 60.0, teme);
    if (e != orbit::Sgp4Error::none)
      throw Error(ErrorCode::input_invalid, located("<tle>", sat.tle.source_line, sat.satellite,
                                                    std::string("SGP4 failed at ") + format_iso8601(at(o.start, t), 0) +
                                                        ": " + orbit::to_string(e)));
    const orbit::EcefState ecef = orbit::teme_to_ecef(teme, at(o.start, t));
    Step& s = tr.steps[i];
    s.r = ecef.r_km;
    s.v = ecef.v_km_s;
    s.sub_unit = unit(subpoint(s.r));
  }
  long rev = revolution_at(sat.tle, at(o.start, tr.t0));
  tr.first_rev = rev;
  tr.anx_lon_deg.push_back(std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && tr.steps[i - 1].r[2] < 0.0 && tr.steps[i].r[2] >= 0.0) {  // ascending node
      ++rev;
      // Bisection for z = 0 on the interpolated orbit, then the node's longitude.
      double a = tr.t0 + static_cast<double>(i - 1) * o.step_s, b = a + o.step_s;
      for (int it = 0; it < 40; ++it) {
        const double m = 0.5 * (a + b);
        (tr.position(m)[2] < 0.0 ? a : b) = m;
      }
      const Vec3 node = tr.position(0.5 * (a + b));
      tr.anx_lon_deg.push_back(std::atan2(node[1], node[0]) / deg);
    }
    tr.steps[i].rev = rev;
  }
  // Descending arcs, one step wider each side so a closest approach at the apex is searched.
  for (std::size_t i = 0; i < n; ++i) {
    bool d = tr.steps[i].v[2] < 0.0;
    if (i > 0) d = d || tr.steps[i - 1].v[2] < 0.0;
    if (i + 1 < n) d = d || tr.steps[i + 1].v[2] < 0.0;
    tr.steps[i].descending = d;
  }
  return tr;
}

// Tiles bucketed by centre in 1° × 1° cells.
struct TileIndex {
  static constexpr int n_lat = 180, n_lon = 360;
  std::vector<std::vector<std::uint32_t>> cells;
  std::vector<Vec3> centre_unit;
  double max_radius_rad = 0.0;

  explicit TileIndex(const std::vector<TileGeometry>& tiles) : cells(n_lat * n_lon) {
    centre_unit.reserve(tiles.size());
    for (std::uint32_t k = 0; k < tiles.size(); ++k) {
      const TileGeometry& g = tiles[k];
      centre_unit.push_back(unit(g.centre_ecef_km));
      max_radius_rad = std::max(max_radius_rad, g.radius_rad);
      cells[cell(g.centre_lat_deg, g.centre_lon_deg)].push_back(k);
    }
  }
  static int lat_cell(double lat) { return std::clamp(static_cast<int>(std::floor(lat + 90.0)), 0, n_lat - 1); }
  static int lon_cell(double lon) {
    int c = static_cast<int>(std::floor(lon + 180.0)) % n_lon;
    return c < 0 ? c + n_lon : c;
  }
  static std::size_t cell(double lat, double lon) {
    return static_cast<std::size_t>(lat_cell(lat)) * n_lon + static_cast<std::size_t>(lon_cell(lon));
  }
};

struct Candidate {
  std::uint32_t tile = 0;
  std::uint32_t track = 0;
  long rev = 0;
  std::size_t step = 0;
  double dot = -2.0;  // cosine of the angle step ↔ tile centre
};

// Swath half-width (central angle, rad) at local radius R and height h.
double swath_half_angle(double radius_km, double height_km, double off_nadir_rad) {
  const double s = (radius_km + height_km) / radius_km * std::sin(off_nadir_rad);
  return std::asin(std::min(s, 1.0)) - off_nadir_rad;
}

void search_chunk(const Track& tr, std::uint32_t track_index, std::size_t begin, std::size_t end,
                  const TileIndex& index, double reach_rad, std::vector<Candidate>& out) {
  std::vector<std::int64_t> last(index.centre_unit.size(), -1);
  const double reach_deg = reach_rad / deg + 0.25;  // + geodetic/geocentric latitude gap
  const double cos_reach = std::cos(reach_rad);
  for (std::size_t i = begin; i < end; ++i) {
    const Step& s = tr.steps[i];
    if (!s.descending) continue;
    const Vec3& u = s.sub_unit;
    const double lat = std::asin(std::clamp(u[2], -1.0, 1.0)) / deg;
    const double lon = std::atan2(u[1], u[0]) / deg;
    const int la0 = TileIndex::lat_cell(lat - reach_deg), la1 = TileIndex::lat_cell(lat + reach_deg);
    const double worst_lat = std::min(89.9, std::max(std::abs(lat - reach_deg), std::abs(lat + reach_deg)));
    const double dlon = reach_deg / std::cos(worst_lat * deg) + 1.0;
    const bool all_lon = dlon >= 180.0;
    const int lo0 = all_lon ? 0 : static_cast<int>(std::floor(lon - dlon + 180.0));
    const int lo1 = all_lon ? TileIndex::n_lon - 1 : static_cast<int>(std::floor(lon + dlon + 180.0));
    for (int la = la0; la <= la1; ++la) {
      for (int lo = lo0; lo <= lo1; ++lo) {
        const int wrapped = ((lo % TileIndex::n_lon) + TileIndex::n_lon) % TileIndex::n_lon;
        for (const std::uint32_t k :
             index.cells[static_cast<std::size_t>(la) * TileIndex::n_lon + static_cast<std::size_t>(wrapped)]) {
          const double c = dot(u, index.centre_unit[k]);
          if (c < cos_reach) continue;
          const std::int64_t j = last[k];
          if (j >= 0 && out[static_cast<std::size_t>(j)].rev == s.rev) {
            Candidate& cand = out[static_cast<std::size_t>(j)];
            if (c > cand.dot) {
              cand.dot = c;
              cand.step = i;
            }
          } else {
            last[k] = static_cast<std::int64_t>(out.size());
            out.push_back({k, track_index, s.rev, i, c});
          }
        }
      }
    }
  }
}

std::optional<PredictedPass> refine(const Candidate& cand, const Track& tr, const SatelliteElements& sat,
                                    const TileGeometry& tile, const PassOptions& o) {
  const Vec3& centre = tile.centre_ecef_km;
  auto dist2 = [&](double t) {
    const Vec3 d = sub(subpoint(tr.position(t)), centre);
    return dot(d, d);
  };
  const double tc_grid = tr.t0 + static_cast<double>(cand.step) * tr.step;
  double a = tc_grid - tr.step, b = tc_grid + tr.step;
  constexpr double g = 0.6180339887498949;
  double x1 = b - g * (b - a), x2 = a + g * (b - a);
  double f1 = dist2(x1), f2 = dist2(x2);
  while (b - a > 1e-4) {
    if (f1 < f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = dist2(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = dist2(x2);
    }
  }
  const double tc = 0.5 * (a + b);
  const double span = std::chrono::duration<double>(o.end - o.start).count();
  if (tc < 0.0 || tc >= span) return std::nullopt;

  const Vec3 r = tr.position(tc);
  const Vec3 s = subpoint(r);
  const Vec3 ds = sub(subpoint(tr.position(tc + 0.5)), subpoint(tr.position(tc - 0.5)));  // km per s
  if (ds[2] > 0.0) return std::nullopt;  // ascending at closest approach

  const UtcTime when = at(o.start, tc);
  const double sun = orbit::sun_elevation_deg(when, tile.centre_lon_deg, tile.centre_lat_deg);
  if (sun < o.min_sun_elevation_deg) return std::nullopt;

  const double radius = norm(s);
  const double lambda = swath_half_angle(radius, norm(r) - radius, o.off_nadir_deg * deg);
  const Vec3 su = scale(s, 1.0 / radius);
  const Vec3 along = sub(ds, scale(su, dot(ds, su)));
  const double rate = norm(along) / radius;  // rad/s of the sub-satellite point
  const Vec3 gu = unit(along);
  const Vec3 nu = cross(su, gu);

  const double sin_lambda = std::sin(lambda);
  const int n = std::max(2, o.samples_per_side);
  int covered = 0;
  double first = 0.0, last = 0.0;
  const auto& c = tile.corner_unit;
  for (int i = 0; i < n; ++i) {
    const double u = static_cast<double>(i) / (n - 1);
    for (int j = 0; j < n; ++j) {
      const double w = static_cast<double>(j) / (n - 1);
      Vec3 p;
      for (int k = 0; k < 3; ++k)
        p[k] = (1 - u) * (1 - w) * c[0][k] + u * (1 - w) * c[1][k] + u * w * c[2][k] + (1 - u) * w * c[3][k];
      p = unit(p);
      if (std::abs(dot(p, nu)) > sin_lambda) continue;  // cross-track angle beyond the swath
      const double dt = std::atan2(dot(p, gu), dot(p, su)) / rate;
      if (covered == 0 || dt < first) first = dt;
      if (covered == 0 || dt > last) last = dt;
      ++covered;
    }
  }
  if (covered == 0) return std::nullopt;

  PredictedPass pass;
  pass.closest_approach = when;
  pass.swath_enter = at(o.start, tc + first);
  pass.swath_leave = at(o.start, tc + last);
  pass.centre_distance_km = std::sqrt(dist2(tc));
  pass.cross_track_km = std::asin(std::clamp(dot(unit(centre), nu), -1.0, 1.0)) * radius;
  pass.swath_half_width_km = lambda * radius;
  OverpassWindow& wnd = pass.window;
  wnd.tile_id = tile.id;
  wnd.satellite = sat.satellite;
  wnd.start = pass.swath_enter - std::chrono::minutes(o.window_minutes);
  wnd.end = pass.swath_leave + std::chrono::minutes(o.window_minutes);
  const long rev = tr.steps[cand.step].rev;
  pass.ascending_node_lon_deg = tr.anx_lon_deg[static_cast<std::size_t>(rev - tr.first_rev)];
  wnd.absolute_orbit = rev;
  if (std::isfinite(pass.ascending_node_lon_deg))
    wnd.relative_orbit = relative_orbit_from_node(pass.ascending_node_lon_deg);
  wnd.coverage = static_cast<double>(covered) / (n * n);
  wnd.sun_elevation_deg = std::round(sun * 100.0) / 100.0;
  wnd.source = o.source;
  return pass;
}

template <class Fn>
void parallel_for(int threads, std::size_t count, Fn fn) {
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  if (workers == 1 || count < 2) {
    fn(std::size_t{0}, std::size_t{0}, count);
    return;
  }
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w)
    pool.emplace_back([&, w] { fn(w, count * w / workers, count * (w + 1) / workers); });
  for (auto& t : pool) t.join();
}

}  // namespace

std::vector<PredictedPass> predict_passes(const std::vector<SatelliteElements>& satellites,
                                          const std::vector<TileGeometry>& tiles, const PassOptions& o) {
  if (!(o.end > o.start)) throw Error(ErrorCode::invalid_argument, "passes: the window end must be after its start");
  if (!(o.step_s > 0.0 && o.step_s <= 60.0))
    throw Error(ErrorCode::invalid_argument, "passes: step_s must be in (0, 60] seconds");
  if (satellites.empty() || tiles.empty()) return {};

  std::vector<Track> tracks(satellites.size());
  parallel_for(o.threads, satellites.size(), [&](std::size_t, std::size_t b, std::size_t e) {
    for (std::size_t k = b; k < e; ++k) tracks[k] = propagate_track(k, satellites[k], o);
  });

  const TileIndex index(tiles);
  // Reach: swath at the highest Sentinel-2 altitude (~810 km, generous 850), tile radius and
  // half a step of ground motion (≤ 1.2e-3 rad/s with the Earth's rotation).
  const double reach =
      swath_half_angle(k_b, 850.0, o.off_nadir_deg * deg) + index.max_radius_rad + 0.5 * o.step_s * 1.2e-3 + 0.002;

  // Chunks: every track cut in `threads` pieces; a revolution cut in two gives two candidates
  // that the merge below folds into the better one.
  struct Chunk {
    std::uint32_t track;
    std::size_t begin, end;
  };
  std::vector<Chunk> chunks;
  const auto pieces = static_cast<std::size_t>(std::max(1, o.threads));
  for (std::uint32_t k = 0; k < tracks.size(); ++k) {
    const std::size_t n = tracks[k].steps.size();
    for (std::size_t p = 0; p < pieces; ++p) chunks.push_back({k, n * p / pieces, n * (p + 1) / pieces});
  }
  std::vector<std::vector<Candidate>> found(chunks.size());
  parallel_for(o.threads, chunks.size(), [&](std::size_t, std::size_t b, std::size_t e) {
    for (std::size_t k = b; k < e; ++k)
      search_chunk(tracks[chunks[k].track], chunks[k].track, chunks[k].begin, chunks[k].end, index, reach, found[k]);
  });
  std::vector<Candidate> all;
  for (auto& f : found) all.insert(all.end(), f.begin(), f.end());
  std::sort(all.begin(), all.end(), [](const Candidate& x, const Candidate& y) {
    if (x.tile != y.tile) return x.tile < y.tile;
    if (x.track != y.track) return x.track < y.track;
    if (x.rev != y.rev) return x.rev < y.rev;
    return x.dot > y.dot;
  });
  all.erase(std::unique(all.begin(), all.end(),
                        [](const Candidate& x, const Candidate& y) {
                          return x.tile == y.tile && x.track == y.track && x.rev == y.rev;
                        }),
            all.end());

  std::vector<std::vector<PredictedPass>> results(static_cast<std::size_t>(std::max(1, o.threads)));
  parallel_for(o.threads, all.size(), [&](std::size_t w, std::size_t b, std::size_t e) {
    for (std::size_t k = b; k < e; ++k) {
      const Candidate& c = all[k];
      if (auto p = refine(c, tracks[c.track], satellites[c.track], tiles[c.tile], o))
        results[w].push_back(std::move(*p));
    }
  });
  std::vector<PredictedPass> out;
  for (auto& r : results) out.insert(out.end(), std::make_move_iterator(r.begin()), std::make_move_iterator(r.end()));
  std::sort(out.begin(), out.end(), [](const PredictedPass& x, const PredictedPass& y) {
    if (x.closest_approach != y.closest_approach) return x.closest_approach < y.closest_approach;
    if (x.window.tile_id != y.window.tile_id) return x.window.tile_id < y.window.tile_id;
    return x.window.satellite < y.window.satellite;
  });
  return out;
}

}  // namespace shipchips::plan
