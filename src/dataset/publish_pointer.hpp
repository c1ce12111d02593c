#pragma once
// The published version of the dataset: dataset_root/current.json, and the history it moves
// through (`shipchips publish`, `shipchips publish --rollback`).
//
//   <manifests>/published/<version_id>/dataset_manifest.json   immutable copy of each version's
//                                                             manifest (dataset_manifest.hpp)
//   <manifests>/published/<version_id>/pointer.json            the pointer as that version wrote it
//   current.json                                             the pointer in force
//
// Pointer JSON (pointer_version 1; keys in this order):
//   pointer_version, version_id (the publishing run's id), published (UTC), manifest (path of
//   the immutable copy, relative to the dataset root), manifest_sha256, chips, previous (the
//   version_id current.json named before, or null for the first version).
// `previous` chains the versions: a rollback makes current.json the previous version's
// pointer.json again (byte for byte), whose own `previous` is then the next step back.
//
// current.json is only written (temporary file, fsync, rename, folder fsync) after the dataset
// passed check_publishable and the manifest copy is on disk, so a reader sees the old version
// or the new one, never a version whose files were not checked. The pointer names a manifest;
// chip files are not copied per version, so after a rollback the manifest's checksums tell
// which files changed since (sha256sum -c).

#include "core/config.hpp"
#include "core/time.hpp"
#include "dataset/chip_record.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace shipchips::dataset {

inline constexpr int publish_pointer_version = 1;

struct PublishedPointer {
  std::string version_id;
  std::string published;
  std::string manifest;
  std::string manifest_sha256;
  std::size_t chips = 0;
  std::optional<std::string> previous;
};

nlohmann::ordered_json to_json(const PublishedPointer& pointer);
// to_json(pointer).dump(2) + "\n".
std::string pointer_text(const PublishedPointer& pointer);
// Strict: Error(input_invalid) "<source>: <field>: <problem>".
PublishedPointer pointer_from_text(std::string_view text, std::string_view source);

std::filesystem::path current_pointer_path(const std::filesystem::path& dataset_root);
// <manifests>/published/<version_id> under the root (manifests: storage.layout.manifests);
// Error(invalid_argument) for an id that is not a single safe path component.
std::filesystem::path published_version_dir(const std::filesystem::path& dataset_root, std::string_view version_id,
                                            std::string_view manifests = "manifests");
// The pointer in force, or nullopt when nothing was published yet.
std::optional<PublishedPointer> read_current_pointer(const std::filesystem::path& dataset_root);

// <manifests>/published/.lock: publish and rollback hold an exclusive flock on it while they
// read and move current.json; a second one meanwhile fails at once with Error(io_error)
// "... another publish or rollback of this dataset is running".
std::filesystem::path publish_lock_path(const std::filesystem::path& dataset_root,
                                        std::string_view manifests = "manifests");

struct PublishOptions {
  std::string version_id;  // the run id (ops::make_run_id)
  UtcTime created{};
  std::size_t sample_limit = 100;
  std::filesystem::path out_manifest;  // empty: <dataset_root>/<storage.layout.manifests>/dataset_manifest.json
};

struct PublishReport {
  PublishedPointer pointer;
  std::filesystem::path out_manifest;
  std::size_t file_count = 0;
  std::uint64_t total_bytes = 0;
  nlohmann::ordered_json to_json() const;
};

// Checks the dataset (check_publishable), writes the manifest to out_manifest and to its
// immutable copy, then moves current.json to the new version. On a failed check:
// Error(input_invalid) "publish: <first problem> (and N more)" and nothing is written. An empty
// index is refused when the version in force has chips (a lost index would otherwise publish
// an empty dataset over a good one; `shipchips index rebuild` restores the index).
PublishReport publish_dataset(std::span<const ChipRecord> records, const Config& config, const PublishOptions& options);

// Makes the previous version current again and returns its pointer. Error(not_found) when
// nothing is published or the version in force has no previous one; Error(input_invalid) when
// the previous version's pointer or manifest copy is missing or does not match its checksum
// (current.json is left unchanged then).
PublishedPointer rollback_published(const std::filesystem::path& dataset_root,
                                    std::string_view manifests = "manifests");

}  // namespace shipchips::dataset
