#include "plan/esa_plan_planner.hpp"

#include "core/error.hpp"
#include "geo/s2_grid.hpp"
#include "orbit/sun.hpp"

#include <geos_c.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <sstream>

namespace shipchips::plan {
namespace {

constexpr double deg = std::numbers::pi / 180.0;
using Vec3 = std::array<double, 3>;

Vec3 unit(double lon, double lat) {
  return {std::cos(lat * deg) * std::cos(lon * deg), std::cos(lat * deg) * std::sin(lon * deg), std::sin(lat * deg)};
}
double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 normalized(Vec3 v) {
  const double n = std::sqrt(dot(v, v));
  if (n > 0)
    for (auto& x : v) x /= n;
  return v;
}
double angle(const Vec3& a, const Vec3& b) {
  return std::atan2(std::sqrt(dot(cross(a, b), cross(a, b))), dot(a, b));
}

geo::Ring open_ring(const geo::Ring& ring) {
  geo::Ring r = ring;
  if (r.size() > 1 && r.front().lon == r.back().lon && r.front().lat == r.back().lat) r.pop_back();
  return r;
}

// The along-track centre line of an ESA swath ring (see the header for the layout).
std::vector<Vec3> centre_line(const geo::Ring& ring) {
  const geo::Ring p = open_ring(ring);
  const std::size_t n = p.size();
  std::vector<Vec3> line;
  if (n >= 4 && n % 2 == 0) {
    line.push_back(unit(p[0].lon, p[0].lat));
    for (std::size_t i = 1; i < n / 2; ++i)
      line.push_back(normalized([&] {
        const auto a = unit(p[i].lon, p[i].lat);
        const auto b = unit(p[n - i].lon, p[n - i].lat);
        return Vec3{a[0] + b[0], a[1] + b[1], a[2] + b[2]};
      }()));
    line.push_back(unit(p[n / 2].lon, p[n / 2].lat));
  } else if (!p.empty()) {
    const auto a = unit(p[0].lon, p[0].lat);
    Vec3 far = a;
    for (const auto& q : p)
      if (angle(a, unit(q.lon, q.lat)) > angle(a, far)) far = unit(q.lon, q.lat);
    line = {a, far};
  }
  return line;
}

double fraction_on_line(const std::vector<Vec3>& line, const Vec3& point) {
  if (line.size() < 2) return 0.0;
  double total = 0.0;
  std::vector<double> cum{0.0};
  for (std::size_t i = 1; i < line.size(); ++i) cum.push_back(total += angle(line[i - 1], line[i]));
  if (total <= 0) return 0.0;
  double best_dist = std::numeric_limits<double>::infinity();
  double best_s = 0.0;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const auto& a = line[i];
    const auto& b = line[i + 1];
    const double ab = cum[i + 1] - cum[i];
    if (ab <= 0) continue;
    const Vec3 nrm = normalized(cross(a, b));
    const double h = dot(point, nrm);
    const Vec3 proj{point[0] - h * nrm[0], point[1] - h * nrm[1], point[2] - h * nrm[2]};
    double theta = std::atan2(dot(cross(a, proj), nrm), dot(a, proj));
    theta = std::clamp(theta, 0.0, ab);
    const double c = std::cos(theta), s = std::sin(theta);
    const Vec3 t = cross(nrm, a);  // unit tangent at a towards b
    const Vec3 on{c * a[0] + s * t[0], c * a[1] + s * t[1], c * a[2] + s * t[2]};
    const double dist = angle(point, on);
    if (dist < best_dist) {
      best_dist = dist;
      best_s = (cum[i] + theta) / total;
    }
  }
  return best_s;
}

// Mean ground speed of the swath centre in ESA plans: a least-squares fit over the 60
// s+ datatakes of the 2019 reference plan gives length = 6.7236 km/s * duration - 22.5 km.
constexpr double kGroundSpeedKmPerS = 6.7236;
constexpr double kEarthRadiusKm = 6371.0088;

double line_length_km(const std::vector<Vec3>& line) {
  double total = 0.0;
  for (std::size_t i = 1; i < line.size(); ++i) total += angle(line[i - 1], line[i]);
  return total * kEarthRadiusKm;
}

double wrap_near(double lon, double ref) {
  while (lon - ref > 180.0) lon -= 360.0;
  while (lon - ref < -180.0) lon += 360.0;
  return lon;
}

struct Geos {
  GEOSContextHandle_t ctx = GEOS_init_r();
  std::string last_error;
  Geos() {
    GEOSContext_setErrorMessageHandler_r(
        ctx, [](const char* m, void* u) { *static_cast<std::string*>(u) = m ? m : ""; }, &last_error);
  }
  ~Geos() { GEOS_finish_r(ctx); }
  Geos(const Geos&) = delete;
  Geos& operator=(const Geos&) = delete;
};

struct GeomDeleter {
  GEOSContextHandle_t ctx;
  void operator()(GEOSGeometry* g) const {
    if (g) GEOSGeom_destroy_r(ctx, g);
  }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

// A closed lon/lat polygon (ring already unwrapped by the caller).
GeomPtr make_polygon(Geos& g, const geo::Ring& ring) {
  geo::Ring r = open_ring(ring);
  r.push_back(r.front());
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(g.ctx, static_cast<unsigned>(r.size()), 2);
  for (unsigned i = 0; i < r.size(); ++i) GEOSCoordSeq_setXY_r(g.ctx, seq, i, r[i].lon, r[i].lat);
  GEOSGeometry* shell = GEOSGeom_createLinearRing_r(g.ctx, seq);
  GEOSGeometry* poly = shell ? GEOSGeom_createPolygon_r(g.ctx, shell, nullptr, 0) : nullptr;
  if (!poly) throw Error(ErrorCode::internal, "GEOS polygon: " + g.last_error);
  if (GEOSisValid_r(g.ctx, poly) != 1) {
    GEOSGeometry* valid = GEOSMakeValid_r(g.ctx, poly);
    GEOSGeom_destroy_r(g.ctx, poly);
    poly = valid;
    if (!poly) throw Error(ErrorCode::internal, "GEOS make valid: " + g.last_error);
  }
  return GeomPtr(poly, GeomDeleter{g.ctx});
}

// Visits every exterior and interior ring of the polygons in a geometry.
template <class F>
void for_each_ring(Geos& g, const GEOSGeometry* geom, F&& f) {
  const int type = GEOSGeomTypeId_r(g.ctx, geom);
  if (type == GEOS_POLYGON) {
    f(GEOSGetExteriorRing_r(g.ctx, geom), false);
    const int holes = GEOSGetNumInteriorRings_r(g.ctx, geom);
    for (int i = 0; i < holes; ++i) f(GEOSGetInteriorRingN_r(g.ctx, geom, i), true);
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(g.ctx, geom);
    for (int i = 0; i < n; ++i) for_each_ring(g, GEOSGetGeometryN_r(g.ctx, geom, i), f);
  }
}

template <class F>
void for_each_vertex(Geos& g, const GEOSGeometry* ring, F&& f) {
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(g.ctx, ring);
  unsigned size = 0;
  GEOSCoordSeq_getSize_r(g.ctx, seq, &size);
  for (unsigned i = 0; i < size; ++i) {
    double x = 0, y = 0;
    GEOSCoordSeq_getXY_r(g.ctx, seq, i, &x, &y);
    f(x, y);
  }
}

// Area in the tile's UTM plane (square metres): shoelace over projected vertices.
double utm_area(Geos& g, const GEOSGeometry* geom, const geo::S2Tile& tile) {
  double area = 0.0;
  for_each_ring(g, geom, [&](const GEOSGeometry* ring, bool hole) {
    std::vector<geo::UtmXY> pts;
    for_each_vertex(g, ring,
                    [&](double x, double y) { pts.push_back(geo::lonlat_to_utm(tile.utm_zone, tile.north, x, y)); });
    double twice = 0.0;
    for (std::size_t i = 0; i + 1 < pts.size(); ++i) twice += pts[i].x * pts[i + 1].y - pts[i + 1].x * pts[i].y;
    area += (hole ? -1.0 : 1.0) * std::abs(twice) / 2.0;
  });
  return area;
}

struct Pass {
  std::string satellite;
  long orbit_absolute = 0;
  int orbit_relative = 0;
  UtcTime enter = UtcTime::max();
  UtcTime leave = UtcTime::min();
  std::vector<GeomPtr> pieces;
};

}  // namespace

bool is_imaging_datatake(const Datatake& d, const EsaPlanOptions& options) {
  if (options.skip_not_recording && d.timeliness == "NOT_RECORDING") return false;
  return std::find(options.imaging_modes.begin(), options.imaging_modes.end(), d.mode) != options.imaging_modes.end();
}

double along_track_fraction(const geo::Ring& swath, double lon, double lat) {
  return fraction_on_line(centre_line(swath), unit(lon, lat));
}

std::vector<OverpassWindow> plan_from_datatakes(const std::vector<Datatake>& datatakes,
                                                const std::vector<std::string>& tiles, int window_minutes) {
  return plan_from_datatakes(datatakes, tiles, window_minutes, EsaPlanOptions{});
}

std::vector<OverpassWindow> plan_from_datatakes(const std::vector<Datatake>& datatakes,
                                                const std::vector<std::string>& tiles, int window_minutes,
                                                const EsaPlanOptions& options) {
  if (window_minutes < 0) throw Error(ErrorCode::invalid_argument, "overpass window minutes must be >= 0");
  Geos g;
  // Pre-compute per swath: centre line, and the ring unwrapped into a continuous longitude
  // range (skipping rings around a pole, which S2 never images: its swaths end near 83°).
  struct Swath {
    const Datatake* take;
    geo::Ring ring;  // continuous longitudes
    std::vector<Vec3> line;
    double west, east, south, north;
    GeomPtr geometry;  // the ring as written (no longitude shift), built once
  };
  std::vector<Swath> swaths;
  for (const auto& d : datatakes) {
    if (!is_imaging_datatake(d, options)) continue;
    for (const auto& ring : d.swaths) {
      Swath s{&d, open_ring(ring), centre_line(ring), 0, 0, 0, 0, GeomPtr(nullptr, GeomDeleter{g.ctx})};
      for (std::size_t i = 1; i < s.ring.size(); ++i) s.ring[i].lon = wrap_near(s.ring[i].lon, s.ring[i - 1].lon);
      if (std::abs(wrap_near(s.ring.front().lon, s.ring.back().lon) - s.ring.front().lon) > 1e-9) continue;
      s.west = s.south = std::numeric_limits<double>::infinity();
      s.east = s.north = -std::numeric_limits<double>::infinity();
      for (const auto& p : s.ring) {
        s.west = std::min(s.west, p.lon), s.east = std::max(s.east, p.lon);
        s.south = std::min(s.south, p.lat), s.north = std::max(s.north, p.lat);
      }
      s.geometry = make_polygon(g, s.ring);
      swaths.push_back(std::move(s));
    }
  }

  std::vector<OverpassWindow> out;
  for (const auto& id : tiles) {
    const geo::S2Tile tile = geo::s2_tile(id);
    const geo::LonLat centre =
        geo::utm_to_lonlat(tile.utm_zone, tile.north, tile.xmin + tile.extent_m / 2, tile.ymin + tile.extent_m / 2);
    geo::Ring foot = geo::s2_tile_footprint(tile);
    for (auto& p : foot) p.lon = wrap_near(p.lon, centre.lon);
    const auto fb = geo::ring_bbox(foot);
    GeomPtr footprint = make_polygon(g, foot);
    const double tile_area = utm_area(g, footprint.get(), tile);
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(g.ctx, footprint.get());
    std::map<std::pair<std::string, long>, Pass> passes;
    for (const auto& s : swaths) {
      if (s.south > fb.north || s.north < fb.south) continue;
      // Shift the whole swath by a multiple of 360° so its middle is nearest the tile.
      const double mid = (s.west + s.east) / 2;
      const double shift = wrap_near(mid, centre.lon) - mid;
      if (s.west + shift > fb.east || s.east + shift < fb.west) continue;
      GeomPtr shifted(nullptr, GeomDeleter{g.ctx});
      if (shift != 0.0) {
        geo::Ring ring = s.ring;
        for (auto& p : ring) p.lon += shift;
        shifted = make_polygon(g, ring);
      }
      const GEOSGeometry* swath = shift != 0.0 ? shifted.get() : s.geometry.get();
      if (GEOSPreparedIntersects_r(g.ctx, prepared, swath) != 1) continue;
      GeomPtr piece(GEOSIntersection_r(g.ctx, footprint.get(), swath), GeomDeleter{g.ctx});
      if (!piece) throw Error(ErrorCode::internal, "GEOS intersection: " + g.last_error);
      if (utm_area(g, piece.get(), tile) / tile_area < options.min_coverage) continue;
      double s_min = 1.0, s_max = 0.0;
      for_each_ring(g, piece.get(), [&](const GEOSGeometry* r, bool) {
        for_each_vertex(g, r, [&](double x, double y) {
          const double f = fraction_on_line(s.line, unit(x, y));
          s_min = std::min(s_min, f), s_max = std::max(s_max, f);
        });
      });
      // The observation time runs a little longer than the polygon (see the header): the
      // polygon is placed in the middle of [start, stop] and time runs linearly along it.
      const double span_us = static_cast<double>((s.take->stop - s.take->start).count());
      const double imaged_us = std::min(span_us, line_length_km(s.line) / kGroundSpeedKmPerS * 1e6);
      const double margin_us = (span_us - imaged_us) / 2;
      const auto at = [&](double f) {
        return s.take->start + std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::duration<double, std::micro>(margin_us + imaged_us * f));
      };
      Pass& pass = passes[{s.take->satellite, s.take->orbit_absolute}];
      pass.satellite = s.take->satellite;
      pass.orbit_absolute = s.take->orbit_absolute;
      pass.orbit_relative = s.take->orbit_relative;
      pass.enter = std::min(pass.enter, at(s_min));
      pass.leave = std::max(pass.leave, at(s_max));
      pass.pieces.push_back(std::move(piece));
    }
    GEOSPreparedGeom_destroy_r(g.ctx, prepared);

    for (auto& [key, pass] : passes) {
      double area = 0.0;
      if (pass.pieces.size() == 1) {
        area = utm_area(g, pass.pieces.front().get(), tile);
      } else {
        std::vector<GEOSGeometry*> raw;
        for (auto& p : pass.pieces) raw.push_back(p.release());
        GeomPtr all(
            GEOSGeom_createCollection_r(g.ctx, GEOS_GEOMETRYCOLLECTION, raw.data(), static_cast<unsigned>(raw.size())),
            GeomDeleter{g.ctx});
        GeomPtr merged(GEOSUnaryUnion_r(g.ctx, all.get()), GeomDeleter{g.ctx});
        if (!merged) throw Error(ErrorCode::internal, "GEOS union: " + g.last_error);
        area = utm_area(g, merged.get(), tile);
      }
      OverpassWindow w;
      w.tile_id = tile.id;
      w.satellite = pass.satellite;
      w.start = pass.enter - std::chrono::minutes(window_minutes);
      w.end = pass.leave + std::chrono::minutes(window_minutes);
      w.relative_orbit = pass.orbit_relative;
      w.absolute_orbit = pass.orbit_absolute;
      w.coverage = std::clamp(area / tile_area, 0.0, 1.0);
      w.sun_elevation_deg =
          orbit::sun_elevation_deg(pass.enter + (pass.leave - pass.enter) / 2, centre.lon, centre.lat);
      w.source = "esa_plan";
      out.push_back(std::move(w));
    }
  }
  std::sort(out.begin(), out.end(), [](const OverpassWindow& a, const OverpassWindow& b) {
    return std::tie(a.start, a.tile_id, a.satellite) < std::tie(b.start, b.tile_id, b.satellite);
  });
  return out;
}

std::vector<OrbitPair> orbit_pairs(const std::vector<Datatake>& datatakes) {
  std::vector<OrbitPair> pairs;
  for (const auto& d : datatakes) pairs.push_back({d.satellite, d.orbit_absolute, d.orbit_relative});
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

std::string orbit_pairs_csv(const std::vector<OrbitPair>& pairs) {
  std::ostringstream out;
  out << "satellite,orbit_absolute,orbit_relative\n";
  for (const auto& p : pairs) out << p.satellite << ',' << p.orbit_absolute << ',' << p.orbit_relative << '\n';
  return out.str();
}

}  // namespace shipchips::plan
