// shipchips doctor [--json] [--show-config] [--offline] [--db FILE]: readiness checks (see ops/doctor.hpp).
#include "app/command.hpp"
#include "core/env.hpp"
#include "core/error.hpp"
#include "core/logging.hpp"
#include "core/startup.hpp"
#include "ops/doctor.hpp"

#include <iostream>

namespace {

class DoctorCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_flag("--json", m_json, "Print one JSON object {checks:[{name,status,detail}],ok}");
    sub.add_flag("--show-config", m_show_config, "Also print the effective configuration (file + environment)");
    sub.add_flag("--offline", m_offline, "Skip the STAC endpoint check");
    sub.add_option("--db", m_db, "SQLite job store to check (default: storage.db_path under the dataset root)");
    sub.add_option("--timeout-ms", m_timeout_ms, "Timeout of the STAC endpoint check")
        ->capture_default_str()
        ->check(CLI::Range(100L, 60000L));
  }

  int run(const shipchips::app::GlobalOptions& global) override {
    using namespace shipchips;
    // Console-only logging on stderr: the doctor reports on stdout and must not touch the log
    // file of a config it has not validated yet.
    LoggingConfig quiet;
    quiet.file.clear();
    quiet.level = LogLevel::warn;
    setup_logging(quiet, global.log_level, global.log_json);
    // A malformed .env is reported by the dotenv check; the other checks still run.
    try {
      load_dotenv_files(global.config_path);
    } catch (const Error&) {
    }
    ops::DoctorOptions options;
    options.config_path = global.config_path;
    options.stac_timeout_ms = m_timeout_ms;
    options.check_network = !m_offline;
    options.db_path = m_db;
    ops::DoctorReport report = ops::run_doctor(options, current_environment());
    if (report.config) register_secret_value(report.config->alerts.webhook_url);  // empty: ignored
    if (m_json) {
      std::cout << redact(ops::to_json(report, m_show_config).dump(2)) << "\n";
    } else {
      std::cout << ops::format_table(report);
      if (m_show_config && report.config)
        std::cout << "\n# effective configuration\n" << redact(to_yaml(*report.config));
    }
    return report.ok() ? 0 : 1;
  }

 private:
  bool m_json = false;
  bool m_show_config = false;
  bool m_offline = false;
  long m_timeout_ms = 3000;
  std::string m_db;
};

shipchips::app::RegisterCommand reg{"doctor", "Check config, secrets, storage, libraries and the STAC endpoint",
                                    [] { return std::make_unique<DoctorCommand>(); }};

}  // namespace
