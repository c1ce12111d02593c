// ops/alert_rules: each rule's in-process condition at its thresholds (from config), and the
// committed deploy/prometheus/alerts.yml being exactly the rules of the repository's config.yaml.
// The PromQL side is tested by `promtool test rules` (tests/integration/test_alert_rules.sh) on
// the same scenarios.
#include "core/config.hpp"
#include "ops/alert_rules.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace shipchips;
using namespace shipchips::ops;

namespace {

const std::filesystem::path kSource = SHIPCHIPS_SOURCE_DIR;
constexpr double kNow = 1.8e9;

std::set<std::string> firing(const Config& c, const OpsSnapshot& s) {
  std::set<std::string> out;
  for (const auto& a : evaluate_rules(c, s)) out.insert(a.name);
  return out;
}

// A healthy dataset: a schedule for the coming week, a chip an hour ago, plenty of disk.
OpsSnapshot healthy() {
  OpsSnapshot s;
  s.now = kNow;
  s.done = 40;
  s.rejected = 5;
  s.failed = 2;
  s.disk_free_bytes = 500e9;
  s.disk_size_bytes = 1000e9;
  s.schedule_end = kNow + 7 * 86400;
  s.last_chip = kNow - 3600;
  return s;
}

}  // namespace

TEST(OpsAlertRules, AHealthyDatasetFiresNothing) {
  EXPECT_TRUE(firing(Config{}, healthy()).empty());
}

TEST(OpsAlertRules, EachRuleFiresJustPastItsThreshold) {
  Config c;
  c.alerts.threshold_fail_rate = 0.5;
  c.alerts.min_jobs = 10;
  c.storage.min_free_gb = 2;

  OpsSnapshot s = healthy();
  s.queued = 60;
  s.retries_due = 40;  // 100: not more than 100
  EXPECT_TRUE(firing(c, s).empty());
  s.retries_due = 41;
  EXPECT_EQ(firing(c, s), std::set<std::string>{"QueueBacklog"});

  s = healthy();
  s.done = 5, s.rejected = 0, s.failed = 5;  // 0.5 of 10: not above
  EXPECT_TRUE(firing(c, s).empty());
  s.failed = 6;  // 6 of 11
  EXPECT_EQ(firing(c, s), std::set<std::string>{"FailureRate"});
  s.done = 1, s.failed = 8;  // 8 of 9: too few jobs finished to say
  EXPECT_TRUE(firing(c, s).empty());

  s = healthy();
  s.disk_free_bytes = 2e9;
  EXPECT_TRUE(firing(c, s).empty());
  s.disk_free_bytes = 2e9 - 1;
  EXPECT_EQ(firing(c, s), std::set<std::string>{"DiskSpaceCritical"});

  s = healthy();
  s.running = 3;
  s.expired_leases = 1;
  EXPECT_EQ(firing(c, s), std::set<std::string>{"ProcessingStuck"});

  s = healthy();
  s.schedule_end = kNow + 86400;  // exactly a day left
  EXPECT_TRUE(firing(c, s).empty());
  s.schedule_end = kNow + 86399;
  EXPECT_EQ(firing(c, s), std::set<std::string>{"StaleSchedule"});
  s.schedule_end.reset();
  EXPECT_EQ(firing(c, s), std::set<std::string>{"StaleSchedule"});

  s = healthy();
  s.last_chip = kNow - 86400;
  EXPECT_TRUE(firing(c, s).empty());
  s.last_chip = kNow - 86401;
  EXPECT_EQ(firing(c, s), std::set<std::string>{"NoChips24h"});
  s.last_chip.reset();  // never a chip: the series is absent, nothing to compare
  EXPECT_TRUE(firing(c, s).empty());
}

TEST(OpsAlertRules, SeverityAndDetailNameTheValues) {
  OpsSnapshot s = healthy();
  s.disk_free_bytes = 1000;
  const auto alerts = evaluate_rules(Config{}, s);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].severity, Severity::critical);
  EXPECT_NE(alerts[0].detail.find("1000 bytes free"), std::string::npos) << alerts[0].detail;
}

TEST(OpsAlertRules, TheRuleFileIsValidYamlWithEveryRule) {
  const Config c;
  const YAML::Node doc = YAML::Load(render_rules_yaml(c));
  const YAML::Node rules = doc["groups"][0]["rules"];
  ASSERT_TRUE(rules.IsSequence());
  std::vector<std::string> names;
  for (const auto& r : rules) {
    names.push_back(r["alert"].as<std::string>());
    EXPECT_FALSE(r["expr"].as<std::string>().empty());
    EXPECT_TRUE(r["for"].as<std::string>().ends_with("m"));
    const std::string severity = r["labels"]["severity"].as<std::string>();
    EXPECT_TRUE(severity == "warning" || severity == "critical") << severity;
    EXPECT_FALSE(r["annotations"]["summary"].as<std::string>().empty());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"QueueBacklog", "FailureRate", "DiskSpaceCritical", "ProcessingStuck",
                                             "StaleSchedule", "NoChips24h"}));
}

TEST(OpsAlertRules, TheCommittedRuleFileIsTheOneTheDefaultConfigGives) {
  const Config c = load_config(kSource / "config.yaml", {});
  std::ifstream in(kSource / "deploy" / "prometheus" / "alerts.yml", std::ios::binary);
  ASSERT_TRUE(in) << "deploy/prometheus/alerts.yml is missing";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), render_rules_yaml(c))
      << "deploy/prometheus/alerts.yml differs from the rules of config.yaml: regenerate it with "
         "`shipchips alerts rules > deploy/prometheus/alerts.yml`";
}
