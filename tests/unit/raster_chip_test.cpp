// Chips read from the offline Sentinel-2 world, over loopback HTTP through GDAL's /vsicurl/
// (and from local paths): the ship at its true position lands on the chip's centre pixel,
// reflectance matches the world's truth for the three baseline kinds, a wrong offset flag is
// caught, edge chips are masked, 20 m bands and SCL stay co-registered, and remote failures
// carry their error category.
//
// The world (3 scenes, one per baseline kind, 5 ships each) takes ~10 s to build, so it is
// built once and kept in the temp folder, in a folder per test binary (a rebuilt binary may
// draw a different world); a file lock lets parallel ctest processes share it, and worlds of
// other builds unused for an hour are removed.
#include "core/csv.hpp"
#include "core/error.hpp"
#include "fixture/server_fixture.hpp"
#include "fixture/world_build.hpp"
#include "fixture/world_raster.hpp"
#include "raster/chip_reader.hpp"
#include "raster/chip_writer.hpp"
#include "raster/gate.hpp"
#include "raster/window_reader.hpp"
#include "stac/item.hpp"
#include "stac/provider.hpp"

#include <cpl_conv.h>
#include <fcntl.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

using namespace shipchips;
using namespace shipchips::raster;
namespace fs = std::filesystem;
using stac::Band;

namespace {

struct TruthRow {
  std::string scene_id, near, kind;
  double lat = 0, lon = 0, pixel_x = 0, pixel_y = 0, cloud_opacity = 0;
  int length = 0;
};

struct World {
  fs::path dir;
  std::unique_ptr<fixture::FixtureServer> server;
  std::map<std::string, stac::Item> http_items, local_items;
  std::map<std::string, fixture::BaselineKind> kinds;
  std::vector<TruthRow> truth;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

std::string binary_stamp() {
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0) return "unknown";
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// Removes worlds of other builds of this suite that no process is using (their lock is free)
// and that were last used over an hour ago: each is ~100 MB.
void remove_stale_worlds(const std::string& prefix, const fs::path& keep) {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || name.size() < 5 || name.substr(name.size() - 5) != ".lock") continue;
    const fs::path world_dir = e.path().parent_path() / name.substr(0, name.size() - 5);
    if (world_dir == keep) continue;
    if (now - fs::last_write_time(e.path(), ec) < std::chrono::hours(1)) continue;
    const int fd = ::open(e.path().c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      fs::remove_all(world_dir, ec);
      fs::remove(e.path(), ec);
    }
    ::close(fd);
  }
}

fs::path ensure_world() {
  // One folder per test binary: other builds of this suite (other build folders) keep theirs.
  const std::string prefix = "shipchips-raster-test-world-" + std::to_string(::getuid()) + "-";
  const std::string stamp = std::to_string(std::hash<std::string>{}(binary_stamp()));
  const fs::path dir = fs::temp_directory_path() / (prefix + stamp);
  const std::string lock_path = dir.string() + ".lock";
  // Held for the life of the process: exclusive while building, then shared (in use).
  const int lock = ::open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  if (!fs::exists(dir / "world.json")) {
    std::error_code ec;
    fs::remove_all(dir, ec);  // an interrupted build
    fixture::WorldOptions o;
    o.out_dir = dir;
    o.scenes = 3;
    o.seed = 1;
    o.ships_per_scene = 5;
    fixture::build_world(o);
  }
  ::utime(lock_path.c_str(), nullptr);  // last used: now
  remove_stale_worlds(prefix, dir);
  if (lock >= 0) ::flock(lock, LOCK_SH);
  return dir;
}

