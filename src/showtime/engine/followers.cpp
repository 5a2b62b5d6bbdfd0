#include "showtime/engine/followers.hpp"

#include <algorithm>
#include <cmath>

#include "showtime/engine/tick_kernel.hpp"

namespace onair::showtime {

bool meets_follower_rule(const MemberView& m, const AudienceParams& params) {
  if (!params.followers_enabled || m.follower()) return false;
  // The tick's integer rule, so a candidate flagged during the session converts.
  const std::uint32_t tc = std::min(m.watch_ticks, detail::kMeanWindow);
  const auto mean_q =
      static_cast<std::uint32_t>(std::clamp<long>(std::lround(params.follower_engagement_threshold * 255.0), 0, 255));
  return tc >= params.follower_watch_ticks && tc > 0 && m.mean_sum >= tc * mean_q;
}

std::vector<FollowerConversion> select_follower_conversions(const AudiencePool& pool, const AudienceParams& params,
                                                            std::uint64_t current_followers,
                                                            std::uint64_t max_followers, Rng& rng) {
  std::vector<FollowerConversion> out;
  if (current_followers >= max_followers) return out;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    const MemberView m = pool.member(i);
    if (!meets_follower_rule(m, params)) continue;
    out.push_back({m.id, m.personality, m.interests, m.watch_ticks, m.mean_engagement(), m.real_derived()});
  }
  std::sort(out.begin(), out.end(), [](const FollowerConversion& a, const FollowerConversion& b) {
    if (a.mean_engagement != b.mean_engagement) return a.mean_engagement > b.mean_engagement;
    if (a.watch_ticks != b.watch_ticks) return a.watch_ticks > b.watch_ticks;
    return a.id < b.id;
  });
  const std::uint64_t threshold = probability_threshold(params.follower_conversion_probability);
  const std::uint64_t room = max_followers - current_followers;
  std::vector<FollowerConversion> kept;
  for (const auto& c : out) {
    if (kept.size() >= room) break;
    if (rng.chance(threshold)) kept.push_back(c);
  }
  return kept;
}

}  // namespace onair::showtime
