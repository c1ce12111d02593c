#include "ais/track_store.hpp"

#include "core/error.hpp"
#include "core/sqlite_db.hpp"

#include <array>
#include <string_view>

namespace shipchips::ais {
namespace {

// The track store's component in schema_versions (core/sqlite_db.hpp). Each entry moves the
// schema one version up; never edit an applied entry, append a new one.
constexpr std::string_view kComponent = "track_store";
constexpr std::array<sqlite::Migration, 1> kMigrations{{
    {1, R"sql(
CREATE TABLE positions (
  id INTEGER PRIMARY KEY,
  mmsi INTEGER NOT NULL,
  time_us INTEGER NOT NULL,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  sog REAL,
  cog REAL,
  heading REAL,
  nav_status INTEGER,
  class TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX positions_exact ON positions(mmsi, time_us, lat, lon, ifnull(sog, -1),
  ifnull(cog, -1), ifnull(heading, -1), ifnull(nav_status, -1));
CREATE INDEX positions_time_area ON positions(time_us, lat, lon);
CREATE TABLE static_reports (
  id INTEGER PRIMARY KEY,
  mmsi INTEGER NOT NULL,
  time_us INTEGER NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  callsign TEXT NOT NULL DEFAULT '',
  imo INTEGER,
  ship_type INTEGER,
  dim_a INTEGER, dim_b INTEGER, dim_c INTEGER, dim_d INTEGER,
  draught REAL,
  destination TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX static_exact ON static_reports(mmsi, time_us, name, callsign, destination,
  ifnull(imo, -1), ifnull(ship_type, -1), ifnull(dim_a, -1), ifnull(dim_b, -1), ifnull(dim_c, -1),
  ifnull(dim_d, -1), ifnull(draught, -1));
)sql"},
}};

std::int64_t to_us(UtcTime t) {
  return t.time_since_epoch().count();
}
UtcTime from_us(std::int64_t us) {
  return UtcTime(std::chrono::microseconds(us));
}

template <typename T>
std::optional<T> opt_int(const sqlite::Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return static_cast<T>(s.int64(column));
}

constexpr const char* kPositionColumns =
    "mmsi, time_us, lat, lon, sog, cog, heading, nav_status, class, source, provider";
constexpr const char* kStaticColumns =
    "mmsi, time_us, name, callsign, imo, ship_type, dim_a, dim_b, dim_c, dim_d, draught, destination, source, provider";

PositionReport read_position(const sqlite::Statement& s) {
  PositionReport r;
  r.mmsi = s.int64(0);
  r.time = from_us(s.int64(1));
  r.lat = s.real(2);
  r.lon = s.real(3);
  r.sog_kn = s.opt_real(4);
  r.cog_deg = s.opt_real(5);
  r.heading_deg = s.opt_real(6);
  r.nav_status = opt_int<int>(s, 7);
  r.ais_class = parse_ais_class(s.text(8));
  r.source = s.text(9);
  r.provider = s.text(10);
  return r;
}

StaticData read_static(const sqlite::Statement& s) {
  StaticData d;
  d.mmsi = s.int64(0);
  d.time = from_us(s.int64(1));
  d.name = s.text(2);
  d.callsign = s.text(3);
  d.imo = opt_int<std::int64_t>(s, 4);
  d.ship_type = opt_int<int>(s, 5);
  d.dim_a = opt_int<int>(s, 6);
  d.dim_b = opt_int<int>(s, 7);
  d.dim_c = opt_int<int>(s, 8);
  d.dim_d = opt_int<int>(s, 9);
  d.draught_m = s.opt_real(10);
  d.destination = s.text(11);
  d.source = s.text(12);
  d.provider = s.text(13);
  return d;
}

// Binds the area part of a query: parameters ?3..?6 for lat/lon ranges. A box crossing the
// antimeridian (min_lon > max_lon) is two lon ranges, expressed in SQL as an OR.
std::string area_clause(const BBox& box) {
  return box.min_lon <= box.max_lon ? "lat BETWEEN ?3 AND ?4 AND lon BETWEEN ?5 AND ?6"
                                    : "lat BETWEEN ?3 AND ?4 AND (lon >= ?5 OR lon <= ?6)";
}
void bind_area(sqlite::Statement& s, const BBox& box, UtcTime t0, UtcTime t1) {
  s.bind(1, to_us(t0));
  s.bind(2, to_us(t1));
  s.bind(3, box.min_lat);
  s.bind(4, box.max_lat);
  s.bind(5, box.min_lon);
  s.bind(6, box.max_lon);
}

}  // namespace

struct TrackStore::Impl {
  explicit Impl(const std::string& path) : db(path) {}
  sqlite::Database db;
  std::int64_t scalar(std::string_view sql) {
    sqlite::Statement s = db.prepare(sql);
    return s.step() ? s.int64(0) : 0;
  }
};

TrackStore::TrackStore(const std::string& path) : m_impl(std::make_unique<Impl>(path)), m_path(path) {
  // Index pages of a big batch stay in memory (the default 2 MB cache makes inserts into the
  // two position indexes read pages back from disk again and again).
  m_impl->db.exec("PRAGMA cache_size=-65536");
  // Stores written before schema_versions counted their migrations in PRAGMA user_version.
  sqlite::adopt_user_version(m_impl->db, kComponent);
  sqlite::migrate(m_impl->db, kComponent, kMigrations);
}

TrackStore::~TrackStore() = default;

int TrackStore::schema_version() {
  return kMigrations.back().version;
}

InsertCounts TrackStore::insert(std::span<const PositionReport> reports) {
  InsertCounts counts;
  if (reports.empty()) return counts;
  sqlite::Transaction tx(m_impl->db);
  sqlite::Statement s(m_impl->db, std::string("INSERT OR IGNORE INTO positions(") + kPositionColumns +
                                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  for (const auto& r : reports) {
    s.reset();
    s.bind(1, static_cast<std::int64_t>(r.mmsi));
    s.bind(2, to_us(r.time));
    s.bind(3, r.lat);
    s.bind(4, r.lon);
    s.bind(5, r.sog_kn);
    s.bind(6, r.cog_deg);
    s.bind(7, r.heading_deg);
    s.bind(8, r.nav_status);
    s.bind(9, to_string(r.ais_class));
    s.bind(10, r.source);
    s.bind(11, r.provider);
    s.run();
    if (m_impl->db.changes() > 0)
      ++counts.inserted;
    else
      ++counts.duplicates;
  }
  tx.commit();
  return counts;
}

InsertCounts TrackStore::insert(std::span<const StaticData> reports) {
  InsertCounts counts;
  if (reports.empty()) return counts;
  sqlite::Transaction tx(m_impl->db);
  sqlite::Statement s(m_impl->db, std::string("INSERT OR IGNORE INTO static_reports(") + kStaticColumns +
                                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  for (const auto& d : reports) {
    s.reset();
    s.bind(1, static_cast<std::int64_t>(d.mmsi));
    s.bind(2, to_us(d.time));
    s.bind(3, d.name);
    s.bind(4, d.callsign);
    s.bind(5, d.imo);
    s.bind(6, d.ship_type);
    s.bind(7, d.dim_a);
    s.bind(8, d.dim_b);
    s.bind(9, d.dim_c);
    s.bind(10, d.dim_d);
    s.bind(11, d.draught_m);
    s.bind(12, d.destination);
    s.bind(13, d.source);
    s.bind(14, d.provider);
    s.run();
    if (m_impl->db.changes() > 0)
      ++counts.inserted;
    else
      ++counts.duplicates;
  }
  tx.commit();
  return counts;
}

std::vector<PositionReport> TrackStore::track(std::int64_t mmsi, UtcTime t0, UtcTime t1) const {
  sqlite::Statement s(m_impl->db,
                      std::string("SELECT ") + kPositionColumns +
                          " FROM positions WHERE mmsi = ?1 AND time_us BETWEEN ?2 AND ?3 ORDER BY time_us, id");
  s.bind(1, mmsi);
  s.bind(2, to_us(t0));
  s.bind(3, to_us(t1));
  std::vector<PositionReport> out;
  while (s.step()) out.push_back(read_position(s));
  return out;
}

std::vector<PositionReport> TrackStore::ships_in(const BBox& box, UtcTime t0, UtcTime t1) const {
  sqlite::Statement s(m_impl->db, std::string("SELECT ") + kPositionColumns +
                                      " FROM positions WHERE time_us BETWEEN ?1 AND ?2 AND " + area_clause(box) +
                                      " ORDER BY mmsi, time_us, id");
  bind_area(s, box, t0, t1);
  std::vector<PositionReport> out;
  while (s.step()) out.push_back(read_position(s));
  return out;
}

std::vector<std::int64_t> TrackStore::mmsis_in(const BBox& box, UtcTime t0, UtcTime t1) const {
  sqlite::Statement s(m_impl->db, "SELECT DISTINCT mmsi FROM positions WHERE time_us BETWEEN ?1 AND ?2 AND " +
                                      area_clause(box) + " ORDER BY mmsi");
  bind_area(s, box, t0, t1);
  std::vector<std::int64_t> out;
  while (s.step()) out.push_back(s.int64(0));
  return out;
}

std::vector<StaticData> TrackStore::static_history(std::int64_t mmsi) const {
  sqlite::Statement s(m_impl->db, std::string("SELECT ") + kStaticColumns +
                                      " FROM static_reports WHERE mmsi = ?1 ORDER BY time_us, id");
  s.bind(1, mmsi);
  std::vector<StaticData> out;
  while (s.step()) out.push_back(read_static(s));
  return out;
}

std::optional<StaticData> TrackStore::static_of(std::int64_t mmsi) const {
  const auto history = static_history(mmsi);
  if (history.empty()) return std::nullopt;
  StaticData merged = history.back();
  // Walk back in time, filling what the newest report did not carry.
  for (auto it = history.rbegin() + 1; it != history.rend(); ++it) {
    auto fill_text = [](std::string& into, const std::string& from) {
      if (into.empty()) into = from;
    };
    auto fill = [](auto& into, const auto& from) {
      if (!into) into = from;
    };
    fill_text(merged.name, it->name);
    fill_text(merged.callsign, it->callsign);
    fill_text(merged.destination, it->destination);
    fill(merged.imo, it->imo);
    fill(merged.ship_type, it->ship_type);
    fill(merged.draught_m, it->draught_m);
    // Dimensions belong together (one antenna position): take all four from one report.
    if (!merged.dim_a && !merged.dim_b && !merged.dim_c && !merged.dim_d) {
      merged.dim_a = it->dim_a;
      merged.dim_b = it->dim_b;
      merged.dim_c = it->dim_c;
      merged.dim_d = it->dim_d;
    }
  }
  return merged;
}

std::optional<std::pair<UtcTime, UtcTime>> TrackStore::time_span(std::int64_t mmsi) const {
  sqlite::Statement s(m_impl->db, "SELECT min(time_us), max(time_us) FROM positions WHERE mmsi = ?1");
  s.bind(1, mmsi);
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return std::make_pair(from_us(s.int64(0)), from_us(s.int64(1)));
}

TrackCounts TrackStore::counts() const {
  TrackCounts c;
  sqlite::Statement s(m_impl->db, "SELECT count(*), count(DISTINCT mmsi), min(time_us), max(time_us) FROM positions");
  if (s.step()) {
    c.positions = s.int64(0);
    c.ships = s.int64(1);
    if (!s.is_null(2)) {
      c.first = from_us(s.int64(2));
      c.last = from_us(s.int64(3));
    }
  }
  c.static_reports = m_impl->scalar("SELECT count(*) FROM static_reports");
  return c;
}

}  // namespace shipchips::ais