std::vector<TruthRow> read_truth(const fs::path& p) {
  auto csv = CsvReader::open(p.string());
  const auto col = [&](std::string_view name) { return csv->require_column(name); };
  const std::size_t scene = col("scene_id"), near = col("near"), kind = col("baseline_kind"), lat = col("lat"),
                    lon = col("lon"), px = col("pixel_x"), py = col("pixel_y"), cloud = col("cloud_opacity"),
                    length = col("length");
  const auto number = [&](std::size_t c) { return parse_double_field(csv->field(c)).value_or(std::nan("")); };
  std::vector<TruthRow> rows;
  while (csv->next()) {
    TruthRow r;
    r.scene_id = csv->field(scene);
    r.near = csv->field(near);
    r.kind = csv->field(kind);
    r.lat = number(lat);
    r.lon = number(lon);
    r.pixel_x = number(px);
    r.pixel_y = number(py);
    r.cloud_opacity = number(cloud);
    r.length = static_cast<int>(number(length));
    rows.push_back(r);
  }
  return rows;
}

World& world() {
  static World w = [] {
    configure_gdal_for_cogs();
    World out;
    out.dir = ensure_world();
    fixture::FixtureServerOptions so;
    so.dir = out.dir;
    out.server = std::make_unique<fixture::FixtureServer>(so);
    out.server->start();
    for (const auto& entry : fs::directory_iterator(out.dir / "items")) {
      const std::string text = slurp(entry.path());
      const auto http = nlohmann::json::parse(replace_all(text, "{{BASE_URL}}", out.server->base_url()));
      const auto local = nlohmann::json::parse(replace_all(text, "{{BASE_URL}}", out.dir.string()));
      stac::Item item = stac::parse_item(http, entry.path().string());
      out.local_items.emplace(item.id, stac::parse_item(local, entry.path().string()));
      out.http_items.emplace(item.id, std::move(item));
    }
    out.truth = read_truth(out.dir / "truth.csv");
    for (const auto& r : out.truth)
      out.kinds[r.scene_id] = r.kind == "pre2022"          ? fixture::BaselineKind::pre2022
                              : r.kind == "offset_applied" ? fixture::BaselineKind::offset_applied
                                                           : fixture::BaselineKind::offset_not_applied;
    return out;
  }();
  return w;
}

const stac::ProviderProfile& earth_search() {
  return stac::provider_profile(stac::ProviderId::earth_search_l2a);
}

// The DN of a scene COG's pixel, read directly with GDAL (0 outside the raster).
double dn_at(const fs::path& tif, long long col, long long row) {
  std::unique_ptr<GDALDataset> ds(GDALDataset::Open(tif.c_str(), GDAL_OF_RASTER));
  if (!ds) return -1;
  if (col < 0 || row < 0 || col >= ds->GetRasterXSize() || row >= ds->GetRasterYSize()) return 0;
  double v = -1;
  if (ds->GetRasterBand(1)->RasterIO(GF_Read, static_cast<int>(col), static_cast<int>(row), 1, 1, &v, 1, 1, GDT_Float64,
                                     0, 0, nullptr) != CE_None)
    return -1;
  return v;
}

