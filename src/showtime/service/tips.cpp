#include "showtime/service/tips.hpp"

#include <algorithm>
#include <cmath>

namespace onair::showtime {

std::uint64_t accrue_tips(double& pending, double engagement, int hype_level, std::uint32_t tick_seconds, bool paused) {
  if (paused) return 0;
  const double bonus = 1.0 + kTipBonusPerHypeLevel * std::max(0, hype_level);
  pending += kTipsPerEngagementMinute * std::max(0.0, engagement) * (tick_seconds / 60.0) * bonus;
  const double whole = std::floor(pending);
  pending -= whole;
  return static_cast<std::uint64_t>(whole);
}

}  // namespace onair::showtime
