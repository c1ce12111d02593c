// Versioned schedule writes (see schedule_versions.hpp).
#include "plan/schedule_versions.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

namespace shipchips::plan {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io_error, path.string() + ": cannot open the current schedule");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

UtcTime modification_time(const std::filesystem::path& path) {
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) throw Error(ErrorCode::io_error, path.string() + ": " + ec.message());
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::file_clock::to_sys(mtime));
}

// "<stem>_<stamp>[_<n>]<ext>": _<n> only when two versions carry the same second.
bool is_version_of(const std::filesystem::path& schedule_path, const std::filesystem::path& candidate) {
  const std::string stem = schedule_path.stem().string();
  const std::string ext = schedule_path.extension().string();
  const std::string name = candidate.filename().string();
  if (name.size() <= stem.size() + ext.size() + 1 || name.compare(0, stem.size() + 1, stem + "_") != 0 ||
      name.compare(name.size() - ext.size(), ext.size(), ext) != 0)
    return false;
  static const std::regex stamp(R"(\d{8}T\d{6}Z(_\d+)?)");
  return std::regex_match(name.substr(stem.size() + 1, name.size() - stem.size() - 1 - ext.size()), stamp);
}

}  // namespace

std::string version_stamp(UtcTime time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(seconds - day);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buffer;
}

std::filesystem::path schedule_history_dir(const std::filesystem::path& schedule_path) {
  return schedule_path.parent_path() / "history";
}

std::vector<std::filesystem::path> schedule_versions(const std::filesystem::path& schedule_path) {
  std::vector<std::filesystem::path> out;
  const std::filesystem::path dir = schedule_history_dir(schedule_path);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && is_version_of(schedule_path, entry.path())) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.filename() < b.filename(); });
  return out;
}

ScheduleWriteResult write_schedule_versioned(const std::filesystem::path& path,
                                             const std::vector<OverpassWindow>& windows, int keep) {
  if (keep < 0)
    throw Error(ErrorCode::invalid_argument, "satellite_tracking.schedule_versions_keep: must not be negative");
  ScheduleWriteResult result;
  const std::string text = schedule_csv(windows);
  std::error_code ec;
  const std::filesystem::path dir = schedule_history_dir(path);
  const bool had_history = std::filesystem::exists(dir, ec);
  try {
    if (std::filesystem::is_regular_file(path, ec)) {
      const std::string previous = read_all(path);
      if (previous == text) return result;  // same schedule: not a new version, file left as it was
      const std::string base = path.stem().string() + "_" + version_stamp(modification_time(path));
      std::filesystem::path target = dir / (base + path.extension().string());
      for (int n = 2; std::filesystem::exists(target, ec); ++n)
        target = dir / (base + "_" + std::to_string(n) + path.extension().string());
      write_file_atomic(target, previous);
      result.archived = target;
    }
    write_file_atomic(path, text);
  } catch (const Error&) {
    // The schedule stays as it was (a full disk, say), so its copy in history is no new version.
    if (result.archived) std::filesystem::remove(*result.archived, ec);
    if (!had_history) std::filesystem::remove(dir, ec);  // removes only an empty folder
    throw;
  }
  if (keep > 0) {
    std::vector<std::filesystem::path> versions = schedule_versions(path);
    const std::size_t excess = versions.size() > static_cast<std::size_t>(keep) ? versions.size() - keep : 0;
    for (std::size_t i = 0; i < excess; ++i) {
      if (!std::filesystem::remove(versions[i], ec) && ec)
        throw Error(ErrorCode::io_error,
                    versions[i].string() + ": cannot remove old schedule version: " + ec.message());
      result.pruned.push_back(versions[i]);
    }
  }
  if (result.archived) {
    spdlog::info(
        "schedule: previous version kept as {}{}", result.archived->string(),
        result.pruned.empty() ? "" : " (" + std::to_string(result.pruned.size()) + " older version(s) pruned)");
  }
  return result;
}

}  // namespace shipchips::plan
