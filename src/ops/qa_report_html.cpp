// The QA report's HTML document (ops/qa_report.hpp): KPI cards, the four plots, the reject and
// outcome tables, the footprint map, the quicklook gallery and the most recent failures.
#include "ops/qa_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace shipchips::ops {
namespace {

using html::escape;
using Json = nlohmann::ordered_json;

// What the browser may load: nothing but the document's own inline style and data: images.
constexpr std::string_view content_security_policy =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

constexpr std::string_view style = R"css(
body { font-family: sans-serif; margin: 24px; color: #222; background: #fafafa; }
h1 { margin: 0 0 4px 0; font-size: 24px; }
h2 { margin-top: 28px; font-size: 18px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
.meta { color: #555; font-size: 13px; }
.notice { background: #fff6d6; border: 1px solid #e6c75a; padding: 8px 12px; margin: 12px 0; }
.alert { background: #fde2e1; border: 1px solid #d9534f; padding: 8px 12px; margin: 12px 0; }
.ok { background: #e5f4e8; border: 1px solid #5cb85c; padding: 8px 12px; margin: 12px 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
.kpi { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; }
.kpi .label { font-size: 12px; color: #666; }
.kpi .value { font-size: 24px; font-weight: bold; margin: 4px 0; }
.kpi .detail { font-size: 12px; color: #444; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
svg.plot { background: #fff; border: 1px solid #ddd; max-width: 100%; height: auto; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n { text-align: right; }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; }
.gallery figure { margin: 0; background: #fff; border: 1px solid #ddd; padding: 6px; width: 200px; }
.gallery img { width: 200px; height: 200px; object-fit: contain; display: block; background: #000; }
.gallery figcaption { font-size: 11px; margin-top: 4px; word-break: break-all; }
.missing { width: 200px; height: 200px; display: flex; align-items: center; justify-content: center;
           background: #eee; color: #777; font-size: 12px; text-align: center; }
)css";

std::string number(const nlohmann::json& v, int digits, std::string_view unit = {}) {
  if (!v.is_number()) return "—";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v.get<double>());
  std::string out(buffer);
  if (!unit.empty()) out.append(" ").append(unit);
  return out;
}

std::string count(const nlohmann::json& v) {
  return v.is_number() ? std::to_string(v.get<long long>()) : "—";
}

std::string text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string kpi(std::string_view label, std::string_view value, std::string_view detail) {
  return "<div class=\"kpi\"><div class=\"label\">" + escape(label) + "</div><div class=\"value\">" + escape(value) +
         "</div><div class=\"detail\">" + escape(detail) + "</div></div>\n";
}

std::string kpis(const Json& d) {
  const Json& chips = d["chips"];
  const Json& split = chips["by_split"];
  std::string out = "<h2>Key figures</h2>\n<div class=\"kpis\">\n";
  out += kpi("chips", count(chips["total"]),
             "train " + count(split.value("train", Json(0))) + " · val " + count(split.value("val", Json(0))) +
                 " · test " + count(split.value("test", Json(0))));
  const Json& jobs = d["jobs"];
  if (jobs.is_null()) {
    out += kpi("failure rate", "—", "no job store yet");
    out += kpi("retry queue", "—", "no job store yet");
    out += kpi("chip jobs", "—", "no job store yet");
  } else {
    out += kpi("failure rate", number(100.0 * jobs["failure_rate"].get<double>(), 1, "%"),
               count(jobs["by_state"]["failed"]) + " failed of " + count(jobs["finished"]) + " finished jobs");
    out += kpi("retry queue", count(jobs["due_retries"]) + " due",
               count(jobs["exhausted_retries"]) + " exhausted (ops-retry --force takes them)");
    std::string states;
    for (const auto& [state, n] : jobs["by_state"].items()) {
      states += (states.empty() ? "" : " · ") + state + " " + count(n);
    }
    out += kpi("chip jobs", count(jobs["total"]), states);
  }
  const Json& dt = chips["abs_dt_s"];
  out += kpi("|Δt| scene − AIS, median", number(dt["median"], 1, "s"),
             "p95 " + number(dt["p95"], 1, "s") + " · max " + number(dt["max"], 1, "s") + " · " + count(dt["count"]) +
                 " chips");
  const Json& u = chips["uncertainty_m"];
  out += kpi("centre uncertainty, median", number(u["median"], 1, "m"),
             "p95 " + number(u["p95"], 1, "m") + " · " + count(u["count"]) + " chips with an estimate");
  const Json& cloud = chips["qa_cloud_frac"];
  out += kpi("cloud fraction, median", number(cloud["median"], 3),
             count(cloud["measured"]) + " measured · " + count(cloud["not_measured"]) + " not measured");
  return out + "</div>\n";
}

std::string plots(const QaReport& r) {
  const Json& d = r.data;
  std::vector<html::Bar> per_day;
  for (const auto& [day, n] : d["chips"]["per_day"].items()) per_day.push_back({day, n.get<double>()});
  std::vector<html::Bar> classes;
  if (!d["jobs"].is_null()) {
    for (const auto& [c, n] : d["jobs"]["failed_by_class"].items()) classes.push_back({"failed " + c, n.get<double>()});
    classes.push_back({"rejected", d["jobs"]["by_state"]["rejected"].get<double>()});
  }
  double dt_top = 1;
  for (double v : r.abs_dt_s) dt_top = std::max(dt_top, v);
  // A round upper edge so the bins have round edges too.
  const double magnitude = std::pow(10.0, std::floor(std::log10(dt_top)));
  dt_top = std::ceil(dt_top / magnitude) * magnitude;
  std::string out = "<h2>Plots</h2>\n<div class=\"plots\">\n";
  out += html::bar_chart_svg(per_day, "Chips per scene day (UTC)", "chips") + "\n";
  out += html::histogram_svg(html::make_histogram(r.cloud_fractions, 0, 1, 10),
                             "Cloud fraction of the chip centre (qa_cloud_frac)", "cloud fraction") +
         "\n";
  out += html::histogram_svg(html::make_histogram(r.abs_dt_s, 0, dt_top, 12),
                             "|Δt| between scene sensing time and AIS report", "|Δt| (s)") +
         "\n";
  out += html::bar_chart_svg(classes, "Failed chip jobs by class, and rejects", "jobs") + "\n";
  return out + "</div>\n";
}

std::string rejects(const Json& d) {
  std::string out = "<h2>Rejects</h2>\n";
  const Json& by_reason = d["rejects"]["by_reason"];
  if (by_reason.empty()) {
    out += "<p>No rejected chip jobs.</p>\n";
  } else {
    out += "<table class=\"rejects\"><tr><th>reason (rejected chip jobs)</th><th>jobs</th></tr>\n";
    for (const auto& row : by_reason) {
      out += "<tr><td>" + escape(text(row["reason"])) + "</td><td class=\"n\">" + count(row["jobs"]) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  const Json& outcomes = d["rejects"]["observations_by_outcome"];
  out += "<h3>Input ships by outcome (" + count(d["rejects"]["observations"]) + " AIS observation groups)</h3>\n";
  if (outcomes.empty()) {
    out += "<p>No AIS observations recorded.</p>\n";
  } else {
    out += "<table class=\"outcomes\"><tr><th>outcome</th><th>ships</th></tr>\n";
    for (const auto& [outcome, n] : outcomes.items()) {
      out += "<tr><td>" + escape(outcome) + "</td><td class=\"n\">" + count(n) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  return out;
}

std::string gallery(const QaReport& r) {
  std::string out = "<h2>Quicklooks (the " + std::to_string(r.gallery.size()) +
                    " most recent chips by scene time)</h2>\n<div class=\"gallery\">\n";
  if (r.gallery.empty()) out += "<p>No chips yet.</p>\n";
  for (const GalleryImage& g : r.gallery) {
    const std::string caption = "<figcaption>" + escape(g.chip_id) + "<br>mmsi " + std::to_string(g.mmsi) + "<br>" +
                                escape(g.scene_datetime) + "</figcaption>";
    if (g.jpeg.empty()) {
      out += "<figure><div class=\"missing\">quicklook missing:<br>" + escape(g.quicklook) + "</div>" + caption +
             "</figure>\n";
    } else {
      out += "<figure><img src=\"data:image/jpeg;base64," + html::base64(g.jpeg) + "\" alt=\"quicklook of " +
             escape(g.chip_id) + "\" width=\"200\" height=\"200\">" + caption + "</figure>\n";
    }
  }
  return out + "</div>\n";
}

std::string failures(const Json& d) {
  std::string out = "<h2>Most recent failures and rejects</h2>\n";
  const Json& rows = d["recent_failures"];
  if (rows.empty()) return out + "<p>No failed or rejected chip jobs.</p>\n";
  out +=
      "<table class=\"failures\"><tr><th>finished</th><th>chip</th><th>mmsi</th><th>scene</th><th>status</th>"
      "<th>class</th><th>code</th><th>attempts</th><th>error</th><th>next retry</th></tr>\n";
  for (const auto& f : rows) {
    out += "<tr><td>" + escape(text(f["finished_at"])) + "</td><td>" + escape(text(f["chip_id"])) + "</td><td>" +
           escape(text(f["mmsi"])) + "</td><td>" + escape(text(f["scene_id"])) + "</td><td>" +
           escape(text(f["status"])) + "</td><td>" + escape(text(f["class"])) + "</td><td>" + escape(text(f["code"])) +
           "</td><td class=\"n\">" + escape(text(f["attempts"])) + "</td><td>" + escape(text(f["error"])) +
           "</td><td>" + escape(text(f["next_retry_at"])) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace

std::string render_qa_report_html(const QaReport& r) {
  const Json& d = r.data;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + escape(content_security_policy) + "\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>shipchips QA report " + escape(text(d["generated_at"])) + "</title>\n<style>" + std::string(style) +
         "</style>\n</head>\n<body>\n";
  out += "<h1>shipchips QA report</h1>\n<div class=\"meta\">generated " + escape(text(d["generated_at"])) +
         " · dataset " + escape(text(d["dataset_root"])) + " · job store " + escape(text(d["job_store"]["location"])) +
         " · shipchips " + escape(SHIPCHIPS_VERSION) + "</div>\n";
  if (!d["job_store"]["exists"].get<bool>()) {
    out += "<div class=\"notice\">No job store yet (" + escape(text(d["job_store"]["location"])) +
           " does not exist): no command has run on this dataset. Job figures are empty.</div>\n";
  }
  if (d["chips"]["total"].get<std::size_t>() == 0) {
    out += "<div class=\"notice\">No chips in the index yet.</div>\n";
  }
  const Json& alert = d["alert"];
  std::string alert_line = text(alert["why"]);
  if (alert["sent"].get<bool>()) alert_line += ": sent";
  if (!alert["error"].is_null()) alert_line += ": the POST failed: " + text(alert["error"]);
  out += std::string("<div class=\"") + (alert["over_threshold"].get<bool>() ? "alert" : "ok") +
         "\" id=\"alert\">Failure-rate alert: " + escape(alert_line) + "</div>\n";
  out += kpis(d);
  out += plots(r);
  out += rejects(d);
  out += "<h2>Footprints</h2>\n" + html::footprint_map_svg(r.footprints, "Chip footprints (WGS-84 lon/lat)") + "\n";
  out += gallery(r);
  out += failures(d);
  return out + "</body>\n</html>\n";
}

}  // namespace shipchips::ops
