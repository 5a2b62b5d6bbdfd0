// The rules of one audience tick, one at a time.
#include "showtime/engine/audience_tick.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "engine_support.hpp"

namespace onair::showtime {
namespace {

using namespace testing;

AudiencePool empty_pool(std::uint32_t target = 0) { return AudiencePool(nullptr, target, 42); }

TEST(AudienceTick, MatchingContentRaisesEngagement) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 0.4));
  Rng rng(1);
  auto p = quiet_params();
  tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_NEAR(level(pool, 0), 0.43, kUnit);  // + engagement_gain_rate * (1 - e)
  tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_NEAR(level(pool, 0), 0.4585, 2 * kUnit);
  // Approaches 1 with diminishing returns.
  for (int i = 0; i < 200; ++i) tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_GT(level(pool, 0), 0.99);
  EXPECT_LE(pool.engagement()[0], kEngagementOne);
}

TEST(AudienceTick, MismatchDecaysByTheMembersOwnRate) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCrafting), 0.4, 0.02));
  pool.add_member(member(bit(kCrafting), 0.4, 0.05));
  Rng rng(1);
  tick(pool, content_of({{kCombat, 1.0}}), quiet_params(), rng);
  EXPECT_NEAR(level(pool, 0), 0.38, kUnit);
  EXPECT_NEAR(level(pool, 1), 0.35, kUnit);
  for (int i = 0; i < 30; ++i) tick(pool, content_of({{kCombat, 1.0}}), quiet_params(), rng);
  EXPECT_EQ(pool.engagement()[1], 0);  // floors at 0
}

TEST(AudienceTick, PartialMatchCountsAsMatch) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat) | bit(kSocial), 0.4));
  Rng rng(1);
  tick(pool, content_of({{kCombat, 1.0}, {kTrade, 1.0}}), quiet_params(), rng);
  EXPECT_NEAR(level(pool, 0), 0.43, kUnit);
}

TEST(AudienceTick, TagWeightsScaleTheGain) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 0.4));
  pool.add_member(member(bit(kCrafting), 0.4));
  pool.add_member(member(bit(kCombat) | bit(kCrafting), 0.4));
  auto p = quiet_params();
  p.tag_weights[kCrafting] = 0.5;
  Rng rng(1);
  tick(pool, content_of({{kCombat, 1.0}, {kCrafting, 1.0}}), p, rng);
  EXPECT_NEAR(level(pool, 0), 0.43, kUnit);
  EXPECT_NEAR(level(pool, 1), 0.415, kUnit);
  EXPECT_NEAR(level(pool, 2), 0.445, kUnit);
}

TEST(AudienceTick, HeavierTagWeightsGainMore) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 0.4));
  auto p = quiet_params();
  p.tag_weights[kCombat] = 3.0;
  Rng rng(1);
  tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_NEAR(level(pool, 0), 0.49, kUnit);
}

TEST(AudienceTick, ContentWeightScalesTheGain) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 0.4));
  Rng rng(1);
  tick(pool, content_of({{kCombat, 0.5}}), quiet_params(), rng);
  EXPECT_NEAR(level(pool, 0), 0.415, 0.0002);  // content weights have 8 bits: 0.5 is 128/255
}

TEST(AudienceTick, PersonalityWeightsScaleGainAndDecay) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 0.4, 0.02, 0));
  pool.add_member(member(bit(kCombat), 0.4, 0.02, 1));
  pool.add_member(member(bit(kCrafting), 0.4, 0.02, 0));
  pool.add_member(member(bit(kCrafting), 0.4, 0.02, 1));
  auto p = quiet_params();
  p.personality_weights.resize(2);
  p.personality_weights[1] = {2.0, 0.5, 1.0};
  Rng rng(1);
  tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_NEAR(level(pool, 0), 0.43, kUnit);
  EXPECT_NEAR(level(pool, 1), 0.46, kUnit);
  EXPECT_NEAR(level(pool, 2), 0.38, kUnit);
  EXPECT_NEAR(level(pool, 3), 0.39, kUnit);
}

