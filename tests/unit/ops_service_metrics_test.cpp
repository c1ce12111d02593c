// ops/service_metrics: the state gauges as a scrape shows them, accepted by Prometheus's own
// linter (`promtool check metrics`, Debian's prometheus package), and the values the alert
// rules need left out when the snapshot has none.
#include "../support/temp_dir.hpp"
#include "ops/service_metrics.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>

using namespace shipchips;
using shipchips::testing::TempDir;

namespace {

// promtool's verdict on a scrape: its exit status and what it printed.
std::pair<int, std::string> promtool_check(const std::string& text, const TempDir& dir) {
  const auto file = dir.path / "scrape.txt";
  std::ofstream(file, std::ios::binary) << text;
  const std::string command = "promtool check metrics < '" + file.string() + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST(OpsServiceMetrics, AScrapeOfTheStateGaugesPassesPromtool) {
  TempDir dir("shipchips-service-metrics");
  ops::metrics::Registry r;
  ops::register_state_metrics(r);
  ops::OpsSnapshot s;
  s.queued = 3, s.running = 1, s.done = 40, s.rejected = 2, s.failed = 1;
  s.retries_due = 1;
  s.disk_free_bytes = 5e9;
  s.disk_size_bytes = 1e12;
  s.schedule_end = 1.8e9;
  s.last_chip = 1.7e9 + 0.25;
  ops::update_state_metrics(r, s);
  const std::string text = r.render();
  EXPECT_NE(text.find("shipchips_jobs{state=\"done\"} 40\n"), std::string::npos) << text;
  EXPECT_NE(text.find("shipchips_last_chip_timestamp_seconds 1700000000.25\n"), std::string::npos) << text;
  const auto [status, out] = promtool_check(text, dir);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "") << out;  // no lint problems either
}

TEST(OpsServiceMetrics, ValuesTheSnapshotLacksAreLeftOut) {
  ops::metrics::Registry r;
  ops::register_state_metrics(r);
  ops::OpsSnapshot s;
  s.schedule_end = 1.8e9;
  s.last_chip = 1.7e9;
  ops::update_state_metrics(r, s);
  s.schedule_end.reset();  // the schedule was deleted, and no chip anymore
  s.last_chip.reset();
  ops::update_state_metrics(r, s);
  const std::string text = r.render();
  EXPECT_EQ(text.find("shipchips_schedule_last_window_end_timestamp_seconds 1"), std::string::npos) << text;
  EXPECT_EQ(text.find("shipchips_last_chip_timestamp_seconds 1"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE shipchips_schedule_last_window_end_timestamp_seconds gauge"), std::string::npos);
}
