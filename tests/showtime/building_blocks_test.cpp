// Rng, interning, content tags and their matcher, the reservoir, pool bookkeeping.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine_support.hpp"
#include "showtime/engine/interner.hpp"
#include "showtime/engine/presets.hpp"
#include "showtime/engine/rng.hpp"

namespace onair::showtime {
namespace {

using namespace testing;

TEST(Rng, SameSeedSameSequence) {
  Rng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
  Rng d(0);
  d.set_state(a.state());
  EXPECT_EQ(d.next(), a.next());
}

TEST(Rng, BelowIsInRangeAndRoughlyUniform) {
  Rng r(1);
  std::array<int, 6> counts{};
  for (int i = 0; i < 60000; ++i) ++counts[r.below(6)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
  EXPECT_EQ(r.below(0), 0u);
  EXPECT_EQ(r.below(1), 0u);
  EXPECT_EQ(probability_threshold(0.0), 0u);
  EXPECT_EQ(probability_threshold(1.0), ~0ULL);
  int hits = 0;
  const auto quarter = probability_threshold(0.25);
  for (int i = 0; i < 40000; ++i) hits += r.chance(quarter);
  EXPECT_NEAR(hits, 10000, 400);
}

TEST(Interning, PersonalitiesAndTags) {
  PersonalityTable p;
  EXPECT_EQ(p.intern("loyal"), 0);
  EXPECT_EQ(p.intern("fickle"), 1);
  EXPECT_EQ(p.intern("loyal"), 0);
  EXPECT_EQ(p.find("fickle"), 1);
  EXPECT_FALSE(p.find("lurker"));
  EXPECT_FALSE(p.intern(""));
  EXPECT_EQ(p.name(1), "fickle");
  for (int i = 0; i < 300; ++i) p.intern("p" + std::to_string(i));
  EXPECT_EQ(p.size(), 256u);
  EXPECT_FALSE(p.intern("one-too-many"));

  TagVocabulary v;
  std::vector<std::string> unknown;
  EXPECT_EQ(v.mask_of({"combat", "crafting"}, true), 0b11u);
  EXPECT_EQ(v.mask_of({"crafting", "nope"}, false, &unknown), 0b10u);
  EXPECT_EQ(unknown, std::vector<std::string>{"nope"});
  EXPECT_EQ(v.names_of(0b11), (std::vector<std::string>{"combat", "crafting"}));
  for (int i = 0; i < 100; ++i) v.intern("t" + std::to_string(i));
  EXPECT_EQ(v.size(), 64u);
}

TEST(Sentiments, NamesRoundTrip) {
  for (std::size_t i = 0; i < kSentimentCount; ++i) {
    const auto s = static_cast<Sentiment>(i);
    EXPECT_EQ(parse_sentiment(to_string(s)), s);
  }
  EXPECT_EQ(parse_sentiment("Excited"), Sentiment::excited);
  EXPECT_FALSE(parse_sentiment("ecstatic"));
  EXPECT_EQ(bias_of(with_bias(member_flag::follower, Sentiment::hostile)), Sentiment::hostile);
}

TEST(ContentTags, RaiseFadeAndWeights) {
  ContentTags c;
  EXPECT_TRUE(c.empty());
  c.raise(bit(kCombat) | bit(kSocial));
  EXPECT_EQ(c.mask(), bit(kCombat) | bit(kSocial));
  EXPECT_DOUBLE_EQ(c.weight(kCombat), 1.0);
  c.set(kSocial, 0.5);
  c.fade(0.25);
  EXPECT_NEAR(c.weight(kCombat), 0.75, 0.005);
  EXPECT_NEAR(c.weight(kSocial), 0.25, 0.005);
  c.fade(0.3);
  EXPECT_EQ(c.mask(), bit(kCombat));  // social faded out
  c.raise(bit(kCombat), 0.2);         // raise never lowers
  EXPECT_NEAR(c.weight(kCombat), 0.45, 0.005);
  c.remove(kCombat);
  EXPECT_TRUE(c.empty());
}

TEST(InterestMatcher, UniformWeightsNeedOnePlane) {
  const auto m = InterestMatcher::build(content_of({{kCombat, 1.0}, {kSocial, 1.0}}), uniform_tag_weights());
  EXPECT_EQ(m.plane_count, 1);
  EXPECT_EQ(m.score(bit(kCombat)), 128u);
  EXPECT_EQ(m.score(bit(kCombat) | bit(kSocial) | bit(kTrade)), 256u);
  EXPECT_EQ(m.score(bit(kTrade)), 0u);
  EXPECT_DOUBLE_EQ(m.unit_weight, 1.0 / 128);
  EXPECT_TRUE(InterestMatcher::build(ContentTags{}, uniform_tag_weights()).empty());
}

TEST(InterestMatcher, WeightsAreQuantisedRelativeToTheHeaviest) {
  auto w = uniform_tag_weights();
  w[kSocial] = 0.75;
  w[kTrade] = 0.1;
  const auto m = InterestMatcher::build(content_of({{kCombat, 1.0}, {kSocial, 1.0}, {kTrade, 1.0}}), w);
  EXPECT_EQ(m.score(bit(kCombat)), 128u);
  EXPECT_EQ(m.score(bit(kSocial)), 96u);
  EXPECT_EQ(m.score(bit(kTrade)), 13u);
  EXPECT_EQ(m.score(bit(kSocial) | bit(kTrade)), 109u);
  EXPECT_GE(m.plane_count, 3);
}

TEST(Reservoir, GenerationFollowsTheSpec) {
  PersonalityTable personalities;
  ReservoirSpec spec;
  spec.templates = 5000;
  spec.tag_popularity = {1.0, 1.0, 0.0, 2.0};
  PersonalityProfile loyal;
  loyal.name = "loyal";
  loyal.share = 3;
  loyal.decay_multiplier = 0.5;
  loyal.bias_weights = {0, 1, 0, 0, 0, 0, 0, 0};
  PersonalityProfile fickle;
  fickle.name = "fickle";
  fickle.share = 1;
  fickle.decay_multiplier = 2.0;
  fickle.min_interests = 2;
  fickle.max_interests = 2;
  spec.personalities = {loyal, fickle};
  spec.decay_jitter = 0.0;
  Rng rng(3);
  const auto r = generate_reservoir(spec, personalities, rng);
  ASSERT_EQ(r.size(), 5000u);
  std::map<PersonalityId, int> count;
  for (const auto& t : r.templates()) {
    ++count[t.personality];
    EXPECT_EQ(t.interests & bit(2), 0u);  // popularity 0: never an interest
    EXPECT_EQ(t.interests >> 4, 0u);
    if (t.personality == 0) {
      EXPECT_EQ(t.bias, Sentiment::supportive);
      EXPECT_EQ(t.decay, to_engagement(0.01));
    } else {
      EXPECT_EQ(__builtin_popcountll(t.interests), 2);
      EXPECT_EQ(t.decay, to_engagement(0.04));
      EXPECT_EQ(t.bias, Sentiment::excited);
    }
  }
  EXPECT_NEAR(count[0] / 5000.0, 0.75, 0.03);
  // Same seed, same reservoir.
  Rng again(3);
  PersonalityTable p2;
  const auto r2 = generate_reservoir(spec, p2, again);
  for (std::size_t i = 0; i < r.size(); ++i) ASSERT_EQ(r[i].interests, r2[i].interests);
  spec.personalities.clear();
  EXPECT_THROW(generate_reservoir(spec, p2, again), std::invalid_argument);
}

TEST(Reservoir, PopularityDraws) {
  Reservoir r;
  MemberTemplate a, b, never;
  a.weight = 3;
  a.interests = bit(kCombat);
  b.weight = 1;
  b.interests = bit(kCrafting);
  never.weight = 0;
  r.add(a);
  r.add(never);
  r.add(b);
  EXPECT_TRUE(r.drawable());
  Rng rng(5);
  std::array<int, 3> counts{};
  for (int i = 0; i < 40000; ++i) ++counts[r.draw_by_popularity(rng)];
  EXPECT_NEAR(counts[0], 30000, 500);
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[2], 10000, 500);
  EXPECT_FALSE(Reservoir().drawable());
  Reservoir zero({never});
  EXPECT_FALSE(zero.drawable());
}

TEST(Presets, DefaultContext) {
  auto ctx = make_default_context(1, 512);
  EXPECT_EQ(ctx.tags.size(), 20u);
  EXPECT_EQ(ctx.personalities.size(), 5u);
  EXPECT_EQ(ctx.reservoir->size(), 512u);
  EXPECT_EQ(ctx.personality_weights.size(), 5u);
  const auto combat = tags_for_event("combat_encounter", ctx.tags);
  EXPECT_EQ(ctx.tags.names_of(combat), (std::vector<std::string>{"combat", "action", "danger"}));
  EXPECT_EQ(tags_for_event("boss_defeat", ctx.tags) & combat, bit(*ctx.tags.find("combat")));
  EXPECT_EQ(tags_for_event("picnic", ctx.tags), 0u);
}

TEST(AudiencePool, AddRemoveAndViews) {
  AudiencePool pool(nullptr, 5, 9);
  const auto a = pool.add_member(member(bit(kCombat) | bit(kSocial), 0.3, 0.01, 2));
  MemberSpec real = member(bit(kTrade), 0.7);
  real.source = MemberSource::real_derived;
  real.ttl_ticks = 4;
  real.bias = Sentiment::curious;
  const auto r = pool.add_member(real);
  const auto b = pool.add_member(member(bit(kCombat), 0.3));
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_EQ(pool.stats().tag_counts[kCombat], 2u);
  EXPECT_EQ(pool.stats().personality_counts[2], 1u);
  const auto view = pool.member(*pool.index_of(r));
  EXPECT_TRUE(view.real_derived());
  EXPECT_EQ(view.bias(), Sentiment::curious);
  EXPECT_EQ(view.expires_at, 4u);
  // Removing a member moves the last into its slot; indexes follow.
  EXPECT_TRUE(pool.remove_member(a));
  EXPECT_FALSE(pool.remove_member(a));
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_EQ(*pool.index_of(b), 0u);
  EXPECT_EQ(*pool.index_of(r), 1u);
  EXPECT_EQ(pool.stats().tag_counts[kCombat], 1u);
  EXPECT_EQ(pool.stats().tag_counts[kSocial], 0u);
  EXPECT_EQ(pool.top_tags(5), (std::vector<std::pair<TagId, std::uint32_t>>{{kCombat, 1}, {kTrade, 1}}));
  EXPECT_EQ(AudiencePool::kHotBytesPerMember, 22u);
  EXPECT_LE(AudiencePool::kBytesPerMember, 32u);
}

TEST(AudiencePool, MemberIdsDifferAcrossPools) {
  AudiencePool p1(nullptr, 0, 1), p2(nullptr, 0, 2);
  std::set<MemberId> ids;
  for (int i = 0; i < 1000; ++i) {
    ids.insert(p1.add_member(member(0, 0)));
    ids.insert(p2.add_member(member(0, 0)));
  }
  EXPECT_EQ(ids.size(), 2000u);
}

}  // namespace
}  // namespace onair::showtime
