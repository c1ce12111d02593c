// Pass prediction at world scale (issue 5, section 6): every MGRS 100 km square between 56°S
// and 84°N (a superset of the 56,686 Sentinel-2 tiles) × S2A/S2B/S2C × 10 days, target
// ≤ 10 s on 2 cores. Prints the tile set-up time (grid enumeration + corner geometry, done
// once and reusable) and the prediction time separately; the figure to read is the
// prediction (predict_passes), best of --repeat runs.
//
// Usage: plan_passes_bench [TLE_FILE] [--start YYYY-MM-DD] [--days N] [--threads T] [--repeat R]
#include "core/time.hpp"
#include "orbit/tle.hpp"
#include "plan/passes.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace shipchips;

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  std::string tle_file = std::string(SHIPCHIPS_REFERENCE_DIR) + "/tle/sentinel2_tles.txt";
  std::string start_text = "2026-03-20";
  int days = 10, threads = 2, repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--start")
      start_text = next();
    else if (a == "--days")
      days = std::atoi(next().c_str());
    else if (a == "--threads")
      threads = std::atoi(next().c_str());
    else if (a == "--repeat")
      repeat = std::atoi(next().c_str());
    else
      tle_file = a;
  }
  try {
    auto t0 = std::chrono::steady_clock::now();
    const auto squares = plan::all_tiles(-56.0, 84.0);
    const double enumerate = seconds_since(t0);
    std::vector<plan::TileGeometry> tiles;
    tiles.reserve(squares.size());
    for (const auto& s : squares) tiles.push_back(plan::tile_geometry(s));
    const double setup = seconds_since(t0);

    plan::PassOptions o;
    o.start = parse_iso8601(start_text);
    o.end = o.start + std::chrono::days(days);
    o.threads = threads;
    std::vector<std::string> warnings;
    const auto sats =
        plan::select_elements(orbit::read_tle_file(tle_file), {"S2A", "S2B", "S2C"}, o.start, o.end, warnings);
    double best = 1e30;
    std::size_t passes = 0;
    for (int r = 0; r < repeat; ++r) {
      t0 = std::chrono::steady_clock::now();
      const auto out = plan::predict_passes(sats, tiles, o);
      best = std::min(best, seconds_since(t0));
      passes = out.size();
    }
    std::printf("tiles: %zu MGRS squares (56S-84N), satellites: %zu, days: %d, threads: %d\n", tiles.size(),
                sats.size(), days, threads);
    std::printf("tile set-up (once): %.2f s (enumerate squares %.2f s, corner geometry %.2f s)\n", setup, enumerate,
                setup - enumerate);
    std::printf("prediction: %.2f s (best of %d), %zu passes (%.1f per tile)\n", best, repeat, passes,
                static_cast<double>(passes) / static_cast<double>(tiles.size()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "plan_passes_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
