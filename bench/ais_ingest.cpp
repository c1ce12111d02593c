// AIS ingest speed: a CSV of positions into the track store, ours against the way a Python
// prototype does it (csv module + datetime parsing + sqlite3 executemany with INSERT OR IGNORE
// on the same unique key), side by side in one run on the same file.
//
//   ais_ingest_bench [--rows N] [--repeat R]
//
// The file (upload schema: mmsi, captured_time, lat, lon, sog, cog, heading, class, source,
// provider) holds N rows (default 500000) of synthetic traffic (ais/synthetic.hpp), written to
// a temporary folder. Ours: `ais::import_ais_file` into a fresh `ais::TrackStore` (the path of
// `shipchips ais import`). Python: /usr/bin/python3 with only the standard library, the same
// validation (numbers, ISO times) and the same table/unique index. Best of R runs (default 3);
// prints rows/s of both and the ratio.
#include "ais/readers_csv.hpp"
#include "ais/synthetic.hpp"
#include "ais/track_store.hpp"
#include "core/time.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const char* kPython = R"PY(
import csv, sqlite3, sys
from datetime import datetime
src, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=NORMAL")
con.execute("CREATE TABLE positions (mmsi INTEGER, time_us INTEGER, lat REAL, lon REAL, sog REAL, cog REAL,"
            " heading REAL, nav_status INTEGER, class TEXT, source TEXT, provider TEXT)")
con.execute("CREATE UNIQUE INDEX positions_key ON positions (mmsi, time_us, lat, lon, sog, cog, heading, nav_status)")
con.execute("CREATE INDEX positions_time_area ON positions (time_us, lat, lon)")
def opt(v): return float(v) if v != "" else None
rows = []
with open(src, newline="") as f:
    for r in csv.DictReader(f):
        t = datetime.fromisoformat(r["captured_time"].replace("Z", "+00:00"))
        lat, lon = float(r["lat"]), float(r["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180): continue
        rows.append((int(r["mmsi"]), int(t.timestamp() * 1_000_000), lat, lon, opt(r["sog"]), opt(r["cog"]),
                     opt(r["heading"]), None, r["class"], r["source"], r["provider"]))
        if len(rows) == 20000:
            con.executemany("INSERT OR IGNORE INTO positions VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows); con.commit(); rows = []
con.executemany("INSERT OR IGNORE INTO positions VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows); con.commit()
print(con.execute("SELECT count(*) FROM positions").fetchone()[0])
)PY";

std::string fmt(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  long rows = 500000;
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--rows")
      rows = std::atol(argv[i + 1]);
    else if (a == "--repeat")
      repeat = std::atoi(argv[i + 1]);
    else {
      std::cerr << "usage: ais_ingest_bench [--rows N] [--repeat R]\n";
      return 2;
    }
  }
  using namespace shipchips;
  const fs::path dir = fs::temp_directory_path() / ("shipchips-ingest-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path csv = dir / "positions.csv";
  {
    ais::SyntheticOptions o;
    const UtcTime t0 = parse_iso8601("2026-03-20T10:00:00Z");
    // Enough ships over an hour-long window in a North Sea box to reach the row count.
    o.ships_per_area = static_cast<int>(rows / 500) + 1;
    o.areas.push_back({ais::BBox{52.0, 3.0, 54.0, 7.0}, t0, t0 + std::chrono::hours(1)});
    const auto traffic = ais::synthesize_ais(o);
    std::ofstream out(csv);
    out << "mmsi,captured_time,lat,lon,sog,cog,heading,class,source,provider\n";
    long written = 0;
    for (const auto& p : traffic.positions) {
      if (written == rows) break;
      out << p.mmsi << ',' << format_iso8601(p.time, 6) << ',' << fmt(p.lat, 6) << ',' << fmt(p.lon, 6) << ','
          << (p.sog_kn ? fmt(*p.sog_kn, 1) : "") << ',' << (p.cog_deg ? fmt(*p.cog_deg, 1) : "") << ','
          << (p.heading_deg ? fmt(*p.heading_deg, 0) : "") << ',' << ais::to_string(p.ais_class)
          << ",bench,synthetic\n";
      ++written;
    }
    rows = written;
  }
  const fs::path script = dir / "ingest.py";
  std::ofstream(script) << kPython;

  // Where our time goes: parsing alone (no store).
  double best_parse = 1e300;
  for (int r = 0; r < repeat; ++r) {
    long n = 0;
    ais::AisSink count{[&](const ais::PositionReport&) { ++n; }, nullptr};
    const auto t0 = Clock::now();
    ais::read_ais_file(csv.string(), count);
    best_parse = std::min(best_parse, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  double best_ours = 1e300, best_py = 1e300;
  long stored_ours = 0;
  for (int r = 0; r < repeat; ++r) {
    const fs::path db = dir / ("ours" + std::to_string(r) + ".sqlite");
    const auto t0 = Clock::now();
    {
      ais::TrackStore store(db.string());
      ais::import_ais_file(csv.string(), store);
      stored_ours = store.counts().positions;
    }
    best_ours = std::min(best_ours, std::chrono::duration<double>(Clock::now() - t0).count());

    const fs::path pydb = dir / ("py" + std::to_string(r) + ".sqlite");
    const std::string cmd = "/usr/bin/python3 '" + script.string() + "' '" + csv.string() + "' '" + pydb.string() +
                            "' > '" + (dir / "py.out").string() + "'";
    const auto t1 = Clock::now();
    if (std::system(cmd.c_str()) != 0) {
      std::cerr << "python baseline failed\n";
      return 1;
    }
    best_py = std::min(best_py, std::chrono::duration<double>(Clock::now() - t1).count());
  }
  long stored_py = 0;
  std::ifstream(dir / "py.out") >> stored_py;
  std::printf("rows in file: %ld; stored: shipchips %ld, python %ld\n", rows, stored_ours, stored_py);
  std::printf("shipchips ais import: %.2f s, %.0f rows/s\n", best_ours, rows / best_ours);
  std::printf("  of which parsing:   %.2f s, %.0f rows/s\n", best_parse, rows / best_parse);
  std::printf("python csv+sqlite3:   %.2f s, %.0f rows/s\n", best_py, rows / best_py);
  std::printf("ratio: %.1fx\n", best_py / best_ours);
  fs::remove_all(dir);
  return stored_ours == stored_py ? 0 : 1;
}
