#include "dataset/publish_pointer.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/input_file.hpp"
#include "dataset/chip_id.hpp"
#include "dataset/dataset_manifest.hpp"
#include "dataset/file_digest.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace shipchips::dataset {

namespace fs = std::filesystem;

namespace {

bool safe_component(std::string_view id) {
  if (id.empty() || id == "." || id == "..") return false;
  for (char c : id) {
    bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string problem_line(const std::vector<std::string>& problems) {
  std::string line = "publish: " + problems.front();
  if (problems.size() > 1) line += " (and " + std::to_string(problems.size() - 1) + " more problems)";
  line += "; current.json unchanged";
  return line;
}

// One publish or rollback at a time per dataset: both read current.json and write it back,
// and two at once would lose a version from the `previous` chain. flock, so the lock goes
// with the process (a killed publish holds nothing).
class PublishLock {
 public:
  PublishLock(const fs::path& root, std::string_view manifests) : m_path(publish_lock_path(root, manifests)) {
    make_directories(m_path.parent_path());
    m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) throw Error(ErrorCode::io_error, m_path.string() + ": cannot open: " + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(m_fd);
      throw Error(ErrorCode::io_error,
                  m_path.string() + (err == EWOULDBLOCK ? ": another publish or rollback of this dataset is running"
                                                        : ": cannot lock: " + std::string(std::strerror(err))));
    }
  }
  PublishLock(const PublishLock&) = delete;
  PublishLock& operator=(const PublishLock&) = delete;
  ~PublishLock() { ::close(m_fd); }

 private:
  fs::path m_path;
  int m_fd = -1;
};

}  // namespace

std::filesystem::path publish_lock_path(const std::filesystem::path& dataset_root, std::string_view manifests) {
  return dataset_root / std::string(manifests) / "published" / ".lock";
}

nlohmann::ordered_json to_json(const PublishedPointer& p) {
  nlohmann::ordered_json j;
  j["pointer_version"] = publish_pointer_version;
  j["version_id"] = p.version_id;
  j["published"] = p.published;
  j["manifest"] = p.manifest;
  j["manifest_sha256"] = p.manifest_sha256;
  j["chips"] = p.chips;
  j["previous"] = p.previous ? nlohmann::ordered_json(*p.previous) : nlohmann::ordered_json(nullptr);
  return j;
}

std::string pointer_text(const PublishedPointer& pointer) {
  return to_json(pointer).dump(2) + "\n";
}

PublishedPointer pointer_from_text(std::string_view text, std::string_view source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::input_invalid, located(source, 0, "", std::string("not valid JSON: ") + e.what()));
  }
  auto bad = [&](std::string_view field, std::string_view what) {
    return Error(ErrorCode::input_invalid, located(source, 0, field, what));
  };
  if (!j.is_object()) throw bad("", "not a JSON object");
  static const std::set<std::string> known{"pointer_version", "version_id", "published", "manifest",
                                           "manifest_sha256", "chips",      "previous"};
  for (const auto& [key, value] : j.items()) {
    if (!known.count(key)) throw bad(key, "unknown field");
  }
  auto text_field = [&](const char* key) {
    if (!j.contains(key)) throw bad(key, "missing required field");
    if (!j[key].is_string() || j[key].get<std::string>().empty()) throw bad(key, "must be a non-empty string");
    return j[key].get<std::string>();
  };
  if (!j.contains("pointer_version")) throw bad("pointer_version", "missing required field");
  if (!j["pointer_version"].is_number_integer() || j["pointer_version"].get<int>() != publish_pointer_version) {
    throw bad("pointer_version", "must be " + std::to_string(publish_pointer_version));
  }
  PublishedPointer p;
  p.version_id = text_field("version_id");
  if (!safe_component(p.version_id)) throw bad("version_id", "not a valid version id");
  p.published = text_field("published");
  p.manifest = text_field("manifest");
  p.manifest_sha256 = text_field("manifest_sha256");
  if (p.manifest_sha256.size() != 64 || p.manifest_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw bad("manifest_sha256", "must be 64 lower-case hex digits");
  }
  if (!j.contains("chips") || !j["chips"].is_number_unsigned()) throw bad("chips", "must be a non-negative integer");
  p.chips = j["chips"].get<std::size_t>();
  if (!j.contains("previous")) throw bad("previous", "missing required field");
  if (j["previous"].is_string()) {
    p.previous = j["previous"].get<std::string>();
    if (!safe_component(*p.previous)) throw bad("previous", "not a valid version id");
  } else if (!j["previous"].is_null()) {
    throw bad("previous", "must be a version id or null");
  }
  return p;
}

fs::path current_pointer_path(const fs::path& dataset_root) {
  return dataset_root / "current.json";
}

fs::path published_version_dir(const fs::path& dataset_root, std::string_view version_id, std::string_view manifests) {
  if (!safe_component(version_id)) {
    throw Error(ErrorCode::invalid_argument,
                "publish: version id '" + std::string(version_id) + "' is not a path-safe id");
  }
  return dataset_root / std::string(manifests) / "published" / std::string(version_id);
}

