#include "dataset/geoparquet.hpp"

#include "core/error.hpp"
#include "dataset/parquet_encoding.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace shipchips::dataset {

namespace {

constexpr std::uint32_t wkb_type_point = 1;
constexpr std::uint32_t wkb_type_polygon = 3;

void check_finite(const geo::LonLat& p) {
  if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) {
    throw Error(ErrorCode::invalid_argument, "WKB: a coordinate is not a finite number");
  }
}

bool same(const geo::LonLat& a, const geo::LonLat& b) {
  return a.lon == b.lon && a.lat == b.lat;
}

void put_xy(std::string& out, const geo::LonLat& p) {
  parquet::encoding::put_f64(out, p.lon);
  parquet::encoding::put_f64(out, p.lat);
}

}  // namespace

std::string wkb_point(const geo::LonLat& point) {
  check_finite(point);
  std::string out;
  out.push_back('\x01');  // little endian
  parquet::encoding::put_u32(out, wkb_type_point);
  put_xy(out, point);
  return out;
}

std::string wkb_polygon(const geo::Polygon& polygon) {
  if (polygon.empty()) throw Error(ErrorCode::invalid_argument, "WKB: a polygon needs an outer ring");
  std::string out;
  out.push_back('\x01');
  parquet::encoding::put_u32(out, wkb_type_polygon);
  parquet::encoding::put_u32(out, static_cast<std::uint32_t>(polygon.size()));
  for (std::size_t r = 0; r < polygon.size(); ++r) {
    const geo::Ring& ring = polygon[r];
    const bool closed = ring.size() >= 2 && same(ring.front(), ring.back());
    const std::size_t distinct = closed ? ring.size() - 1 : ring.size();
    if (distinct < 3) {
      throw Error(ErrorCode::invalid_argument,
                  "WKB: ring " + std::to_string(r) + " has " + std::to_string(distinct) + " vertices (needs 3)");
    }
    parquet::encoding::put_u32(out, static_cast<std::uint32_t>(distinct + 1));
    for (std::size_t i = 0; i < distinct; ++i) {
      check_finite(ring[i]);
      put_xy(out, ring[i]);
    }
    put_xy(out, ring.front());
  }
  return out;
}

GeoColumn::GeoColumn(std::string name, std::vector<std::string> declared_types)
    : m_name(std::move(name)), m_declared(std::move(declared_types)) {}

void GeoColumn::extend(const geo::LonLat& p) {
  if (!m_bbox) {
    m_bbox = geo::BBox{p.lon, p.lat, p.lon, p.lat};
    return;
  }
  m_bbox->west = std::min(m_bbox->west, p.lon);
  m_bbox->south = std::min(m_bbox->south, p.lat);
  m_bbox->east = std::max(m_bbox->east, p.lon);
  m_bbox->north = std::max(m_bbox->north, p.lat);
}

void GeoColumn::saw_type(std::string_view type) {
  // Declared types are a promise to readers; a geometry outside them would break it.
  if (!m_declared.empty() && std::find(m_declared.begin(), m_declared.end(), type) == m_declared.end()) {
    throw Error(ErrorCode::invalid_argument,
                "GeoParquet column '" + m_name + "': a " + std::string(type) + " is not among its declared types");
  }
  auto it = std::lower_bound(m_seen.begin(), m_seen.end(), type);
  if (it == m_seen.end() || *it != type) m_seen.insert(it, std::string(type));
}

std::string GeoColumn::add_point(const geo::LonLat& point) {
  std::string wkb = wkb_point(point);  // validates before anything is recorded
  saw_type("Point");
  extend(point);
  return wkb;
}

std::string GeoColumn::add_polygon(const geo::Polygon& polygon) {
  std::string wkb = wkb_polygon(polygon);
  saw_type("Polygon");
  for (const geo::Ring& ring : polygon) {
    for (const geo::LonLat& p : ring) extend(p);
  }
  return wkb;
}

std::optional<geo::BBox> GeoColumn::bbox() const {
  return m_bbox;
}

std::string GeoColumn::metadata_json() const {
  nlohmann::json column = {
      {"encoding", "WKB"},
      {"geometry_types", m_declared.empty() ? m_seen : m_declared},
  };
  if (m_bbox) column["bbox"] = {m_bbox->west, m_bbox->south, m_bbox->east, m_bbox->north};
  // nlohmann::json orders object keys, so equal inputs give byte-identical metadata.
  const nlohmann::json geo = {
      {"version", "1.0.0"},
      {"primary_column", m_name},
      {"columns", {{m_name, column}}},
  };
  return geo.dump();
}

}  // namespace shipchips::dataset
