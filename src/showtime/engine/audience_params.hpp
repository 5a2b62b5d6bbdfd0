#pragma once
// Parameters of one audience tick. The values that SHOWTIME.md names as
// configuration say so (property / env var); the others are the engine's own
// tuning, with the defaults argued in src/showtime/engine/README.md.
// engine_config.hpp derives these from ShowtimeEngineConfig.
#include <cstdint>
#include <vector>

#include "showtime/engine/content_tags.hpp"
#include "showtime/engine/types.hpp"

namespace onair::showtime {

// Which implementation runs the per-member loop. All give bit-identical
// results (tested); `automatic`, or a kernel the CPU lacks, takes the widest
// the CPU has.
enum class TickKernel : std::uint8_t { automatic, scalar, avx2, avx512 };
bool tick_kernel_available(TickKernel kernel) noexcept;
TickKernel resolve_tick_kernel(TickKernel kernel) noexcept;  // automatic -> the best available
const char* to_string(TickKernel kernel) noexcept;

// Weights of one personality type ("configurable weights per personality").
struct PersonalityWeights {
  double gain = 1.0;   // multiplies engagement gained from matching content
  double decay = 1.0;  // multiplies the member's own decay rate on mismatch
  double churn = 1.0;  // multiplies the probability that a disengaged member leaves
};

struct AudienceParams {
  // --- interest matching ---------------------------------------------------
  // Engagement gained per tick by a member whose interests match the heaviest
  // content tag once (scaled by the weighted match score).
  double engagement_gain_rate = 0.05;
  TagWeights tag_weights = uniform_tag_weights();       // by TagId ("configurable weights per tag")
  std::vector<PersonalityWeights> personality_weights;  // by PersonalityId; missing ids weigh 1
  bool paused = false;  // session paused: no content is shown, nobody gains, decay continues

  // --- counts (aud-counts: engaged > 0.5, disengaged < 0.2) --------------
  double engaged_threshold = 0.5;
  double disengaged_threshold = 0.2;

  // --- churn and reservoir -----------------------------------------------
  double churn_probability = 0.25;      // per tick, per disengaged simulated member
  double churn_multiplier = 1.0;        // session context (the service raises it on Bored pulses)
  double join_engagement = 0.4;         // engagement of a member drawn from the reservoir
  double join_engagement_jitter = 0.1;  // +/- uniform around join_engagement
  // Weight of a reservoir template whose interests miss every content tag,
  // relative to a template matching the heaviest tag once (0 = strict filter).
  double reservoir_mismatch_weight = 0.05;
  double refill_fraction = 0.05;  // below target: up to this share of the target joins per tick

  // --- followers -----------------------------------------------------------
  bool followers_enabled = true;               // career phase Rising and above
  double follower_engagement_threshold = 0.6;  // FollowerEngagementThreshold / SHOWTIME_FOLLOWER_ENGAGEMENT_THRESHOLD
  std::uint32_t follower_watch_ticks =
      360;  // FollowerWatchTimeMinutes / SHOWTIME_FOLLOWER_WATCH_TIME_MINUTES, in ticks
  // At session end each candidate follows with this probability ("may become
  // followers"): a well-liked stream converts a tenth of its regulars.
  double follower_conversion_probability = 0.1;

  // --- simulated reactions (feed the hype train) ---------------------------
  double reaction_threshold = 0.8;    // "high-intensity" engagement
  double reaction_probability = 0.1;  // per tick, per matched member above the threshold, at fresh content
  // Reactions come in bursts after game events: the probability is scaled by
  // (heaviest content weight)^power, so fading content excites less (0: constant).
  unsigned reaction_freshness_power = 2;

  TickKernel kernel = TickKernel::automatic;
};

}  // namespace onair::showtime
