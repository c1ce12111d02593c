#pragma once
// The seed's AIS upload schema (the table a user gives `shipchips chip --ais`): required
// columns mmsi, lat, lon; optional overpass_time (ISO 8601), captured_time, source, notes.
// Other columns are ignored. Rows are validated as they stream in; a bad value is reported as
// "file:line: column: problem".

#include "core/time.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::ais {

struct UploadRow {
  long line = 0;  // physical line in the file, for messages
  long long mmsi = 0;
  double lat = 0;
  double lon = 0;
  std::optional<UtcTime> overpass_time;
  std::optional<UtcTime> captured_time;
  std::string source;
  std::string notes;

  // The time the position refers to: overpass_time, else captured_time.
  std::optional<UtcTime> time() const { return overpass_time ? overpass_time : captured_time; }
};

struct UploadReadReport {
  long rows = 0;
  long bad_rows = 0;
  std::vector<std::string> problems;  // "file:line: column: problem", the first 100
};

// Streams rows to `sink`. With strict, the first bad row throws Error(input_invalid);
// otherwise bad rows are counted in the report and skipped.
UploadReadReport read_upload_csv(const std::string& path, bool strict,
                                 const std::function<void(const UploadRow&)>& sink);

}  // namespace shipchips::ais
