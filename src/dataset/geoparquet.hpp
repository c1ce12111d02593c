#pragma once
// GeoParquet 1.0.0 support for the Parquet writer: ISO WKB encoding of lon/lat geometries and
// the "geo" file metadata (https://geoparquet.org/releases/v1.0.0/).
//
// Coordinates are WGS 84 longitude, latitude (x, y), which is GeoParquet's default CRS
// (OGC:CRS84), so the metadata omits "crs".

#include "geo/polygon.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::dataset {

// Little-endian ISO WKB: 01, type (1 Point, 3 Polygon), coordinates as x=lon, y=lat doubles.
// A ring that is not closed is closed by repeating its first vertex (WKB rings are closed).
// Throws Error(invalid_argument) on a non-finite coordinate, an empty polygon or a ring of
// fewer than 3 distinct vertices.
std::string wkb_point(const geo::LonLat& point);
std::string wkb_polygon(const geo::Polygon& polygon);

// Builds one geometry column: encodes each geometry to WKB and keeps what the "geo" metadata
// needs (geometry types seen, bounding box of every coordinate).
class GeoColumn {
 public:
  // `declared_types` (e.g. {"Polygon"}) are written as geometry_types as given; left empty,
  // the types seen in the data are written (sorted), which for no rows is [] ("unknown").
  explicit GeoColumn(std::string name = "geometry", std::vector<std::string> declared_types = {});

  std::string add_point(const geo::LonLat& point);
  std::string add_polygon(const geo::Polygon& polygon);

  const std::string& name() const { return m_name; }
  // West, south, east, north of every coordinate added; nullopt before the first geometry.
  std::optional<geo::BBox> bbox() const;

  // The "geo" metadata JSON for a file whose primary (and only) geometry column is this one:
  // {"columns":{name:{"bbox":[...],"encoding":"WKB","geometry_types":[...]}},
  //  "primary_column":name,"version":"1.0.0"}. "bbox" is left out when there is no geometry.
  std::string metadata_json() const;

 private:
  void extend(const geo::LonLat& p);
  void saw_type(std::string_view type);

  std::string m_name;
  std::vector<std::string> m_declared;
  std::vector<std::string> m_seen;  // sorted, unique
  std::optional<geo::BBox> m_bbox;
};

}  // namespace shipchips::dataset
