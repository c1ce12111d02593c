#include "ops/qa_report.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "dataset/chip_paths.hpp"
#include "dataset/dataset_manifest.hpp"
#include "ops/status.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace shipchips::ops {
namespace fs = std::filesystem;
namespace {

nlohmann::json opt_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t state_count(const nlohmann::ordered_json& jobs, std::string_view state) {
  return jobs["by_state"].value(std::string(state), std::size_t{0});
}

// Rejected chip jobs grouped by their reason, most frequent first.
nlohmann::json rejects_by_reason(JobStore& store) {
  std::map<std::string, std::size_t> groups;
  for (const ChipJob& j : store.list(JobStatus::rejected)) ++groups[j.error.empty() ? "(no reason recorded)" : j.error];
  std::vector<std::pair<std::string, std::size_t>> sorted(groups.begin(), groups.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [reason, n] : sorted) out.push_back({{"reason", reason}, {"jobs", n}});
  return out;
}

}  // namespace

std::optional<double> percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double h = std::clamp(p, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

QaReport build_qa_report(const Config& config, std::span<const dataset::ChipRecord> records, JobStore* store,
                         const fs::path& report_path, const QaReportOptions& options) {
  QaReport r;
  auto& d = r.data;
  d["generated_at"] = format_iso8601(options.now, 0);
  d["dataset_root"] = dataset_root(config).string();
  d["report"] = report_path.string();
  d["job_store"] = {{"location", "sqlite:" + dataset_path(config, config.storage.db_path).string()},
                    {"exists", store != nullptr}};

  // ---- chips
  std::map<std::string, std::size_t> by_split{{"train", 0}, {"val", 0}, {"test", 0}};
  std::map<std::string, std::size_t> per_day;
  std::vector<double> uncertainty;
  std::size_t cloud_missing = 0;
  for (const dataset::ChipRecord& c : records) {
    ++by_split[c.split];
    ++per_day[format_iso8601(c.scene_datetime, 0).substr(0, 10)];
    r.abs_dt_s.push_back(std::abs(c.dt_s));
    if (c.uncertainty_m) uncertainty.push_back(*c.uncertainty_m);
    if (c.gate.qa_cloud_frac) {
      r.cloud_fractions.push_back(*c.gate.qa_cloud_frac);
    } else {
      ++cloud_missing;
    }
    r.footprints.push_back(
        {c.footprint, c.chip_id + " mmsi " + std::to_string(c.mmsi) + " " + format_iso8601(c.scene_datetime, 0)});
  }
  nlohmann::ordered_json chips;
  chips["total"] = records.size();
  chips["by_split"] = by_split;
  chips["per_day"] = per_day;
  chips["abs_dt_s"] = {{"count", r.abs_dt_s.size()},
                       {"median", opt_number(percentile(r.abs_dt_s, 0.5))},
                       {"p95", opt_number(percentile(r.abs_dt_s, 0.95))},
                       {"max", opt_number(r.abs_dt_s.empty() ? std::nullopt
                                                             : std::optional<double>(*std::max_element(
                                                                   r.abs_dt_s.begin(), r.abs_dt_s.end())))}};
  chips["uncertainty_m"] = {{"count", uncertainty.size()},
                            {"median", opt_number(percentile(uncertainty, 0.5))},
                            {"p95", opt_number(percentile(uncertainty, 0.95))}};
  chips["qa_cloud_frac"] = {{"measured", r.cloud_fractions.size()},
                            {"not_measured", cloud_missing},
                            {"median", opt_number(percentile(r.cloud_fractions, 0.5))}};
  d["chips"] = std::move(chips);

  // ---- jobs, rejects and failures: ops-status's report of the same store
  if (store != nullptr) {
    StatusOptions status_options;
    status_options.recent_failures = options.recent_failures;
    status_options.ships_listed = 0;
    status_options.runs = 0;
    nlohmann::ordered_json status = status_report(*store, status_options);
    nlohmann::ordered_json jobs = status["jobs"];
    r.jobs.failed = state_count(jobs, "failed");
    r.jobs.finished = state_count(jobs, "done") + state_count(jobs, "rejected") + r.jobs.failed;
    jobs["finished"] = r.jobs.finished;
    d["jobs"] = std::move(jobs);
    d["rejects"] = {{"by_reason", rejects_by_reason(*store)},
                    {"observations", status["ships"]["observations"]},
                    {"observations_by_outcome", status["ships"]["by_outcome"]}};
    d["recent_failures"] = status["recent_failures"];
  } else {
    d["jobs"] = nullptr;
    d["rejects"] = {{"by_reason", nlohmann::json::array()},
                    {"observations", 0},
                    {"observations_by_outcome", nlohmann::json::object()}};
    d["recent_failures"] = nlohmann::json::array();
  }

  r.alert = decide_failure_rate_alert(config.alerts, r.jobs);
  d["alert"] = {{"threshold_fail_rate", config.alerts.threshold_fail_rate},
                {"min_jobs", config.alerts.min_jobs},
                {"failure_rate", r.jobs.rate()},
                {"finished_jobs", r.jobs.finished},
                {"over_threshold", r.alert.over_threshold},
                {"webhook_configured", !config.alerts.webhook_url.empty()},
                {"sent", false},
                {"why", r.alert.why},
                {"error", nullptr}};

  // ---- gallery: the most recent chips by scene time (then chip id, so ties are stable)
  std::vector<const dataset::ChipRecord*> recent;
  for (const auto& c : records) recent.push_back(&c);
  std::sort(recent.begin(), recent.end(), [](const auto* a, const auto* b) {
    return a->scene_datetime != b->scene_datetime ? a->scene_datetime > b->scene_datetime : a->chip_id < b->chip_id;
  });
  if (recent.size() > options.gallery) recent.resize(options.gallery);
  const fs::path root = dataset_root(config);
  nlohmann::json gallery = nlohmann::json::array();
  for (const dataset::ChipRecord* c : recent) {
    GalleryImage g;
    g.chip_id = c->chip_id;
    g.mmsi = c->mmsi;
    g.scene_datetime = format_iso8601(c->scene_datetime, 0);
    const fs::path tif(c->path);
    g.quicklook = (tif.parent_path() / (c->chip_id + "_quicklook.jpg")).generic_string();
    g.jpeg = read_bytes(root / g.quicklook);
    gallery.push_back({{"chip_id", g.chip_id},
                       {"mmsi", g.mmsi},
                       {"scene_datetime", g.scene_datetime},
                       {"quicklook", g.quicklook},
                       {"embedded", !g.jpeg.empty()}});
    r.gallery.push_back(std::move(g));
  }
  d["gallery"] = std::move(gallery);
  return r;
}

fs::path default_qa_report_path(const Config& config, UtcTime now) {
  const std::string relative = dataset::expand_layout(
      config.storage.layout.qa_report, {{"date", format_iso8601(now, 0).substr(0, 10)}}, "storage.layout.qa_report");
  return dataset_path(config, relative);
}

QaReportResult write_qa_report(const Config& config, const fs::path& out, const QaReportOptions& options) {
  // Neither the chips index nor the job store is created here: a dataset nothing has run on
  // yet gets a report that says so.
  const std::vector<dataset::ChipRecord> records = dataset::load_index_records(config);
  std::unique_ptr<JobStore> store;
  std::error_code ec;
  if (fs::is_regular_file(dataset_path(config, config.storage.db_path), ec)) store = open_job_store(config);

  QaReportResult result{out, build_qa_report(config, records, store.get(), out, options), std::nullopt};
  auto& alert = result.report.data["alert"];
  if (result.report.alert.send) {
    // POSTed before the HTML is written, so the report says whether it went out.
    FailureRateAlert a{result.report.jobs, config.alerts.threshold_fail_rate, dataset_root(config).string(),
                       out.string(), format_iso8601(options.now, 0)};
    try {
      HttpClient client(options.http);
      post_alert(client, config.alerts.webhook_url, alert_body(a));
      alert["sent"] = true;
    } catch (const Error& e) {
      alert["error"] = e.what();
      result.alert_error = e;
    }
  }
  write_file_atomic(out, render_qa_report_html(result.report));
  return result;
}

}  // namespace shipchips::ops
