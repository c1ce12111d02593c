// ops/metrics: the Prometheus text format 0.0.4 as the exposition-format page specifies it
// (the expected texts below are written from that page, not from our output), the naming rules,
// and thread-safe counting. The same text is checked by `promtool check metrics` in the
// service's integration test.
#include "core/error.hpp"
#include "ops/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

using namespace shipchips;
using namespace shipchips::ops::metrics;

TEST(OpsMetrics, RendersCountersGaugesAndHistogramsInTheTextFormat) {
  Registry r;
  r.add_counter("shipchips_chips_written_total", "Chips written.");
  r.add_counter("shipchips_chips_rejected_total", "Chips rejected, by reason.", {"reason"});
  r.add_gauge("shipchips_jobs", "Chip jobs by state.", {"state"});
  r.add_histogram("shipchips_job_duration_seconds", "Chip job duration.", {1, 5});
  r.counter("shipchips_chips_written_total").inc(3);
  r.counter("shipchips_chips_rejected_total", {"nodata"}).inc();
  r.counter("shipchips_chips_rejected_total", {"cloud"}).inc(2);
  r.gauge("shipchips_jobs", {"queued"}).set(7);
  r.gauge("shipchips_jobs", {"done"}).set(0.5);
  auto& h = r.histogram("shipchips_job_duration_seconds");
  h.observe(0.2);
  h.observe(1);  // le is inclusive: counted in the 1 bucket
  h.observe(9);
  EXPECT_EQ(r.render(),
            "# HELP shipchips_chips_written_total Chips written.\n"
            "# TYPE shipchips_chips_written_total counter\n"
            "shipchips_chips_written_total 3\n"
            "# HELP shipchips_chips_rejected_total Chips rejected, by reason.\n"
            "# TYPE shipchips_chips_rejected_total counter\n"
            "shipchips_chips_rejected_total{reason=\"cloud\"} 2\n"
            "shipchips_chips_rejected_total{reason=\"nodata\"} 1\n"
            "# HELP shipchips_jobs Chip jobs by state.\n"
            "# TYPE shipchips_jobs gauge\n"
            "shipchips_jobs{state=\"done\"} 0.5\n"
            "shipchips_jobs{state=\"queued\"} 7\n"
            "# HELP shipchips_job_duration_seconds Chip job duration.\n"
            "# TYPE shipchips_job_duration_seconds histogram\n"
            "shipchips_job_duration_seconds_bucket{le=\"1\"} 2\n"
            "shipchips_job_duration_seconds_bucket{le=\"5\"} 2\n"
            "shipchips_job_duration_seconds_bucket{le=\"+Inf\"} 3\n"
            "shipchips_job_duration_seconds_sum 10.2\n"
            "shipchips_job_duration_seconds_count 3\n");
}

TEST(OpsMetrics, AnUnlabelledFamilyWithoutSamplesStillRendersItsZero) {
  Registry r;
  r.add_counter("x_total", "X.");
  r.add_histogram("d_seconds", "D.", {0.5}, {});
  EXPECT_EQ(r.render(),
            "# HELP x_total X.\n# TYPE x_total counter\nx_total 0\n"
            "# HELP d_seconds D.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"0.5\"} 0\nd_seconds_bucket{le=\"+Inf\"} 0\nd_seconds_sum 0\nd_seconds_count 0\n");
}

TEST(OpsMetrics, EscapesLabelValuesAndHelpAndFormatsSpecialValues) {
  Registry r;
  r.add_gauge("g", "Line one\nback\\slash \"quoted\"", {"path"});
  r.gauge("g", {"a\"b\\c\nd"}).set(std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.render(),
            "# HELP g Line one\\nback\\\\slash \"quoted\"\n# TYPE g gauge\n"
            "g{path=\"a\\\"b\\\\c\\nd\"} +Inf\n");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(1.5e-3), "0.0015");
  EXPECT_EQ(format_value(-42), "-42");
  EXPECT_EQ(format_value(1717171717.25), "1717171717.25");
}

TEST(OpsMetrics, RefusesNamesAndUsesTheFormatForbids) {
  Registry r;
  EXPECT_THROW(r.add_counter("chips_written", "no _total"), Error);
  EXPECT_THROW(r.add_gauge("9lives", "starts with a digit"), Error);
  EXPECT_THROW(r.add_gauge("ok", "bad label", {"__reserved"}), Error);
  EXPECT_THROW(r.add_gauge("ok2", "bad label", {"has-dash"}), Error);
  EXPECT_THROW(r.add_histogram("h", "le is taken", {1}, {"le"}), Error);
  EXPECT_THROW(r.add_histogram("h2", "not increasing", {1, 1}), Error);
  EXPECT_THROW(r.add_histogram("h3", "no buckets", {}), Error);
  r.add_gauge("jobs", "J.", {"state"});
  r.add_gauge("jobs", "J.", {"state"});                       // the same again is fine
  EXPECT_THROW(r.add_gauge("jobs", "J.", {"class"}), Error);  // the same name differently is not
  EXPECT_THROW(r.add_counter("jobs", "J."), Error);
  EXPECT_THROW(r.gauge("jobs"), Error);              // label values missing
  EXPECT_THROW(r.gauge("jobs", {"a", "b"}), Error);  // too many
  EXPECT_THROW(r.counter("jobs", {"a"}), Error);     // wrong kind
  EXPECT_THROW(r.gauge("nope"), Error);              // not registered
  r.add_counter("c_total", "C.");
  EXPECT_THROW(r.counter("c_total").inc(-1), Error);  // counters never go down
}

TEST(OpsMetrics, ClearingAGaugeDropsStatesThatAreGone) {
  Registry r;
  r.add_gauge("jobs", "J.", {"state"});
  r.gauge("jobs", {"running"}).set(2);
  r.clear_gauge("jobs");
  r.gauge("jobs", {"done"}).set(1);
  EXPECT_EQ(r.render(), "# HELP jobs J.\n# TYPE jobs gauge\njobs{state=\"done\"} 1\n");
}

TEST(OpsMetrics, CountsFromManyThreadsWithoutLosingAny) {
  Registry r;
  r.add_counter("n_total", "N.", {"worker"});
  r.add_histogram("d_seconds", "D.", request_duration_buckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 20000; ++k) {
        r.counter("n_total", {t % 2 ? "odd" : "even"}).inc();
        r.histogram("d_seconds").observe(0.003);
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(r.counter("n_total", {"odd"}).value(), 40000);
  EXPECT_EQ(r.counter("n_total", {"even"}).value(), 40000);
  const HistogramSnapshot s = r.histogram("d_seconds").snapshot();
  EXPECT_EQ(s.count, 80000u);
  EXPECT_EQ(s.cumulative.front(), 0u);  // 0.003 > 0.001 and > 0.0025
  EXPECT_EQ(s.cumulative[2], 80000u);   // <= 0.005
}
