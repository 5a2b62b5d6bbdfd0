#include "showtime/service/tips.hpp"

#include <gtest/gtest.h>

namespace onair::showtime {
namespace {

TEST(Tips, WholeTipsAreDueAndTheFractionWaits) {
  double pending = 0;
  // engagement 10 for 30 s: 0.1 x 10 x 0.5 = 0.5 tips, none due yet.
  EXPECT_EQ(accrue_tips(pending, 10, 0, 30, false), 0u);
  EXPECT_DOUBLE_EQ(pending, 0.5);
  EXPECT_EQ(accrue_tips(pending, 10, 0, 30, false), 1u);
  EXPECT_NEAR(pending, 0.0, 1e-12);
  EXPECT_EQ(accrue_tips(pending, 600, 0, 60, false), 60u);
}

TEST(Tips, HypeRaisesTipsAndPauseOrNoEngagementEarnsNothing) {
  double calm = 0, hyped = 0, paused = 0, empty = 0;
  const auto base = accrue_tips(calm, 200, 0, 60, false);
  EXPECT_EQ(base, 20u);
  EXPECT_EQ(accrue_tips(hyped, 200, 3, 60, false), 50u);  // x2.5 at level 3
  EXPECT_EQ(accrue_tips(paused, 200, 3, 60, true), 0u);
  EXPECT_DOUBLE_EQ(paused, 0.0);
  EXPECT_EQ(accrue_tips(empty, 0, 5, 60, false), 0u);
  EXPECT_DOUBLE_EQ(empty, 0.0);
}

}  // namespace
}  // namespace onair::showtime
