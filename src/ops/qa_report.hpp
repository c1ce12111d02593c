#pragma once
// The QA report (`shipchips qa-report`): one self-contained HTML file about the dataset and its
// operation, at storage.layout.qa_report under the dataset root by default ({date} = the UTC
// date it is made), plus the same facts as JSON.
//
// Facts, from the chips index (dataset/chip_index.hpp) and the job store (ops/status.hpp's
// report, whose queries it reuses):
//   chips          total, by split, per scene day; |dt_s| median/p95/max; uncertainty_m
//                  median/p95; qa_cloud_frac distribution
//   jobs           by state and failed class, failure rate = failed / finished (done + rejected
//                  + failed), retry queue (due now, exhausted)
//   rejects        rejected chip jobs grouped by reason; input ships (ais_observations) by outcome
//   recent_failures  JobStore::recent_failures
//   alert          the failure-rate decision (ops/alerts.hpp) and whether the POST went out
// Percentiles interpolate linearly between the closest ranks (numpy's default): p of n sorted
// values is v[h] + (h − ⌊h⌋)(v[⌊h⌋+1] − v[⌊h⌋]) with h = p·(n − 1).
//
// The HTML refers to nothing outside itself: inline CSS, plots as inline SVG
// (ops/report_html.hpp), the gallery's quicklooks as data: URIs, and a Content-Security-Policy
// that forbids any fetch, so even a mistake cannot reach the network. Every text is escaped.

#include "core/config.hpp"
#include "core/http_client.hpp"
#include "core/time.hpp"
#include "dataset/chip_record.hpp"
#include "ops/alerts.hpp"
#include "ops/job_store.hpp"
#include "ops/report_html.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace shipchips::ops {

struct QaReportOptions {
  UtcTime now{};             // generated_at and the {date} of the default path
  std::size_t gallery = 24;  // the most recent chips by scene time, with their quicklooks
  std::size_t recent_failures = 20;
  HttpOptions http;  // for the alert POST
};

// One quicklook of the gallery.
struct GalleryImage {
  std::string chip_id;
  std::int64_t mmsi = 0;
  std::string scene_datetime;
  std::string quicklook;  // relative to the dataset root
  std::string jpeg;       // the file's bytes; empty when it is missing
};

struct QaReport {
  nlohmann::ordered_json data;  // the facts above (what --json prints)
  std::vector<GalleryImage> gallery;
  std::vector<html::MapShape> footprints;
  std::vector<double> cloud_fractions;  // measured ones
  std::vector<double> abs_dt_s;
  FailureRate jobs;  // zero when there is no job store yet
  AlertDecision alert;
};

// Linear-interpolation percentile of `values` (any order), p in [0, 1]; nullopt when empty.
std::optional<double> percentile(std::vector<double> values, double p);

// `store` may be null (no job store yet): the job facts are then null and the report says so.
// `report_path` is where the report will be (it goes into the facts and the alert).
QaReport build_qa_report(const Config& config, std::span<const dataset::ChipRecord> records, JobStore* store,
                         const std::filesystem::path& report_path, const QaReportOptions& options);

// The HTML document (qa_report_html.cpp).
std::string render_qa_report_html(const QaReport& report);

// storage.layout.qa_report under the dataset root, {date} = now's UTC date (YYYY-MM-DD).
std::filesystem::path default_qa_report_path(const Config& config, UtcTime now);

struct QaReportResult {
  std::filesystem::path path;
  QaReport report;
  std::optional<Error> alert_error;  // the POST failed (the report is written all the same)
};

// The command's work: reads the chips index and the job store without creating either (no
// storage.db_path yet is an empty dataset), decides the alert and POSTs it when due, then writes
// the HTML atomically at `out` (which records the POST's outcome too).
QaReportResult write_qa_report(const Config& config, const std::filesystem::path& out, const QaReportOptions& options);

}  // namespace shipchips::ops
