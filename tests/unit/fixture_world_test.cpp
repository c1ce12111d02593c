// The fixture world: determinism, ships drawn where the truth says, DNs following the
// processing-baseline rule, and an AIVDM encoder that reproduces gpsd's real sample sentences
// (../shared/reference/ais/gpsd, decoded by an independent implementation).
#include "core/error.hpp"
#include "core/time.hpp"
#include "fixture/world_build.hpp"
#include "fixture/world_nmea.hpp"
#include "fixture/world_raster.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace shipchips;
using namespace shipchips::fixture;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : m_path(fs::temp_directory_path() / ("shipchips-world-test-" + std::to_string(::getpid()) + "-" + name)) {
    fs::remove_all(m_path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::map<std::string, std::string>> read_csv(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  {
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) header.push_back(f);
  }
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string f;
    std::map<std::string, std::string> row;
    for (const auto& h : header) {
      std::getline(ss, f, ',');
      row[h] = f;
    }
    rows.push_back(row);
  }
  return rows;
}

WorldOptions options_for(const fs::path& out, std::uint64_t seed, int scenes, int ships) {
  WorldOptions o;
  o.out_dir = out;
  o.seed = seed;
  o.scenes = scenes;
  o.ships_per_scene = ships;
  return o;
}

class Raster {
 public:
  explicit Raster(const fs::path& p) {
    GDALAllRegister();
    m_ds.reset(GDALDataset::FromHandle(GDALOpen(p.c_str(), GA_ReadOnly)));
    if (!m_ds) throw std::runtime_error("cannot open " + p.string());
  }
  int width() const { return m_ds->GetRasterXSize(); }
  int height() const { return m_ds->GetRasterYSize(); }
  double at(int x, int y) const {
    double v = 0;
    if (m_ds->GetRasterBand(1)->RasterIO(GF_Read, x, y, 1, 1, &v, 1, 1, GDT_Float64, 0, 0) != CE_None)
      throw std::runtime_error("read failed");
    return v;
  }

 private:
  std::unique_ptr<GDALDataset> m_ds;
};

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

TEST(FixtureWorldNmea, ReproducesGpsdSampleType1) {
  // sample.aivdm line 10 and its decoding in sample.aivdm.js.chk.
  AisPosition p;
  p.mmsi = 371798000;
  p.nav_status = 0;
  p.rot_raw = -127;  // "fastleft"
  p.sog_kn = 12.3;
  p.accuracy = true;
  p.lon = -123.395383333;
  p.lat = 48.38163333333;
  p.cog_deg = 224.0;
  p.heading = 215;
  p.second = 33;
  p.radio = 34017;
  const auto lines = encode_class_a_position(p, 1, 1700000000, 'A');
  ASSERT_EQ(lines.size(), 1u);
  const std::string sentence = lines[0].substr(lines[0].find('!'));
  EXPECT_EQ(sentence, "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A");
  EXPECT_EQ(lines[0].substr(0, lines[0].find('!')), "\\c:1700000000*" + nmea_checksum("c:1700000000") + "\\");
}

TEST(FixtureWorldNmea, ReproducesGpsdSampleType18) {
  // sample.aivdm line 728.
  AisPosition p;
  p.mmsi = 338088483;
  p.sog_kn = 0.0;
  p.lon = -70.811197;
  p.lat = 43.115558;
  p.cog_deg = 171.6;
  p.heading = 511;
  p.second = 20;
  p.dsc = true;
  p.msg22 = true;
  p.raim = true;
  p.radio = 917510;
  const auto lines = encode_class_b_position(p, 0, 'A');
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(lines[0].find('!')), "!AIVDM,1,1,,A,B52KB8h006fu`Q6:g1McCwb5oP06,0*00");
}

TEST(FixtureWorldNmea, ReproducesGpsdSampleType5) {
  // sample.aivdm lines 124-125 (EVER DIADEM).
  AisStaticData s;
  s.mmsi = 351759000;
  s.imo = 9134270;
  s.callsign = "3FOF8";
  s.name = "EVER DIADEM";
  s.ship_type = 70;
  s.dim_a = 225;
  s.dim_b = 70;
  s.dim_c = 1;
  s.dim_d = 31;
  s.eta_month = 5;
  s.eta_day = 15;
  s.eta_hour = 14;
  s.eta_minute = 0;
  s.draught_m = 12.2;
  s.destination = "NEW YORK";
  const auto lines = encode_static_voyage(s, 0, 'A', 1);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].substr(lines[0].find('!')),
            "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C");
  EXPECT_EQ(lines[1].substr(lines[1].find('!')), "!AIVDM,2,2,1,A,88888888880,2*25");
}