TEST(AudienceTick, PausedSessionOnlyDecays) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 0.4));
  auto p = quiet_params();
  p.paused = true;
  Rng rng(1);
  const auto r = tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_NEAR(level(pool, 0), 0.38, kUnit);
  EXPECT_EQ(r.reactions, SentimentCounts{});
}

TEST(AudienceTick, WatchTimeAndMeanEngagement) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 0.4));
  Rng rng(1);
  auto p = quiet_params();
  p.engagement_gain_rate = 0.0;
  for (int i = 0; i < 10; ++i) tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  const auto m = pool.member(0);
  EXPECT_EQ(m.watch_ticks, 10u);
  EXPECT_NEAR(m.mean_engagement(), 0.4, 0.005);
}

TEST(AudienceTick, FollowerCandidacyNeedsEngagementAndWatchTime) {
  auto pool = empty_pool();
  const auto keen = pool.add_member(member(bit(kCombat), 0.9));
  pool.add_member(member(bit(kCombat), 0.5));  // watches, but its mean stays at 0.5
  MemberSpec already = member(bit(kCombat), 0.9);
  already.follower = true;
  pool.add_member(already);
  auto p = quiet_params();
  p.engagement_gain_rate = 0.0;
  p.follower_engagement_threshold = 0.6;
  p.follower_watch_ticks = 5;
  Rng rng(1);
  const auto content = content_of({{kCombat, 1.0}});
  for (int i = 1; i <= 4; ++i) {
    const auto r = tick(pool, content, p, rng);
    EXPECT_TRUE(r.new_candidates.empty()) << "tick " << i;
    EXPECT_EQ(r.candidates, 0u);
  }
  auto r = tick(pool, content, p, rng);  // watch time reaches 5 ticks
  ASSERT_EQ(r.new_candidates, std::vector<MemberId>{keen});
  EXPECT_EQ(r.candidates, 1u);
  EXPECT_TRUE(pool.member(0).candidate());
  EXPECT_FALSE(pool.member(1).candidate());
  EXPECT_FALSE(pool.member(2).candidate());  // a follower already
  r = tick(pool, content, p, rng);
  EXPECT_TRUE(r.new_candidates.empty());  // reported once
  EXPECT_EQ(r.candidates, 1u);
}

TEST(AudienceTick, CandidacyIsLostWhenTheMeanFalls) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 0.65, 0.2));
  auto p = quiet_params();
  p.engagement_gain_rate = 0.0;
  p.follower_watch_ticks = 1;
  Rng rng(1);
  auto r = tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_EQ(r.candidates, 1u);
  for (int i = 0; i < 3; ++i) r = tick(pool, content_of({{kTrade, 1.0}}), p, rng);  // decays 0.2 per tick
  EXPECT_EQ(r.candidates, 0u);
  EXPECT_FALSE(pool.member(0).candidate());
}

TEST(AudienceTick, FollowersDisabledBeforeRisingPhase) {
  auto pool = empty_pool();
  pool.add_member(member(bit(kCombat), 1.0));
  auto p = quiet_params();
  p.follower_watch_ticks = 1;
  p.followers_enabled = false;
  Rng rng(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(tick(pool, content_of({{kCombat, 1.0}}), p, rng).candidates, 0u);
}

TEST(AudienceTick, ChurnReplacesFromTheReservoirByContent) {
  AudiencePool pool(single_tag_reservoir({kCombat, kCrafting, kSocial}), 300, 7);
  Rng rng(3);
  auto p = quiet_params();
  p.reservoir_mismatch_weight = 0.0;  // strict filter
  pool.fill(content_of({{kCombat, 1.0}}), p, rng);
  ASSERT_EQ(pool.size(), 300u);
  for (auto m : pool.interests()) EXPECT_EQ(m, bit(kCombat));  // drawn by content
  const std::set<MemberId> original(pool.ids().begin(), pool.ids().end());

  // The stream turns to crafting: combat fans decay, churn out, crafting fans replace them.
  p.churn_probability = 0.5;
  const auto crafting = content_of({{kCrafting, 1.0}});
  std::uint32_t left = 0;
  for (int i = 0; i < 40; ++i) {
    const auto r = tick(pool, crafting, p, rng);
    EXPECT_EQ(pool.size(), 300u);
    EXPECT_EQ(r.size, 300u);
    EXPECT_EQ(r.left, r.joined);
    left += r.left;
  }
  EXPECT_GT(left, 250u);
  std::size_t newcomers = 0;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (original.count(pool.ids()[i])) continue;
    ++newcomers;
    EXPECT_EQ(pool.interests()[i], bit(kCrafting));
  }
  EXPECT_GT(newcomers, 250u);
  EXPECT_EQ(pool.stats().left, left);
}

