// Migration between sessions and follower conversion at session end.
#include <gtest/gtest.h>

#include <set>

#include "engine_support.hpp"
#include "showtime/engine/followers.hpp"
#include "showtime/engine/migration.hpp"

namespace onair::showtime {
namespace {

using namespace testing;

TEST(Migration, DisengagedMembersMoveToABetterMatch) {
  AudiencePool from(nullptr, 0, 1);
  AudiencePool to(nullptr, 0, 2);
  std::set<MemberId> movers;
  for (int i = 0; i < 10; ++i) movers.insert(from.add_member(member(bit(kCrafting), 0.1, 0.03)));
  const auto engaged = from.add_member(member(bit(kCrafting), 0.8));   // engaged: stays
  const auto combat_fan = from.add_member(member(bit(kCombat), 0.1));  // no better match there
  MemberSpec real = member(bit(kCrafting), 0.0);
  real.source = MemberSource::real_derived;
  const auto real_id = from.add_member(real);  // real-derived: stays

  const auto from_content = content_of({{kCombat, 1.0}});
  const auto to_content = content_of({{kCrafting, 1.0}});
  MigrationTarget target{&to, &to_content};
  Rng rng(4);
  const auto r = migrate(from, from_content, std::span(&target, 1), 1.0, quiet_params(), rng);
  EXPECT_EQ(r.eligible, 10u);
  ASSERT_EQ(r.moved.size(), 10u);
  EXPECT_EQ(r.moved_to, std::vector<std::uint32_t>{10});
  EXPECT_EQ(std::set<MemberId>(r.moved.begin(), r.moved.end()), movers);
  EXPECT_EQ(from.size(), 3u);
  EXPECT_TRUE(from.index_of(engaged));
  EXPECT_TRUE(from.index_of(combat_fan));
  EXPECT_TRUE(from.index_of(real_id));
  ASSERT_EQ(to.size(), 10u);
  for (std::size_t i = 0; i < to.size(); ++i) {
    const auto m = to.member(i);
    EXPECT_TRUE(movers.count(m.id));
    EXPECT_EQ(m.interests, bit(kCrafting));
    EXPECT_NEAR(m.engagement_level(), 0.4, kUnit);  // arrives fresh
    EXPECT_EQ(m.decay, to_engagement(0.03));        // keeps its own decay
    EXPECT_EQ(m.watch_ticks, 0u);
  }
  EXPECT_EQ(from.stats().migrated_out, 10u);
  EXPECT_EQ(to.stats().migrated_in, 10u);
  EXPECT_EQ(from.stats().tag_counts[kCrafting], 2u);
  EXPECT_EQ(to.stats().tag_counts[kCrafting], 10u);
}

TEST(Migration, MovesAFraction) {
  AudiencePool from(nullptr, 0, 1);
  AudiencePool to(nullptr, 0, 2);
  for (int i = 0; i < 101; ++i) from.add_member(member(bit(kCrafting), 0.0));
  const auto from_content = content_of({{kCombat, 1.0}});
  const auto to_content = content_of({{kCrafting, 1.0}});
  MigrationTarget target{&to, &to_content};
  Rng rng(4);
  const auto r = migrate(from, from_content, std::span(&target, 1), 0.25, quiet_params(), rng);
  EXPECT_EQ(r.eligible, 101u);
  EXPECT_TRUE(r.moved.size() == 25u || r.moved.size() == 26u) << r.moved.size();  // 25.25, rounded stochastically
  EXPECT_EQ(from.size() + to.size(), 101u);
  EXPECT_TRUE(migrate(from, from_content, std::span(&target, 1), 0.0, quiet_params(), rng).moved.empty());
}

TEST(Migration, EachMemberPicksTheBestDestination) {
  AudiencePool from(nullptr, 0, 1);
  AudiencePool crafting_pool(nullptr, 0, 2);
  AudiencePool social_pool(nullptr, 0, 3);
  const auto crafter = from.add_member(member(bit(kCrafting), 0.0));
  const auto socialite = from.add_member(member(bit(kSocial), 0.0));
  const auto both = from.add_member(member(bit(kSocial) | bit(kCrafting), 0.0));
  const auto from_content = content_of({{kCombat, 1.0}});
  const auto c1 = content_of({{kCrafting, 1.0}});
  const auto c2 = content_of({{kSocial, 1.0}, {kCrafting, 0.5}});
  const MigrationTarget targets[] = {{&crafting_pool, &c1}, {&social_pool, &c2}};
  Rng rng(4);
  const auto r = migrate(from, from_content, targets, 1.0, quiet_params(), rng);
  EXPECT_EQ(r.moved.size(), 3u);
  EXPECT_TRUE(crafting_pool.index_of(crafter));  // 1.0 there vs 0.5
  EXPECT_TRUE(social_pool.index_of(socialite));
  EXPECT_TRUE(social_pool.index_of(both));  // 1.5 there vs 1.0
  EXPECT_EQ(from.size(), 0u);
}

TEST(Followers, ConversionFollowsTheRuleBestFirstUpToTheCap) {
  AudiencePool pool(nullptr, 0, 1);
  const auto a = pool.add_member(member(bit(kCombat), 0.95));
  const auto b = pool.add_member(member(bit(kCombat), 0.75));
  pool.add_member(member(bit(kCombat), 0.55));  // below 0.6
  MemberSpec follower = member(bit(kCombat), 1.0);
  follower.follower = true;
  pool.add_member(follower);
  auto p = quiet_params();
  p.engagement_gain_rate = 0.0;
  p.follower_watch_ticks = 4;
  p.follower_conversion_probability = 1.0;
  Rng rng(1);
  for (int i = 0; i < 3; ++i) tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_TRUE(select_follower_conversions(pool, p, 0, 100, rng).empty());  // watched 3 < 4 ticks
  tick(pool, content_of({{kCombat, 1.0}}), p, rng);

  auto conv = select_follower_conversions(pool, p, 0, 100, rng);
  ASSERT_EQ(conv.size(), 2u);
  EXPECT_EQ(conv[0].id, a);
  EXPECT_EQ(conv[1].id, b);
  EXPECT_NEAR(conv[0].mean_engagement, 0.95, 0.01);
  EXPECT_EQ(conv[0].watch_ticks, 4u);
  // MaxFollowersPerStreamer.
  conv = select_follower_conversions(pool, p, 99, 100, rng);
  ASSERT_EQ(conv.size(), 1u);
  EXPECT_EQ(conv[0].id, a);
  EXPECT_TRUE(select_follower_conversions(pool, p, 100, 100, rng).empty());
  // Converted members are followers from then on.
  const MemberId ids[] = {a, b};
  EXPECT_EQ(pool.mark_followers(ids), 2u);
  EXPECT_EQ(pool.stats().followers, 3u);
  EXPECT_TRUE(select_follower_conversions(pool, p, 0, 100, rng).empty());
  EXPECT_FALSE(pool.member(*pool.index_of(a)).candidate());
}

TEST(Followers, CandidatesFlaggedByTheTickConvert) {
  AudiencePool pool(single_tag_reservoir({kCombat}), 200, 1);
  AudienceParams p;
  p.follower_watch_ticks = 10;
  Rng rng(8);
  pool.fill(content_of({{kCombat, 1.0}}), p, rng);
  std::uint32_t candidates = 0;
  for (int i = 0; i < 30; ++i) candidates = tick(pool, content_of({{kCombat, 1.0}}), p, rng).candidates;
  ASSERT_GT(candidates, 100u);
  p.follower_conversion_probability = 1.0;
  EXPECT_EQ(select_follower_conversions(pool, p, 0, 1'000'000, rng).size(), candidates);
  p.follower_conversion_probability = 0.25;  // "may become followers"
  const auto some = select_follower_conversions(pool, p, 0, 1'000'000, rng).size();
  EXPECT_NEAR(double(some), candidates * 0.25, candidates * 0.12);
}

}  // namespace
}  // namespace onair::showtime
