#include "dataset/index_rebuild.hpp"

#include "core/error.hpp"
#include "dataset/chip_id.hpp"
#include "dataset/chip_index.hpp"
#include "dataset/chip_paths.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace shipchips::dataset {
namespace fs = std::filesystem;

namespace {

bool is_sidecar_name(const std::string& name) {
  return name.size() == chip_id_length + 5 && name.ends_with(".json") &&
         is_chip_id(std::string_view(name).substr(0, chip_id_length));
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io_error, path.string() + ": cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Most likely a wrong dataset_root or an unmounted disk: rebuilding from "nothing" would empty
// the index, so refuse. An existing but empty folder is a valid empty dataset.
void require_chips_folder(const fs::path& base) {
  std::error_code ec;
  if (!fs::is_directory(base, ec)) {
    throw Error(ErrorCode::not_found,
                base.string() + ": chips folder does not exist; nothing to rebuild the index from");
  }
}

}  // namespace

SidecarScan scan_sidecars(const fs::path& root, const StorageLayout& layout) {
  SidecarScan scan;
  fs::path base = chips_root(root, layout.chips);
  std::vector<fs::path> files;
  std::error_code ec;
  require_chips_folder(base);
  for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file() && is_sidecar_name(it->path().filename().string())) files.push_back(it->path());
  }
  if (ec) throw Error(ErrorCode::io_error, base.string() + ": cannot scan: " + ec.message());
  std::sort(files.begin(), files.end());
  scan.sidecars = files.size();
  struct Kept {
    ChipRecord record;
    std::string path;  // the sidecar, relative
  };
  std::map<std::string, Kept> kept;
  for (const fs::path& file : files) {
    std::string rel = file.lexically_relative(root).generic_string();
    auto issue = [&](std::string kind, std::string message) {
      scan.issues.push_back({rel, std::move(kind), std::move(message)});
    };
    ChipRecord record;
    try {
      record = chip_record_from_text(read_text(file), file.string());
    } catch (const Error& e) {
      issue("broken_sidecar", e.what());
      continue;
    }
    std::string stem = file.stem().string();
    if (record.chip_id != stem) {
      issue("broken_sidecar", file.string() + ": chip_id: '" + record.chip_id + "' differs from the file name");
      continue;
    }
    std::string expected_id = make_chip_id(record.mmsi, record.scene_id);
    if (record.chip_id != expected_id) {
      issue("broken_sidecar", file.string() + ": chip_id: '" + record.chip_id + "' is not the id of (mmsi " +
                                  std::to_string(record.mmsi) + ", scene " + record.scene_id + "), which is " +
                                  expected_id);
      continue;
    }
    fs::path tif = file.parent_path() / (stem + ".tif");
    std::string tif_rel = tif.lexically_relative(root).generic_string();
    if (record.path != tif_rel) {
      issue("misplaced",
            file.string() + ": path: says '" + record.path + "' but the sidecar is beside '" + tif_rel + "'");
      continue;
    }
    std::string layout_tif =
        chip_paths(root, layout.chips, record.split, record.mmsi, record.scene_datetime, record.chip_id).relative_tif;
    if (record.path != layout_tif) {
      issue("misplaced", file.string() + ": path: '" + record.path +
                             "' is not where storage.layout.chips puts this chip ('" + layout_tif + "')");
      continue;
    }
    if (!fs::is_regular_file(tif, ec)) {
      issue("missing_tif", file.string() + ": no chip raster " + tif_rel + " beside the sidecar");
      continue;
    }
    // Two copies of one chip (e.g. splits.* changed between runs and the chip was written
    // into another split's folder): the newest record wins, the other is reported.
    auto it = kept.find(record.chip_id);
    if (it == kept.end()) {
      std::string id = record.chip_id;  // not record.chip_id itself: the record is moved in the same call
      kept.emplace(std::move(id), Kept{std::move(record), rel});
      continue;
    }
    bool newer = record.created > it->second.record.created;
    const std::string& loser = newer ? it->second.path : rel;
    const std::string& winner = newer ? rel : it->second.path;
    scan.issues.push_back({loser, "duplicate_chip_id",
                           (root / loser).string() + ": chip_id " + record.chip_id + " is also at " + winner +
                               ", which is indexed instead (its record is newer, or it comes first in path order)"});
    if (newer) it->second = Kept{std::move(record), rel};
  }
  for (auto& entry : kept) scan.records.push_back(std::move(entry.second.record));  // std::map: sorted by chip_id
  return scan;
}

RebuildReport rebuild_index(ChipIndex& index, const fs::path& root, const StorageLayout& layout,
                            const RebuildOptions& options) {
  SidecarScan scan = scan_sidecars(root, layout);
  RebuildReport report;
  report.sidecars = scan.sidecars;
  report.issues = scan.issues;
  if (options.strict && !scan.issues.empty()) {
    throw Error(ErrorCode::input_invalid, scan.issues.front().message + " (" + std::to_string(scan.issues.size()) +
                                              " problem(s) in the chips tree; nothing was changed)");
  }
  std::set<std::string> keep;
  for (const ChipRecord& r : scan.records) {
    keep.insert(r.chip_id);
    switch (index.upsert(r)) {
      case UpsertResult::inserted:
        ++report.inserted;
        break;
      case UpsertResult::updated:
        ++report.updated;
        break;
      case UpsertResult::unchanged:
        ++report.unchanged;
        break;
    }
  }
  for (const std::string& id : index.list_ids()) {
    if (!keep.count(id) && index.remove(id)) ++report.removed;
  }
  report.indexed = scan.records.size();
  report.exports = export_indexes(scan.records, root, layout);
  return report;
}

RebuildReport rebuild_index(const Config& config, const RebuildOptions& options) {
  require_chips_folder(config);  // before creating a database
  ChipIndex index(dataset_path(config, config.storage.db_path));
  return rebuild_index(index, dataset_root(config), config.storage.layout, options);
}

void require_chips_folder(const Config& config) {
  require_chips_folder(chips_root(dataset_root(config), config.storage.layout.chips));
}

nlohmann::ordered_json export_report_json(const ExportReport& e) {
  return {{"rows", e.rows}, {"written", e.written}, {"unchanged", e.unchanged}, {"removed", e.removed}};
}

nlohmann::ordered_json RebuildReport::to_json() const {
  nlohmann::ordered_json problems = nlohmann::ordered_json::array();
  for (const auto& i : issues) problems.push_back({{"path", i.path}, {"kind", i.kind}, {"message", i.message}});
  return {
      {"sidecars", sidecars},   {"indexed", indexed}, {"inserted", inserted}, {"updated", updated},
      {"unchanged", unchanged}, {"removed", removed}, {"problems", problems}, {"exports", export_report_json(exports)}};
}

std::string RebuildReport::summary() const {
  std::ostringstream s;
  s << "sidecars found: " << sidecars << "; indexed: " << indexed << " (" << inserted << " new, " << updated
    << " updated, " << unchanged << " unchanged); rows removed: " << removed << "; problems: " << issues.size() << "\n";
  for (const auto& i : issues) s << "  skipped " << i.path << " [" << i.kind << "]: " << i.message << "\n";
  s << "exports: " << exports.written.size() << " written, " << exports.unchanged.size() << " unchanged, "
    << exports.removed.size() << " removed\n";
  for (const auto& f : exports.written) s << "  wrote " << f << "\n";
  for (const auto& f : exports.removed) s << "  removed " << f << "\n";
  return s.str();
}

}  // namespace shipchips::dataset