TEST(AudienceTick, MismatchWeightLetsSomeOthersIn) {
  AudiencePool pool(single_tag_reservoir({kCombat, kCrafting}), 4000, 7);
  Rng rng(3);
  auto p = quiet_params();
  p.reservoir_mismatch_weight = 0.25;  // a non-matching template weighs 1/4 of a match
  pool.fill(content_of({{kCombat, 1.0}}), p, rng);
  const auto combat = std::count(pool.interests().begin(), pool.interests().end(), bit(kCombat));
  // P(combat) = 1.25 / (1.25 + 0.25) = 0.833
  EXPECT_NEAR(double(combat) / 4000.0, 0.833, 0.03);
}

TEST(AudienceTick, DrawsFollowTheContentWeights) {
  AudiencePool pool(single_tag_reservoir({kCombat, kCrafting, kSocial}), 6000, 7);
  Rng rng(3);
  auto p = quiet_params();
  p.reservoir_mismatch_weight = 0.0;
  pool.fill(content_of({{kCombat, 1.0}, {kCrafting, 0.5}}), p, rng);
  const auto combat = std::count(pool.interests().begin(), pool.interests().end(), bit(kCombat));
  const auto crafting = std::count(pool.interests().begin(), pool.interests().end(), bit(kCrafting));
  EXPECT_EQ(combat + crafting, 6000);
  EXPECT_NEAR(double(combat) / 6000.0, 2.0 / 3.0, 0.02);
}

TEST(AudienceTick, ContentNobodyMatchesStillDrawsByPopularity) {
  AudiencePool pool(single_tag_reservoir({kCombat, kCrafting}), 1000, 7);
  Rng rng(3);
  auto p = quiet_params();
  p.reservoir_mismatch_weight = 0.0;
  EXPECT_EQ(pool.fill(content_of({{kTrade, 1.0}}), p, rng), 1000u);
  const auto combat = std::count(pool.interests().begin(), pool.interests().end(), bit(kCombat));
  EXPECT_NEAR(double(combat) / 1000.0, 0.5, 0.06);
  AudiencePool none(std::make_shared<const Reservoir>(), 10, 1);
  EXPECT_EQ(none.fill(content_of({{kTrade, 1.0}}), p, rng), 0u);
}

TEST(AudienceTick, OnlyDisengagedSimulatedMembersChurn) {
  AudiencePool pool(single_tag_reservoir({kCombat}), 2, 7);
  pool.add_member(member(bit(kCombat), 0.1));  // disengaged but matching: gains, stays above? no: 0.15 < 0.2
  pool.add_member(member(bit(kCombat), 0.9));
  MemberSpec real = member(bit(kTrade), 0.0);
  real.source = MemberSource::real_derived;
  const auto real_id = pool.add_member(real);
  auto p = quiet_params();
  p.churn_probability = 1.0;
  Rng rng(5);
  const auto r = tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_EQ(r.left, 1u);  // the disengaged simulated member
  EXPECT_EQ(r.joined, 1u);
  EXPECT_TRUE(pool.index_of(real_id).has_value());  // real-derived members never churn
  EXPECT_EQ(pool.size(), 3u);
}

TEST(AudienceTick, ChurnAboveTargetShrinksTowardIt) {
  AudiencePool pool(single_tag_reservoir({kCombat}), 10, 7);
  for (int i = 0; i < 15; ++i) pool.add_member(member(bit(kCrafting), 0.0));
  auto p = quiet_params();
  p.churn_probability = 1.0;
  Rng rng(5);
  const auto r = tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_EQ(r.left, 15u);
  EXPECT_EQ(r.joined, 10u);  // 5 surplus members leave without replacement
  EXPECT_EQ(pool.size(), 10u);
  for (auto m : pool.interests()) EXPECT_EQ(m, bit(kCombat));
}

