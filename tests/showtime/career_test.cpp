#include "showtime/engine/career.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "showtime/engine/engine_config.hpp"

namespace onair::showtime {
namespace {

bool has(const CareerUpdate& u, std::string_view code) {
  return std::any_of(u.milestones.begin(), u.milestones.end(), [&](const Milestone& m) { return m.code == code; });
}

double growth_of(const CareerUpdate& u, GrowthKey key) {
  double sum = 0;
  for (const auto& g : u.growth) sum += g.key == key ? g.amount : 0.0;
  return sum;
}

TEST(Career, PhasesFollowTotalGrowth) {
  const CareerParams p;
  EXPECT_EQ(phase_for_growth(0, p), CareerPhase::unknown);
  EXPECT_EQ(phase_for_growth(4.99, p), CareerPhase::unknown);
  EXPECT_EQ(phase_for_growth(5, p), CareerPhase::rising);
  EXPECT_EQ(phase_for_growth(25, p), CareerPhase::popular);
  EXPECT_EQ(phase_for_growth(100, p), CareerPhase::celebrity);
  EXPECT_EQ(phase_for_growth(499, p), CareerPhase::celebrity);
  EXPECT_EQ(phase_for_growth(500, p), CareerPhase::legend);
  EXPECT_EQ(to_string(CareerPhase::celebrity), "Celebrity");
  EXPECT_EQ(parse_career_phase("legend"), CareerPhase::legend);
  EXPECT_FALSE(parse_career_phase("famous"));
}

TEST(Career, GrowthKeysNameTheirDomains) {
  EXPECT_EQ(to_string(GrowthKey::peak_viewers), "audience_growth.peak_viewers");
  EXPECT_EQ(domain_of(GrowthKey::hype_peak), GrowthDomain::engagement_quality);
  EXPECT_EQ(domain_of(GrowthKey::unique_events), GrowthDomain::content_diversity);
  EXPECT_EQ(domain_of(GrowthKey::milestones), GrowthDomain::discovery_rate);
  EXPECT_EQ(parse_growth_key("discovery_rate.world_firsts"), GrowthKey::world_firsts);
  EXPECT_FALSE(parse_growth_key("discovery_rate"));
}

TEST(Career, FirstSessionContributions) {
  CareerState s;
  const CareerParams p;
  SessionSummary session;
  session.followers_gained = 12;
  session.peak_viewers = 60;
  session.average_engagement = 0.7;
  session.watch_hours = 2.0;
  const auto u = record_session_end(s, session, p);

  EXPECT_NEAR(growth_of(u, GrowthKey::followers), 1.2, 1e-9);     // 12 x 0.1
  EXPECT_NEAR(growth_of(u, GrowthKey::peak_viewers), 1.5, 1e-9);  // tiers 10, 25, 50
  EXPECT_NEAR(growth_of(u, GrowthKey::average), 0.2, 1e-9);
  for (auto code : {"first_stream", "followers_1", "followers_10", "peak_viewers_10", "peak_viewers_25",
                    "peak_viewers_50", "watch_hours_1", "phase_rising"}) {
    EXPECT_TRUE(has(u, code)) << code;
  }
  EXPECT_FALSE(has(u, "followers_100"));
  // 8 milestones x 0.5 ("Streaming milestone reached").
  EXPECT_NEAR(growth_of(u, GrowthKey::milestones), 4.0, 1e-9);
  EXPECT_NEAR(s.total_growth(), 1.2 + 1.5 + 0.2 + 4.0, 1e-9);
  ASSERT_TRUE(u.phase_to);
  EXPECT_EQ(*u.phase_from, CareerPhase::unknown);
  EXPECT_EQ(*u.phase_to, CareerPhase::rising);
  EXPECT_EQ(s.phase, CareerPhase::rising);
  EXPECT_NEAR(s.domain_growth(GrowthDomain::audience_growth), 2.7, 1e-9);
}

TEST(Career, MilestonesAreReachedOnce) {
  CareerState s;
  const CareerParams p;
  SessionSummary session;
  session.peak_viewers = 30;
  session.average_engagement = 0.5;  // not > 0.6
  record_session_end(s, session, p);
  const auto u = record_session_end(s, session, p);
  EXPECT_TRUE(u.milestones.empty());
  EXPECT_NEAR(growth_of(u, GrowthKey::peak_viewers), 0.0, 1e-12);  // tiers already reached
  EXPECT_NEAR(growth_of(u, GrowthKey::average), 0.0, 1e-12);
  EXPECT_FALSE(u.phase_to);
  EXPECT_EQ(s.sessions, 2u);
  // The tenth session is a milestone again.
  CareerUpdate tenth;
  for (int i = 0; i < 8; ++i) tenth = record_session_end(s, SessionSummary{}, p);
  EXPECT_TRUE(has(tenth, "sessions_10"));
}

TEST(Career, HypeTrainsContributeAboveLevelTwo) {
  CareerState s;
  const CareerParams p;
  auto u = record_hype_completed(s, 2, p);
  EXPECT_NEAR(growth_of(u, GrowthKey::hype_peak), 0.0, 1e-12);
  EXPECT_TRUE(has(u, "first_hype_train"));
  u = record_hype_completed(s, 5, p);
  EXPECT_NEAR(growth_of(u, GrowthKey::hype_peak), 0.9, 1e-9);  // 3 levels above 2
  EXPECT_TRUE(has(u, "hype_level_3"));
  EXPECT_TRUE(has(u, "hype_level_5"));
  EXPECT_EQ(s.hype_trains, 2u);
  EXPECT_EQ(s.best_hype_level, 5);
}

TEST(Career, WorldFirstsTagsAndEvents) {
  CareerState s;
  const CareerParams p;
  auto u = record_world_first(s, p);
  EXPECT_NEAR(growth_of(u, GrowthKey::world_firsts), 2.0, 1e-12);
  EXPECT_TRUE(has(u, "world_first_1"));
  u = record_world_first(s, p);
  EXPECT_TRUE(has(u, "world_first_2"));  // every discovery is its own entry
  u = record_new_content_tag(s, p);
  EXPECT_NEAR(growth_of(u, GrowthKey::tags), 0.05, 1e-12);
  u = record_unique_event(s, p);
  EXPECT_NEAR(growth_of(u, GrowthKey::unique_events), 0.05, 1e-12);
}

TEST(Career, GrowthToLegendPassesEveryPhase) {
  CareerState s;
  const CareerParams p;
  auto u = record_growth(s, GrowthKey::followers, 500, "test", p);
  EXPECT_EQ(*u.phase_from, CareerPhase::unknown);
  EXPECT_EQ(*u.phase_to, CareerPhase::legend);
  for (auto code : {"phase_rising", "phase_popular", "phase_celebrity", "phase_legend"}) EXPECT_TRUE(has(u, code));
  EXPECT_TRUE(record_growth(s, GrowthKey::followers, -3, "ignored", p).empty());
  EXPECT_EQ(s.phase, CareerPhase::legend);
}

TEST(Career, MilestoneGrowthCanLiftThePhase) {
  CareerState s;
  const CareerParams p;
  record_growth(s, GrowthKey::tags, 4.6, "test", p);
  // first_stream's +0.5 crosses 5.0.
  const auto u = record_session_end(s, SessionSummary{}, p);
  EXPECT_EQ(u.phase_to, CareerPhase::rising);
}

TEST(Career, PoolSizeFromPhase) {
  EXPECT_EQ(audience_pool_size(CareerPhase::unknown, 50, 2.0), 50u);
  EXPECT_EQ(audience_pool_size(CareerPhase::rising, 50, 2.0), 100u);
  EXPECT_EQ(audience_pool_size(CareerPhase::popular, 50, 2.0), 200u);
  EXPECT_EQ(audience_pool_size(CareerPhase::celebrity, 50, 2.0), 400u);
  EXPECT_EQ(audience_pool_size(CareerPhase::legend, 50, 2.0), 800u);
  EXPECT_EQ(audience_pool_size(CareerPhase::legend, 1000, 1.5), 5063u);  // 1000 * 1.5^4 = 5062.5
  EXPECT_EQ(audience_pool_size(CareerPhase::legend, 4000000000u, 10.0), 4294967295u);
  ShowtimeEngineConfig c;
  c.default_audience_pool_size = 30;
  c.audience_pool_scale_per_phase = 3.0;
  EXPECT_EQ(pool_size_for(c, CareerPhase::popular), 270u);
}

TEST(Career, PhaseCapabilities) {
  EXPECT_FALSE(capabilities(CareerPhase::unknown).followers);
  EXPECT_TRUE(capabilities(CareerPhase::rising).followers);
  EXPECT_FALSE(capabilities(CareerPhase::rising).hype_trains);
  EXPECT_TRUE(capabilities(CareerPhase::popular).hype_trains);
  EXPECT_TRUE(capabilities(CareerPhase::popular).sponsorships);
  EXPECT_FALSE(capabilities(CareerPhase::popular).receives_migration);
  EXPECT_TRUE(capabilities(CareerPhase::celebrity).receives_migration);
  EXPECT_TRUE(capabilities(CareerPhase::legend).realm_history);
}

TEST(EngineConfig, DerivesTickParameters) {
  const ShowtimeEngineConfig c;  // the configuration defaults
  const auto a = audience_params(c, CareerPhase::rising);
  EXPECT_EQ(a.follower_watch_ticks, 360u);  // 30 min at 5 s
  EXPECT_DOUBLE_EQ(a.follower_engagement_threshold, 0.6);
  EXPECT_TRUE(a.followers_enabled);
  EXPECT_FALSE(audience_params(c, CareerPhase::unknown).followers_enabled);
  const auto h = hype_params(c);
  EXPECT_EQ(h.trigger_threshold, 10u);
  EXPECT_EQ(h.trigger_window_ticks, 3u);  // 15 s pulse interval
  EXPECT_EQ(h.max_duration_ticks, 120u);  // 10 min
  EXPECT_EQ(h.level_timeout_ticks, 60u);  // 5 min
  EXPECT_DOUBLE_EQ(h.level_exponent, 1.5);
  EXPECT_DOUBLE_EQ(h.decay_rate, 0.1);
  EXPECT_DOUBLE_EQ(h.level_base_score, 20.0);
  EXPECT_EQ(real_derived_ttl_ticks(c), 6u);  // 30 s
  EXPECT_EQ(seconds_to_ticks(1, 5), 1u);
  EXPECT_EQ(seconds_to_ticks(0, 5), 0u);
  EXPECT_EQ(seconds_to_ticks(11, 5), 3u);
}

}  // namespace
}  // namespace onair::showtime
