#pragma once
// Virtual tips (SHOWTIME.md "Currency: Virtual Tips"): an engaged audience
// tips its streamer, more during a hype train. Never real money; onair
// publishes `showtime.tip.generated` for a currency service to credit. Pure.
#include <cstdint>

namespace onair::showtime {

// 0.1 tip per minute per unit of engagement (the members' engagement summed:
// 50 members at 0.3 count 15), +50 % per hype-train level: a fresh 50-member
// audience earns about 1.5 tips a minute; a train at level 3 makes it 2.5 times that.
inline constexpr double kTipsPerEngagementMinute = 0.1;
inline constexpr double kTipBonusPerHypeLevel = 0.5;

// Adds one tick's tips to `pending` and returns the whole tips due now (0 when
// less than one has built up); the fraction stays pending. A paused session
// earns nothing.
std::uint64_t accrue_tips(double& pending, double engagement, int hype_level, std::uint32_t tick_seconds, bool paused);

}  // namespace onair::showtime
