// Determinism: a session replays exactly from its seed, both kernels compute
// the same thing, and a checkpoint resumes where the session was.
#include <gtest/gtest.h>

#include <string>

#include "engine_support.hpp"
#include "showtime/engine/hype_train.hpp"
#include "showtime/engine/migration.hpp"
#include "showtime/engine/pool_codec.hpp"
#include "showtime/engine/presets.hpp"

namespace onair::showtime {
namespace {

using namespace testing;

// A scripted session: game events change the content every 40 ticks, tags fade,
// real-derived members arrive with TTLs, the hype train is fed by reactions,
// and a second session of the same game service exchanges migrants.
struct Session {
  explicit Session(std::uint64_t seed, TickKernel kernel = TickKernel::automatic)
      : ctx(make_default_context(1234, 1024)),
        a(ctx.reservoir, 400, seed ^ 0xa),
        b(ctx.reservoir, 200, seed ^ 0xb),
        rng(seed),
        hype(HypeParams{}) {
    params.personality_weights = ctx.personality_weights;
    params.follower_watch_ticks = 30;
    params.kernel = kernel;
    raise("combat_encounter", content_a);
    raise("item_crafting", content_b);
    a.fill(content_a, params, rng);
    b.fill(content_b, params, rng);
  }

  void raise(std::string_view event, ContentTags& content) { content.raise(tags_for_event(event, ctx.tags)); }

  std::uint64_t run(int ticks) {
    const auto events = default_game_event_tags();
    for (int t = 0; t < ticks; ++t) {
      ++step;
      if (step % 40 == 0) raise(events[(step / 40) % events.size()].event, content_a);
      if (step % 55 == 0) raise(events[(step / 55 + 3) % events.size()].event, content_b);
      content_a.fade(0.01);
      content_b.fade(0.01);
      if (step % 7 == 0) {
        MemberSpec real;
        real.source = MemberSource::real_derived;
        real.interests = content_a.mask();
        real.engagement = 0.9;
        real.bias = Sentiment::excited;
        real.ttl_ticks = 6;
        a.add_member(real);
      }
      const auto ra = tick(a, content_a, params, rng);
      tick(b, content_b, params, rng);
      hype.add_reactions(ra.reactions);
      for (const auto& e : hype.tick(ra.size))
        hype_events += std::string(to_string(e.reason)) + std::to_string(e.level);
      if (step % 100 == 0) {
        MigrationTarget to{&b, &content_b};
        migrate(a, content_a, std::span(&to, 1), 0.5, params, rng);
      }
    }
    return state_hash(a) ^ (state_hash(b) * 3);
  }

