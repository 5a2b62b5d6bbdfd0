// Migration between a game service's live sessions (the pure step the tick
// worker runs after each round, and `onair simulate` after each tick).
#include "showtime/service/session_migration.hpp"

#include <gtest/gtest.h>

#include "showtime/engine/presets.hpp"

namespace onair::showtime {
namespace {

const ShowtimeEngineConfig& config() {
  static const auto c = engine_config(gs::ShowtimeConfiguration{});
  return c;
}

std::unique_ptr<LiveSession> session(const std::string& id, const std::string& game_service, gs::CareerPhase phase,
                                     const std::vector<std::string>& tags, std::uint64_t seed) {
  static const auto context = std::make_shared<const AudienceContext>(make_default_context(42, 4096, 0.02));
  SessionRecord record;
  record.id = id;
  record.game_service_id = game_service;
  record.career_phase = phase;
  record.seed = seed;
  record.target_size = 400;
  return create_live_session(std::move(record), context, tags, config());
}

// Ticks a session until part of its audience has lost interest.
void age(LiveSession& s, int ticks) {
  for (int t = 1; t <= ticks; ++t) step(s, config(), std::int64_t(t) * 5000);
}

std::uint32_t moved(const std::vector<MigrationMove>& moves, const std::string& from, const std::string& to) {
  std::uint32_t n = 0;
  for (const auto& m : moves)
    if (m.from_session == from && m.to_session == to) n += m.members;
  return n;
}

TEST(SessionMigration, DisengagedMembersMoveToACelebritySessionOfTheSameGameService) {
  auto a = session("a", "game-1", gs::CareerPhase::rising, {"combat"}, 1);
  auto b = session("b", "game-1", gs::CareerPhase::celebrity, {"exploration", "social"}, 2);
  age(*a, 60);
  std::uint32_t total = 0;
  for (int round = 0; round < 20; ++round) {
    const auto moves = migrate_between_sessions({a.get(), b.get()}, config(), 0.5);
    total += moved(moves, "a", "b");
    EXPECT_EQ(moved(moves, "b", "a"), 0u) << "a rising session receives no migration";
  }
  ASSERT_GT(total, 0u);
  EXPECT_EQ(a->pool.stats().migrated_out, total);
  EXPECT_EQ(b->pool.stats().migrated_in, total);
}

TEST(SessionMigration, NothingMovesAcrossGameServicesPausesPhasesOrVocabularies) {
  auto from = session("a", "game-1", gs::CareerPhase::rising, {"combat"}, 1);
  age(*from, 60);
  auto other_game = session("b", "game-2", gs::CareerPhase::celebrity, {"exploration"}, 2);
  auto popular = session("c", "game-1", gs::CareerPhase::popular, {"exploration"}, 3);
  auto paused = session("d", "game-1", gs::CareerPhase::celebrity, {"exploration"}, 4);
  paused->record.status = gs::ShowtimeSessionStatus::paused;
  auto own_tags = session("e", "game-1", gs::CareerPhase::celebrity, {"exploration"}, 5);
  ASSERT_TRUE(own_tags->tags.intern("speedrun-any-percent"));
  for (int round = 0; round < 20; ++round) {
    const auto moves = migrate_between_sessions(
        {from.get(), other_game.get(), popular.get(), paused.get(), own_tags.get()}, config(), 0.5);
    EXPECT_TRUE(moves.empty());
  }
  EXPECT_EQ(from->pool.stats().migrated_out, 0u);
}

TEST(SessionMigration, IsDeterministicGivenTheSessions) {
  auto run = [] {
    auto a = session("a", "game-1", gs::CareerPhase::rising, {"combat"}, 7);
    auto b = session("b", "game-1", gs::CareerPhase::celebrity, {"exploration"}, 8);
    age(*a, 40);
    std::vector<std::uint32_t> counts;
    for (int round = 0; round < 10; ++round)
      counts.push_back(moved(migrate_between_sessions({b.get(), a.get()}, config(), 0.3), "a", "b"));
    return counts;
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace onair::showtime