double median_over(const std::vector<float>& band, const std::vector<float>& scl, int cls) {
  std::vector<float> v;
  for (std::size_t k = 0; k < band.size(); ++k)
    if (!std::isnan(band[k]) && !std::isnan(scl[k]) && static_cast<int>(scl[k]) == cls) v.push_back(band[k]);
  if (v.empty()) return std::nan("");
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// Median of the valid pixels in the box of radius `outer` around the chip centre, leaving out
// the `inner` core (where the ship is): the water (or cirrus-lit water) around the ship.
double local_background(const std::vector<float>& band, int outer, int inner) {
  std::vector<float> v;
  for (int r = 128 - outer; r <= 128 + outer; ++r)
    for (int c = 128 - outer; c <= 128 + outer; ++c) {
      if (std::abs(r - 128) <= inner && std::abs(c - 128) <= inner) continue;
      const float x = band[static_cast<std::size_t>(r) * 256 + c];
      if (!std::isnan(x)) v.push_back(x);
    }
  if (v.empty()) return std::nan("");
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

long long count_class(const std::vector<float>& scl, int cls) {
  long long n = 0;
  for (float v : scl) n += !std::isnan(v) && static_cast<int>(v) == cls;
  return n;
}

// Of the ships of a baseline kind, the one whose chip holds the most clear (SCL) water.
const TruthRow* waterest_row(const std::string& kind, DatasetCache& cache) {
  const TruthRow* best = nullptr;
  long long best_count = -1;
  ChipReadOptions o;
  o.bands = {};
  for (const auto& r : world().truth) {
    if (r.kind != kind) continue;
    const ChipData chip = read_chip(cache, world().http_items.at(r.scene_id),
                                    stac::provider_profile(stac::ProviderId::earth_search_l2a), r.lon, r.lat, o);
    const long long n = count_class(chip.scl, 6);
    if (n > best_count) {
      best = &r;
      best_count = n;
    }
  }
  return best;
}

const TruthRow* first_row(const std::string& kind, const std::string& near) {
  for (const auto& r : world().truth)
    if (r.kind == kind && r.near == near) return &r;
  return nullptr;
}

}  // namespace

TEST(RasterChip, ShipAtItsTruePositionIsOnTheCentrePixelOverHttp) {
  World& w = world();
  ASSERT_EQ(w.truth.size(), 15u);
  DatasetCache cache;
  std::set<std::string> scenes;
  for (const TruthRow& t : w.truth) {
    SCOPED_TRACE(t.scene_id + " " + t.near + " x=" + std::to_string(t.pixel_x) + " y=" + std::to_string(t.pixel_y));
    const stac::Item& item = w.http_items.at(t.scene_id);
    scenes.insert(t.scene_id);
    const ChipData chip = read_chip(cache, item, earth_search(), t.lon, t.lat);
    const ChipGrid& g = chip.grid;
    // truth.csv gives the ship's pixel position to 0.01 px; the chip puts it at (128, 128) + fraction.
    EXPECT_NEAR(static_cast<double>(g.col_off) + g.target_col, t.pixel_x, 0.006);
    EXPECT_NEAR(static_cast<double>(g.row_off) + g.target_row, t.pixel_y, 0.006);
    EXPECT_GE(g.target_col, 128.0);
    EXPECT_LT(g.target_col, 129.0);
    const long long sc = g.col_off + 128, sr = g.row_off + 128;
    EXPECT_LE(std::abs(static_cast<double>(sc) - std::floor(t.pixel_x)), 1.0);
    EXPECT_LE(std::abs(static_cast<double>(sr) - std::floor(t.pixel_y)), 1.0);

    // The centre pixel is the scene pixel under the ship, value for value.
    const double dn = dn_at(w.dir / "cogs" / t.scene_id / "B08.tif", sc, sr);
    ASSERT_GT(dn, 0.0);
    const float centre = (*chip.band(Band::B08))[128 * 256 + 128];
    EXPECT_NEAR(centre, fixture::decode_dn(static_cast<std::uint16_t>(dn), w.kinds.at(t.scene_id)), 1e-6);

    // And the ship is visible there: NIR well above the water around it.
    if (t.cloud_opacity < 0.05 && t.near != "cloud") {
      float peak = -1;
      for (int r = 127; r <= 129; ++r)
        for (int c = 127; c <= 129; ++c) peak = std::max(peak, (*chip.band(Band::B08))[r * 256 + c]);
      const double water = local_background(*chip.band(Band::B08), 10, 3);
      ASSERT_FALSE(std::isnan(water));
      EXPECT_GT(peak, water + 0.01) << "no ship within 1 px of the centre";
    }
  }
  // Each COG (4 bands + SCL per scene) opened once for all the chips.
  EXPECT_EQ(cache.opens(), scenes.size() * 5);
}

TEST(RasterChip, LocalPathsGiveTheSameChipAsHttp) {
  World& w = world();
  const TruthRow* t = first_row("offset_applied", "water");
  ASSERT_TRUE(t);
  DatasetCache http_cache, local_cache;
  ChipReadOptions o;
  o.bands = {Band::B02, Band::B08, Band::B11};
  const ChipData a = read_chip(http_cache, w.http_items.at(t->scene_id), earth_search(), t->lon, t->lat, o);
  const ChipData b = read_chip(local_cache, w.local_items.at(t->scene_id), earth_search(), t->lon, t->lat, o);
  ASSERT_EQ(a.reflectance.size(), b.reflectance.size());
  for (std::size_t i = 0; i < a.reflectance.size(); ++i)
    for (std::size_t k = 0; k < a.reflectance[i].size(); ++k) {
      if (std::isnan(a.reflectance[i][k]))
        ASSERT_TRUE(std::isnan(b.reflectance[i][k]));
      else
        ASSERT_EQ(a.reflectance[i][k], b.reflectance[i][k]);
    }
}

TEST(RasterChip, ReflectanceMatchesTheWorldForEveryBaselineKind) {
  World& w = world();
  for (const char* kind : {"pre2022", "offset_applied", "offset_not_applied"}) {
    SCOPED_TRACE(kind);
    DatasetCache cache;
    const TruthRow* t = waterest_row(kind, cache);
    ASSERT_TRUE(t);
    const ChipData chip = read_chip(cache, w.http_items.at(t->scene_id), earth_search(), t->lon, t->lat);
    const fixture::BaselineKind k = w.kinds.at(t->scene_id);
    // Every pixel against the world's own decoding of the DN read directly from the COG.
    const fs::path cogs = w.dir / "cogs" / t->scene_id;
    const char* files[] = {"B02.tif", "B03.tif", "B04.tif", "B08.tif"};
    for (std::size_t b = 0; b < 4; ++b) {
      std::unique_ptr<GDALDataset> ds(GDALDataset::Open((cogs / files[b]).c_str(), GDAL_OF_RASTER));
      ASSERT_TRUE(ds);
      const ChipGrid& g = chip.grid;
      const int c0 = static_cast<int>(std::max<long long>(0, g.col_off));
      const int r0 = static_cast<int>(std::max<long long>(0, g.row_off));
      const int c1 = static_cast<int>(std::min<long long>(ds->GetRasterXSize(), g.col_off + 256));
      const int r1 = static_cast<int>(std::min<long long>(ds->GetRasterYSize(), g.row_off + 256));
      std::vector<std::uint16_t> dn(static_cast<std::size_t>(c1 - c0) * (r1 - r0));
      ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, c0, r0, c1 - c0, r1 - r0, dn.data(), c1 - c0, r1 - r0,
                                               GDT_UInt16, 0, 0, nullptr),
                CE_None);
      long long compared = 0;
      for (int r = r0; r < r1; ++r)
        for (int c = c0; c < c1; ++c) {
          const std::uint16_t v = dn[static_cast<std::size_t>(r - r0) * (c1 - c0) + (c - c0)];
          const float got = chip.reflectance[b][static_cast<std::size_t>(r - g.row_off) * 256 + (c - g.col_off)];
          if (v == 0) {
            ASSERT_TRUE(std::isnan(got));
            continue;
          }
          ASSERT_NEAR(got, fixture::decode_dn(v, k), 1e-4) << files[b] << " " << c << "," << r;
          ++compared;
        }
      EXPECT_GT(compared, 10000);
    }
    // Open water against the generator's material table (0.9..1.1 texture variation, noise).
    const double blue = median_over(*chip.band(Band::B02), chip.scl, 6);
    const double nir = median_over(*chip.band(Band::B08), chip.scl, 6);
    EXPECT_NEAR(blue, fixture::material_reflectance(fixture::Material::water, 0), 0.006);
    EXPECT_NEAR(nir, fixture::material_reflectance(fixture::Material::water, 3), 0.002);
    EXPECT_TRUE(chip.plausibility.ok) << chip.plausibility.reason;
    EXPECT_TRUE(chip.plausibility.judged_on_water);
    EXPECT_LT(chip.plausibility.dark_value, 0.03);
  }
}

