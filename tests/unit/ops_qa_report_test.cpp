// The QA report (ops/qa_report.hpp, ops/report_html.hpp) and its failure-rate alert
// (ops/alerts.hpp): KPIs computed by hand from a small dataset and a job store driven through
// its lifecycle on a fake clock, escaping, no reference outside the document, and the webhook
// POST against a loopback receiver (and no POST when it is not due).
#include "dataset/chip_index.hpp"
#include "ops/alerts.hpp"
#include "ops/qa_report.hpp"
#include "ops/report_html.hpp"
#include "ops/sqlite_job_store.hpp"

#include "../support/loopback_server.hpp"
#include "../support/small_dataset.hpp"
#include "../support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <regex>

using namespace shipchips;
using namespace shipchips::ops;
using shipchips::testing::LoopbackReply;
using shipchips::testing::LoopbackRequest;
using shipchips::testing::LoopbackServer;
using shipchips::testing::slurp;
using shipchips::testing::SmallDataset;
using shipchips::testing::TempDir;

namespace {

namespace fs = std::filesystem;
const std::string script_reason = "land fraction 0.8 <script>alert(1)</script> & \"more\"";

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Five chips with known |dt|, uncertainties and cloud fractions, in the chips index; a job store
// with 5 done, 2 rejected and 3 failed jobs (one retryable due now, one retryable exhausted, one
// permanent), and three input ships.
struct World {
  TempDir dir{"shipchips-qa-report"};
  SmallDataset dataset{dir.path / "dataset", 5};
  UtcTime now = parse_iso8601("2024-06-01T12:00:00Z");
  fs::path db;

  World() {
    const double dt[] = {-10, 20, 30, -40, 100};
    const std::optional<double> uncertainty[] = {5, 15, std::nullopt, 25, 35};
    const std::optional<double> cloud[] = {0.0, 0.05, 0.15, 0.95, std::nullopt};
    db = dataset_path(dataset.config, dataset.config.storage.db_path);
    dataset::ChipIndex index(db);
    for (std::size_t i = 0; i < dataset.records.size(); ++i) {
      dataset::ChipRecord& r = dataset.records[i];
      r.dt_s = dt[i];
      r.uncertainty_m = uncertainty[i];
      if (uncertainty[i]) r.interpolation = "geodesic";
      r.gate.qa_cloud_frac = cloud[i];
      index.upsert(r);
    }
    config().alerts.min_jobs = 10;
    config().alerts.threshold_fail_rate = 0.25;

    SqliteJobStoreOptions options;
    options.policy.max_retries = 1;
    options.clock = [this] { return now; };
    options.jitter_seed = 7;
    SqliteJobStore store(db, options);
    std::vector<ChipJobSpec> specs;
    for (int i = 0; i < 10; ++i) specs.push_back({"job" + std::to_string(i), 244000000 + i, "S2B_SCENE", "{}"});
    store.enqueue(specs, "run-1");
    std::vector<std::string> ids;
    for (const auto& s : specs) ids.push_back(s.chip_id);
    const Lease lease{"worker-1", std::chrono::seconds(3600), "run-1"};
    store.claim(ids, lease);
    using K = JobFinish::Kind;
    std::vector<JobFinish> finishes;
    for (int i = 0; i < 5; ++i) finishes.push_back({"job" + std::to_string(i), K::done, "", ErrorCode::internal});
    finishes.push_back({"job5", K::rejected, "gate: cloud fraction 0.62 > 0.30", ErrorCode::internal});
    finishes.push_back({"job6", K::rejected, script_reason, ErrorCode::internal});
    finishes.push_back({"job7", K::failed, "GET https://example.invalid/x: HTTP 503", ErrorCode::network_transient});
    finishes.push_back({"job8", K::failed, "reset by peer", ErrorCode::network_transient});
    finishes.push_back({"job9", K::failed, "scene item not found", ErrorCode::not_found});
    store.finish(finishes, "worker-1");
    // job8 fails a second time: past max_retries 1, exhausted. job7 is due after its backoff.
    now += std::chrono::hours(2);
    const std::vector<std::string> again{"job8"};
    store.claim(again, lease);
    const std::vector<JobFinish> second{{"job8", K::failed, "reset by peer again", ErrorCode::network_transient}};
    store.finish(second, "worker-1");
    now += std::chrono::hours(2);

    std::vector<Observation> observations;
    const char* outcomes[] = {"chipped", "chipped", "no_scene"};
    for (int i = 0; i < 3; ++i) {
      Observation o;
      o.id = std::to_string(244000000 + i) + "|2024-05-23T11:00:00Z|30STF";
      o.mmsi = 244000000 + i;
      o.captured_time = parse_iso8601("2024-05-23T11:00:00Z");
      o.last_ping = o.captured_time;
      o.pings = 3;
      o.source = "test.csv";
      o.status = outcomes[i];
      o.reason = i == 2 ? "no scene within the window" : "";
      observations.push_back(o);
    }
    store.record_observations(observations);
  }

