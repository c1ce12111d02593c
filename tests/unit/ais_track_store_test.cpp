// The track store: duplicates, ordering, area/time queries, static merging, migrations, speed.

#include "ais/track_store.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

using namespace shipchips;
using namespace shipchips::ais;
namespace fs = std::filesystem;

namespace {

UtcTime at(const char* iso) {
  return parse_iso8601(iso);
}

PositionReport ping(std::int64_t mmsi, const char* iso, double lat, double lon, std::optional<double> sog = 10.0) {
  PositionReport p;
  p.mmsi = mmsi;
  p.time = at(iso);
  p.lat = lat;
  p.lon = lon;
  p.sog_kn = sog;
  p.cog_deg = 90.0;
  p.ais_class = AisClass::a;
  p.source = "test.csv";
  p.provider = "upload";
  return p;
}

class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : m_path(fs::temp_directory_path() / ("shipchips-track-test-" + std::to_string(::getpid()) + "-" + name)) {
    remove();
  }
  ~TempFile() { remove(); }
  const fs::path& path() const { return m_path; }

 private:
  void remove() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(m_path.string() + suffix, ec);
  }
  fs::path m_path;
};

std::string sqlite_text(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

}  // namespace

TEST(AisTrackStore, ExactDuplicatesDroppedOthersKept) {
  TrackStore store(":memory:");
  std::vector<PositionReport> batch{
      ping(1, "2023-01-01T00:00:10Z", 55.0, 10.0),
      ping(1, "2023-01-01T00:00:10Z", 55.0, 10.0),                // exact duplicate
      ping(1, "2023-01-01T00:00:10Z", 55.0, 10.0, std::nullopt),  // differs: SOG unknown
      ping(1, "2023-01-01T00:00:10Z", 55.0, 10.0, std::nullopt),  // duplicate with a NULL column
      ping(1, "2023-01-01T00:00:10Z", 55.00001, 10.0),            // another position
      ping(2, "2023-01-01T00:00:10Z", 55.0, 10.0),                // another ship
  };
  auto other_provider = batch[0];
  other_provider.provider = "dma";
  other_provider.source = "other.csv";
  batch.push_back(other_provider);  // the same report from another file: still a duplicate
  const auto c = store.insert(std::span<const PositionReport>(batch));
  EXPECT_EQ(c.inserted, 4u);
  EXPECT_EQ(c.duplicates, 3u);
  // Importing the same batch again adds nothing.
  const auto again = store.insert(std::span<const PositionReport>(batch));
  EXPECT_EQ(again.inserted, 0u);
  EXPECT_EQ(again.duplicates, 7u);
  const auto counts = store.counts();
  EXPECT_EQ(counts.positions, 4);
  EXPECT_EQ(counts.ships, 2);
  // The first one wins: provider "upload", not "dma".
  for (const auto& p : store.track(1, at("2023-01-01"), at("2023-01-02"))) EXPECT_EQ(p.provider, "upload");
}

TEST(AisTrackStore, TrackIsOrderedAndRoundTripsEveryField) {
  TrackStore store(":memory:");
  auto p3 = ping(7, "2023-05-01T10:00:30.250000Z", 54.1, 11.3);
  p3.heading_deg = 271.0;
  p3.nav_status = 5;
  p3.ais_class = AisClass::b;
  p3.cog_deg = std::nullopt;
  std::vector<PositionReport> batch{ping(7, "2023-05-01T10:00:20Z", 54.0, 11.2), p3,
                                    ping(7, "2023-05-01T10:00:00Z", 53.9, 11.1),
                                    ping(8, "2023-05-01T10:00:05Z", 50.0, 1.0)};
  store.insert(std::span<const PositionReport>(batch));
  const auto track = store.track(7, at("2023-05-01T10:00:00Z"), at("2023-05-01T10:00:30.25Z"));
  ASSERT_EQ(track.size(), 3u);  // both ends inclusive
  EXPECT_EQ(track[0].time, at("2023-05-01T10:00:00Z"));
  EXPECT_EQ(track[1].time, at("2023-05-01T10:00:20Z"));
  EXPECT_EQ(track[2], p3);  // every field, microseconds and nullopts included
  EXPECT_EQ(store.track(7, at("2023-05-01T10:00:01Z"), at("2023-05-01T10:00:30Z")).size(), 1u);
  const auto span = store.time_span(7);
  ASSERT_TRUE(span);
  EXPECT_EQ(span->first, at("2023-05-01T10:00:00Z"));
  EXPECT_EQ(span->second, p3.time);
  EXPECT_FALSE(store.time_span(99));
}

