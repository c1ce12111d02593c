#pragma once
// Internal to the SQLite job store (sqlite_job_store.cpp, sqlite_job_store_runs.cpp): how its
// rows map to the job model. Times are stored as ISO 8601 UTC with microseconds, error classes
// by name, NULL for "not set".

#include "core/sqlite_db.hpp"
#include "ops/job_model.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace shipchips::ops::rows {

inline std::string db_time(UtcTime t) {
  return format_iso8601(t, 6);
}
inline std::optional<std::string> db_time(const std::optional<UtcTime>& t) {
  if (!t) return std::nullopt;
  return db_time(*t);
}
inline std::optional<UtcTime> opt_time(const sqlite::Statement& q, int column) {
  if (q.is_null(column)) return std::nullopt;
  return parse_iso8601(q.text(column));
}
inline std::string opt_string(const sqlite::Statement& q, int column) {
  return q.is_null(column) ? std::string() : q.text(column);
}
inline std::optional<ErrorCategory> opt_class(const sqlite::Statement& q, int column) {
  if (q.is_null(column)) return std::nullopt;
  return parse_error_class(q.text(column));
}
inline std::optional<std::string> class_text(std::optional<ErrorCategory> c) {
  if (!c) return std::nullopt;
  return std::string(to_string(*c));
}

constexpr std::string_view kJobColumns =
    "chip_id, mmsi, scene_id, status, error, error_code, error_class, attempts, created_at, last_attempt_at,"
    " finished_at, lease_owner, lease_expires_at, heartbeat_at, next_retry_at, run_id, payload";

inline ChipJob job_of(const sqlite::Statement& q) {
  ChipJob job;
  job.chip_id = q.text(0);
  job.mmsi = q.int64(1);
  job.scene_id = q.text(2);
  job.status = parse_job_status(q.text(3));
  job.error = opt_string(q, 4);
  if (!q.is_null(5)) job.error_code = error_code_from_name(q.text(5)).value_or(ErrorCode::internal);
  job.error_class = opt_class(q, 6);
  job.attempts = static_cast<int>(q.int64(7));
  job.created_at = parse_iso8601(q.text(8));
  job.last_attempt_at = opt_time(q, 9);
  job.finished_at = opt_time(q, 10);
  job.lease_owner = opt_string(q, 11);
  job.lease_expires_at = opt_time(q, 12);
  job.heartbeat_at = opt_time(q, 13);
  job.next_retry_at = opt_time(q, 14);
  job.run_id = opt_string(q, 15);
  job.payload = opt_string(q, 16);
  return job;
}

constexpr std::string_view kObservationColumns =
    "id, mmsi, lat, lon, tile_id, captured_time, last_ping, overpass_time, pings, source, provider, status, reason,"
    " chips, retry_count, last_error, created_at, last_attempt_at, next_retry_at, run_id";

inline Observation observation_of(const sqlite::Statement& q) {
  Observation o;
  o.id = q.text(0);
  o.mmsi = q.int64(1);
  o.lat = q.real(2);
  o.lon = q.real(3);
  o.tile_id = q.text(4);
  o.captured_time = parse_iso8601(q.text(5));
  o.last_ping = parse_iso8601(q.text(6));
  o.overpass_time = opt_time(q, 7);
  o.pings = static_cast<std::size_t>(q.int64(8));
  o.source = q.text(9);
  o.provider = q.text(10);
  o.status = q.text(11);
  o.reason = q.text(12);
  o.chips = static_cast<std::size_t>(q.int64(13));
  o.retry_count = static_cast<int>(q.int64(14));
  o.last_error = q.text(15);
  o.created_at = opt_time(q, 16);
  o.last_attempt_at = opt_time(q, 17);
  o.next_retry_at = opt_time(q, 18);
  o.run_id = q.text(19);
  return o;
}

constexpr std::string_view kRunColumns =
    "run_id, command, args, partition, status, started_at, finished_at, owner, heartbeat_at, error, error_class";

inline RunRecord run_of(const sqlite::Statement& q) {
  RunRecord r;
  r.run_id = q.text(0);
  r.command = q.text(1);
  r.args = q.text(2);
  r.partition = q.text(3);
  r.status = parse_run_status(q.text(4));
  r.started_at = parse_iso8601(q.text(5));
  r.finished_at = opt_time(q, 6);
  r.owner = q.text(7);
  r.heartbeat_at = opt_time(q, 8);
  r.error = q.text(9);
  r.error_class = opt_class(q, 10);
  return r;
}

}  // namespace shipchips::ops::rows
