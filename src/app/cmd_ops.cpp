// shipchips ops-status [--json] [--db FILE]: the job store at a glance (ops/status.hpp).
// shipchips ops-retry [--limit N] [--include-swir] [--class C] [--force] [--json] [--db FILE]:
//   one retry pass over the due jobs (pipeline/retry_pass.hpp), recorded as a run.
//
// --db FILE names the job store like storage.db_path does: relative to the dataset root (so the
// seed's `--db ops.db` is the default store).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/error.hpp"
#include "ops/job_store.hpp"
#include "ops/status.hpp"
#include "pipeline/recorded_commands.hpp"
#include "pipeline/retry_pass.hpp"

#include <filesystem>
#include <iostream>

namespace {

using namespace shipchips;

void apply_db_option(Config& config, const std::string& db) {
  if (!db.empty()) config.storage.db_path = db;
}

class OpsStatusCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_flag("--json", m_json, "Print the report as one JSON object");
    sub.add_option("--db", m_db, "Job store database (relative to the dataset root, like storage.db_path)");
    sub.add_option("--failures", m_failures, "Recent failures to list")
        ->capture_default_str()
        ->check(CLI::Range(0, 10000));
  }

  int run(const app::GlobalOptions& global) override {
    Config config = app::load_app_config(global);
    apply_db_option(config, m_db);
    const auto path = dataset_path(config, config.storage.db_path);
    if (!std::filesystem::exists(path)) {
      // Nothing has run yet: say so, and create nothing.
      if (m_json) {
        std::cout << nlohmann::json{{"store", "sqlite:" + path.string()}, {"exists", false}}.dump(2) << "\n";
      } else {
        std::cout << "job store: sqlite:" << path.string() << " does not exist yet (no command has run)\n";
      }
      return 0;
    }
    auto store = ops::open_job_store(config);
    ops::StatusOptions options;
    options.recent_failures = static_cast<std::size_t>(m_failures);
    const auto report = ops::status_report(*store, options);
    if (m_json) {
      std::cout << report.dump(2) << "\n";
    } else {
      std::cout << ops::format_status(report);
    }
    return 0;
  }

 private:
  bool m_json = false;
  std::string m_db;
  int m_failures = 10;
};

class OpsRetryCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--limit", m_limit, "At most this many jobs (default: ops.retry_batch_limit)")
        ->check(CLI::Range(1, 10000000));
    sub.add_flag("--include-swir", m_include_swir, "Chip the retried jobs with the 20 m SWIR bands too");
    sub.add_option("--class", m_class,
                   "Only failures of this class: retryable (default: those due), permanent (rejected and permanent "
                   "failures, retried only when asked), contract (needs --force)")
        ->check(CLI::IsMember({"retryable", "permanent", "contract"}));
    sub.add_flag("--force", m_force, "Ignore next_retry_at and exhausted retries (after fixing the cause)");
    sub.add_flag("--json", m_json, "Print the summary as one JSON object");
    sub.add_option("--db", m_db, "Job store database (relative to the dataset root, like storage.db_path)");
  }

  int run(const app::GlobalOptions& global) override {
    Config config = app::load_app_config(global);
    apply_db_option(config, m_db);
    pipeline::RetryPassOptions options;
    options.filter.limit = m_limit > 0 ? static_cast<std::size_t>(m_limit)
                                       : static_cast<std::size_t>(std::max(config.ops.retry_batch_limit, 1));
    if (!m_class.empty()) options.filter.error_class = ops::parse_error_class(m_class);
    options.filter.force = m_force;
    options.include_swir = m_include_swir;
    const auto recorded = pipeline::retry_recorded(config, options);
    const pipeline::RetryPassReport& report = recorded.result;
    if (m_json) {
      std::cout << nlohmann::json{{"run_id", recorded.run_id},
                                  {"due", report.due},
                                  {"sources", report.sources},
                                  {"written", report.written},
                                  {"rejected", report.rejected},
                                  {"failed", report.failed},
                                  {"unplannable", report.unplannable},
                                  {"skipped_busy", report.skipped_busy},
                                  {"reclaimed_leases", report.reclaimed_leases},
                                  {"errors", report.errors}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "retry pass (run " << recorded.run_id << "): " << report.due << " due jobs from " << report.sources
                << " AIS inputs: " << report.written << " written, " << report.rejected << " rejected, "
                << report.failed << " failed again, " << report.unplannable << " could not be replanned";
      if (report.reclaimed_leases) std::cout << ", " << report.reclaimed_leases << " stale leases reclaimed";
      std::cout << "\n";
      for (const auto& e : report.errors) std::cout << "  " << e << "\n";
    }
    const std::size_t failures = report.failed + report.unplannable;
    if (failures > 0) {
      throw Error(report.first_failure.value_or(ErrorCode::internal),
                  std::to_string(failures) + " of " + std::to_string(report.due) +
                      " retried jobs failed again; first: " + (report.errors.empty() ? "?" : report.errors.front()));
    }
    return 0;
  }

 private:
  int m_limit = 0;
  bool m_include_swir = false;
  std::string m_class;
  bool m_force = false;
  bool m_json = false;
  std::string m_db;
};

app::RegisterCommand reg_status{"ops-status",
                                "Job store at a glance: jobs by state and class, due retries, recent failures, ships",
                                [] { return std::make_unique<OpsStatusCommand>(); }};
app::RegisterCommand reg_retry{"ops-retry", "Retry the due failed chip jobs (one retry pass, recorded as a run)",
                               [] { return std::make_unique<OpsRetryCommand>(); }};

}  // namespace