TEST(FixtureWorldNmea, ChecksumIsXorOfBody) {
  EXPECT_EQ(nmea_checksum("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0"), "4A");
  EXPECT_EQ(nmea_checksum(""), "00");
}

TEST(FixtureWorld, BaselineDnRule) {
  EXPECT_EQ(encode_dn(0.0400, BaselineKind::pre2022), 400);
  EXPECT_EQ(encode_dn(0.0400, BaselineKind::offset_applied), 400);
  EXPECT_EQ(encode_dn(0.0400, BaselineKind::offset_not_applied), 1400);
  EXPECT_EQ(encode_dn(-0.5, BaselineKind::pre2022), 1);  // 0 stays reserved for nodata
  EXPECT_DOUBLE_EQ(decode_dn(1400, BaselineKind::offset_not_applied), 0.04);
}

TEST(FixtureWorld, SameSeedSameWorldOtherSeedOtherWorld) {
  TempDir a("a"), b("b"), c("c");
  const auto ra = build_world(options_for(a.path(), 21, 1, 3), 2);
  const auto rb = build_world(options_for(b.path(), 21, 1, 3), 1);  // thread count must not matter
  build_world(options_for(c.path(), 22, 1, 3), 2);
  ASSERT_EQ(ra.scene_ids, rb.scene_ids);
  ASSERT_EQ(ra.scene_ids.size(), 1u);
  const std::string id = ra.scene_ids[0];
  for (const std::string& rel : {"items/" + id + ".json", std::string("truth.csv"), std::string("ais/ais_upload.csv"),
                                 std::string("ais/ais.nmea"), std::string("collections/sentinel-2-l2a.json"),
                                 std::string("world.json"), "cogs/" + id + "/B08.tif", "cogs/" + id + "/SCL.tif"}) {
    EXPECT_EQ(slurp(a.path() / rel), slurp(b.path() / rel)) << rel;
  }
  EXPECT_NE(slurp(a.path() / "truth.csv"), slurp(c.path() / "truth.csv"));
  EXPECT_NE(slurp(a.path() / "cogs" / id / "B08.tif"), slurp(c.path() / "cogs" / id / "B08.tif"));
}

TEST(FixtureWorld, RefusesAFolderThatIsNotAWorld) {
  TempDir d("foreign");
  fs::create_directories(d.path());
  std::ofstream(d.path() / "precious.txt") << "keep me";
  EXPECT_THROW(build_world(options_for(d.path(), 1, 1, 1), 1), Error);
  EXPECT_TRUE(fs::exists(d.path() / "precious.txt"));
}