  AudienceContext ctx;
  AudiencePool a;
  AudiencePool b;
  Rng rng;
  HypeTrain hype;
  AudienceParams params;
  ContentTags content_a;
  ContentTags content_b;
  int step = 0;
  std::string hype_events;
};

TEST(Replay, SameSeedSameStateAfterAThousandTicks) {
  Session first(2024);
  Session second(2024);
  const auto h1 = first.run(1000);
  const auto h2 = second.run(1000);
  EXPECT_EQ(h1, h2);
  EXPECT_EQ(first.rng.state(), second.rng.state());
  EXPECT_EQ(first.hype_events, second.hype_events);
  EXPECT_EQ(first.a.now(), 1000u);
  // The session did something: members churned, migrated, real ones expired.
  EXPECT_GT(first.a.stats().left, 0u);
  EXPECT_GT(first.a.stats().migrated_out, 0u);
  EXPECT_GT(first.a.stats().expired, 0u);
}

TEST(Replay, DifferentSeedDifferentState) {
  Session first(2024);
  Session other(2025);
  EXPECT_NE(first.run(1000), other.run(1000));
}

std::vector<TickKernel> vector_kernels() {
  std::vector<TickKernel> out;
  for (auto k : {TickKernel::avx2, TickKernel::avx512}) {
    if (tick_kernel_available(k)) out.push_back(k);
  }
  return out;
}

TEST(Replay, AllKernelsReplayTheSameSession) {
  if (vector_kernels().empty()) GTEST_SKIP() << "no vector kernel on this CPU";
  for (const auto kernel : vector_kernels()) {
    Session scalar(77, TickKernel::scalar);
    Session simd(77, kernel);
    for (int chunk = 0; chunk < 10; ++chunk) {
      ASSERT_EQ(scalar.run(50), simd.run(50)) << to_string(kernel) << " after " << (chunk + 1) * 50 << " ticks";
    }
    EXPECT_EQ(scalar.hype_events, simd.hype_events);
  }
}

// Random pools that exercise every lane of the kernels: many personalities
// (gather path) or few (permute path), weights on several bit planes, block
// boundaries, real members, followers, extreme engagement.
void compare_kernels(std::size_t size, std::size_t personalities, std::uint64_t seed) {
  Rng gen(seed);
  AudiencePool pool(single_tag_reservoir({0, 5, 9, 17, 33, 63}), static_cast<std::uint32_t>(size), seed);
  for (std::size_t i = 0; i < size; ++i) {
    MemberSpec s;
    s.interests = gen.next() & gen.next();
    s.engagement = double(gen.below(65536)) / 65535.0;
    s.decay_rate = double(gen.below(3000)) / 65535.0;
    s.personality = static_cast<PersonalityId>(gen.below(personalities));
    s.bias = static_cast<Sentiment>(gen.below(8));
    s.follower = gen.below(10) == 0;
    if (gen.below(20) == 0) {
      s.source = MemberSource::real_derived;
      if (gen.below(2)) s.ttl_ticks = 1 + static_cast<std::uint32_t>(gen.below(30));
    }
    pool.add_member(s);
  }
  AudienceParams p;
  p.follower_watch_ticks = 3;
  p.personality_weights.resize(personalities);
  for (auto& w : p.personality_weights) {
    w.gain = double(gen.below(300)) / 100.0;
    w.decay = double(gen.below(300)) / 100.0;
  }
  for (int t = 0; t < 64; t += 3) p.tag_weights[t] = double(1 + gen.below(255)) / 100.0;
  ContentTags content;
  for (int t = 0; t < 64; ++t) {
    if (gen.below(3) == 0) content.set(static_cast<TagId>(t), double(1 + gen.below(255)) / 255.0);
  }
  ASSERT_GT(InterestMatcher::build(content, p.tag_weights).plane_count, 2);

  for (const auto kernel : vector_kernels()) {
    AudiencePool scalar_pool = pool;
    AudiencePool simd_pool = pool;
    ContentTags shown = content;
    Rng r1(seed), r2(seed);
    for (int t = 0; t < 40; ++t) {
      p.kernel = TickKernel::scalar;
      const auto a = tick(scalar_pool, shown, p, r1);
      p.kernel = kernel;
      const auto b = tick(simd_pool, shown, p, r2);
      ASSERT_EQ(a.kernel, TickKernel::scalar);
      ASSERT_EQ(b.kernel, kernel);
      ASSERT_EQ(state_hash(scalar_pool), state_hash(simd_pool)) << to_string(kernel) << " tick " << t;
      ASSERT_EQ(a.engaged, b.engaged);
      ASSERT_EQ(a.disengaged, b.disengaged);
      ASSERT_EQ(a.candidates, b.candidates);
      ASSERT_EQ(a.reactions, b.reactions);
      ASSERT_EQ(a.new_candidates, b.new_candidates);
      ASSERT_EQ(a.departed_candidates, b.departed_candidates);
      ASSERT_EQ(a.mean_engagement, b.mean_engagement);
      if (t == 20) shown.fade(0.3);
    }
  }
}

TEST(Replay, KernelsAgreeOnRandomPools) {
  if (!tick_kernel_available(TickKernel::avx512)) GTEST_SKIP() << "no AVX-512 on this CPU";
  compare_kernels(4096 + 4096 + 37, 7, 1);  // block boundaries, permute path
  compare_kernels(1000, 32, 2);             // permute path at its limit
  compare_kernels(3001, 200, 3);            // gather path
  compare_kernels(15, 3, 4);                // tail only
}

TEST(Replay, CheckpointResumesTheSession) {
  Session live(99);
  live.run(300);
  const std::string blob = encode_pool(live.a, &live.rng);
  auto decoded = decode_pool(blob, live.ctx.reservoir);
  EXPECT_EQ(state_hash(decoded.pool), state_hash(live.a));
  ASSERT_TRUE(decoded.rng);
  EXPECT_EQ(*decoded.rng, live.rng.state());

  // Both continue identically (pool a only, same content, same params).
  Rng resumed_rng(0);
  resumed_rng.set_state(*decoded.rng);
  for (int t = 0; t < 50; ++t) {
    tick(live.a, live.content_a, live.params, live.rng);
    tick(decoded.pool, live.content_a, live.params, resumed_rng);
  }
  EXPECT_EQ(state_hash(decoded.pool), state_hash(live.a));
}

TEST(Replay, CorruptCheckpointsAreRefused) {
  Session live(5);
  live.run(20);
  std::string blob = encode_pool(live.a);
  EXPECT_NO_THROW(decode_pool(blob, live.ctx.reservoir));
  EXPECT_THROW(decode_pool(blob.substr(0, blob.size() - 9), live.ctx.reservoir), std::invalid_argument);
  EXPECT_THROW(decode_pool("nonsense", live.ctx.reservoir), std::invalid_argument);
  blob[blob.size() / 2] ^= 0x5a;
  EXPECT_THROW(decode_pool(blob, live.ctx.reservoir), std::invalid_argument);
}

}  // namespace
}  // namespace onair::showtime