std::optional<PublishedPointer> read_current_pointer(const fs::path& dataset_root) {
  fs::path path = current_pointer_path(dataset_root);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  return pointer_from_text(read_input_file(path), path.string());
}

nlohmann::ordered_json PublishReport::to_json() const {
  nlohmann::ordered_json j;
  j["version_id"] = pointer.version_id;
  j["published"] = pointer.published;
  j["chips"] = pointer.chips;
  j["file_count"] = file_count;
  j["total_bytes"] = total_bytes;
  j["manifest"] = pointer.manifest;
  j["manifest_sha256"] = pointer.manifest_sha256;
  j["out_manifest"] = out_manifest.string();
  j["previous"] = pointer.previous ? nlohmann::ordered_json(*pointer.previous) : nlohmann::ordered_json(nullptr);
  return j;
}

PublishReport publish_dataset(std::span<const ChipRecord> records, const Config& config,
                              const PublishOptions& options) {
  const fs::path root = dataset_root(config);
  const std::string& manifests = config.storage.layout.manifests;
  fs::path version_dir = published_version_dir(root, options.version_id, manifests);
  PublishLock lock(root, manifests);
  std::optional<PublishedPointer> current = read_current_pointer(root);

  std::vector<std::string> problems = check_publishable(records, root, config.storage.layout);
  if (records.empty() && current && current->chips > 0) {
    problems.insert(problems.begin(),
                    "the chips index is empty but the published version " + current->version_id + " has " +
                        std::to_string(current->chips) +
                        " chips (a lost index? `shipchips index rebuild` recreates it from the chips tree)");
  }
  if (!problems.empty()) throw Error(ErrorCode::input_invalid, problem_line(problems));
  std::error_code ec;
  if (fs::exists(version_dir, ec)) {
    throw Error(ErrorCode::io_error, version_dir.string() + ": a published version of this id exists already");
  }

  ManifestOptions manifest_options;
  manifest_options.version_id = options.version_id;
  manifest_options.created = options.created;
  manifest_options.sample_limit = options.sample_limit;
  nlohmann::ordered_json manifest = dataset_manifest(records, root, config.storage.layout, manifest_options);
  const std::string text = manifest.dump(2) + "\n";

  PublishReport report;
  report.file_count = manifest["file_count"].get<std::size_t>();
  report.total_bytes = manifest["total_bytes"].get<std::uint64_t>();
  report.out_manifest =
      options.out_manifest.empty() ? root / manifests / "dataset_manifest.json" : fs::absolute(options.out_manifest);

  PublishedPointer& p = report.pointer;
  p.version_id = options.version_id;
  p.published = manifest["created"].get<std::string>();
  p.manifest = (version_dir / "dataset_manifest.json").lexically_relative(root).generic_string();
  p.manifest_sha256 = sha256_hex(text);
  p.chips = records.size();
  if (current) p.previous = current->version_id;

  // Order matters for a crash: the copy and the version's pointer exist before current.json
  // names them, so current.json never points at a file that is not there.
  write_file_atomic(version_dir / "dataset_manifest.json", text);
  write_file_atomic(version_dir / "pointer.json", pointer_text(p));
  write_file_atomic(report.out_manifest, text);
  write_file_atomic(current_pointer_path(root), pointer_text(p));
  return report;
}

PublishedPointer rollback_published(const fs::path& root, std::string_view manifests) {
  fs::path current_path = current_pointer_path(root);
  if (!fs::exists(current_path)) {
    throw Error(ErrorCode::not_found,
                current_path.string() + ": nothing is published yet, so there is nothing to roll back");
  }
  PublishLock lock(root, manifests);
  std::optional<PublishedPointer> current = read_current_pointer(root);
  if (!current) {
    throw Error(ErrorCode::not_found,
                current_path.string() + ": nothing is published yet, so there is nothing to roll back");
  }
  if (!current->previous) {
    throw Error(ErrorCode::not_found,
                current_path.string() + ": version " + current->version_id +
                    " is the first published version; there is no previous version to roll back to");
  }
  fs::path previous_pointer = published_version_dir(root, *current->previous, manifests) / "pointer.json";
  std::error_code ec;
  if (!fs::is_regular_file(previous_pointer, ec)) {
    throw Error(ErrorCode::input_invalid, previous_pointer.string() + ": missing: cannot roll back to version " +
                                              *current->previous + "; current.json unchanged");
  }
  const std::string text = read_input_file(previous_pointer);
  PublishedPointer previous = pointer_from_text(text, previous_pointer.string());
  if (previous.version_id != *current->previous) {
    throw Error(ErrorCode::input_invalid, previous_pointer.string() + ": version_id: '" + previous.version_id +
                                              "', expected '" + *current->previous + "'; current.json unchanged");
  }
  fs::path manifest = root / previous.manifest;
  if (!fs::is_regular_file(manifest, ec) || file_digest(manifest).sha256 != previous.manifest_sha256) {
    throw Error(ErrorCode::input_invalid, manifest.string() +
                                              ": missing or not the manifest its pointer names (sha256 differs); "
                                              "current.json unchanged");
  }
  write_file_atomic(current_path, text);
  return previous;
}

}  // namespace shipchips::dataset