// One default world for the pixel checks: ships bright at the truth, water DNs by baseline.
TEST(FixtureWorld, ShipsBrightAtTruthAndWaterDnFollowsBaseline) {
  TempDir w("pixels");
  const auto report = build_world(options_for(w.path(), 3, 3, 5), 2);
  ASSERT_EQ(report.scene_ids.size(), 3u);
  const auto truth = read_csv(w.path() / "truth.csv");
  ASSERT_GE(truth.size(), 10u);

  std::set<std::string> near_kinds;
  int checked_ships = 0;
  for (const auto& id : report.scene_ids) {
    const auto item = nlohmann::json::parse(slurp(w.path() / "items" / (id + ".json")));
    const bool applied = item["properties"]["earthsearch:boa_offset_applied"].get<bool>();
    const auto& rb = item["assets"]["nir"]["raster:bands"][0];
    const double scale = rb["scale"].get<double>();
    const double offset = applied ? 0.0 : rb["offset"].get<double>();  // the reader's rule
    auto refl = [&](double dn) { return dn * scale + offset; };

    Raster nir(w.path() / "cogs" / id / "B08.tif");
    Raster blue(w.path() / "cogs" / id / "B02.tif");
    Raster scl(w.path() / "cogs" / id / "SCL.tif");

    // Clear water far from ships: reflectance near the fixture's water value whatever the
    // baseline kind, once the item's own scale/offset/flag are applied.
    std::vector<double> water_blue, water_nir;
    for (int y = 8; y < scl.height(); y += 37)
      for (int x = 8; x < scl.width(); x += 37)
        if (scl.at(x, y) == 6) {
          water_blue.push_back(refl(blue.at(2 * x, 2 * y)));
          water_nir.push_back(refl(nir.at(2 * x, 2 * y)));
        }
    ASSERT_GT(water_blue.size(), 50u) << id;
    EXPECT_NEAR(median(water_blue), material_reflectance(Material::water, 0), 0.006) << id;
    const double water_nir_median = median(water_nir);
    EXPECT_NEAR(water_nir_median, material_reflectance(Material::water, 3), 0.005) << id;

    for (const auto& t : truth) {
      if (t.at("scene_id") != id) continue;
      near_kinds.insert(t.at("near"));
      EXPECT_EQ(t.at("baseline_kind"), item["properties"]["s2:processing_baseline"].get<std::string>() < "04.00"
                                           ? "pre2022"
                                           : (applied ? "offset_applied" : "offset_not_applied"));
      if (std::stoi(t.at("width")) < 10 || std::stoi(t.at("length")) < 30 || std::stod(t.at("cloud_opacity")) > 0.05)
        continue;
      const int px = static_cast<int>(std::floor(std::stod(t.at("pixel_x"))));
      const int py = static_cast<int>(std::floor(std::stod(t.at("pixel_y"))));
      ASSERT_TRUE(px >= 0 && py >= 0 && px < nir.width() && py < nir.height()) << t.at("mmsi");
      // Ships under a cloud shadow or thin cirrus (SCL 3 / 10) are dimmed or hazed: only
      // clear-water ships are held to the brightness check.
      if (scl.at(px / 2, py / 2) != 6) continue;
      const double at_ship = refl(nir.at(px, py));
      // The antenna lies inside the hull: its pixel is mostly ship (NIR 0.24) over dark water.
      EXPECT_GT(at_ship, water_nir_median + 0.06) << id << " mmsi " << t.at("mmsi");
      // Thirty pixels away, clear water (SCL 6) is dark again: the brightness is the ship's.
      int water_around = 0;
      for (int d = 0; d < 8; ++d) {
        const int qx = px + static_cast<int>(std::lround(30 * std::cos(d * M_PI / 4)));
        const int qy = py + static_cast<int>(std::lround(30 * std::sin(d * M_PI / 4)));
        if (qx < 0 || qy < 0 || qx >= nir.width() || qy >= nir.height()) continue;
        if (scl.at(qx / 2, qy / 2) != 6) continue;
        EXPECT_LT(refl(nir.at(qx, qy)), at_ship - 0.05) << t.at("mmsi");
        ++water_around;
      }
      EXPECT_GT(water_around, 0) << t.at("mmsi");
      ++checked_ships;
    }
  }
  EXPECT_GE(checked_ships, 4);
  EXPECT_TRUE(near_kinds.count("water") && near_kinds.count("land") && near_kinds.count("cloud") &&
              near_kinds.count("edge"));
}

TEST(FixtureWorld, AisPingsFollowTheTruthTrack) {
  TempDir w("ais");
  build_world(options_for(w.path(), 9, 1, 4), 2);
  const auto truth = read_csv(w.path() / "truth.csv");
  const auto pings = read_csv(w.path() / "ais" / "ais_upload.csv");
  ASSERT_FALSE(truth.empty());
  for (const auto& t : truth) {
    const double sensing = to_unix_seconds(parse_iso8601(t.at("sensing_time")));
    const double lat = std::stod(t.at("lat")), lon = std::stod(t.at("lon"));
    const double speed_ms = std::stod(t.at("sog")) * 1852.0 / 3600.0;
    std::vector<double> times;
    int near_checked = 0;
    for (const auto& p : pings) {
      if (p.at("mmsi") != t.at("mmsi")) continue;
      const double pt = to_unix_seconds(parse_iso8601(p.at("overpass_time")));
      times.push_back(pt);
      if (std::abs(pt - sensing) > 60) continue;
      // Equirectangular distance is plenty at these scales.
      const double dy = (std::stod(p.at("lat")) - lat) * 111320.0;
      const double dx = (std::stod(p.at("lon")) - lon) * 111320.0 * std::cos(lat * M_PI / 180.0);
      EXPECT_LT(std::hypot(dx, dy), speed_ms * std::abs(pt - sensing) * 1.1 + 20.0) << t.at("mmsi");
      ++near_checked;
    }
    ASSERT_GT(times.size(), 50u) << t.at("mmsi");
    std::sort(times.begin(), times.end());
    EXPECT_LE(times.front(), sensing - 3600.0);
    EXPECT_GE(times.back(), sensing + 3600.0);
    double max_gap = 0;
    for (std::size_t i = 1; i < times.size(); ++i) {
      EXPECT_GE(times[i] - times[i - 1], 1.0);
      max_gap = std::max(max_gap, times[i] - times[i - 1]);
    }
    EXPECT_LE(max_gap, 660.0) << t.at("mmsi");
  }
}
