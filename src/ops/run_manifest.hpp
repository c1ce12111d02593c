#pragma once
// Step manifests: what one step of one run read, wrote, counted and checked, and how it ended —
// the artefact an operator opens first when a run failed (the runbook's "diagnosable in
// minutes"), and what `backfill --resume` reads to skip partitions that already succeeded.
//
// Where: dataset_root/<storage.layout.manifests>/<step>/date=<YYYY-MM-DD>/run=<run_id>/manifest.json
// (date = the run's partition day, or the UTC day the run started). Written atomically
// (temporary name, fsync, rename): a manifest is whole or absent.
//
// Form (manifest_version 1, keys in this order):
//   manifest_version, run_id, step, date, status ("succeeded" | "failed"),
//   started_at, finished_at, duration_s,
//   inputs   [{path, bytes, sha256}]       files the step read (sha256 of their bytes)
//   outputs  [{path, bytes?, sha256?}]     files the step wrote (dataset-root relative when inside it)
//   counts   {name: number}                what it did (chips written, rejected, ...)
//   checks   [{name, passed, detail}]      what it verified before calling itself done
//   durations_ms {stage: ms}               where the time went (optional)
//   error    null | {message, code, class} why it failed
//   software_version

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shipchips::ops {

struct ManifestFile {
  std::string path;
  std::optional<std::uintmax_t> bytes;
  std::string sha256;  // "" when not hashed
};

struct ManifestCheck {
  std::string name;
  bool passed = false;
  std::string detail;
};

struct StepManifest {
  std::string run_id;
  std::string step;
  std::string date;  // YYYY-MM-DD
  bool succeeded = false;
  UtcTime started_at{};
  UtcTime finished_at{};
  std::vector<ManifestFile> inputs;
  std::vector<ManifestFile> outputs;
  nlohmann::json counts = nlohmann::json::object();
  std::vector<ManifestCheck> checks;
  std::map<std::string, double> durations_ms;
  std::optional<std::string> error;
  std::optional<ErrorCode> error_code;
};

// The manifest of a file: its bytes and sha256 (streamed). Error(io_error) naming it.
ManifestFile describe_file(const std::filesystem::path& path, const std::filesystem::path& relative_to = {});

std::filesystem::path manifest_path(const Config& config, std::string_view step, std::string_view date,
                                    std::string_view run_id);
// The folder holding every run's manifests of one step and day.
std::filesystem::path manifest_day_dir(const Config& config, std::string_view step, std::string_view date);

nlohmann::ordered_json to_json(const StepManifest& manifest);
// Strict: Error(input_invalid) "<file>: <field>: ..." on anything malformed.
StepManifest manifest_from_json(const nlohmann::json& json, std::string_view source);

// Writes atomically; returns the path written.
std::filesystem::path write_manifest(const Config& config, const StepManifest& manifest);
StepManifest read_manifest(const std::filesystem::path& path);

// The manifests of one step and day, by run id (sorted); unreadable ones are errors.
std::vector<StepManifest> manifests_of(const Config& config, std::string_view step, std::string_view date);

}  // namespace shipchips::ops
