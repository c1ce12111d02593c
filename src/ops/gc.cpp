#include "ops/gc.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "ops/run_manifest.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>

namespace shipchips::ops {
namespace fs = std::filesystem;
namespace {

std::uintmax_t size_of(const fs::path& p) {
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return fs::file_size(p, ec);
  std::uintmax_t total = 0;
  for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

bool older_than(const fs::path& p, fs::file_time_type cutoff) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  return !ec && t < cutoff;
}

// Files of a folder older than the cutoff, oldest first.
void old_files(const fs::path& dir, const std::string& kind, fs::file_time_type cutoff, std::vector<GcCandidate>& out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec) && older_than(e.path(), cutoff)) files.emplace_back(e.last_write_time(ec), e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& [t, p] : files) out.push_back({p, kind, size_of(p)});
}

// Paths current.json names (relative to the dataset root), so gc never takes them.
std::set<fs::path> pinned_by_current(const fs::path& root) {
  std::set<fs::path> pinned;
  std::ifstream in(root / "current.json");
  if (!in) return pinned;
  try {
    const auto j = nlohmann::json::parse(in);
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& v) {
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s.find('/') != std::string::npos) pinned.insert((root / s).lexically_normal());
      } else if (v.is_structured()) {
        for (const auto& x : v) walk(x);
      }
    };
    walk(j);
  } catch (const nlohmann::json::exception&) {
    // An unreadable pointer pins everything under manifests/published anyway.
  }
  return pinned;
}

}  // namespace

double disk_usage(const fs::path& path) {
  std::error_code ec;
  const auto s = fs::space(path, ec);
  if (ec || s.capacity == 0) throw Error(ErrorCode::io_error, path.string() + ": cannot read its file system's usage");
  return 1.0 - static_cast<double>(s.available) / static_cast<double>(s.capacity);
}

std::vector<GcCandidate> gc_candidates(const Config& config, const GcOptions& options) {
  const fs::path root = dataset_root(config);
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::duration_cast<fs::file_time_type::duration>(
                                                             std::chrono::duration<double>(options.ttl_days * 86400.0));
  std::vector<GcCandidate> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  // 1 (temporaries) is run_gc's own first pass. 2 and 3:
  old_files(dataset_path(config, "plan/tle_cache"), "tle_cache", cutoff, out);
  old_files(dataset_path(config, "plan/esa_cache"), "esa_cache", cutoff, out);
  old_files(dataset_path(config, config.storage.layout.schedule).parent_path() / "history", "schedule_history", cutoff,
            out);
  // 4. Manifests: per step and day, keep the newest succeeded run; others older than the TTL go.
  const fs::path manifests = dataset_path(config, config.storage.layout.manifests);
  const std::set<fs::path> pinned = pinned_by_current(root);
  if (fs::is_directory(manifests, ec)) {
    for (const auto& step : fs::directory_iterator(manifests, ec)) {
      const std::string name = step.path().filename().string();
      if (!step.is_directory(ec) || name == "published" || name == "backfills") continue;
      for (const auto& day : fs::directory_iterator(step.path(), ec)) {
        if (!day.is_directory(ec)) continue;
        std::vector<std::pair<std::string, fs::path>> runs;  // run id, folder
        std::string newest_succeeded;
        for (const auto& run : fs::directory_iterator(day.path(), ec)) {
          const std::string folder = run.path().filename().string();
          if (!run.is_directory(ec) || folder.rfind("run=", 0) != 0) continue;
          const std::string id = folder.substr(4);
          runs.emplace_back(id, run.path());
          try {
            if (read_manifest(run.path() / "manifest.json").succeeded && id > newest_succeeded) newest_succeeded = id;
          } catch (const Error&) {
            // An unreadable manifest is no success: it may go.
          }
        }
        std::sort(runs.begin(), runs.end());
        for (const auto& [id, folder] : runs) {
          if (id == newest_succeeded || pinned.count(folder.lexically_normal()) ||
              pinned.count((folder / "manifest.json").lexically_normal()) ||
              !older_than(folder / "manifest.json", cutoff))
            continue;
          out.push_back({folder, "manifest", size_of(folder)});
        }
      }
    }
    // Backfill summaries but the newest.
    std::vector<fs::path> summaries;
    for (const auto& b : fs::directory_iterator(manifests / "backfills", ec)) {
      if (b.is_directory(ec)) summaries.push_back(b.path());
    }
    std::sort(summaries.begin(), summaries.end());
    if (!summaries.empty()) summaries.pop_back();
    for (const auto& s : summaries) {
      if (older_than(s / "summary.json", cutoff)) out.push_back({s, "backfill_summary", size_of(s)});
    }
  }
  return out;
}

GcReport run_gc(const Config& config, const GcOptions& options) {
  if (options.watermark < 0 || options.watermark > 1)
    throw Error(ErrorCode::invalid_argument, "--watermark-disk: must be between 0 and 1");
  if (options.ttl_days < 0) throw Error(ErrorCode::invalid_argument, "--cache-ttl-days: must not be negative");
  const fs::path root = dataset_root(config);
  GcReport report;
  if (!fs::is_directory(root)) return report;
  report.usage_before = disk_usage(root);
  double usage = report.usage_before;
  std::error_code ec;
  const auto space = fs::space(root, ec);
  const double capacity = ec ? 1.0 : static_cast<double>(space.capacity);
  // Temporaries of dead writers are garbage at any usage.
  for (const auto& p : remove_stale_temporaries(root, options.dry_run)) report.deleted.push_back({p, "temporary", 0});
  const std::vector<GcCandidate> candidates = gc_candidates(config, options);
  report.candidates = candidates.size();
  for (const auto& c : candidates) {
    if (usage < options.watermark) break;
    if (!options.dry_run) {
      fs::remove_all(c.path, ec);
      if (ec) throw Error(ErrorCode::io_error, c.path.string() + ": cannot remove: " + ec.message());
      usage = disk_usage(root);
    } else {
      usage -= static_cast<double>(c.bytes) / capacity;
    }
    report.deleted.push_back(c);
  }
  report.usage_after = options.dry_run ? usage : disk_usage(root);
  report.below_watermark = report.usage_after < options.watermark;
  return report;
}

}  // namespace shipchips::ops
