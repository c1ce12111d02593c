// ESA acquisition plan: KML reader (2019 reference plan, 2024 variant, encodings), planner
// (coverage and timing per tile) and the seed's CSV.
#include "../support/reference.hpp"
#include "core/error.hpp"
#include "geo/s2_grid_lookup.hpp"
#include "plan/esa_plan_csv.hpp"
#include "plan/esa_plan_kml.hpp"
#include "plan/esa_plan_planner.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

using namespace shipchips;
using namespace shipchips::plan;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kPlan =
    shipchips::testing::reference_dir() / "esa-plans/Sentinel-2A_MP_ACQ_KML_20190912T120000_20190930T150000.kml";

const std::vector<Datatake>& reference_plan() {
  static const std::vector<Datatake> plan = read_esa_plan_kml(kPlan);
  return plan;
}

const std::filesystem::path& temp_dir() {
  // Removed when the test program exits.
  static const struct Dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("shipchips_esa_" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } dir;
  return dir.path;
}

std::filesystem::path temp_file(const std::string& name, const std::string& bytes) {
  const auto& dir = temp_dir();
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::input_invalid) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

// A 2024-style plan: ISO-8859-1, times without Z, styleUrl without '#', an empty Station,
// no satellite folder (the style names it), a Latin-1 byte in a Station name.
std::string kml_2024(const std::string& encoding_decl, const std::string& station2) {
  auto placemark = [](const std::string& id, const std::string& station, const std::string& begin,
                      const std::string& end, const std::string& coords) {
    return "<Placemark><name>" + id + "</name><TimeSpan><begin>" + begin + "</begin><end>" + end +
           "</end></TimeSpan><styleUrl>S2B_NOBS_NOMINAL1</styleUrl><ExtendedData>"
           "<Data name=\"ID\"><value>" +
           id +
           "</value></Data>"
           "<Data name=\"Timeliness\"><value>NOMINAL</value></Data>"
           "<Data name=\"Station\"><value>" +
           station +
           "</value></Data>"
           "<Data name=\"Mode\"><value>NOBS</value></Data>"
           "<Data name=\"ObservationTimeStart\"><value>" +
           begin +
           "</value></Data>"
           "<Data name=\"ObservationTimeStop\"><value>" +
           end +
           "</value></Data>"
           "<Data name=\"ObservationDuration\"><value>60000</value></Data>"
           "<Data name=\"OrbitAbsolute\"><value>39001</value></Data>"
           "<Data name=\"OrbitRelative\"><value>108</value></Data>"
           "<Data name=\"Scenes\"><value>12</value></Data>"
           "</ExtendedData><Polygon><outerBoundaryIs><LinearRing><coordinates>\n" +
           coords + "\n</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>\n";
  };
  return "<?xml version=\"1.0\" " + encoding_decl +
         "?>\n"
         "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n<Folder><name>NOBS</name>\n" +
         placemark("39001-1", "", "2024-06-01T10:30:00", "2024-06-01T10:31:00",
                   "2.0,50.0,0 0.1,49.6,0 -0.6,46.0,0 1.5,45.7,0 3.5,45.3,0 4.0,49.3,0 2.0,50.0,0") +
         placemark("39001-2", station2, "2024-06-01T10:32:00", "2024-06-01T10:33:00",
                   "1.0,44.0,0 -0.9,43.6,0 -1.6,40.0,0 0.5,39.7,0 2.5,39.3,0 3.0,43.3,0 1.0,44.0,0") +
         "</Folder>\n</Document>\n</kml>\n";
}

}  // namespace

