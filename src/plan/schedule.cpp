#include "plan/schedule.hpp"

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "geo/s2_grid.hpp"
#include "plan/esa_plan_kml.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace shipchips::plan {
namespace {

std::string number(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

}  // namespace

std::string schedule_csv(std::vector<OverpassWindow> windows) {
  std::sort(windows.begin(), windows.end(), [](const OverpassWindow& a, const OverpassWindow& b) {
    return std::tie(a.start, a.tile_id, a.satellite) < std::tie(b.start, b.tile_id, b.satellite);
  });
  std::string out =
      "tile_id,satellite,start_time_utc,end_time_utc,relative_orbit,absolute_orbit,coverage,sun_elevation_deg,source\n";
  for (const auto& w : windows) {
    out += w.tile_id + "," + w.satellite + "," + format_iso8601(w.start, 0) + "," + format_iso8601(w.end, 0) + ",";
    if (w.relative_orbit) out += std::to_string(*w.relative_orbit);
    out += ",";
    if (w.absolute_orbit) out += std::to_string(*w.absolute_orbit);
    out += ",";
    if (w.coverage) out += number(*w.coverage, 4);
    out += ",";
    if (w.sun_elevation_deg) out += number(*w.sun_elevation_deg, 2);
    out += "," + w.source + "\n";
  }
  return out;
}

void write_schedule(const std::filesystem::path& path, const std::vector<OverpassWindow>& windows) {
  write_file_atomic(path, schedule_csv(windows));
}

std::vector<OverpassWindow> read_schedule(const std::filesystem::path& path) {
  auto csv = CsvReader::open(path.string());
  const auto tile = csv->require_column("tile_id");
  const auto sat = csv->require_column("satellite");
  const auto start = csv->require_column("start_time_utc");
  const auto end = csv->require_column("end_time_utc");
  const auto rel = csv->column("relative_orbit");
  const auto abs = csv->column("absolute_orbit");
  const auto cov = csv->column("coverage");
  const auto sun = csv->column("sun_elevation_deg");
  const auto src = csv->column("source");
  std::vector<OverpassWindow> out;
  while (csv->next()) {
    OverpassWindow w;
    try {
      w.tile_id = geo::s2_tile(csv->field(tile)).id;
    } catch (const Error& e) {
      csv->fail("tile_id", e.what());
    }
    w.satellite = normalize_s2_satellite(csv->field(sat));
    if (w.satellite.empty())
      csv->fail("satellite", "not a Sentinel-2 satellite: \"" + std::string(csv->field(sat)) + "\"");
    auto time = [&](std::size_t index, const char* name) {
      try {
        return parse_iso8601(csv->field(index));
      } catch (const Error& e) {
        csv->fail(name, e.what());
      }
    };
    w.start = time(start, "start_time_utc");
    w.end = time(end, "end_time_utc");
    if (w.end < w.start) csv->fail("end_time_utc", "before start_time_utc");
    auto number = [&](const std::optional<std::size_t>& index, const char* name) -> std::optional<double> {
      if (!index) return std::nullopt;
      try {
        return parse_double_field(csv->field(*index));
      } catch (const Error& e) {
        csv->fail(name, e.what());
      }
    };
    if (auto v = number(rel, "relative_orbit")) {
      if (*v < 1 || *v > 143 || std::floor(*v) != *v) csv->fail("relative_orbit", "not an integer in 1..143");
      w.relative_orbit = static_cast<int>(*v);
    }
    if (auto v = number(abs, "absolute_orbit")) {
      if (*v < 1 || std::floor(*v) != *v) csv->fail("absolute_orbit", "not a positive integer");
      w.absolute_orbit = static_cast<long>(*v);
    }
    if (auto v = number(cov, "coverage")) {
      if (*v < 0 || *v > 1) csv->fail("coverage", "outside 0..1");
      w.coverage = v;
    }
    w.sun_elevation_deg = number(sun, "sun_elevation_deg");
    if (src) w.source = std::string(csv->field(*src));
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace shipchips::plan