TEST(AudienceTick, RefillsGraduallyBelowTarget) {
  AudiencePool pool(single_tag_reservoir({kCombat}), 100, 7);
  auto p = quiet_params();
  p.refill_fraction = 0.1;
  Rng rng(5);
  const auto content = content_of({{kCombat, 1.0}});
  auto r = tick(pool, content, p, rng);
  EXPECT_EQ(r.joined, 10u);
  EXPECT_EQ(pool.size(), 10u);
  for (int i = 0; i < 20; ++i) tick(pool, content, p, rng);
  EXPECT_EQ(pool.size(), 100u);
}

TEST(AudienceTick, RealDerivedMembersWithTtlExpire) {
  AudiencePool pool(nullptr, 0, 7);
  MemberSpec anon = member(bit(kCombat), 0.9);
  anon.source = MemberSource::real_derived;
  anon.ttl_ticks = 3;
  const auto anon_id = pool.add_member(anon);
  MemberSpec tracked = anon;
  tracked.ttl_ticks.reset();
  const auto tracked_id = pool.add_member(tracked);
  pool.add_member(member(bit(kCombat), 0.9));  // simulated
  EXPECT_EQ(pool.real_derived_size(), 2u);
  EXPECT_EQ(pool.simulated_size(), 1u);

  Rng rng(1);
  const auto content = content_of({{kCombat, 1.0}});
  EXPECT_EQ(tick(pool, content, quiet_params(), rng).expired, 0u);
  EXPECT_EQ(tick(pool, content, quiet_params(), rng).expired, 0u);
  const auto r = tick(pool, content, quiet_params(), rng);
  EXPECT_EQ(r.expired, 1u);
  EXPECT_FALSE(pool.index_of(anon_id));
  EXPECT_TRUE(pool.index_of(tracked_id));
  EXPECT_EQ(r.size, 2u);
  EXPECT_EQ(r.real_derived, 1u);
  EXPECT_EQ(pool.stats().expired, 1u);
}

TEST(AudienceTick, RefreshingARealMemberExtendsItsTtl) {
  AudiencePool pool(nullptr, 0, 7);
  MemberSpec anon = member(bit(kCombat), 0.5);
  anon.source = MemberSource::real_derived;
  anon.ttl_ticks = 2;
  const auto id = pool.add_member(anon);
  Rng rng(1);
  tick(pool, ContentTags{}, quiet_params(), rng);
  EXPECT_TRUE(pool.refresh_real_member(id, 0.95, Sentiment::amused, 2));
  EXPECT_EQ(pool.member(*pool.index_of(id)).bias(), Sentiment::amused);
  EXPECT_NEAR(pool.member(*pool.index_of(id)).engagement_level(), 0.95, kUnit);
  tick(pool, ContentTags{}, quiet_params(), rng);
  EXPECT_TRUE(pool.index_of(id));  // would have expired at tick 2
  tick(pool, ContentTags{}, quiet_params(), rng);
  EXPECT_FALSE(pool.index_of(id));
  // The same tracked id again is an update, not a second member.
  MemberSpec again = anon;
  again.id = 99;
  pool.add_member(again);
  pool.add_member(again);
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_FALSE(pool.refresh_real_member(12345, 0.1, std::nullopt, std::nullopt));
}

