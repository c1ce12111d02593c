#include "dataset/chip_geojson.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "geo/s2_grid.hpp"

namespace shipchips::dataset {

geo::Ring chip_footprint(int epsg, const std::array<double, 6>& t, int width, int height, double max_segment_m) {
  bool north = epsg / 100 == 326;
  int zone = epsg % 100;
  if ((epsg / 100 != 326 && epsg / 100 != 327) || zone < 1 || zone > 60) {
    throw Error(ErrorCode::invalid_argument,
                "chip footprint: EPSG:" + std::to_string(epsg) + " is not a UTM zone (326zz/327zz)");
  }
  if (width <= 0 || height <= 0) throw Error(ErrorCode::invalid_argument, "chip footprint: empty raster");
  auto corner = [&](double col, double row) {
    return geo::UtmXY{t[0] + col * t[1] + row * t[2], t[3] + col * t[4] + row * t[5]};
  };
  double w = width, h = height;
  // UL → LL → LR → UR → UL runs counter-clockwise on a north-up raster (RFC 7946 exterior).
  std::vector<geo::UtmXY> ring{corner(0, 0), corner(0, h), corner(w, h), corner(w, 0), corner(0, 0)};
  return geo::utm_ring_to_lonlat(zone, north, ring, max_segment_m);
}

nlohmann::ordered_json chip_feature(const ChipRecord& record) {
  nlohmann::ordered_json props = to_json(record);
  nlohmann::ordered_json geometry = props["footprint"];
  props.erase("footprint");
  nlohmann::ordered_json feature;
  feature["type"] = "Feature";
  feature["id"] = record.chip_id;
  if (!record.footprint.empty()) {
    geo::BBox b = geo::ring_bbox(record.footprint);
    feature["bbox"] = {b.west, b.south, b.east, b.north};
  }
  feature["geometry"] = std::move(geometry);
  feature["properties"] = std::move(props);
  return feature;
}

std::string chip_feature_text(const ChipRecord& record) {
  return chip_feature(record).dump(2) + "\n";
}

std::string feature_collection_text(std::span<const ChipRecord> records) {
  std::string out = "{\"type\":\"FeatureCollection\",\"features\":[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    out += i == 0 ? "\n" : ",\n";
    out += chip_feature(records[i]).dump();
  }
  out += records.empty() ? "]}\n" : "\n]}\n";
  return out;
}

void write_chip_sidecars(const ChipRecord& record, const ChipPaths& paths) {
  check_record(record);
  write_file_atomic(paths.json, to_sidecar_text(record));
  write_file_atomic(paths.geojson, chip_feature_text(record));
}

}  // namespace shipchips::dataset
