#include "ops/maintenance.hpp"

#include "core/error.hpp"
#include "core/sqlite_db.hpp"

#include <algorithm>

namespace shipchips::ops {
namespace {

std::uintmax_t size_or_zero(const std::filesystem::path& p) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : n;
}

std::uintmax_t db_bytes(const std::filesystem::path& db) {
  return size_or_zero(db) + size_or_zero(db.string() + "-wal");
}

}  // namespace

std::vector<std::filesystem::path> remove_empty_dirs(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return {};
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path());
  }
  // Deepest first, so a folder whose only content was empty folders is empty when its turn comes.
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
    const auto da = std::distance(a.begin(), a.end()), db = std::distance(b.begin(), b.end());
    return da != db ? da > db : a > b;
  });
  std::vector<fs::path> removed;
  for (const auto& d : dirs) {
    if (fs::is_empty(d, ec) && !ec && fs::remove(d, ec)) removed.push_back(d);
  }
  return removed;
}

VacuumReport vacuum_dataset(const Config& config, bool rm_empty) {
  VacuumReport report;
  report.db = dataset_path(config, config.storage.db_path);
  if (std::filesystem::exists(report.db)) {
    report.database_found = true;
    report.bytes_before = db_bytes(report.db);
    sqlite::Database db(report.db);
    db.set_busy_timeout(std::chrono::milliseconds(2000));
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.exec("VACUUM");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite::Statement q = db.prepare("PRAGMA quick_check");
    const std::string result = q.step() ? q.text(0) : "";
    if (result != "ok")
      throw Error(ErrorCode::database_corrupt, report.db.string() + ": quick_check after VACUUM: " + result);
    report.bytes_after = db_bytes(report.db);
  }
  if (rm_empty) report.removed_dirs = remove_empty_dirs(dataset_root(config));
  return report;
}

}  // namespace shipchips::ops
