// The message-id dedup window: duplicates within the ttl, expiry, the size cap (oldest
// forgotten first, counted), and a clock that goes backwards.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "stream/security/dedup_window.hpp"

namespace onair::stream::security {
namespace {

using namespace std::chrono_literals;
using Clock = DedupWindow::Clock;

const Clock::time_point kT0{std::chrono::hours(1000)};

TEST(SecurityDedup, DuplicatesWithinTheTtl) {
  DedupWindow window(600s, 100);
  EXPECT_TRUE(window.first_sighting("a", kT0));
  EXPECT_FALSE(window.first_sighting("a", kT0));
  EXPECT_FALSE(window.first_sighting("a", kT0 + 599s));
  EXPECT_TRUE(window.first_sighting("b", kT0 + 1s));
  EXPECT_TRUE(window.contains("a", kT0 + 1s));
  EXPECT_FALSE(window.contains("c", kT0 + 1s));
  EXPECT_EQ(window.size(), 2u);
  // Ids are compared exactly.
  EXPECT_TRUE(window.first_sighting("A", kT0 + 2s));
  EXPECT_TRUE(window.first_sighting("a ", kT0 + 2s));
  EXPECT_TRUE(window.first_sighting(std::string("a\0", 2), kT0 + 2s));
}

TEST(SecurityDedup, IdsExpireAfterTheTtl) {
  DedupWindow window(600s, 100);
  EXPECT_TRUE(window.first_sighting("a", kT0));
  EXPECT_TRUE(window.first_sighting("b", kT0 + 300s));
  EXPECT_FALSE(window.contains("a", kT0 + 600s));  // expiry is exclusive: remembered for [t, t + ttl)
  EXPECT_TRUE(window.contains("a", kT0 + 599s));
  window.expire(kT0 + 600s);
  EXPECT_EQ(window.size(), 1u);
  EXPECT_TRUE(window.contains("b", kT0 + 600s));
  // A duplicate does not extend the expiry.
  EXPECT_FALSE(window.first_sighting("b", kT0 + 800s));
  EXPECT_TRUE(window.first_sighting("b", kT0 + 900s));
  EXPECT_EQ(window.size(), 1u);
  EXPECT_TRUE(window.first_sighting("a", kT0 + 900s));  // seen again after expiry: new
  EXPECT_EQ(window.evicted_early(), 0u);
}

TEST(SecurityDedup, CapForgetsTheOldestAndCountsIt) {
  DedupWindow window(600s, 3);
  EXPECT_TRUE(window.first_sighting("1", kT0));
  EXPECT_TRUE(window.first_sighting("2", kT0 + 1s));
  EXPECT_TRUE(window.first_sighting("3", kT0 + 2s));
  EXPECT_EQ(window.size(), 3u);
  EXPECT_TRUE(window.first_sighting("4", kT0 + 3s));  // full: "1" goes early
  EXPECT_EQ(window.size(), 3u);
  EXPECT_EQ(window.evicted_early(), 1u);
  EXPECT_FALSE(window.contains("1", kT0 + 3s));
  EXPECT_FALSE(window.first_sighting("2", kT0 + 3s));
  EXPECT_FALSE(window.first_sighting("4", kT0 + 3s));
  // Expired entries make room without counting as early evictions.
  EXPECT_TRUE(window.first_sighting("5", kT0 + 602s));
  EXPECT_EQ(window.size(), 2u);  // "2" and "3" expired; "4" and "5" remain
  EXPECT_EQ(window.evicted_early(), 1u);
}

TEST(SecurityDedup, StaysBoundedUnderAFlood) {
  DedupWindow window(600s, 1000);
  for (int i = 0; i < 50000; ++i) {
    EXPECT_TRUE(window.first_sighting("id-" + std::to_string(i), kT0 + std::chrono::milliseconds(i)));
    ASSERT_LE(window.size(), 1000u);
  }
  EXPECT_EQ(window.evicted_early(), 49000u);
  EXPECT_TRUE(window.contains("id-49999", kT0 + 50s));
  EXPECT_FALSE(window.contains("id-48999", kT0 + 50s));
  EXPECT_TRUE(window.contains("id-49000", kT0 + 50s));
}

TEST(SecurityDedup, ZeroCapActsAsOne) {
  DedupWindow window(60s, 0);
  EXPECT_EQ(window.max_entries(), 1u);
  EXPECT_TRUE(window.first_sighting("a", kT0));
  EXPECT_FALSE(window.first_sighting("a", kT0));
  EXPECT_TRUE(window.first_sighting("b", kT0));
  EXPECT_EQ(window.size(), 1u);
}

TEST(SecurityDedup, ClockGoingBackwardsNeverShortensMemory) {
  DedupWindow window(60s, 100);
  EXPECT_TRUE(window.first_sighting("late", kT0 + 100s));
  EXPECT_TRUE(window.first_sighting("early", kT0));  // clock went back 100 s
  EXPECT_FALSE(window.first_sighting("late", kT0 + 1s));
  EXPECT_FALSE(window.first_sighting("early", kT0 + 59s));
  // "early" expired at kT0 + 60 s but sits behind "late" in the order: still seen as new.
  EXPECT_TRUE(window.first_sighting("early", kT0 + 61s));
  EXPECT_FALSE(window.first_sighting("early", kT0 + 62s));
}

}  // namespace
}  // namespace onair::stream::security
