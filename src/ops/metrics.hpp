#pragma once
// The metrics registry behind `/metrics`: counters, gauges and histograms in families with a
// fixed set of label names, rendered in the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/):
//
//   # HELP shipchips_chips_written_total Chips written.
//   # TYPE shipchips_chips_written_total counter
//   shipchips_chips_written_total 42
//
// Rules the registry enforces (Error(invalid_argument) at registration, a bug otherwise):
// metric and label names match [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]* (labels
// not starting with "__", no "le" on a histogram); a counter's name ends in "_total"; one name
// is one family; a sample gets exactly the family's label values; histogram buckets are
// strictly increasing and finite (+Inf is added). Label values and help text are escaped as the
// format requires (\\, \", \n). Values: integers print as integers, others as the shortest text
// that reads back as the same double; NaN and ±Inf as "NaN", "+Inf", "-Inf".
//
// Thread-safe: counters and gauges are atomics once their label set exists; a histogram
// observation takes its family's lock. Families render in registration order and their
// samples sorted by label values, so a scrape is deterministic.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace shipchips::ops::metrics {

using Labels = std::vector<std::string>;  // values, in the order of the family's label names

class Counter {
 public:
  void inc(double by = 1.0);  // by >= 0 (a counter never goes down)
  double value() const { return m_value.load(); }

 private:
  std::atomic<double> m_value{0.0};
};

class Gauge {
 public:
  void set(double value) { m_value.store(value); }
  void add(double by);
  double value() const { return m_value.load(); }

 private:
  std::atomic<double> m_value{0.0};
};

struct HistogramSnapshot {
  std::vector<double> upper_bounds;       // finite, increasing (+Inf implied)
  std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (= count)
  double sum = 0.0;
  std::uint64_t count = 0;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  HistogramSnapshot snapshot() const;

 private:
  std::vector<double> m_bounds;
  mutable std::mutex m_mutex;
  std::vector<std::uint64_t> m_counts;  // per bucket (not cumulative), then the +Inf bucket
  double m_sum = 0.0;
  std::uint64_t m_count = 0;
};

enum class Kind { counter, gauge, histogram };

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers a family (idempotent for the same name, kind and label names; anything else
  // with that name is an error).
  void add_counter(std::string name, std::string help, std::vector<std::string> label_names = {});
  void add_gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
  void add_histogram(std::string name, std::string help, std::vector<double> buckets,
                     std::vector<std::string> label_names = {});

  // The sample of a family for these label values, created on first use (starting at 0).
  Counter& counter(std::string_view name, const Labels& labels = {});
  Gauge& gauge(std::string_view name, const Labels& labels = {});
  Histogram& histogram(std::string_view name, const Labels& labels = {});

  // Drops every sample of a gauge family (before a collector sets the label sets it sees now,
  // so a state that disappeared does not linger).
  void clear_gauge(std::string_view name);

  // The whole registry in the text format (ends with a newline).
  std::string render() const;

  // Content-Type of render()'s text.
  static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Family {
    std::string name, help;
    Kind kind = Kind::counter;
    std::vector<std::string> label_names;
    std::vector<double> buckets;  // histograms
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family& add(std::string name, std::string help, Kind kind, std::vector<std::string> label_names,
              std::vector<double> buckets);
  Family& family(std::string_view name, Kind kind, const Labels& labels);

  mutable std::mutex m_mutex;
  std::vector<std::unique_ptr<Family>> m_families;
};

// Formats a sample value as the text format does (see above).
std::string format_value(double value);
// Escapes a label value ("\\", "\"", "\n") or, with help = true, a HELP text ("\\", "\n").
std::string escape(std::string_view text, bool help = false);

// Bucket bounds fit for jobs that take seconds to tens of minutes (chip jobs, steps).
std::vector<double> job_duration_buckets();
// Bucket bounds fit for HTTP requests served from memory or a database (1 ms .. 10 s).
std::vector<double> request_duration_buckets();

}  // namespace shipchips::ops::metrics
