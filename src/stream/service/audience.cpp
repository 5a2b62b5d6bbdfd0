#include "stream/service/audience.hpp"

#include <algorithm>
#include <cmath>

#include "core/ids.hpp"

namespace onair::stream {
namespace {

bool weaker(const gst::SentimentEntry& a, const gst::SentimentEntry& b) {
  // std heap functions build a max-heap under `less`; `greater` gives the min-heap.
  return a.intensity > b.intensity;
}

// Higher wins when a tracked viewer shows a stronger role later.
int rank(gst::TrackedViewerType t) {
  switch (t) {
    case gst::TrackedViewerType::raid_leader:
      return 6;
    case gst::TrackedViewerType::moderator:
      return 5;
    case gst::TrackedViewerType::vip:
      return 4;
    case gst::TrackedViewerType::subscriber:
      return 3;
    case gst::TrackedViewerType::returner:
      return 2;
    case gst::TrackedViewerType::high_engager:
      return 1;
  }
  return 0;
}

}  // namespace

double engagement_score(double activity) noexcept { return activity <= 0 ? 0.0 : 1.0 - std::pow(0.8, activity); }

std::optional<gst::TrackedViewerType> TrackedViewers::type_for(const ViewerFacts& f, double score) const {
  if (f.raid_leader && policy_.raid_leaders) return gst::TrackedViewerType::raid_leader;
  if (f.moderator && policy_.moderators) return gst::TrackedViewerType::moderator;
  if (f.vip && policy_.vips) return gst::TrackedViewerType::vip;
  if (f.subscriber && policy_.subscribers) return gst::TrackedViewerType::subscriber;
  if (policy_.returners && f.loyalty_months >= policy_.returner_min_months) return gst::TrackedViewerType::returner;
  if (policy_.engagement_threshold < 1.0 && score > policy_.engagement_threshold) {
    return gst::TrackedViewerType::high_engager;
  }
  return std::nullopt;
}

std::optional<TrackedViewers::Tracked> TrackedViewers::observe(const std::string& user, const ViewerFacts& facts) {
  if (user.empty()) return std::nullopt;
  double score = 0;
  if (auto it = activity_.find(user); it != activity_.end()) {
    it->second += facts.activity;
    score = engagement_score(it->second);
  } else if (activity_.size() < policy_.max_engagement_entries) {
    activity_.emplace(user, facts.activity);
    score = engagement_score(facts.activity);
  } else {
    score = engagement_score(facts.activity);
  }
  const auto type = type_for(facts, score);
  if (auto it = tracked_.find(user); it != tracked_.end()) {
    if (type && rank(*type) > rank(it->second.type)) it->second.type = *type;
    return it->second;
  }
  if (!type || tracked_.size() >= policy_.max_tracked) return std::nullopt;
  auto [it, inserted] = tracked_.emplace(user, Tracked{new_uuid(), *type});
  return it->second;
}

void TrackedViewers::clear() {
  // Swap with empties: the buckets are released too, not only the nodes.
  std::unordered_map<std::string, Tracked>().swap(tracked_);
  std::unordered_map<std::string, double>().swap(activity_);
}

void SentimentBuffer::add(gst::SentimentEntry entry) {
  if (heap_.size() < capacity_) {
    heap_.push_back(std::move(entry));
    std::push_heap(heap_.begin(), heap_.end(), weaker);
    return;
  }
  ++dropped_;
  if (entry.intensity <= heap_.front().intensity) return;  // the new one is the weakest
  std::pop_heap(heap_.begin(), heap_.end(), weaker);
  heap_.back() = std::move(entry);
  std::push_heap(heap_.begin(), heap_.end(), weaker);
}

std::optional<std::vector<gst::SentimentEntry>> SentimentBuffer::take(std::size_t min_batch, std::mt19937_64& rng) {
  if (heap_.empty() || heap_.size() < min_batch) return std::nullopt;
  std::vector<gst::SentimentEntry> out;
  out.swap(heap_);
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

}  // namespace onair::stream
