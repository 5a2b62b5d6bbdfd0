#include "showtime/engine/engine_config.hpp"

#include <algorithm>
#include <cmath>

namespace onair::showtime {

std::uint32_t seconds_to_ticks(double seconds, std::uint32_t tick_seconds) noexcept {
  if (!(seconds > 0.0)) return 0;
  const double ticks = std::ceil(seconds / double(std::max<std::uint32_t>(1, tick_seconds)));
  return static_cast<std::uint32_t>(std::clamp(ticks, 1.0, 4294967295.0));
}

AudienceParams audience_params(const ShowtimeEngineConfig& c, CareerPhase phase) {
  AudienceParams p;
  p.follower_engagement_threshold = c.follower_engagement_threshold;
  p.follower_watch_ticks =
      seconds_to_ticks(double(c.follower_watch_time_minutes) * 60.0, c.audience_tick_interval_seconds);
  p.followers_enabled = capabilities(phase).followers;
  return p;
}

HypeParams hype_params(const ShowtimeEngineConfig& c) {
  HypeParams h;
  const auto tick = c.audience_tick_interval_seconds;
  h.trigger_threshold = c.hype_train_trigger_threshold;
  h.trigger_window_ticks = std::max<std::uint32_t>(1, seconds_to_ticks(c.sentiment_pulse_interval_seconds, tick));
  h.level_exponent = c.hype_train_level_exponent;
  h.decay_rate = c.hype_train_decay_rate;
  h.max_duration_ticks = seconds_to_ticks(double(c.hype_train_max_duration_minutes) * 60.0, tick);
  h.level_timeout_ticks = seconds_to_ticks(300.0, tick);  // Twitch: 5 minutes per level
  h.cooldown_ticks = seconds_to_ticks(300.0, tick);
  h.level_base_score = 2.0 * double(c.hype_train_trigger_threshold);
  h.start_score_min = double(c.hype_train_trigger_threshold);
  return h;
}

std::uint32_t real_derived_ttl_ticks(const ShowtimeEngineConfig& c) noexcept {
  return seconds_to_ticks(c.real_derived_member_ttl_seconds, c.audience_tick_interval_seconds);
}

std::uint32_t pool_size_for(const ShowtimeEngineConfig& c, CareerPhase phase) {
  return audience_pool_size(phase, c.default_audience_pool_size, c.audience_pool_scale_per_phase);
}

}  // namespace onair::showtime
