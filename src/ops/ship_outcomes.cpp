#include "ops/ship_outcomes.hpp"

#include "core/error.hpp"

#include <array>

namespace shipchips::ops {
namespace {

constexpr std::array<sqlite::Migration, 1> kMigrations{{
    {1,
     "CREATE TABLE ship_outcomes ("
     " mmsi INTEGER NOT NULL,"
     " first_ping TEXT NOT NULL,"
     " last_ping TEXT NOT NULL,"
     " pings INTEGER NOT NULL,"
     " outcome TEXT NOT NULL CHECK (outcome IN ('chipped', 'gate_rejected', 'rejected',"
     "   'no_ais_near_sensing_time', 'no_scene', 'failed')),"
     " reason TEXT NOT NULL,"
     " chips INTEGER NOT NULL,"
     " updated_at TEXT NOT NULL,"
     " PRIMARY KEY (mmsi, first_ping, last_ping));"
     "CREATE INDEX ship_outcomes_outcome ON ship_outcomes(outcome);"},
}};

constexpr std::array<ShipOutcomeKind, 6> kKinds{ShipOutcomeKind::chipped,  ShipOutcomeKind::gate_rejected,
                                                ShipOutcomeKind::rejected, ShipOutcomeKind::no_ais_near_sensing_time,
                                                ShipOutcomeKind::no_scene, ShipOutcomeKind::failed};

// Fixed-width (6 fraction digits) so text order is time order in SQL.
std::string db_time(UtcTime t) {
  return format_iso8601(t, 6);
}

}  // namespace

std::string_view to_string(ShipOutcomeKind kind) {
  switch (kind) {
    case ShipOutcomeKind::chipped:
      return "chipped";
    case ShipOutcomeKind::gate_rejected:
      return "gate_rejected";
    case ShipOutcomeKind::rejected:
      return "rejected";
    case ShipOutcomeKind::no_ais_near_sensing_time:
      return "no_ais_near_sensing_time";
    case ShipOutcomeKind::no_scene:
      return "no_scene";
    case ShipOutcomeKind::failed:
      return "failed";
  }
  return "failed";
}

ShipOutcomeKind parse_ship_outcome_kind(std::string_view text) {
  for (ShipOutcomeKind k : kKinds)
    if (to_string(k) == text) return k;
  throw Error(ErrorCode::input_invalid, "ship outcome: unknown kind '" + std::string(text) + "'");
}

ShipOutcomes::ShipOutcomes(sqlite::Database& db) : m_db(db) {
  sqlite::migrate(m_db, schema_component, kMigrations);
}

void ShipOutcomes::record(const std::vector<ShipOutcome>& outcomes, UtcTime now) {
  sqlite::Transaction tx(m_db);
  auto put = m_db.prepare(
      "INSERT INTO ship_outcomes (mmsi, first_ping, last_ping, pings, outcome, reason, chips, updated_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT (mmsi, first_ping, last_ping) DO UPDATE SET pings = excluded.pings,"
      " outcome = excluded.outcome, reason = excluded.reason, chips = excluded.chips,"
      " updated_at = excluded.updated_at");
  const std::string stamp = db_time(now);
  for (const ShipOutcome& o : outcomes) {
    put.reset();
    put.bind(1, o.mmsi)
        .bind(2, db_time(o.first_ping))
        .bind(3, db_time(o.last_ping))
        .bind(4, static_cast<std::int64_t>(o.pings))
        .bind(5, to_string(o.kind))
        .bind(6, o.reason)
        .bind(7, static_cast<std::int64_t>(o.chips))
        .bind(8, stamp);
    put.run();
  }
  tx.commit();
}

std::vector<ShipOutcome> ShipOutcomes::list() {
  auto q = m_db.prepare(
      "SELECT mmsi, first_ping, last_ping, pings, outcome, reason, chips FROM ship_outcomes"
      " ORDER BY mmsi, first_ping");
  std::vector<ShipOutcome> out;
  while (q.step()) {
    ShipOutcome o;
    o.mmsi = q.int64(0);
    o.first_ping = parse_iso8601(q.text(1));
    o.last_ping = parse_iso8601(q.text(2));
    o.pings = static_cast<std::size_t>(q.int64(3));
    o.kind = parse_ship_outcome_kind(q.text(4));
    o.reason = q.text(5);
    o.chips = static_cast<std::size_t>(q.int64(6));
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace shipchips::ops
