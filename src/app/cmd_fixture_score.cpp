// `shipchips fixture score`: chip-centre error of a dataset against a fixture world's truth
// (see fixture/score.hpp). Exit 0 when every chip matched the truth and lies within
// --max-error-m (and the optional median / p95 limits), 1 otherwise.
#include "app/command.hpp"
#include "fixture/score.hpp"

#include <iostream>

namespace {

class FixtureScoreCommand : public shipchips::app::Command {
 public:
  void setup(CLI::App& sub) override {
    sub.add_option("--dataset", m_dataset, "Dataset root (holds chips/)")->required();
    sub.add_option("--world", m_world, "Fixture world folder (holds truth.csv)")->required();
    sub.add_option("--max-error-m", m_options.max_error_m, "Fail when a chip centre is farther than this from the ship")
        ->capture_default_str()
        ->check(shipchips::app::positive_number);
    sub.add_option("--max-median-m", m_median, "Also fail when the median chip-centre error is above this")
        ->check(shipchips::app::positive_number);
    sub.add_option("--max-p95-m", m_p95, "Also fail when the 95th percentile chip-centre error is above this")
        ->check(shipchips::app::positive_number);
    sub.add_flag("--json", m_json, "Print the report as JSON");
  }

  int run(const shipchips::app::GlobalOptions&) override {
    if (m_median > 0.0) m_options.max_median_m = m_median;
    if (m_p95 > 0.0) m_options.max_p95_m = m_p95;
    const auto report = shipchips::fixture::score_dataset(m_dataset, m_world, m_options);
    if (m_json) {
      std::cout << shipchips::fixture::to_json(report).dump(2) << "\n";
    } else {
      std::cout << shipchips::fixture::to_text(report);
    }
    return report.passed() ? 0 : 1;
  }

 private:
  std::string m_dataset;
  std::string m_world;
  double m_median = 0.0;  // 0: no limit (CLI11 checks a given value is positive)
  double m_p95 = 0.0;
  bool m_json = false;
  shipchips::fixture::ScoreOptions m_options;
};

shipchips::app::RegisterCommand reg{"fixture score",
                                    "Distance of each chip centre from the ship's true position (fixture world)",
                                    [] { return std::make_unique<FixtureScoreCommand>(); }};

}  // namespace
