#pragma once
// Follower conversion at session end (SHOWTIME.md quirk 4: asynchronous,
// evaluated carefully, not on a transient spike): members whose mean
// engagement since joining reaches FollowerEngagementThreshold and whose watch
// time reaches FollowerWatchTimeMinutes become followers, up to
// MaxFollowersPerStreamer. During the session the tick only flags candidates.
#include <cstdint>
#include <vector>

#include "showtime/engine/audience_params.hpp"
#include "showtime/engine/audience_pool.hpp"
#include "showtime/engine/rng.hpp"

namespace onair::showtime {

struct FollowerConversion {
  MemberId id = 0;
  PersonalityId personality = 0;
  TagMask interests = 0;
  std::uint32_t watch_ticks = 0;
  double mean_engagement = 0.0;
  bool real_derived = false;  // admin-only
};

// True when the member meets both thresholds (and is not a follower yet).
bool meets_follower_rule(const MemberView& m, const AudienceParams& params);

// The members to convert: those meeting the rule, best first (mean
// engagement, then watch time, then id), each kept with probability
// params.follower_conversion_probability, at most max_followers -
// current_followers of them.
std::vector<FollowerConversion> select_follower_conversions(const AudiencePool& pool, const AudienceParams& params,
                                                            std::uint64_t current_followers,
                                                            std::uint64_t max_followers, Rng& rng);

}  // namespace onair::showtime