TEST(AisTrackStore, ShipsInAreaAndTime) {
  TrackStore store(":memory:");
  std::vector<PositionReport> batch{
      ping(1, "2023-01-01T00:00:00Z", 55.0, 10.0),   ping(1, "2023-01-01T02:00:00Z", 55.5, 10.5),
      ping(2, "2023-01-01T00:30:00Z", 56.5, 10.0),  // outside in latitude
      ping(3, "2023-01-01T00:30:00Z", 55.2, 10.9),  // inside
      ping(4, "2023-01-01T00:30:00Z", -17.0, 179.5), ping(5, "2023-01-01T00:30:00Z", -17.0, -179.5),
      ping(6, "2023-01-01T00:30:00Z", -17.0, 170.0)};
  store.insert(std::span<const PositionReport>(batch));
  const BBox denmark{54.5, 9.5, 56.0, 11.0};
  const auto rows = store.ships_in(denmark, at("2023-01-01T00:00:00Z"), at("2023-01-01T01:00:00Z"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].mmsi, 1);
  EXPECT_EQ(rows[1].mmsi, 3);
  EXPECT_EQ(store.mmsis_in(denmark, at("2023-01-01"), at("2023-01-02")), (std::vector<std::int64_t>{1, 3}));
  // Fiji across the antimeridian: min_lon 179 > max_lon -179.
  const BBox fiji{-18.0, 179.0, -16.0, -179.0};
  EXPECT_EQ(store.mmsis_in(fiji, at("2023-01-01"), at("2023-01-02")), (std::vector<std::int64_t>{4, 5}));
}

TEST(AisTrackStore, StaticOfMergesNewestFieldsAndKeepsHistory) {
  TrackStore store(":memory:");
  StaticData part_a;  // class B type 24 A: name only
  part_a.mmsi = 211000001;
  part_a.time = at("2023-01-01T00:00:00Z");
  part_a.name = "OLD NAME";
  StaticData part_b;  // type 24 B: callsign, type, dimensions
  part_b.mmsi = 211000001;
  part_b.time = at("2023-01-01T00:01:00Z");
  part_b.callsign = "OXAB2";
  part_b.ship_type = 37;
  part_b.dim_a = 8;
  part_b.dim_b = 4;
  part_b.dim_c = 2;
  part_b.dim_d = 2;
  StaticData renamed = part_a;
  renamed.time = at("2023-01-01T00:02:00Z");
  renamed.name = "NEW NAME";
  std::vector<StaticData> rows{part_a, part_b, renamed, renamed};
  const auto c = store.insert(std::span<const StaticData>(rows));
  EXPECT_EQ(c.inserted, 3u);
  EXPECT_EQ(c.duplicates, 1u);
  const auto s = store.static_of(211000001);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "NEW NAME");
  EXPECT_EQ(s->callsign, "OXAB2");
  EXPECT_EQ(s->ship_type, 37);
  EXPECT_EQ(s->dim_a, 8);
  EXPECT_EQ(s->dim_d, 2);
  EXPECT_FALSE(s->imo);
  EXPECT_EQ(s->time, renamed.time);
  EXPECT_EQ(store.static_history(211000001).size(), 3u);
  EXPECT_FALSE(store.static_of(1));
  EXPECT_EQ(store.counts().static_reports, 3);
}

