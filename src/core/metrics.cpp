#include "core/metrics.hpp"

#include <array>
#include <cstdio>

namespace onair {
namespace {

constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                             0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   10.0};

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

std::string series(std::string_view name, const std::string& labels, std::string_view extra = {}) {
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

void Metrics::increment(std::string_view name, const MetricLabels& labels, double by) {
  std::lock_guard lock(mutex_);
  auto& f = families_[std::string(name)];
  if (f.type == "untyped") f.type = "counter";
  f.values[render_labels(labels)] += by;
}

void Metrics::set_gauge(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mutex_);
  auto& f = families_[std::string(name)];
  if (f.type == "untyped") f.type = "gauge";
  f.values[render_labels(labels)] = value;
}

void Metrics::observe_seconds(std::string_view name, const MetricLabels& labels, double seconds) {
  std::lock_guard lock(mutex_);
  auto& f = families_[std::string(name)];
  f.type = "histogram";
  auto& h = f.histograms[render_labels(labels)];
  if (h.buckets.empty()) h.buckets.assign(kBuckets.size(), 0);
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  h.sum += seconds;
  ++h.count;
}

double Metrics::value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto v = f->second.values.find(render_labels(labels));
  return v == f->second.values.end() ? 0 : v->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, v] : f.values) out += series(name, labels) + " " + number(v) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out += series(name + "_bucket", labels, "le=\"" + number(kBuckets[i]) + "\"") + " " +
               std::to_string(h.buckets[i]) + "\n";
      }
      out += series(name + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string(h.count) + "\n";
      out += series(name + "_sum", labels) + " " + number(h.sum) + "\n";
      out += series(name + "_count", labels) + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

Metrics& metrics() {
  static Metrics registry;
  return registry;
}

}  // namespace onair