TEST(RasterChip, WrongOffsetFlagIsCaughtByThePlausibilityCheck) {
  World& w = world();
  DatasetCache cache;
  ChipReadOptions o;
  o.bands = {Band::B08};
  {
    // DNs still carry +1000 but the item claims the offset was removed (earth-search #66/#71).
    const TruthRow* t = waterest_row("offset_not_applied", cache);
    ASSERT_TRUE(t);
    stac::Item item = w.http_items.at(t->scene_id);
    ASSERT_EQ(item.boa_offset_applied, std::optional<bool>(false));
    item.boa_offset_applied = true;
    const ChipData chip = read_chip(cache, item, earth_search(), t->lon, t->lat, o);
    EXPECT_FALSE(chip.plausibility.ok);
    EXPECT_EQ(chip.plausibility.suspicion, OffsetSuspicion::offset_not_removed) << chip.plausibility.reason;
    EXPECT_GT(chip.plausibility.dark_value, 0.1);
    EXPECT_NE(chip.plausibility.reason.find("+1000"), std::string::npos);
  }
  {
    // The offset was removed but the flag says it was not: the rule subtracts it again.
    const TruthRow* t = waterest_row("offset_applied", cache);
    ASSERT_TRUE(t);
    stac::Item item = w.http_items.at(t->scene_id);
    item.boa_offset_applied = false;
    const ChipData chip = read_chip(cache, item, earth_search(), t->lon, t->lat, o);
    EXPECT_FALSE(chip.plausibility.ok);
    EXPECT_EQ(chip.plausibility.suspicion, OffsetSuspicion::offset_removed_twice) << chip.plausibility.reason;
    EXPECT_GT(chip.plausibility.fraction_negative, 0.5);
  }
}

