#include "core/metrics.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace onair {
namespace {

constexpr auto kBuckets = Metrics::kBuckets;

std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string render_labels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out += out.empty() ? "" : ",";
    out += k + "=\"" + escape_label(v) + "\"";
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string series_line(std::string_view name, const std::string& labels, std::string_view extra = {}) {
  // Built with append(): g++ 12 -O2 reports a false -Wrestrict on chained operator+.
  std::string all = labels;
  if (!extra.empty()) {
    if (!all.empty()) all.push_back(',');
    all.append(extra);
  }
  std::string out(name);
  if (!all.empty()) {
    out.push_back('{');
    out.append(all);
    out.push_back('}');
  }
  return out;
}

}  // namespace

void Metrics::describe(std::string_view name, std::string_view type, std::string_view help) {
  std::lock_guard lock(mutex_);
  auto& f = families_[std::string(name)];
  f.type = type;
  f.help = help;
}

Metrics::Series& Metrics::series(std::string_view name, std::string_view type, const MetricLabels& labels) {
  auto key = render_labels(labels);
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) family = families_.emplace(std::string(name), Family{}).first;
  if (family->second.type == "untyped") family->second.type = type;
  return family->second.values.try_emplace(std::move(key)).first->second;
}

Metrics::Series& Metrics::counter(std::string_view name, const MetricLabels& labels) {
  return series(name, "counter", labels);
}

Metrics::Series& Metrics::gauge(std::string_view name, const MetricLabels& labels) {
  return series(name, "gauge", labels);
}

Metrics::Histogram& Metrics::histogram(std::string_view name, const MetricLabels& labels) {
  auto key = render_labels(labels);
  std::lock_guard lock(mutex_);
  auto family = families_.find(name);
  if (family == families_.end()) family = families_.emplace(std::string(name), Family{}).first;
  family->second.type = "histogram";
  return family->second.histograms.try_emplace(std::move(key)).first->second;
}

void Metrics::Histogram::observe(double seconds) {
  // Only the smallest bucket that holds the value; render() adds them up.
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  sum_.fetch_add(seconds, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

double Metrics::value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto v = f->second.values.find(render_labels(labels));
  return v == f->second.values.end() ? 0 : v->second.value();
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, v] : f.values) out += series_line(name, labels) + " " + number(v.value()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += h.buckets_[i].load(std::memory_order_relaxed);
        out += series_line(name + "_bucket", labels, "le=\"" + number(kBuckets[i]) + "\"") + " " +
               std::to_string(cumulative) + "\n";
      }
      // Updates race with this read: keep +Inf at least the last finite bucket.
      const auto count = std::max(cumulative, h.count_.load(std::memory_order_relaxed));
      out += series_line(name + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string(count) + "\n";
      out += series_line(name + "_sum", labels) + " " + number(h.sum_.load(std::memory_order_relaxed)) + "\n";
      out += series_line(name + "_count", labels) + " " + std::to_string(count) + "\n";
    }
  }
  return out;
}

Metrics& metrics() {
  static Metrics registry;
  return registry;
}

}  // namespace onair
