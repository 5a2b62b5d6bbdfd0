#include "stream/security/dedup_window.hpp"

#include <algorithm>

namespace onair::stream::security {

DedupWindow::DedupWindow(std::chrono::seconds ttl, std::size_t max_entries)
    : ttl_(ttl), max_entries_(std::max<std::size_t>(max_entries, 1)) {}

void DedupWindow::forget_oldest() {
  const auto it = expiry_.find(*order_.front());
  order_.pop_front();
  if (it != expiry_.end()) expiry_.erase(it);
}

void DedupWindow::expire(Clock::time_point now) {
  // Insertion order is expiry order as long as `now` does not go backwards; if it does,
  // entries simply live a little longer (never shorter), which is the safe side.
  while (!order_.empty()) {
    const auto it = expiry_.find(*order_.front());
    if (it != expiry_.end() && it->second > now) break;
    forget_oldest();
  }
}

bool DedupWindow::contains(std::string_view id, Clock::time_point now) const {
  const auto it = expiry_.find(id);
  return it != expiry_.end() && it->second > now;
}

bool DedupWindow::first_sighting(std::string_view id, Clock::time_point now) {
  expire(now);
  if (const auto found = expiry_.find(id); found != expiry_.end()) {
    if (found->second > now) return false;
    found->second = now + ttl_;  // only reachable when the clock went backwards past an expiry
    return true;
  }
  while (expiry_.size() >= max_entries_) {
    forget_oldest();
    ++evicted_early_;
  }
  const auto [it, inserted] = expiry_.emplace(std::string(id), now + ttl_);
  (void)inserted;
  order_.push_back(&it->first);
  return true;
}

}  // namespace onair::stream::security
