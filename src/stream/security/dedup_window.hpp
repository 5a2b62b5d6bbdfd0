#pragma once
// Message ids seen recently, for replay / retry detection of webhook deliveries (Twitch
// message ids, custom delivery ids). Each id is remembered for `ttl` (the message age window
// plus the future skew: older deliveries are rejected by their timestamp anyway) and at most
// `max_entries` ids are kept; past the cap the oldest is forgotten early and counted
// (evicted_early()), so an operator can see when replay protection was weakened by volume.
// Pure data structure, not thread-safe (callers hold a lock or keep one per thread of a
// sharded owner). Insert only verified deliveries. docs/stream.md ("Deduplication").
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace onair::stream::security {

class DedupWindow {
 public:
  using Clock = std::chrono::steady_clock;

  // `max_entries` 0 is treated as 1.
  DedupWindow(std::chrono::seconds ttl, std::size_t max_entries);

  // True when `id` was not seen within the ttl (it is then remembered from `now`); false
  // for a duplicate (its expiry is not extended).
  bool first_sighting(std::string_view id, Clock::time_point now);
  // Whether `id` is remembered at `now` (does not record it).
  bool contains(std::string_view id, Clock::time_point now) const;
  // Forgets every id whose ttl ran out by `now` (first_sighting does this too).
  void expire(Clock::time_point now);

  std::size_t size() const noexcept { return expiry_.size(); }
  std::size_t max_entries() const noexcept { return max_entries_; }
  std::uint64_t evicted_early() const noexcept { return evicted_early_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  void forget_oldest();

  std::chrono::seconds ttl_;
  std::size_t max_entries_;
  std::uint64_t evicted_early_ = 0;
  // id -> when it expires; order_ holds the same ids in insertion order, pointing at the
  // map's keys (node-based: stable until erased).
  std::unordered_map<std::string, Clock::time_point, Hash, std::equal_to<>> expiry_;
  std::deque<const std::string*> order_;
};

}  // namespace onair::stream::security
