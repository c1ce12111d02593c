#pragma once
// Internals shared by the AIS readers (readers_csv.cpp, readers_nmea.cpp, readers_import.cpp);
// not part of the public API.

#include "ais/readers_csv.hpp"
#include "core/error.hpp"

#include <filesystem>

namespace shipchips::ais::detail {

inline std::string source_name(const std::string& path, const ReadOptions& options) {
  return options.source.empty() ? std::filesystem::path(path).filename().string() : options.source;
}

// A bad row: fatal with strict, otherwise counted and (the first max_problems) remembered.
inline void record_problem(ReadReport& report, const ReadOptions& options, const Error& e) {
  if (options.strict || e.code() != ErrorCode::input_invalid) throw e;
  ++report.bad_rows;
  if (report.problems.size() < options.max_problems) report.problems.emplace_back(e.what());
}

inline void tick(ReadReport& report, const ReadOptions& options) {
  ++report.records;
  if (options.progress && options.progress_every > 0 && report.records % options.progress_every == 0)
    options.progress(report.records);
}

}  // namespace shipchips::ais::detail
