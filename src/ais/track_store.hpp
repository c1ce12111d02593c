#pragma once
// The track store: every AIS ping and every static report, in SQLite (a file or ":memory:").
//
// Schema (component "track_store" in schema_versions, core/sqlite_db.hpp; a store written before
// that table counted its migrations in PRAGMA user_version and is adopted; a newer one is refused):
//   positions(mmsi, time_us, lat, lon, sog, cog, heading, nav_status, class, source, provider)
//     - exact duplicates are dropped: a unique index over every measured value (mmsi, time,
//       lat, lon, sog, cog, heading, nav status; NULL counted as a value) with INSERT OR
//       IGNORE. Which file or provider said it does not make a ping different, so the same
//       report heard twice (two receivers, two downloads) is kept once: the first one wins.
//     - that unique index starts with (mmsi, time_us), so it serves track queries;
//       positions_time_area (time_us, lat, lon) serves "which ships were here then".
//   static_reports(mmsi, time_us, name, callsign, imo, ship_type, dim_a..dim_d, draught,
//                  destination, source, provider) — the history, exact duplicates dropped.
// Times are stored as integer microseconds since the Unix epoch (UTC).
//
// Opened through core/sqlite_db (WAL, synchronous=NORMAL, 10 s busy timeout; errors classified:
// busy → database_busy, corrupt → database_corrupt, ...). insert() writes a whole batch in one transaction with one
// prepared statement: 100k rows take well under a second.

#include "ais/model.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace shipchips::ais {

// min_lon > max_lon means the box crosses the antimeridian.
struct BBox {
  double min_lat = -90, min_lon = -180, max_lat = 90, max_lon = 180;
  bool operator==(const BBox&) const = default;
};

struct TrackCounts {
  std::int64_t positions = 0;
  std::int64_t ships = 0;  // distinct MMSIs with positions
  std::int64_t static_reports = 0;
  std::optional<UtcTime> first, last;  // time span of all positions
};

struct InsertCounts {
  std::size_t inserted = 0;
  std::size_t duplicates = 0;
};

class TrackStore {
 public:
  // Opens or creates the store (and its folder) and migrates its schema. Errors name the path:
  // io_error when the file cannot be opened, contract_violation when its schema is newer than
  // this program, database_corrupt when it is not a database.
  explicit TrackStore(const std::string& path);
  ~TrackStore();
  TrackStore(const TrackStore&) = delete;
  TrackStore& operator=(const TrackStore&) = delete;

  static int schema_version();  // the version this program writes

  // One transaction per call; duplicates (see above) are counted, not errors.
  InsertCounts insert(std::span<const PositionReport> reports);
  InsertCounts insert(std::span<const StaticData> reports);

  // Pings of one ship with t0 <= time <= t1, ordered by time.
  std::vector<PositionReport> track(std::int64_t mmsi, UtcTime t0, UtcTime t1) const;
  // Every ping inside the box with t0 <= time <= t1, ordered by (mmsi, time).
  std::vector<PositionReport> ships_in(const BBox& box, UtcTime t0, UtcTime t1) const;
  // Distinct MMSIs with a ping inside the box and time range, ascending.
  std::vector<std::int64_t> mmsis_in(const BBox& box, UtcTime t0, UtcTime t1) const;
  // The ship's static data as it stands now: each field from the newest report that carries
  // it (class B sends name and the rest in separate messages). time = newest report's time.
  std::optional<StaticData> static_of(std::int64_t mmsi) const;
  std::vector<StaticData> static_history(std::int64_t mmsi) const;  // oldest first
  // First and last ping time of one ship (scene search uses the track's span).
  std::optional<std::pair<UtcTime, UtcTime>> time_span(std::int64_t mmsi) const;
  TrackCounts counts() const;

  const std::string& path() const { return m_path; }

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  std::string m_path;
};

}  // namespace shipchips::ais