TEST(RasterChip, EdgeChipIsMaskedNotZeroFilled) {
  World& w = world();
  // The pre-2022 scene's edge ship sits ~26 px from the crop's west edge (truth.csv).
  const TruthRow* t = first_row("pre2022", "edge");
  ASSERT_TRUE(t);
  DatasetCache cache;
  ChipReadOptions o;
  o.bands = {Band::B02, Band::B08, Band::B11, Band::B12};
  const ChipData chip = read_chip(cache, w.http_items.at(t->scene_id), earth_search(), t->lon, t->lat, o);
  const long long outside_cols = -chip.grid.col_off;
  ASSERT_GT(outside_cols, 0) << "the edge ship's chip lies inside the crop";
  ASSERT_GE(chip.grid.row_off, 0);
  ASSERT_LE(chip.grid.row_off + 256, 2048);  // small world: 2048 px crop
  // Only the columns west of the crop are outside: exactly outside_cols × 256 pixels.
  const BandWindow b02 =
      read_window(cache, band_source(w.http_items.at(t->scene_id), earth_search(), Band::B02), chip.grid);
  EXPECT_EQ(b02.outside_pixels, outside_cols * 256);
  EXPECT_DOUBLE_EQ(b02.nodata_fraction(),
                   static_cast<double>(b02.outside_pixels + b02.nodata_pixels) / (256.0 * 256.0));
  for (std::size_t b = 0; b < chip.reflectance.size(); ++b)
    for (int r = 0; r < 256; ++r)
      for (int c = 0; c < outside_cols; ++c) ASSERT_TRUE(std::isnan(chip.reflectance[b][r * 256 + c])) << b << " " << c;
  for (int r = 0; r < 256; ++r)
    for (int c = 0; c < outside_cols; ++c) ASSERT_TRUE(std::isnan(chip.scl[r * 256 + c]));
  EXPECT_GE(chip.nodata_fraction, static_cast<double>(outside_cols) / 256.0);
  // Inside, valid pixels hold real reflectances (no zeros standing in for nodata).
  long long valid = 0;
  for (float v : *chip.band(Band::B11))
    if (!std::isnan(v)) {
      ++valid;
      ASSERT_GT(v, -0.05f);
    }
  EXPECT_GT(valid, 0);
}

