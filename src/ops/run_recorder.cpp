#include "ops/run_recorder.hpp"

#include "core/atomic_file.hpp"
#include "ops/lease_owner.hpp"
#include "ops/run_id.hpp"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <cmath>

namespace shipchips::ops {
namespace {

std::chrono::seconds stale_after(const Config& config) {
  return ops::lease_duration(config.ops);
}

std::string relative_to_root(const Config& config, const std::filesystem::path& path) {
  std::error_code ec;
  const auto rel = std::filesystem::relative(path, dataset_root(config), ec);
  return ec || rel.empty() ? path.string() : rel.generic_string();
}

}  // namespace

void require_free_space(const Config& config) {
  const auto root = dataset_root(config);
  std::filesystem::path probe = root;
  std::error_code ec;
  while (!std::filesystem::exists(probe, ec) && probe.has_parent_path() && probe.parent_path() != probe)
    probe = probe.parent_path();
  const auto space = std::filesystem::space(probe, ec);
  if (ec) return;  // nothing to measure: the run's own writes report what is wrong
  const double free_gb = static_cast<double>(space.available) / 1e9;
  if (free_gb < config.storage.min_free_gb) {
    throw Error(ErrorCode::io_error, root.string() + ": only " + fmt::format("{:.3f}", free_gb) +
                                         " GB free, below storage.min_free_gb " +
                                         fmt::format("{}", config.storage.min_free_gb) +
                                         ": no space left for a run (free space, or lower the key)");
  }
}

RunRecorder::RunRecorder(JobStore& store, const Config& config, std::string command, nlohmann::json args,
                         std::string partition, Space needs_space)
    : m_store(store), m_config(config), m_command(std::move(command)), m_args(std::move(args)) {
  for (const auto& id : m_store.reap_runs(dead_owners(m_store.lease_owners()), stale_after(config)))
    spdlog::warn("run {}: left running by a process that is gone; recorded as failed (abandoned)", id);
  // No run starts on a disk that is already too full to finish it (storage.min_free_gb).
  if (needs_space == Space::required) require_free_space(config);
  make_directories(dataset_root(config));
  // A run killed mid-write leaves the temporaries of its atomic writes: swept before this one.
  for (const auto& path : remove_stale_temporaries(dataset_root(config)))
    spdlog::warn("removed {}: a temporary file left by a process that ended mid-write", path.string());
  m_started = utc_now();
  m_run_id = make_run_id(m_started);
  m_date = partition.empty() ? format_iso8601(m_started, 0).substr(0, 10) : partition;
  RunRecord run;
  run.run_id = m_run_id;
  run.command = m_command;
  run.args = m_args.dump();
  run.partition = partition;
  run.started_at = m_started;
  run.owner = this_owner();
  m_store.start_run(run);
  m_keeper.emplace(m_store, this_owner(), stale_after(config), m_run_id);
  spdlog::info("run {} ({}) started", m_run_id, m_command);
}

RunRecorder::~RunRecorder() {
  if (m_finished) return;
  try {
    finish(Error(ErrorCode::internal, "the run ended before it recorded its end"));
  } catch (const std::exception& e) {
    spdlog::warn("run {}: could not record its end: {}", m_run_id, e.what());
  }
}

bool RunRecorder::succeeded() const {
  for (const auto& s : m_steps)
    if (!s.succeeded) return false;
  return true;
}

StepManifest RunRecorder::step(std::string_view name, const std::function<void(StepManifest&)>& work) {
  StepManifest manifest;
  manifest.run_id = m_run_id;
  manifest.step = std::string(name);
  manifest.date = m_date;
  manifest.started_at = utc_now();
  RunStep row;
  row.run_id = m_run_id;
  row.step = manifest.step;
  row.seq = static_cast<int>(m_steps.size());
  row.started_at = manifest.started_at;
  m_store.start_step(row);
  std::optional<Error> failure;
  try {
    work(manifest);
    for (const auto& check : manifest.checks) {
      if (!check.passed)
        throw Error(ErrorCode::contract_violation,
                    std::string(name) + ": check " + check.name + " failed: " + check.detail);
    }
  } catch (const Error& e) {
    failure = e;
  } catch (const std::exception& e) {
    failure = Error(ErrorCode::internal, std::string(name) + ": " + e.what());
  }
  manifest.finished_at = utc_now();
  manifest.succeeded = !failure;
  if (failure) {
    manifest.error = failure->what();
    manifest.error_code = failure->code();
  }
  row.status = failure ? RunStatus::failed : RunStatus::succeeded;
  row.finished_at = manifest.finished_at;
  row.counts = manifest.counts.dump();
  if (failure) {
    row.error = failure->what();
    row.error_class = failure->category();
  }
  if (!failure) {
    row.manifest = relative_to_root(m_config, write_manifest(m_config, manifest));
    m_store.finish_step(row);
  } else {
    // Recording a failure must not hide it: when the record cannot be written either (the disk
    // that failed the step is full), the step's own error is what the caller sees.
    try {
      row.manifest = relative_to_root(m_config, write_manifest(m_config, manifest));
    } catch (const std::exception& e) {
      spdlog::warn("run {}: the manifest of failed step {} could not be written: {}", m_run_id, row.step, e.what());
    }
    try {
      m_store.finish_step(row);
    } catch (const std::exception& e) {
      spdlog::warn("run {}: failed step {} could not be recorded in the job store: {}", m_run_id, row.step, e.what());
    }
  }
  m_steps.push_back({row.step, !failure, row.manifest, row.error, row.error_class});
  if (failure) {
    spdlog::warn("run {}: step {} failed [{}]: {}", m_run_id, row.step, to_string(failure->category()),
                 failure->what());
    throw *failure;
  }
  spdlog::info("run {}: step {} succeeded (manifest {})", m_run_id, row.step, row.manifest);
  return manifest;
}

std::filesystem::path RunRecorder::finish(std::optional<Error> error) {
  if (!error) return record_end(std::nullopt);
  // Recording a failed run is best effort: the caller rethrows the run's own error.
  try {
    return record_end(error);
  } catch (const std::exception& e) {
    spdlog::warn("run {}: its failure could not be recorded: {}", m_run_id, e.what());
    return {};
  }
}

std::filesystem::path RunRecorder::record_end(std::optional<Error> error) {
  m_keeper.reset();
  m_finished = true;
  if (!error && !succeeded()) {
    for (const auto& s : m_steps) {
      if (!s.succeeded) {
        error = Error(ErrorCode::internal, "step " + s.step + " failed: " + s.error);
        break;
      }
    }
  }
  m_store.finish_run(m_run_id, error ? RunStatus::failed : RunStatus::succeeded, error ? error->what() : "",
                     error ? std::optional<ErrorCategory>(error->category()) : std::nullopt);
  nlohmann::ordered_json record;
  record["run_id"] = m_run_id;
  record["command"] = m_command;
  record["args"] = m_args;
  record["date"] = m_date;
  record["status"] = error ? "failed" : "succeeded";
  record["started_at"] = format_iso8601(m_started, 3);
  record["finished_at"] = format_iso8601(utc_now(), 3);
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : m_steps) {
    nlohmann::json e{{"step", s.step}, {"status", s.succeeded ? "succeeded" : "failed"}, {"manifest", s.manifest}};
    if (!s.succeeded) {
      e["error"] = s.error;
      e["class"] = s.error_class ? std::string(to_string(*s.error_class)) : "";
    }
    steps.push_back(std::move(e));
  }
  record["steps"] = std::move(steps);
  record["error"] = error ? nlohmann::json(error->what()) : nlohmann::json(nullptr);
  const auto path = dataset_path(m_config, m_config.storage.layout.runs) / (m_run_id + ".json");
  make_directories(path.parent_path());
  write_file_atomic(path, record.dump(2) + "\n");
  spdlog::info("run {} ({}) {}", m_run_id, m_command, error ? "failed" : "succeeded");
  return path;
}

}  // namespace shipchips::ops
