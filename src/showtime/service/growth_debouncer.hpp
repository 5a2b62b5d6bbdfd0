#pragma once
// SHOWTIME_GROWTH_DEBOUNCE_INTERVAL_MS: growth contributions to one key of one
// streamer within the interval are summed into one showtime.growth.recorded
// event (the plan protects its seed service from a flood). Pure; the service
// adds contributions and publishes what due() returns.
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "gen/showtime/models.hpp"

namespace onair::showtime {

class GrowthDebouncer {
 public:
  explicit GrowthDebouncer(std::int64_t interval_ms) : interval_ms_(interval_ms) {}
  // `event` carries one contribution (amount, reason, totals after it).
  void add(gen::showtime::ShowtimeGrowthRecordedEvent event, std::int64_t now_ms);
  // Events whose interval has passed (all of them with `force`), oldest first.
  std::vector<gen::showtime::ShowtimeGrowthRecordedEvent> due(std::int64_t now_ms, bool force = false);
  bool empty() const noexcept { return pending_.empty(); }

 private:
  struct Pending {
    gen::showtime::ShowtimeGrowthRecordedEvent event;
    std::int64_t first_ms = 0;
  };
  std::int64_t interval_ms_;
  std::map<std::tuple<std::string, std::string, int>, Pending> pending_;
};

}  // namespace onair::showtime