TEST(EsaPlanKml, ReferencePlanCountsByMode) {
  const auto& plan = reference_plan();
  // Counts from: /usr/bin/python3 with xml.etree over every Placemark's ExtendedData Mode
  // (also `grep -c '<Placemark' FILE` = 660): NOBS 615, VIC 39, DARK-O 4, SUN 2.
  ASSERT_EQ(plan.size(), 660u);
  std::map<std::string, int> modes;
  for (const auto& d : plan) ++modes[d.mode];
  EXPECT_EQ(modes, (std::map<std::string, int>{{"DARK-O", 4}, {"NOBS", 615}, {"SUN", 2}, {"VIC", 39}}));
  int not_recording = 0;
  for (const auto& d : plan) {
    EXPECT_EQ(d.satellite, "S2A");
    ASSERT_EQ(d.swaths.size(), 1u) << d.id;
    EXPECT_LE(d.start, d.stop);
    not_recording += d.timeliness == "NOT_RECORDING";
  }
  EXPECT_EQ(not_recording, 10);
  // The first placemark as written in the file.
  const auto& first = plan.front();
  EXPECT_EQ(first.id, "22057-1");
  EXPECT_EQ(first.station, "MPS_");
  EXPECT_EQ(format_iso8601(first.start, 3), "2019-09-12T12:57:14.753Z");
  EXPECT_EQ(format_iso8601(first.stop, 3), "2019-09-12T12:59:31.857Z");
  EXPECT_EQ(first.duration_ms, 137104);
  EXPECT_EQ(first.orbit_absolute, 22057);
  EXPECT_EQ(first.orbit_relative, 38);
  EXPECT_EQ(first.scenes, 38);
  EXPECT_EQ(first.swaths[0].size(), 11u);
  EXPECT_DOUBLE_EQ(first.swaths[0][0].lon, 48.09960713833888);
  EXPECT_DOUBLE_EQ(first.swaths[0][0].lat, 81.44827945995824);
}

TEST(EsaPlanKml, OrbitPairsAreConsistent) {
  const auto pairs = orbit_pairs(reference_plan());
  // python: 241 distinct (OrbitAbsolute, OrbitRelative) pairs, 22057/38 .. 22313/8, and
  // (absolute - relative) mod 143 == 140 for all of them.
  ASSERT_EQ(pairs.size(), 241u);
  EXPECT_EQ(pairs.front(), (OrbitPair{"S2A", 22057, 38}));
  EXPECT_EQ(pairs.back(), (OrbitPair{"S2A", 22313, 8}));
  for (const auto& p : pairs) EXPECT_EQ((p.orbit_absolute - p.orbit_relative) % 143, 140) << p.orbit_absolute;
  EXPECT_TRUE(orbit_pairs_csv(pairs).starts_with("satellite,orbit_absolute,orbit_relative\nS2A,22057,38\n"));
}

TEST(EsaPlanKml, Variant2024Latin1) {
  const auto path = temp_file("plan2024.kml", kml_2024("encoding=\"ISO-8859-1\"", "Matera\xE9"));
  const auto plan = read_esa_plan_kml(path);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].satellite, "S2B");  // from the style, no satellite folder
  EXPECT_EQ(plan[0].station, "");
  EXPECT_EQ(plan[1].station, "Matera\xC3\xA9");  // é in UTF-8
  EXPECT_EQ(plan[0].mode, "NOBS");
  EXPECT_EQ(format_iso8601(plan[0].start, 0), "2024-06-01T10:30:00Z");
  EXPECT_EQ(plan[1].orbit_relative, 108);
}

