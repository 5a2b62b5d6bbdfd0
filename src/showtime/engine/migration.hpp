#pragma once
// Migration between the sessions of one game service (SHOWTIME.md extension 5,
// "Cross-streamer audience migration", and the Celebrity phase's "audience
// migration from other streamers"): disengaged simulated members of a session
// may move to another live session whose current content matches their
// interests better. The pools must share the game service's tag vocabulary and
// personality table; whether a destination may receive migrants (its career
// phase) is the caller's policy.
#include <cstdint>
#include <span>
#include <vector>

#include "showtime/engine/audience_params.hpp"
#include "showtime/engine/audience_pool.hpp"
#include "showtime/engine/content_tags.hpp"
#include "showtime/engine/rng.hpp"

namespace onair::showtime {

struct MigrationTarget {
  AudiencePool* pool = nullptr;
  const ContentTags* content = nullptr;
};

struct MigrationResult {
  std::uint32_t eligible = 0;           // disengaged simulated members with a better-matching destination
  std::vector<MemberId> moved;          // in the order they moved
  std::vector<std::uint32_t> moved_to;  // per target, how many arrived
};

// Moves round(fraction * eligible) of the eligible members (a random subset,
// stochastic rounding) of `from`. Eligible: simulated, engagement below the
// disengaged threshold, and some target's weighted match score for the
// member's interests is higher than `from_content`'s. Each moves to the target
// with the highest score (the first on a tie), keeps its id, personality,
// interests, decay and bias, and starts fresh there: engagement =
// params.join_engagement, watch time 0, not a follower of the new streamer.
MigrationResult migrate(AudiencePool& from, const ContentTags& from_content, std::span<const MigrationTarget> targets,
                        double fraction, const AudienceParams& params, Rng& rng);

}  // namespace onair::showtime