TEST(AudienceTick, ReportMatchesARecount) {
  auto ctx_reservoir = single_tag_reservoir({kCombat, kCrafting, kSocial, kTrade}, 50);
  AudiencePool pool(ctx_reservoir, 1000, 11);
  Rng rng(9);
  AudienceParams p;  // defaults: churn, refill, reactions on
  p.follower_watch_ticks = 3;
  pool.fill(content_of({{kCombat, 1.0}, {kSocial, 0.6}}), p, rng);
  for (int i = 0; i < 60; ++i) {
    if (i % 9 == 0) {
      MemberSpec real = member(bit(kTrade), 0.3);
      real.source = MemberSource::real_derived;
      real.ttl_ticks = 4;
      pool.add_member(real);
    }
    const auto content = i < 30 ? content_of({{kCombat, 1.0}, {kSocial, 0.6}}) : content_of({{kTrade, 0.8}});
    const auto r = tick(pool, content, p, rng);
    std::uint32_t engaged = 0, disengaged = 0, candidates = 0;
    std::uint64_t sum = 0;
    for (std::size_t m = 0; m < pool.size(); ++m) {
      const auto e = pool.engagement()[m];
      engaged += e > to_engagement(p.engaged_threshold);
      disengaged += e < to_engagement(p.disengaged_threshold);
      candidates += (pool.flags()[m] & member_flag::candidate) != 0;
      sum += e;
    }
    ASSERT_EQ(r.size, pool.size());
    ASSERT_EQ(r.engaged, engaged) << "tick " << i;
    ASSERT_EQ(r.disengaged, disengaged) << "tick " << i;
    ASSERT_EQ(r.candidates, candidates) << "tick " << i;
    ASSERT_NEAR(r.mean_engagement, double(sum) / pool.size() / 65535.0, 1e-12);
    ASSERT_EQ(r.simulated + r.real_derived, r.size);
  }
  // Incremental composition counts agree with the members.
  std::array<std::uint32_t, kMaxTags> tags{};
  std::uint32_t real = 0;
  for (std::size_t m = 0; m < pool.size(); ++m) {
    for (int t = 0; t < 64; ++t) tags[t] += (pool.interests()[m] >> t) & 1;
    real += (pool.flags()[m] & member_flag::real_derived) != 0;
  }
  EXPECT_EQ(tags, pool.stats().tag_counts);
  EXPECT_EQ(real, pool.stats().real_derived);
  std::uint32_t mix = 0;
  for (auto [id, count] : pool.personality_mix()) mix += count;
  EXPECT_EQ(mix, pool.size());
}

TEST(AudienceTick, ReactionsComeFromHighlyEngagedMatchedSimulatedMembers) {
  auto pool = empty_pool();
  for (int i = 0; i < 100; ++i) {
    MemberSpec s = member(bit(kCombat), 0.95);
    s.bias = Sentiment::excited;
    pool.add_member(s);
  }
  for (int i = 0; i < 50; ++i) {
    MemberSpec s = member(bit(kCombat), 0.5);  // not high-intensity
    s.bias = Sentiment::amused;
    pool.add_member(s);
  }
  MemberSpec real = member(bit(kCombat), 1.0);
  real.source = MemberSource::real_derived;  // real viewers' sentiment comes from their pulses
  real.bias = Sentiment::hostile;
  pool.add_member(real);
  auto p = quiet_params();
  p.engagement_gain_rate = 0.0;
  p.reaction_probability = 1.0;
  Rng rng(1);
  auto r = tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_EQ(r.reactions[std::size_t(Sentiment::excited)], 100u);
  EXPECT_EQ(r.reactions[std::size_t(Sentiment::amused)], 0u);
  EXPECT_EQ(r.reactions[std::size_t(Sentiment::hostile)], 0u);
  p.reaction_probability = 0.1;
  r = tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_EQ(r.reactions[std::size_t(Sentiment::excited)], 10u);  // 100 * 0.1, exact
  r = tick(pool, content_of({{kCombat, 0.5}}), p, rng);          // fading content excites less: 0.1 * 0.5^2
  EXPECT_NEAR(r.reactions[std::size_t(Sentiment::excited)], 2.5, 1.0);
  r = tick(pool, content_of({{kTrade, 1.0}}), p, rng);  // nothing matches: no reactions
  EXPECT_EQ(r.reactions, SentimentCounts{});
}

TEST(AudienceTick, PoolAccountingOverASession) {
  AudiencePool pool(single_tag_reservoir({kCombat}), 20, 3);
  Rng rng(2);
  auto p = quiet_params();
  pool.fill(content_of({{kCombat, 1.0}}), p, rng);
  for (int i = 0; i < 10; ++i) tick(pool, content_of({{kCombat, 1.0}}), p, rng);
  EXPECT_EQ(pool.stats().member_ticks, 200u);
  EXPECT_EQ(pool.stats().peak_size, 20u);
  EXPECT_GT(pool.stats().average_engagement(), 0.4);
  EXPECT_EQ(pool.now(), 10u);
}

}  // namespace
}  // namespace onair::showtime
