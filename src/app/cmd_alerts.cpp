// shipchips alerts rules [--out FILE]: the Prometheus alerting rules (ops/alert_rules.hpp) with
// this configuration's thresholds; deploy/prometheus/alerts.yml is this output for the default
// config.yaml (a unit test keeps them equal).
#include "app/app_context.hpp"
#include "app/command.hpp"
#include "core/atomic_file.hpp"
#include "ops/alert_rules.hpp"

#include <iostream>

namespace {

class AlertsRulesCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--out", m_out, "Write the rule file here (atomically) instead of standard output");
  }

  int run(const shipchips::app::GlobalOptions& global) override {
    using namespace shipchips;
    const Config config = app::load_app_config(global);
    const std::string text = ops::render_rules_yaml(config);
    if (m_out.empty())
      std::cout << text;
    else
      write_file_atomic(m_out, text);
    return 0;
  }

 private:
  std::string m_out;
};

shipchips::app::RegisterCommand reg{"alerts rules",
                                    "Print the Prometheus alerting rules with this configuration's thresholds",
                                    [] { return std::make_unique<AlertsRulesCommand>(); }};

}  // namespace