  Config& config() { return dataset.config; }
  QaReportOptions options() const {
    QaReportOptions o;
    o.now = now;
    o.http.max_retries = 0;
    o.http.connect_timeout_ms = 2000;
    o.http.timeout_ms = 5000;
    return o;
  }
  fs::path out() const { return dir.path / "report.html"; }
};

LoopbackServer receiver(int status) {
  return LoopbackServer([status](const LoopbackRequest&) { return LoopbackReply::http(status, "{}"); });
}

}  // namespace

TEST(OpsQaReport, PercentileInterpolatesBetweenTheClosestRanks) {
  const std::vector<double> v{100, 10, 40, 20, 30};
  EXPECT_DOUBLE_EQ(*percentile(v, 0.5), 30);
  EXPECT_DOUBLE_EQ(*percentile(v, 0.95), 88);  // h = 3.8: 40 + 0.8 × 60 (numpy: 88.0)
  EXPECT_DOUBLE_EQ(*percentile(v, 0), 10);
  EXPECT_DOUBLE_EQ(*percentile(v, 1), 100);
  EXPECT_DOUBLE_EQ(*percentile({7}, 0.95), 7);
  EXPECT_FALSE(percentile({}, 0.5).has_value());
}

TEST(OpsQaReport, EscapesAndEncodesLikeTheStandards) {
  EXPECT_EQ(html::escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  // RFC 4648 §10 test vectors.
  EXPECT_EQ(html::base64(""), "");
  EXPECT_EQ(html::base64("f"), "Zg==");
  EXPECT_EQ(html::base64("fo"), "Zm8=");
  EXPECT_EQ(html::base64("foo"), "Zm9v");
  EXPECT_EQ(html::base64("foob"), "Zm9vYg==");
  EXPECT_EQ(html::base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(html::base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(html::base64(std::string("\xff\xd8\xff", 3)), "/9j/");
}

TEST(OpsQaReport, HistogramBinsHalfOpenWithTheTopEdgeInTheLastBin) {
  const std::vector<double> v{0, 0.05, 0.1, 0.95, 1.0, -0.5, 2};
  const html::Histogram h = html::make_histogram(v, 0, 1, 10);
  ASSERT_EQ(h.counts.size(), 10u);
  EXPECT_EQ(h.counts[0], 2u);
  EXPECT_EQ(h.counts[1], 1u);
  EXPECT_EQ(h.counts[9], 2u);
  EXPECT_EQ(h.below, 1u);
  EXPECT_EQ(h.above, 1u);
}

TEST(OpsQaReport, KeyFiguresComeFromTheIndexAndTheJobStore) {
  World w;
  const QaReportResult result = write_qa_report(w.config(), w.out(), w.options());
  const auto& d = result.report.data;
  EXPECT_EQ(d["chips"]["total"], 5);
  std::size_t split_sum = 0;
  for (const auto& [split, n] : d["chips"]["by_split"].items()) split_sum += n.get<std::size_t>();
  EXPECT_EQ(split_sum, 5u);
  EXPECT_EQ(d["chips"]["per_day"]["2024-05-23"], 3);
  EXPECT_EQ(d["chips"]["per_day"]["2024-05-26"], 2);
  EXPECT_DOUBLE_EQ(d["chips"]["abs_dt_s"]["median"].get<double>(), 30);
  EXPECT_DOUBLE_EQ(d["chips"]["abs_dt_s"]["p95"].get<double>(), 88);
  EXPECT_DOUBLE_EQ(d["chips"]["abs_dt_s"]["max"].get<double>(), 100);
  EXPECT_EQ(d["chips"]["uncertainty_m"]["count"], 4);
  EXPECT_DOUBLE_EQ(d["chips"]["uncertainty_m"]["median"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(d["chips"]["uncertainty_m"]["p95"].get<double>(), 33.5);  // h = 2.85: 25 + 0.85 × 10
  EXPECT_EQ(d["chips"]["qa_cloud_frac"]["measured"], 4);
  EXPECT_EQ(d["chips"]["qa_cloud_frac"]["not_measured"], 1);

  EXPECT_EQ(d["jobs"]["finished"], 10);
  EXPECT_EQ(d["jobs"]["by_state"]["failed"], 3);
  EXPECT_DOUBLE_EQ(d["jobs"]["failure_rate"].get<double>(), 0.3);
  EXPECT_EQ(d["jobs"]["due_retries"], 1);
  EXPECT_EQ(d["jobs"]["exhausted_retries"], 1);
  EXPECT_EQ(d["jobs"]["failed_by_class"]["retryable"], 2);
  EXPECT_EQ(d["jobs"]["failed_by_class"]["permanent"], 1);
  ASSERT_EQ(d["rejects"]["by_reason"].size(), 2u);
  EXPECT_EQ(d["rejects"]["observations_by_outcome"]["chipped"], 2);
  EXPECT_EQ(d["rejects"]["observations_by_outcome"]["no_scene"], 1);
  EXPECT_EQ(d["recent_failures"].size(), 5u);
  EXPECT_EQ(d["gallery"].size(), 5u);
  // The most recent scene day first.
  EXPECT_EQ(d["gallery"][0]["scene_datetime"].get<std::string>().substr(0, 10), "2024-05-26");

  const std::string html = slurp(w.out());
  EXPECT_NE(html.find("30.0 %"), std::string::npos);  // failure rate
  EXPECT_NE(html.find("3 failed of 10 finished jobs"), std::string::npos);
  EXPECT_NE(html.find("30.0 s"), std::string::npos);  // |dt| median
  EXPECT_NE(html.find("p95 88.0 s · max 100.0 s"), std::string::npos);
  EXPECT_NE(html.find("p95 33.5 m"), std::string::npos);
  EXPECT_NE(html.find("1 due"), std::string::npos);
  EXPECT_NE(html.find("gate: cloud fraction 0.62 &gt; 0.30"), std::string::npos);
  // Cloud histogram: 0 and 0.05 in the first bin, 0.15 in the second, 0.95 in the last.
  EXPECT_NE(html.find("<title>0–0.1: 2</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>0.9–1: 1</title>"), std::string::npos);
  // Four plots and the map, five footprints, five embedded quicklooks.
  EXPECT_EQ(occurrences(html, "<svg class=\"plot\""), 5u);
  EXPECT_EQ(occurrences(html, "<g class=\"footprint\">"), 5u);
  EXPECT_EQ(occurrences(html, "src=\"data:image/jpeg;base64,"), 5u);
  const std::string quicklook = slurp(w.dataset.paths(w.dataset.records[0]).quicklook);
  EXPECT_NE(html.find("data:image/jpeg;base64," + html::base64(quicklook) + "\""), std::string::npos);
}

TEST(OpsQaReport, EveryTextIsEscapedAndNothingOutsideTheDocumentIsReferenced) {
  World w;
  write_qa_report(w.config(), w.out(), w.options());
  const std::string html = slurp(w.out());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("land fraction 0.8 &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;"),
            std::string::npos);
  // The failure text naming https://example.invalid is shown escaped as text, never as a link.
  EXPECT_NE(html.find("GET https://example.invalid/x: HTTP 503"), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("xmlns"), std::string::npos);
  const std::regex src("src=\"([^\"]*)\"");
  std::size_t sources = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), src); it != std::sregex_iterator(); ++it, ++sources) {
    EXPECT_EQ((*it)[1].str().rfind("data:image/jpeg;base64,", 0), 0u) << (*it)[1].str().substr(0, 80);
  }
  EXPECT_EQ(sources, 5u);
  // Apart from that one failure text, no URL at all.
  EXPECT_EQ(occurrences(html, "http://") + occurrences(html, "https://"), 1u);
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src &#39;none&#39;"), std::string::npos);
}

TEST(OpsQaReport, AnEmptyDatasetWithoutAJobStoreGetsAReportAndNoDatabase) {
  TempDir dir("shipchips-qa-report-empty");
  Config config = default_config();
  config.storage.dataset_root = (dir.path / "dataset").string();
  QaReportOptions options;
  options.now = parse_iso8601("2024-05-23T23:59:59Z");
  const fs::path out = default_qa_report_path(config, options.now);
  EXPECT_EQ(out, dir.path / "dataset" / "QA" / "reports" / "2024-05-23.html");
  const QaReportResult result = write_qa_report(config, out, options);
  EXPECT_FALSE(fs::exists(dataset_path(config, config.storage.db_path)));
  EXPECT_TRUE(result.report.data["jobs"].is_null());
  EXPECT_EQ(result.report.data["chips"]["total"], 0);
  const std::string html = slurp(out);
  EXPECT_NE(html.find("No job store yet"), std::string::npos);
  EXPECT_NE(html.find("No chips in the index yet"), std::string::npos);
  EXPECT_NE(html.find("no chips"), std::string::npos);  // the map says so
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(OpsQaReport, AnAlertIsPostedAsJsonWhenTheRateIsOverTheThreshold) {
  World w;
  LoopbackServer server = receiver(200);
  w.config().alerts.webhook_url = server.base_url() + "/hooks/T0KEN-secret";
  const QaReportResult result = write_qa_report(w.config(), w.out(), w.options());
  EXPECT_FALSE(result.alert_error.has_value());
  ASSERT_EQ(server.request_count(), 1u);
  const LoopbackRequest request = server.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path(), "/hooks/T0KEN-secret");
  EXPECT_EQ(request.header("Content-Type"), "application/json");
  const auto body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["alert"], "FailureRate");
  EXPECT_DOUBLE_EQ(body["failure_rate"].get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(body["threshold"].get<double>(), 0.25);
  EXPECT_EQ(body["jobs"], 10);
  EXPECT_EQ(body["failed"], 3);
  EXPECT_EQ(body["dataset_root"], dataset_root(w.config()).string());
  EXPECT_EQ(body["report"], w.out().string());
  EXPECT_EQ(body["generated_at"], "2024-06-01T16:00:00Z");
  EXPECT_TRUE(result.report.data["alert"]["sent"].get<bool>());
  // The webhook is a secret: not in the report, not in the facts.
  const std::string html = slurp(w.out());
  EXPECT_EQ(html.find("T0KEN"), std::string::npos);
  EXPECT_EQ(result.report.data.dump().find("T0KEN"), std::string::npos);
  EXPECT_NE(html.find("class=\"alert\" id=\"alert\""), std::string::npos);
}

TEST(OpsQaReport, NoAlertUnderMinJobsAtOrUnderTheThresholdOrWithoutAWebhook) {
  World w;
  LoopbackServer server = receiver(200);
  w.config().alerts.webhook_url = server.base_url() + "/hook";
  w.config().alerts.min_jobs = 11;  // 10 finished
  auto r = write_qa_report(w.config(), w.out(), w.options());
  EXPECT_FALSE(r.report.data["alert"]["over_threshold"].get<bool>());
  w.config().alerts.min_jobs = 10;
  w.config().alerts.threshold_fail_rate = 0.3;  // the rate is 0.3: not above
  r = write_qa_report(w.config(), w.out(), w.options());
  EXPECT_FALSE(r.report.data["alert"]["over_threshold"].get<bool>());
  EXPECT_EQ(server.request_count(), 0u);
  w.config().alerts.threshold_fail_rate = 0.29;
  w.config().alerts.webhook_url.clear();
  r = write_qa_report(w.config(), w.out(), w.options());
  EXPECT_TRUE(r.report.data["alert"]["over_threshold"].get<bool>());
  EXPECT_FALSE(r.report.data["alert"]["sent"].get<bool>());
  EXPECT_NE(r.report.data["alert"]["why"].get<std::string>().find("not set"), std::string::npos);
  EXPECT_EQ(server.request_count(), 0u);
  // And the decision on its own, at the edges.
  AlertsConfig alerts;
  alerts.webhook_url = "http://127.0.0.1:9/x";
  alerts.min_jobs = 4;
  alerts.threshold_fail_rate = 0.5;
  EXPECT_FALSE(decide_failure_rate_alert(alerts, {3, 3}).send);  // 100 % of too few
  EXPECT_FALSE(decide_failure_rate_alert(alerts, {4, 2}).send);  // exactly the threshold
  EXPECT_TRUE(decide_failure_rate_alert(alerts, {4, 3}).send);
}

TEST(OpsQaReport, AFailedPostIsAnErrorOfItsClassButTheReportIsWritten) {
  World w;
  {
    LoopbackServer server = receiver(503);
    w.config().alerts.webhook_url = server.base_url() + "/hooks/T0KEN-secret";
    const QaReportResult r = write_qa_report(w.config(), w.out(), w.options());
    ASSERT_TRUE(r.alert_error.has_value());
    EXPECT_EQ(r.alert_error->code(), ErrorCode::network_transient);
    EXPECT_EQ(r.alert_error->category(), ErrorCategory::retryable);
    const std::string message = r.alert_error->what();
    EXPECT_EQ(message.find("T0KEN"), std::string::npos) << message;
    EXPECT_NE(message.find("alerts.webhook_url"), std::string::npos) << message;
    EXPECT_EQ(server.request_count(), 1u);  // max_retries 0
    const std::string html = slurp(w.out());
    EXPECT_NE(html.find("the POST failed"), std::string::npos);
    EXPECT_EQ(html.find("T0KEN"), std::string::npos);
  }
  {
    LoopbackServer server = receiver(404);
    w.config().alerts.webhook_url = server.base_url() + "/gone";
    const QaReportResult r = write_qa_report(w.config(), w.out(), w.options());
    ASSERT_TRUE(r.alert_error.has_value());
    EXPECT_EQ(r.alert_error->code(), ErrorCode::http_client_error);
  }
}
