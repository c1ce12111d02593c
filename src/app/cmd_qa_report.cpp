// shipchips qa-report [--out FILE.html] [--json]: the QA report (ops/qa_report.hpp), at
// storage.layout.qa_report under the dataset root ({date} = today, UTC) unless --out names a
// file (a relative --out is relative to the current folder, as the seed's runbook writes it).
//
// Exit code: 0 when the report is written and any due failure-rate alert was delivered. When the
// alert POST fails the report is still written (saying so) and the command exits with the HTTP
// failure's code (network_transient for 5xx, timeouts and refused connections), so a cron job
// notices an alert that did not go out. The webhook URL is never printed.
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/error.hpp"
#include "ops/qa_report.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace {

using namespace shipchips;

class QaReportCommand : public app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--out", m_out, "Write the report here (default: storage.layout.qa_report under the dataset root)");
    sub.add_flag("--json", m_json, "Print the report's facts as one JSON object");
  }

  int run(const app::GlobalOptions& global) override {
    const Config config = app::load_app_config(global);
    ops::QaReportOptions options;
    options.now = utc_now();
    options.http.timeout_ms = 15000;
    options.http.max_retries = 3;
    const std::filesystem::path out =
        m_out.empty() ? ops::default_qa_report_path(config, options.now) : std::filesystem::absolute(m_out);
    const ops::QaReportResult result = ops::write_qa_report(config, out, options);
    const auto& d = result.report.data;
    if (m_json) {
      std::cout << d.dump(2) << "\n";
    } else {
      std::cout << "QA report: " << result.path.string() << "\n";
      std::cout << "  chips " << d["chips"]["total"].get<std::size_t>();
      if (d["jobs"].is_null()) {
        std::cout << "; no job store yet (" << d["job_store"]["location"].get<std::string>() << ")\n";
      } else {
        const auto& jobs = d["jobs"];
        char rate[32];
        std::snprintf(rate, sizeof rate, "%.1f %%", 100.0 * jobs["failure_rate"].get<double>());
        std::cout << "; chip jobs " << jobs["total"].get<std::size_t>() << ", failure rate " << rate << " of "
                  << jobs["finished"].get<std::size_t>() << " finished, retries "
                  << jobs["due_retries"].get<std::size_t>() << " due / " << jobs["exhausted_retries"].get<std::size_t>()
                  << " exhausted\n";
      }
      std::cout << "  " << d["alert"]["why"].get<std::string>() << (d["alert"]["sent"].get<bool>() ? ": sent" : "")
                << (result.alert_error ? ": NOT delivered (the error follows)" : "") << "\n";
    }
    if (result.alert_error) {
      spdlog::warn("qa-report: the report is written, but the failure-rate alert was not delivered: {}",
                   result.alert_error->what());
      throw *result.alert_error;
    }
    return 0;
  }

 private:
  std::string m_out;
  bool m_json = false;
};

app::RegisterCommand reg_qa_report{
    "qa-report", "Self-contained HTML QA report (KPIs, plots, quicklooks, footprint map, failures); failure-rate alert",
    [] { return std::make_unique<QaReportCommand>(); }};

}  // namespace