TEST(AisTrackStore, FileStoreIsWalVersionedAndPersistent) {
  TempFile db("persist.db");
  {
    TrackStore store(db.path().string());
    std::vector<PositionReport> batch{ping(1, "2023-01-01T00:00:00Z", 55.0, 10.0)};
    store.insert(std::span<const PositionReport>(batch));
  }
  EXPECT_EQ(sqlite_text(db.path(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(sqlite_text(db.path(), "SELECT version FROM schema_versions WHERE component = 'track_store'"),
            std::to_string(TrackStore::schema_version()));
  {
    TrackStore again(db.path().string());  // reopening migrates nothing and keeps the rows
    EXPECT_EQ(again.counts().positions, 1);
  }
  // A file from a newer program is refused, not damaged.
  sqlite3* h = nullptr;
  sqlite3_open(db.path().c_str(), &h);
  sqlite3_exec(h, "UPDATE schema_versions SET version = 99 WHERE component = 'track_store'", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  try {
    TrackStore newer(db.path().string());
    FAIL() << "a newer schema was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::contract_violation);
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(db.path().string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(sqlite_text(db.path(), "SELECT count(*) FROM positions"), "1");
  // A folder that cannot be made (a file is in the way) is an io_error naming the path.
  try {
    TrackStore("/dev/null/x/track.db");
    FAIL() << "a store under /dev/null was opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io_error) << e.what();
    EXPECT_NE(std::string(e.what()).find("/dev/null/x"), std::string::npos) << e.what();
  }
}

// A store written before schema_versions existed (its one migration counted in PRAGMA
// user_version = 1) is adopted: nothing is created again and its rows stay.
TEST(AisTrackStore, StoreFromBeforeSchemaVersionsIsAdopted) {
  TempFile db("legacy.db");
  {
    TrackStore store(db.path().string());
    PositionReport p;
    p.mmsi = 211000001;
    p.time = parse_iso8601("2026-03-20T10:40:00Z");
    p.lat = 54.0;
    p.lon = 10.0;
    store.insert(std::span<const PositionReport>(&p, 1));
  }
  sqlite3* h = nullptr;
  sqlite3_open(db.path().c_str(), &h);
  ASSERT_EQ(sqlite3_exec(h, "DROP TABLE schema_versions; PRAGMA user_version=1", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(h);
  TrackStore adopted(db.path().string());
  EXPECT_EQ(adopted.counts().positions, 1);
  EXPECT_EQ(sqlite_text(db.path(), "SELECT version FROM schema_versions WHERE component = 'track_store'"), "1");
}

TEST(AisTrackStore, HundredThousandRowsInOneBatchAreFast) {
  TempFile db("bulk.db");
  TrackStore store(db.path().string());
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> lat(54.0, 58.0), lon(7.0, 15.0);
  std::vector<PositionReport> batch;
  const auto t0 = at("2023-03-18T00:00:00Z");
  for (int i = 0; i < 100000; ++i) {
    PositionReport p;
    p.mmsi = 219000000 + i % 500;
    p.time = t0 + std::chrono::seconds(i / 500 * 10);
    p.lat = lat(rng);
    p.lon = lon(rng);
    p.sog_kn = 12.3;
    batch.push_back(p);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto c = store.insert(std::span<const PositionReport>(batch));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(c.inserted, 100000u);
  std::printf("[ info ] 100000 positions inserted in %.2f s (%.0f rows/s)\n", seconds, 100000 / seconds);
  EXPECT_LT(seconds, 5.0);
  const auto track = store.track(219000007, t0, t0 + std::chrono::hours(1));
  ASSERT_EQ(track.size(), 200u);
  for (std::size_t i = 1; i < track.size(); ++i) EXPECT_LT(track[i - 1].time, track[i].time);
}