TEST(EsaPlanKml, UnsupportedEncodingsAreClearErrors) {
  const auto declared = temp_file("ebcdic.kml", kml_2024("encoding=\"EBCDIC-US\"", "X"));
  auto msg = error_of([&] { read_esa_plan_kml(declared); });
  EXPECT_NE(msg.find("ebcdic.kml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("EBCDIC-US"), std::string::npos) << msg;

  std::string utf16 = "\xFF\xFE";
  for (char c : kml_2024("encoding=\"UTF-16\"", "X")) utf16 += std::string{c, '\0'};
  msg = error_of([&] { read_esa_plan_kml(temp_file("utf16.kml", utf16)); });
  EXPECT_NE(msg.find("utf16.kml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("UTF-16"), std::string::npos) << msg;

  // Claims UTF-8 but holds a Latin-1 byte: the line of that byte is named.
  const auto lying = kml_2024("encoding=\"UTF-8\"", "Matera\xE9");
  const long line = 1 + static_cast<long>(std::count(lying.begin(), lying.begin() + lying.find('\xE9'), '\n'));
  msg = error_of([&] { read_esa_plan_kml(temp_file("lying.kml", lying)); });
  EXPECT_NE(msg.find("lying.kml:" + std::to_string(line) + ":"), std::string::npos) << msg;

  // Bytes shaped like UTF-8 that RFC 3629 forbids (a UTF-16 surrogate, an overlong form) are
  // not UTF-8 either: they used to pass, and JSON output of the plan would then throw.
  for (const std::string bad : {"Matera\xED\xA0\x80", "Matera\xE0\x80\xAF"}) {
    msg = error_of([&] { read_esa_plan_kml(temp_file("surrogate.kml", kml_2024("encoding=\"UTF-8\"", bad))); });
    EXPECT_NE(msg.find("not valid UTF-8"), std::string::npos) << msg;
  }
}

TEST(EsaPlanKml, BadFieldsNameFileAndLine) {
  auto text = kml_2024("encoding=\"ISO-8859-1\"", "X");
  text.replace(text.find("<value>108</value>"), 18, "<value>999</value>");
  const long line = 1 + static_cast<long>(std::count(text.begin(), text.begin() + text.find("999"), '\n'));
  auto msg = error_of([&] { read_esa_plan_kml(temp_file("badorbit.kml", text)); });
  EXPECT_NE(msg.find("badorbit.kml:" + std::to_string(line) + ": OrbitRelative"), std::string::npos) << msg;

  auto broken = kml_2024("encoding=\"ISO-8859-1\"", "X");
  broken.erase(broken.find("</Folder>"), 9);
  msg = error_of([&] { read_esa_plan_kml(temp_file("broken.kml", broken)); });
  // pugixml stops at the closing tag that no longer matches: </Document>.
  const long doc_line =
      1 + static_cast<long>(std::count(broken.begin(), broken.begin() + broken.find("</Document>"), '\n'));
  EXPECT_NE(msg.find("broken.kml:" + std::to_string(doc_line) + ": xml"), std::string::npos) << msg;

  // Mode and Timeliness come from the folders when ExtendedData lacks them.
  auto folders_only = kml_2024("encoding=\"ISO-8859-1\"", "X");
  for (const std::string field : {"Mode", "Timeliness"}) {
    const auto at = folders_only.find("<Data name=\"" + field + "\">");
    folders_only.erase(at, folders_only.find("</Data>", at) + 7 - at);
  }
  folders_only.replace(folders_only.find("<Folder><name>NOBS</name>"), 25,
                       "<Folder><name>Sentinel-2C</name><Folder><name>NOBS</name><Folder><name>NOMINAL</name>");
  folders_only.replace(folders_only.find("</Folder>"), 9, "</Folder></Folder></Folder>");
  const auto parsed = parse_esa_plan_kml(folders_only, "folders.kml");
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[1].satellite, "S2C");  // the folder wins over the style
  EXPECT_EQ(parsed[1].mode, "NOBS");
  EXPECT_EQ(parsed[1].timeliness, "NOMINAL");
}

// Tiles found independently of the planner: the tiles containing points on the swath's
// centre line near its start edge and near its end edge.
TEST(EsaPlanPlanner, ReferencePlanTilesCoverageAndTiming) {
  const auto& plan = reference_plan();
  int checked = 0;
  for (const auto& d : plan) {
    if (d.mode != "NOBS" || d.timeliness != "NOMINAL") continue;
    const auto& r = d.swaths[0];
    const std::size_t n = r.size() - 1;  // closed ring
    if (n < 16 || std::abs(r[0].lat) > 60 || std::abs(r[n / 2].lat) > 60) continue;
    auto mid = [&](std::size_t i) { return geo::LonLat{(r[i].lon + r[n - i].lon) / 2, (r[i].lat + r[n - i].lat) / 2}; };
    const auto north_pt = mid(2);
    const auto south_pt = mid(n / 2 - 2);
    const auto inner_pt = mid(n / 4);
    const auto north_tiles = geo::s2_tiles_containing(north_pt.lon, north_pt.lat);
    const auto south_tiles = geo::s2_tiles_containing(south_pt.lon, south_pt.lat);
    const auto inner_tiles = geo::s2_tiles_containing(inner_pt.lon, inner_pt.lat);
    ASSERT_FALSE(north_tiles.empty());
    ASSERT_FALSE(south_tiles.empty());
    ASSERT_FALSE(inner_tiles.empty());
    const std::vector<std::string> ids{north_tiles[0].id, south_tiles[0].id, inner_tiles[0].id};
    const auto windows = plan_from_datatakes(plan, ids, 0);
    auto find = [&](const std::string& tile) -> const plan::OverpassWindow* {
      for (const auto& w : windows)
        if (w.tile_id == tile && w.absolute_orbit == d.orbit_absolute) return &w;
      return nullptr;
    };
    const auto* wn = find(ids[0]);
    const auto* ws = find(ids[1]);
    const auto* wi = find(ids[2]);
    ASSERT_TRUE(wn && ws && wi) << d.id;
    for (const auto* w : {wn, ws, wi}) {
      EXPECT_EQ(w->relative_orbit, d.orbit_relative);
      EXPECT_EQ(w->satellite, "S2A");
      EXPECT_EQ(w->source, "esa_plan");
      EXPECT_LE(w->start, w->end);
      ASSERT_TRUE(w->coverage);
      EXPECT_GT(*w->coverage, 0.0);
      EXPECT_LE(*w->coverage, 1.0);
      // A tile takes at most its diagonal (155 km) at ~6.6 km/s ground speed to cross.
      EXPECT_LE(w->end - w->start, 30s) << d.id << " " << w->tile_id;
    }
    // The two tiles on the centre line far from the segment ends lie inside this datatake's time.
    EXPECT_GE(wn->start, d.start);
    EXPECT_LE(ws->end, d.stop);
    // The swath is 290 km wide: a tile containing a centre-line point well inside the
    // segment is covered completely.
    EXPECT_GT(*wi->coverage, 0.999) << d.id << " " << wi->tile_id;
    // Along-track order follows latitude: descending pass (start edge north) → north first.
    const bool descending = r[0].lat > r[n / 2].lat;
    if (descending)
      EXPECT_LT(wn->start, ws->start) << d.id;
    else
      EXPECT_GT(wn->start, ws->start) << d.id;
    ++checked;
  }
  // Every NOBS datatake with >= 8 side vertex pairs between 60°S and 60°N: 62 of them.
  EXPECT_EQ(checked, 62);
}

// Coverage from GEOS areas against point sampling: a 100 x 100 grid of points over the tile's
// UTM square, each tested against the swath rings of the window's orbit (point in polygon).
TEST(EsaPlanPlanner, CoverageMatchesPointSampling) {
  const auto& plan = reference_plan();
  const auto windows = plan_from_datatakes(plan, {"31UFU", "33UUP", "32TQM"}, 0);
  // 31UFU is imaged by relative orbits 51 and 8 and grazed by 94 (as in its product names).
  std::set<int> ufu;
  for (const auto& w : windows)
    if (w.tile_id == "31UFU") ufu.insert(*w.relative_orbit);
  EXPECT_EQ(ufu, (std::set<int>{8, 51, 94}));
  int partial = 0;
  for (const auto& w : windows) {
    const auto tile = geo::s2_tile(w.tile_id);
    int inside = 0;
    constexpr int k = 100;
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) {
        const auto p = geo::utm_to_lonlat(tile.utm_zone, tile.north, tile.xmin + (i + 0.5) * tile.extent_m / k,
                                          tile.ymin + (j + 0.5) * tile.extent_m / k);
        bool hit = false;
        for (const auto& d : plan)
          if (d.orbit_absolute == w.absolute_orbit && is_imaging_datatake(d))
            for (const auto& r : d.swaths) hit = hit || geo::ring_contains(r, p.lon, p.lat);
        inside += hit;
      }
    const double sampled = inside / double(k * k);
    EXPECT_NEAR(*w.coverage, sampled, 0.01) << w.tile_id << " orbit " << *w.absolute_orbit;
    partial += sampled > 0.02 && sampled < 0.98;
  }
  EXPECT_GE(partial, 4);  // the comparison must include partly covered tiles
}

TEST(EsaPlanPlanner, MiniPlanWindowsAndModes) {
  auto plan = parse_esa_plan_kml(kml_2024("encoding=\"ISO-8859-1\"", "X"), "mini.kml");
  // Tile 31TCJ (Toulouse, 43.6°N 1.44°E) lies in the second segment near its start edge;
  // a tile far away gets nothing.
  const auto windows = plan_from_datatakes(plan, {"31TCJ", "33UXP"}, 5);
  ASSERT_EQ(windows.size(), 1u);
  const auto& w = windows[0];
  EXPECT_EQ(w.tile_id, "31TCJ");
  EXPECT_EQ(w.satellite, "S2B");
  EXPECT_EQ(w.relative_orbit, 108);
  EXPECT_EQ(w.absolute_orbit, 39001);
  // Inside [10:32, 10:33] widened by 5 minutes.
  EXPECT_GE(w.start, parse_iso8601("2024-06-01T10:27:00Z"));
  EXPECT_LE(w.end, parse_iso8601("2024-06-01T10:38:00Z"));
  EXPECT_GE(w.end - w.start, 10min);
  EXPECT_LE(w.end - w.start, 10min + 60s);
  // Calibration modes are not imaging passes.
  for (auto& d : plan) d.mode = "DARK-O";
  EXPECT_TRUE(plan_from_datatakes(plan, {"31TCJ"}, 5).empty());
}

// A swath across the antimeridian (longitudes written as -179.x after 179.x) covers tiles on
// both sides, with the coverage point sampling gives.
TEST(EsaPlanPlanner, AntimeridianSwath) {
  Datatake d;
  d.id = "1-1";
  d.satellite = "S2A";
  d.mode = "NOBS";
  d.timeliness = "NOMINAL";
  d.start = parse_iso8601("2024-01-01T22:00:00Z");
  d.stop = d.start + 160s;
  d.orbit_absolute = 44000;
  d.orbit_relative = 1;
  d.swaths = {
      {{179.5, -15}, {178.2, -15.2}, {178.6, -25.2}, {179.9, -25}, {-178.8, -24.8}, {-179.2, -14.8}, {179.5, -15}}};
  const auto west = geo::s2_tiles_containing(179.7, -20);
  const auto east = geo::s2_tiles_containing(-179.7, -20);
  ASSERT_FALSE(west.empty());
  ASSERT_FALSE(east.empty());
  const auto windows = plan_from_datatakes({d}, {west[0].id, east[0].id}, 0);
  ASSERT_EQ(windows.size(), 2u);
  for (const auto& w : windows) {
    const auto tile = geo::s2_tile(w.tile_id);
    int inside = 0;
    for (int i = 0; i < 50; ++i)
      for (int j = 0; j < 50; ++j) {
        const auto p = geo::utm_to_lonlat(tile.utm_zone, tile.north, tile.xmin + (i + 0.5) * tile.extent_m / 50,
                                          tile.ymin + (j + 0.5) * tile.extent_m / 50);
        inside += geo::ring_contains(d.swaths[0], p.lon, p.lat);
      }
    EXPECT_NEAR(*w.coverage, inside / 2500.0, 0.02) << w.tile_id;
    EXPECT_GT(*w.coverage, 0.3) << w.tile_id;
    EXPECT_GE(w.start, d.start);
    EXPECT_LE(w.end, d.stop);
  }
}

TEST(EsaPlanPlanner, AlongTrackFraction) {
  // A ring in ESA's layout: start centre, side, end centre, other side.
  const geo::Ring ring{{0, 10}, {-1, 10}, {-1, 5}, {-1, 0}, {0, 0}, {1, 0}, {1, 5}, {1, 10}, {0, 10}};
  EXPECT_NEAR(along_track_fraction(ring, 0, 10), 0.0, 1e-9);
  EXPECT_NEAR(along_track_fraction(ring, 0, 0), 1.0, 1e-9);
  EXPECT_NEAR(along_track_fraction(ring, 0.5, 5), 0.5, 1e-3);
  EXPECT_NEAR(along_track_fraction(ring, 0, 12), 0.0, 1e-3);  // before the start edge (clamped)
}

TEST(EsaPlanCsv, ReadsSeedColumns) {
  const auto path = temp_file("plan.csv",
                              "tile_id,satellite,start_time_utc,end_time_utc,relative_orbit\n"
                              "T31UFU,Sentinel-2A,2024-06-01T10:30:00,2024-06-01T10:40:00Z,51\n"
                              "30STF,S2B,2024-06-02T10:30:00Z,2024-06-02T10:40:00Z,\n");
  const auto rows = read_esa_plan_csv(path);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].tile_id, "31UFU");
  EXPECT_EQ(rows[0].satellite, "S2A");
  EXPECT_EQ(rows[0].start, parse_iso8601("2024-06-01T10:30:00Z"));
  EXPECT_EQ(rows[0].relative_orbit, 51);
  EXPECT_FALSE(rows[1].relative_orbit);
  EXPECT_EQ(rows[1].source, "esa_plan");

  const auto bad =
      temp_file("bad.csv",
                "tile_id,satellite,start_time_utc,end_time_utc\n31UFU,S2A,2024-06-01T10:30:00Z,2024-06-01T10:20:00Z\n");
  const auto msg = error_of([&] { read_esa_plan_csv(bad); });
  EXPECT_NE(msg.find("bad.csv:2: end_time_utc"), std::string::npos) << msg;
  const auto badsat = temp_file(
      "badsat.csv",
      "tile_id,satellite,start_time_utc,end_time_utc\n31UFU,Landsat-8,2024-06-01T10:30:00Z,2024-06-01T10:40:00Z\n");
  EXPECT_NE(error_of([&] { read_esa_plan_csv(badsat); }).find("badsat.csv:2: satellite"), std::string::npos);
}