TEST(RasterChip, TwentyMetreBandsAndSclStayCoRegistered) {
  World& w = world();
  DatasetCache cache;
  ChipReadOptions o;
  o.bands = {Band::B08, Band::B11};
  int checked = 0;
  for (const TruthRow& t : w.truth) {
    if ((t.near != "water" && t.near != "edge") || t.length < 30 || t.cloud_opacity > 0.05) continue;
    SCOPED_TRACE(t.scene_id);
    const ChipData chip = read_chip(cache, w.http_items.at(t.scene_id), earth_search(), t.lon, t.lat, o);
    // Ship centroid (reflectance above the water, weighted) in a 41 px box, per band.
    auto centroid = [&](const std::vector<float>& band, double& cx, double& cy) {
      const double bg = local_background(band, 20, 12);
      double sw = 0, sx = 0, sy = 0;
      for (int r = 108; r <= 148; ++r)
        for (int c = 108; c <= 148; ++c) {
          const float v = band[r * 256 + c];
          if (std::isnan(v) || v - bg < 0.02) continue;
          sw += v - bg;
          sx += (v - bg) * (c + 0.5);
          sy += (v - bg) * (r + 0.5);
        }
      ASSERT_GT(sw, 0.0);
      cx = sx / sw;
      cy = sy / sw;
    };
    double x8 = 0, y8 = 0, x11 = 0, y11 = 0;
    centroid(*chip.band(Band::B08), x8, y8);
    centroid(*chip.band(Band::B11), x11, y11);
    EXPECT_NEAR(x8, x11, 0.5);
    EXPECT_NEAR(y8, y11, 0.5);
    ++checked;

    // SCL: each chip pixel holds the class of the 20 m pixel under its centre.
    std::unique_ptr<GDALDataset> scl(
        GDALDataset::Open((w.dir / "cogs" / t.scene_id / "SCL.tif").c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(scl);
    double gt[6];
    scl->GetGeoTransform(gt);
    for (int r = 0; r < 256; r += 5)
      for (int c = 0; c < 256; c += 3) {
        const long long sc = static_cast<long long>(std::floor((chip.grid.x_center(c) - gt[0]) / gt[1]));
        const long long sr = static_cast<long long>(std::floor((chip.grid.y_center(r) - gt[3]) / gt[5]));
        std::uint8_t v = 0;
        if (sc >= 0 && sr >= 0 && sc < scl->GetRasterXSize() && sr < scl->GetRasterYSize()) {
          ASSERT_EQ(scl->GetRasterBand(1)->RasterIO(GF_Read, static_cast<int>(sc), static_cast<int>(sr), 1, 1, &v, 1, 1,
                                                    GDT_Byte, 0, 0, nullptr),
                    CE_None);
        }
        const float got = chip.scl[static_cast<std::size_t>(r) * 256 + c];
        if (v == 0)
          ASSERT_TRUE(std::isnan(got));
        else
          ASSERT_EQ(got, v) << c << "," << r;
      }
  }
  EXPECT_GE(checked, 4);
}

TEST(RasterChip, RemoteFailuresCarryTheirCategory) {
  World& w = world();
  const TruthRow& t = w.truth.front();
  const stac::Item& item = w.http_items.at(t.scene_id);
  const ChipGrid grid = [&] {
    DatasetCache c;
    return item_chip_grid(c, item, earth_search(), t.lon, t.lat, 256);
  }();
  {
    DatasetCache cache;
    BandSource missing{w.server->base_url() + "/cogs/" + t.scene_id + "/B99.tif", std::nullopt, std::nullopt, "B99"};
    try {
      read_window(cache, missing, grid);
      FAIL() << "a missing COG was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::not_found) << e.what();
    }
  }
  // Every request fails: 503, connection reset, or a body cut short.
  for (fixture::FaultKind kind :
       {fixture::FaultKind::http_503, fixture::FaultKind::reset, fixture::FaultKind::truncate}) {
    SCOPED_TRACE(std::string(fixture::to_string(kind)));
    fixture::FixtureServerOptions so;
    so.dir = w.dir;
    so.fault_rate = 1.0;
    so.fault_kinds = {kind};
    so.retry_after_s = 0;
    fixture::FixtureServer failing(so);
    failing.start();
    CPLSetThreadLocalConfigOption("GDAL_HTTP_MAX_RETRY", "0");
    DatasetCache cache;
    BandSource src = band_source(item, earth_search(), Band::B02);
    src.href = failing.base_url() + "/cogs/" + t.scene_id + "/B02.tif";
    try {
      read_window(cache, src, grid);
      ADD_FAILURE() << "a failing server was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::network_transient) << e.what();
      EXPECT_EQ(e.category(), ErrorCategory::retryable);
    }
    CPLSetThreadLocalConfigOption("GDAL_HTTP_MAX_RETRY", nullptr);
  }
}

TEST(RasterChip, OneChipWindowCostsOneHeaderRequestPlusItsBlocks) {
  World& w = world();
  const TruthRow* t = first_row("offset_applied", "water");
  ASSERT_TRUE(t);
  const stac::Item& item = w.http_items.at(t->scene_id);
  // Measured per setting (printed), checked for the configured one: one GET for the header
  // (GDAL_INGESTED_BYTES_AT_OPEN, no directory listing, no sidecar probing), then the blocks.
  std::map<std::string, std::uint64_t> requests;
  for (const char* ingested : {"0", "16384", "32768"}) {
    CPLSetThreadLocalConfigOption("GDAL_INGESTED_BYTES_AT_OPEN", ingested);
    VSICurlClearCache();
    w.server->reset_stats();
    DatasetCache cache;
    const ChipGrid g = item_chip_grid(cache, item, earth_search(), t->lon, t->lat, 256);
    const BandWindow win = read_window(cache, band_source(item, earth_search(), Band::B02), g);
    EXPECT_GT(win.nodata_fraction(), -1.0);
    const auto stats = w.server->stats();
    requests[ingested] = stats.requests;
    std::printf("GDAL_INGESTED_BYTES_AT_OPEN=%s: %llu requests, %llu bytes for one 256 px B02 window\n", ingested,
                static_cast<unsigned long long>(stats.requests), static_cast<unsigned long long>(stats.bytes_sent));
  }
  CPLSetThreadLocalConfigOption("GDAL_INGESTED_BYTES_AT_OPEN", nullptr);
  // HEAD (size) + one GET for the header + at most 4 blocks of 512 px for a 256 px window
  // (adjacent blocks merged into one range). Without the GDAL settings GDAL would also list
  // the folder and probe for .aux.xml/.ovr/.msk sidecars.
  EXPECT_LE(requests["32768"], 2u + 4u);
  EXPECT_GE(requests["32768"], 3u);
}

TEST(RasterChip, WorkerThreadsWithTheirOwnCachesReadTheSameChips) {
  World& w = world();
  ChipReadOptions o;
  o.bands = {Band::B03, Band::B11};
  auto read_all = [&](std::size_t first, std::size_t step, std::vector<std::vector<float>>& out) {
    DatasetCache cache;  // one per thread
    for (std::size_t i = first; i < w.truth.size(); i += step) {
      const TruthRow& t = w.truth[i];
      const ChipData chip = read_chip(cache, w.http_items.at(t.scene_id), earth_search(), t.lon, t.lat, o);
      out[i] = chip.reflectance[1];
    }
  };
  std::vector<std::vector<float>> serial(w.truth.size()), parallel(w.truth.size());
  read_all(0, 1, serial);
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> failures(3);
  for (std::size_t k = 0; k < 3; ++k)
    threads.emplace_back([&, k] {
      try {
        read_all(k, 3, parallel);
      } catch (...) {
        failures[k] = std::current_exception();
      }
    });
  for (auto& th : threads) th.join();
  for (auto& f : failures)
    if (f) std::rethrow_exception(f);
  for (std::size_t i = 0; i < serial.size(); ++i) {
    ASSERT_EQ(serial[i].size(), parallel[i].size());
    for (std::size_t k = 0; k < serial[i].size(); ++k) {
      if (std::isnan(serial[i][k]))
        ASSERT_TRUE(std::isnan(parallel[i][k]));
      else
        ASSERT_EQ(serial[i][k], parallel[i][k]) << i << " " << k;
    }
  }
}

TEST(RasterChip, GateAndWriterOnRealChips) {
  World& w = world();
  DatasetCache cache;
  const fs::path out = fs::temp_directory_path() / ("shipchips-raster-chip-" + std::to_string(::getpid())) / "chip.tif";
  int passed = 0, rejected = 0;
  bool written = false;
  for (const TruthRow& t : w.truth) {
    SCOPED_TRACE(t.scene_id + " " + t.near);
    const ChipData chip = read_chip(cache, w.http_items.at(t.scene_id), earth_search(), t.lon, t.lat);
    const GateResult g = evaluate_gate(256, chip.scl, *chip.band(Band::B03), *chip.band(Band::B08), GateOptions{});
    // The cloud fraction from the SCL file itself: the 20 m pixel under each window pixel's centre.
    std::unique_ptr<GDALDataset> scl(
        GDALDataset::Open((w.dir / "cogs" / t.scene_id / "SCL.tif").c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(scl);
    double gt[6];
    scl->GetGeoTransform(gt);
    std::vector<std::uint8_t> classes(static_cast<std::size_t>(scl->GetRasterXSize()) * scl->GetRasterYSize());
    ASSERT_EQ(
        scl->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, scl->GetRasterXSize(), scl->GetRasterYSize(), classes.data(),
                                        scl->GetRasterXSize(), scl->GetRasterYSize(), GDT_Byte, 0, 0, nullptr),
        CE_None);
    int cloudy = 0, shadow = 0;
    for (int r = 96; r < 160; ++r)
      for (int c = 96; c < 160; ++c) {
        const auto sc = static_cast<long long>(std::floor((chip.grid.x_center(c) - gt[0]) / gt[1]));
        const auto sr = static_cast<long long>(std::floor((chip.grid.y_center(r) - gt[3]) / gt[5]));
        if (sc < 0 || sr < 0 || sc >= scl->GetRasterXSize() || sr >= scl->GetRasterYSize()) continue;
        const int v = classes[static_cast<std::size_t>(sr) * scl->GetRasterXSize() + sc];
        cloudy += v == 8 || v == 9 || v == 10;
        shadow += v == 3;
      }
    EXPECT_DOUBLE_EQ(g.stats.decision_cloud_frac, cloudy / 4096.0);
    EXPECT_DOUBLE_EQ(g.stats.decision_shadow_frac, shadow / 4096.0);
    if (cloudy / 4096.0 > 0.2) {
      EXPECT_FALSE(g.passed);
      EXPECT_EQ(g.reason.rfind("cloud ", 0), 0u) << g.reason;
    }
    passed += g.passed;
    rejected += !g.passed;

    if (g.passed && !written) {
      // A passing chip written as a COG reads back value for value, on the chip's grid.
      std::vector<ChipBandView> views;
      for (std::size_t b = 0; b < chip.bands.size(); ++b)
        views.push_back({std::string(stac::to_string(chip.bands[b])), chip.reflectance[b]});
      write_chip_geotiff(out, chip.grid, views);
      std::unique_ptr<GDALDataset> ds(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
      ASSERT_TRUE(ds);
      ASSERT_EQ(ds->GetRasterCount(), 4);
      double back_gt[6];
      ASSERT_EQ(ds->GetGeoTransform(back_gt), CE_None);
      for (int k = 0; k < 6; ++k) EXPECT_DOUBLE_EQ(back_gt[k], chip.grid.geotransform[static_cast<std::size_t>(k)]);
      EXPECT_STREQ(ds->GetSpatialRef()->GetAuthorityCode(nullptr), std::to_string(chip.grid.epsg).c_str());
      EXPECT_STREQ(ds->GetRasterBand(4)->GetDescription(), "B08");
      std::vector<float> nir(256 * 256);
      ASSERT_EQ(
          ds->GetRasterBand(4)->RasterIO(GF_Read, 0, 0, 256, 256, nir.data(), 256, 256, GDT_Float32, 0, 0, nullptr),
          CE_None);
      const auto& want = *chip.band(Band::B08);
      for (std::size_t k = 0; k < nir.size(); ++k) {
        if (std::isnan(want[k]))
          ASSERT_TRUE(std::isnan(nir[k]));
        else
          ASSERT_EQ(nir[k], want[k]);
      }
      written = true;
    }
  }
  EXPECT_GT(passed, 0);
  EXPECT_GT(rejected, 0);
  EXPECT_TRUE(written);
  std::error_code ec;
  fs::remove_all(out.parent_path(), ec);
}
