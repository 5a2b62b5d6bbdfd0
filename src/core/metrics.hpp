#pragma once
// A small Prometheus registry: counters, gauges and histograms with labels,
// rendered in the text exposition format for GET /metrics. Thread-safe.
// Hot paths resolve a series once (counter()/histogram()) and then update it
// with lock-free atomics; the label-taking calls are for occasional use.
#include <array>
#include <atomic>
#include <cstdint>
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
  // One counter or gauge series; lives as long as the registry.
  class Series {
   public:
    void add(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    void set(double value) { value_.store(value, std::memory_order_relaxed); }
    double value() const { return value_.load(std::memory_order_relaxed); }

   private:
    std::atomic<double> value_{0};
  };

  // Latency buckets from 100 µs to 10 s.
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   10.0};
  // One histogram series of seconds; lives as long as the registry.
  class Histogram {
   public:
    void observe(double seconds);

   private:
    friend class Metrics;
    std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets_{};  // per bucket, not cumulative
    std::atomic<double> sum_{0};
    std::atomic<std::uint64_t> count_{0};
  };

  void describe(std::string_view name, std::string_view type, std::string_view help);
  Series& counter(std::string_view name, const MetricLabels& labels = {});
  Series& gauge(std::string_view name, const MetricLabels& labels = {});
  Histogram& histogram(std::string_view name, const MetricLabels& labels = {});

  void increment(std::string_view name, const MetricLabels& labels = {}, double by = 1) {
    counter(name, labels).add(by);
  }
  void set_gauge(std::string_view name, const MetricLabels& labels, double value) { gauge(name, labels).set(value); }
  void observe_seconds(std::string_view name, const MetricLabels& labels, double seconds) {
    histogram(name, labels).observe(seconds);
  }
  std::string render() const;
  // Value of a counter or gauge (0 when absent); for tests and readiness.
  double value(std::string_view name, const MetricLabels& labels = {}) const;

 private:
  struct Family {
    std::string type = "untyped";
    std::string help;
    // Keyed by rendered labels; map nodes never move, so handles stay valid.
    std::map<std::string, Series, std::less<>> values;
    std::map<std::string, Histogram, std::less<>> histograms;
  };
  Series& series(std::string_view name, std::string_view type, const MetricLabels& labels);
  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

// The process-wide registry.
Metrics& metrics();

}  // namespace onair
