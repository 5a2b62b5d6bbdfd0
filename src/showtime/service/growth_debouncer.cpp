#include "showtime/service/growth_debouncer.hpp"

#include <algorithm>

namespace onair::showtime {

void GrowthDebouncer::add(gen::showtime::ShowtimeGrowthRecordedEvent event, std::int64_t now_ms) {
  const auto key = std::make_tuple(event.streamer_type, event.streamer_id, static_cast<int>(event.key));
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    pending_.emplace(key, Pending{std::move(event), now_ms});
    return;
  }
  auto& p = it->second.event;
  const auto previous_phase = p.previous_phase;
  const auto amount = p.amount + event.amount;
  const bool same_reason = p.reason == event.reason;
  p = std::move(event);
  p.amount = amount;
  if (!same_reason) p.reason = "combined";
  // The phase change stays visible in the summed event.
  if (!p.previous_phase) p.previous_phase = previous_phase;
  if (p.previous_phase && *p.previous_phase == p.phase) p.previous_phase.reset();
}

std::vector<gen::showtime::ShowtimeGrowthRecordedEvent> GrowthDebouncer::due(std::int64_t now_ms, bool force) {
  std::vector<std::pair<std::int64_t, gen::showtime::ShowtimeGrowthRecordedEvent>> ready;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (force || now_ms - it->second.first_ms >= interval_ms_) {
      ready.emplace_back(it->second.first_ms, std::move(it->second.event));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  std::stable_sort(ready.begin(), ready.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<gen::showtime::ShowtimeGrowthRecordedEvent> out;
  for (auto& r : ready) out.push_back(std::move(r.second));
  return out;
}

}  // namespace onair::showtime
