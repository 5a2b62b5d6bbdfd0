#pragma once
// A small Prometheus registry: counters, gauges and histograms with labels,
// rendered in the text exposition format for GET /metrics. Thread-safe.
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onair {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  void describe(std::string_view name, std::string_view type, std::string_view help);
  void increment(std::string_view name, const MetricLabels& labels = {}, double by = 1);
  void set_gauge(std::string_view name, const MetricLabels& labels, double value);
  // Histogram of seconds with latency buckets from 100 µs to 10 s.
  void observe_seconds(std::string_view name, const MetricLabels& labels, double seconds);
  std::string render() const;
  // Value of a counter or gauge (0 when absent); for tests and readiness.
  double value(std::string_view name, const MetricLabels& labels = {}) const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Family {
    std::string type = "untyped";
    std::string help;
    std::map<std::string, double> values;  // key: rendered labels
    std::map<std::string, Histogram> histograms;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

// The process-wide registry.
Metrics& metrics();

}  // namespace onair
