#pragma once
// The SHOWTIME.md configuration properties that the engine uses (the service
// fills this from its generated configuration; names and env vars below), and
// the derivation of the engine's per-tick parameters from them. Durations in
// the configuration are seconds/minutes; the engine counts ticks of
// AudienceTickIntervalSeconds.
#include <cstdint>

#include "showtime/engine/audience_params.hpp"
#include "showtime/engine/career.hpp"
#include "showtime/engine/hype_train.hpp"

namespace onair::showtime {

struct ShowtimeEngineConfig {
  std::uint32_t default_audience_pool_size = 50;  // DefaultAudiencePoolSize / SHOWTIME_DEFAULT_AUDIENCE_POOL_SIZE
  double audience_pool_scale_per_phase = 2.0;     // AudiencePoolScalePerPhase / SHOWTIME_AUDIENCE_POOL_SCALE_PER_PHASE
  std::uint32_t audience_tick_interval_seconds =
      5;                                     // AudienceTickIntervalSeconds / SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS
  double engagement_decay_base_rate = 0.02;  // EngagementDecayBaseRate / SHOWTIME_ENGAGEMENT_DECAY_BASE_RATE
  std::uint32_t hype_train_trigger_threshold = 10;  // HypeTrainTriggerThreshold / SHOWTIME_HYPE_TRAIN_TRIGGER_THRESHOLD
  double hype_train_level_exponent = 1.5;           // HypeTrainLevelExponent / SHOWTIME_HYPE_TRAIN_LEVEL_EXPONENT
  double hype_train_decay_rate = 0.1;               // HypeTrainDecayRate / SHOWTIME_HYPE_TRAIN_DECAY_RATE
  std::uint32_t hype_train_max_duration_minutes =
      10;                                      // HypeTrainMaxDurationMinutes / SHOWTIME_HYPE_TRAIN_MAX_DURATION_MINUTES
  double follower_engagement_threshold = 0.6;  // FollowerEngagementThreshold / SHOWTIME_FOLLOWER_ENGAGEMENT_THRESHOLD
  std::uint32_t follower_watch_time_minutes = 30;    // FollowerWatchTimeMinutes / SHOWTIME_FOLLOWER_WATCH_TIME_MINUTES
  std::uint32_t max_followers_per_streamer = 10000;  // MaxFollowersPerStreamer / SHOWTIME_MAX_FOLLOWERS_PER_STREAMER
  std::uint32_t real_derived_member_ttl_seconds =
      30;  // RealDerivedMemberTtlSeconds / SHOWTIME_REAL_DERIVED_MEMBER_TTL_SECONDS
  // Used by the service around the engine (listed so one struct carries them):
  std::uint32_t career_worker_interval_seconds =
      60;  // CareerWorkerIntervalSeconds / SHOWTIME_CAREER_WORKER_INTERVAL_SECONDS
  std::uint32_t growth_debounce_interval_ms = 5000;  // GrowthDebounceIntervalMs / SHOWTIME_GROWTH_DEBOUNCE_INTERVAL_MS
  // From the stream service's configuration (seed 000): the pulse interval
  // sets the hype trigger window. SentimentPulseIntervalSeconds (stream).
  std::uint32_t sentiment_pulse_interval_seconds = 15;
};

// Whole ticks covering `seconds` (rounded up; at least 1 when seconds > 0).
std::uint32_t seconds_to_ticks(double seconds, std::uint32_t tick_seconds) noexcept;

AudienceParams audience_params(const ShowtimeEngineConfig& config, CareerPhase phase);
HypeParams hype_params(const ShowtimeEngineConfig& config);
std::uint32_t real_derived_ttl_ticks(const ShowtimeEngineConfig& config) noexcept;
std::uint32_t pool_size_for(const ShowtimeEngineConfig& config, CareerPhase phase);

}  // namespace onair::showtime
