#include "ops/metrics.hpp"

#include "core/error.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace shipchips::ops::metrics {
namespace {

bool name_char(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool metric) {
  if (name.empty()) return false;
  for (std::size_t k = 0; k < name.size(); ++k)
    if (!name_char(name[k], k == 0, metric)) return false;
  return true;
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::counter:
      return "counter";
    case Kind::gauge:
      return "gauge";
    case Kind::histogram:
      return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"}` (with an extra pair for histogram buckets), "" without labels.
std::string label_text(const std::vector<std::string>& names, const Labels& values, std::string_view extra_name = {},
                       std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k) out += ',';
    out += names[k] + "=\"" + escape(values[k]) + "\"";
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  return out + "}";
}

}  // namespace

void Counter::inc(double by) {
  if (!(by >= 0)) throw Error(ErrorCode::invalid_argument, "counter: cannot go down (inc by " + format_value(by) + ")");
  m_value.fetch_add(by);
}

void Gauge::add(double by) {
  m_value.fetch_add(by);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : m_bounds(std::move(upper_bounds)), m_counts(m_bounds.size() + 1, 0) {}

void Histogram::observe(double value) {
  const auto bucket = static_cast<std::size_t>(std::lower_bound(m_bounds.begin(), m_bounds.end(), value) -
                                               m_bounds.begin());  // first bound >= value (le is inclusive)
  std::lock_guard lock(m_mutex);
  ++m_counts[bucket];
  m_sum += value;
  ++m_count;
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  s.upper_bounds = m_bounds;
  std::lock_guard lock(m_mutex);
  std::uint64_t running = 0;
  for (std::uint64_t c : m_counts) s.cumulative.push_back(running += c);
  s.sum = m_sum;
  s.count = m_count;
  return s;
}

Registry::Family& Registry::add(std::string name, std::string help, Kind kind, std::vector<std::string> label_names,
                                std::vector<double> buckets) {
  if (!valid_name(name, true)) throw Error(ErrorCode::invalid_argument, "metric name '" + name + "' is not valid");
  if (kind == Kind::counter && !name.ends_with("_total"))
    throw Error(ErrorCode::invalid_argument, "counter '" + name + "': a counter's name ends in _total");
  for (const auto& l : label_names) {
    if (!valid_name(l, false) || l.starts_with("__"))
      throw Error(ErrorCode::invalid_argument, name + ": label name '" + l + "' is not valid");
    if (kind == Kind::histogram && l == "le")
      throw Error(ErrorCode::invalid_argument, name + ": 'le' is the bucket label of a histogram");
  }
  if (kind == Kind::histogram) {
    if (buckets.empty()) throw Error(ErrorCode::invalid_argument, name + ": a histogram needs buckets");
    for (std::size_t k = 0; k < buckets.size(); ++k)
      if (!std::isfinite(buckets[k]) || (k && buckets[k] <= buckets[k - 1]))
        throw Error(ErrorCode::invalid_argument, name + ": buckets must be finite and strictly increasing");
  }
  std::lock_guard lock(m_mutex);
  for (auto& f : m_families) {
    if (f->name != name) continue;
    if (f->kind != kind || f->label_names != label_names || f->buckets != buckets)
      throw Error(ErrorCode::invalid_argument, "metric '" + name + "' is already registered differently");
    return *f;
  }
  auto f = std::make_unique<Family>();
  f->name = std::move(name);
  f->help = std::move(help);
  f->kind = kind;
  f->label_names = std::move(label_names);
  f->buckets = std::move(buckets);
  m_families.push_back(std::move(f));
  return *m_families.back();
}

void Registry::add_counter(std::string name, std::string help, std::vector<std::string> label_names) {
  add(std::move(name), std::move(help), Kind::counter, std::move(label_names), {});
}
void Registry::add_gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  add(std::move(name), std::move(help), Kind::gauge, std::move(label_names), {});
}
void Registry::add_histogram(std::string name, std::string help, std::vector<double> buckets,
                             std::vector<std::string> label_names) {
  add(std::move(name), std::move(help), Kind::histogram, std::move(label_names), std::move(buckets));
}

Registry::Family& Registry::family(std::string_view name, Kind kind, const Labels& labels) {
  for (auto& f : m_families) {
    if (f->name != name) continue;
    if (f->kind != kind)
      throw Error(ErrorCode::invalid_argument,
                  "metric '" + std::string(name) + "' is a " + std::string(kind_name(f->kind)));
    if (labels.size() != f->label_names.size())
      throw Error(ErrorCode::invalid_argument, "metric '" + std::string(name) + "' takes " +
                                                   std::to_string(f->label_names.size()) + " label value(s), got " +
                                                   std::to_string(labels.size()));
    return *f;
  }
  throw Error(ErrorCode::invalid_argument, "metric '" + std::string(name) + "' is not registered");
}

Counter& Registry::counter(std::string_view name, const Labels& labels) {
  std::lock_guard lock(m_mutex);
  auto& slot = family(name, Kind::counter, labels).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(std::string_view name, const Labels& labels) {
  std::lock_guard lock(m_mutex);
  auto& slot = family(name, Kind::gauge, labels).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::histogram(std::string_view name, const Labels& labels) {
  std::lock_guard lock(m_mutex);
  Family& f = family(name, Kind::histogram, labels);
  auto& slot = f.histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(f.buckets);
  return *slot;
}

void Registry::clear_gauge(std::string_view name) {
  std::lock_guard lock(m_mutex);
  for (auto& f : m_families)
    if (f->name == name && f->kind == Kind::gauge) f->gauges.clear();
}

std::string Registry::render() const {
  std::lock_guard lock(m_mutex);
  std::string out;
  for (const auto& f : m_families) {
    out += "# HELP " + f->name + " " + escape(f->help, true) + "\n";
    out += "# TYPE " + f->name + " " + std::string(kind_name(f->kind)) + "\n";
    if (f->kind == Kind::counter) {
      if (f->counters.empty() && f->label_names.empty()) out += f->name + " 0\n";
      for (const auto& [labels, c] : f->counters)
        out += f->name + label_text(f->label_names, labels) + " " + format_value(c->value()) + "\n";
    } else if (f->kind == Kind::gauge) {
      for (const auto& [labels, g] : f->gauges)
        out += f->name + label_text(f->label_names, labels) + " " + format_value(g->value()) + "\n";
    } else {
      auto render_one = [&](const Labels& labels, const HistogramSnapshot& s) {
        for (std::size_t k = 0; k <= s.upper_bounds.size(); ++k) {
          const std::string le = k < s.upper_bounds.size() ? format_value(s.upper_bounds[k]) : "+Inf";
          out += f->name + "_bucket" + label_text(f->label_names, labels, "le", le) + " " +
                 std::to_string(s.cumulative[k]) + "\n";
        }
        out += f->name + "_sum" + label_text(f->label_names, labels) + " " + format_value(s.sum) + "\n";
        out += f->name + "_count" + label_text(f->label_names, labels) + " " + std::to_string(s.count) + "\n";
      };
      if (f->histograms.empty() && f->label_names.empty()) render_one({}, Histogram(f->buckets).snapshot());
      for (const auto& [labels, h] : f->histograms) render_one(labels, h->snapshot());
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<std::int64_t>(value));
  return fmt::format("{}", value);  // the shortest text that reads back as the same double
}

std::string escape(std::string_view text, bool help) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && !help)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

std::vector<double> job_duration_buckets() {
  return {0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
}

std::vector<double> request_duration_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
}

}  // namespace shipchips::ops::metrics
