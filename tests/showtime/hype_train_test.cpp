#include "showtime/engine/hype_train.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

namespace onair::showtime {
namespace {

using Kind = HypeEvent::Kind;

// Base 20, exponent 1.5: level thresholds 20, 30, 45, 67.5, 101.25;
// floors L2 20, L3 50, L4 95, L5 162.5, completion at 263.75.
HypeParams params() {
  HypeParams p;
  p.trigger_threshold = 10;
  p.trigger_window_ticks = 3;
  p.level_exponent = 1.5;
  p.decay_rate = 0.1;
  p.max_duration_ticks = 120;
  p.level_timeout_ticks = 60;
  p.cooldown_ticks = 60;
  p.max_level = 5;
  p.level_base_score = 20;
  p.level_base_per_member = 0.05;
  p.start_score_min = 10;
  return p;
}

std::vector<Kind> kinds(const std::vector<HypeEvent>& events) {
  std::vector<Kind> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

const HypeEvent* find(const std::vector<HypeEvent>& events, Kind kind) {
  auto it = std::find_if(events.begin(), events.end(), [&](const HypeEvent& e) { return e.kind == kind; });
  return it == events.end() ? nullptr : &*it;
}

HypeTrain started(double points = 10) {
  HypeTrain train(params());
  train.add(Sentiment::excited, 10, points);
  auto events = train.tick(100);
  EXPECT_EQ(kinds(events), std::vector<Kind>{Kind::started});
  return train;
}

TEST(HypeTrain, ThresholdsGrowByTheExponent) {
  HypeTrain train(params());
  EXPECT_DOUBLE_EQ(train.level_threshold(1), 20.0);
  EXPECT_DOUBLE_EQ(train.level_threshold(2), 30.0);
  EXPECT_DOUBLE_EQ(train.level_threshold(3), 45.0);
  EXPECT_DOUBLE_EQ(train.level_floor(3), 50.0);
  EXPECT_DOUBLE_EQ(train.level_floor(6), 263.75);
}

TEST(HypeTrain, TriggersOnEnoughMatchingSentimentsInTheWindow) {
  HypeTrain train(params());
  for (int i = 0; i < 9; ++i) train.add_entry(Sentiment::excited, 0.5);
  EXPECT_TRUE(train.tick(100).empty());  // 9 < 10
  train.add_entry(Sentiment::excited, 0.5);
  const auto events = train.tick(100);  // 10 within 3 ticks
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::started);
  EXPECT_EQ(events[0].level, 1);
  EXPECT_EQ(events[0].trigger, Sentiment::excited);
  EXPECT_EQ(events[0].train, 1u);
  EXPECT_TRUE(train.active());
  EXPECT_DOUBLE_EQ(train.state().score, 10.0);  // start_score_min: mild sentiments carry no points
}

TEST(HypeTrain, TheWindowSlides) {
  HypeTrain train(params());
  train.add(Sentiment::amused, 4, 0);
  train.tick(100);
  train.add(Sentiment::amused, 3, 0);
  train.tick(100);
  train.tick(100);
  train.add(Sentiment::amused, 3, 0);
  EXPECT_TRUE(train.tick(100).empty());  // the first 4 left the window: 6 < 10
  train.add(Sentiment::amused, 7, 0);
  const auto events = train.tick(100);  // window: 0 + 3 + 7 = 10
  ASSERT_EQ(kinds(events), std::vector<Kind>{Kind::started});
  EXPECT_EQ(events[0].trigger, Sentiment::amused);
}

TEST(HypeTrain, OnlyHypeCategoriesTrigger) {
  HypeTrain train(params());
  train.add(Sentiment::bored, 50, 50);
  train.add(Sentiment::hostile, 50, 50);
  train.add(Sentiment::critical, 50, 50);
  EXPECT_TRUE(train.tick(100).empty());
  // The category with the most entries wins.
  train.add(Sentiment::supportive, 12, 0);
  train.add(Sentiment::surprised, 15, 0);
  const auto events = train.tick(100);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].trigger, Sentiment::surprised);
}

TEST(HypeTrain, OnlyHighIntensityEntriesScore) {
  HypeTrain train = started();
  train.add_entry(Sentiment::excited, 0.8);       // not > 0.8
  train.add_entry(Sentiment::excited, 0.9, 2.0);  // a subscriber: weighted double
  train.add_entry(Sentiment::amused, 1.0);        // another hype category: half
  train.tick(100);
  EXPECT_NEAR(train.state().contributed, 10 + 1.8 + 0.5, 1e-9);
  EXPECT_NEAR(train.state().score, 12.3 - 2.0, 1e-9);  // decay: 10% of level 1's 20
}

TEST(HypeTrain, LevelsUpDecaysAndDeescalates) {
  HypeTrain train = started();
  train.add(Sentiment::excited, 5, 15);  // 25 >= 20
  auto events = train.tick(100);
  ASSERT_EQ(kinds(events), std::vector<Kind>{Kind::leveled});
  EXPECT_EQ(events[0].level, 2);
  EXPECT_EQ(events[0].previous_level, 1);
  EXPECT_DOUBLE_EQ(train.state().score, 22.0);  // 25 - 0.1 * 30
  events = train.tick(100);                     // 19 < 20
  ASSERT_EQ(kinds(events), std::vector<Kind>{Kind::deescalated});
  EXPECT_EQ(events[0].level, 1);
  EXPECT_EQ(events[0].peak_level, 2);
  // Unfed, it decays by 2 per tick from 19 and ends at 0.
  int ticks = 0;
  const HypeEvent* done = nullptr;
  std::vector<HypeEvent> last;
  while (!done && ticks < 20) {
    last = train.tick(100);
    done = find(last, Kind::completed);
    ++ticks;
  }
  ASSERT_TRUE(done);
  EXPECT_EQ(ticks, 10);
  EXPECT_EQ(done->reason, HypeEnd::decayed);
  EXPECT_EQ(done->peak_level, 2);
  EXPECT_EQ(done->duration_ticks, 12u);
  EXPECT_FALSE(train.active());
}

TEST(HypeTrain, MilestonesFromLevelThree) {
  HypeTrain train = started();
  train.add(Sentiment::excited, 10, 100);  // 110: levels 2, 3 and 4 at once
  auto events = train.tick(100);
  ASSERT_EQ(kinds(events),
            (std::vector<Kind>{Kind::leveled, Kind::leveled, Kind::milestone, Kind::leveled, Kind::milestone}));
  EXPECT_EQ(events[2].milestone, HypeMilestoneKind::notable_moment);
  EXPECT_EQ(events[4].milestone, HypeMilestoneKind::memorable_performance);
  EXPECT_EQ(events[4].level, 4);
  // Falling back and climbing again to 4 is not a new milestone.
  for (int i = 0; i < 3; ++i) train.tick(100);
  EXPECT_LT(train.state().level, 4);
  train.add(Sentiment::excited, 10, 40);
  events = train.tick(100);
  EXPECT_EQ(find(events, Kind::milestone), nullptr);
}

TEST(HypeTrain, FillingTheTopLevelCompletesTheTrain) {
  HypeTrain train = started();
  train.add(Sentiment::excited, 100, 300);
  const auto events = train.tick(100);
  const auto* legendary = &events[events.size() - 2];
  EXPECT_EQ(legendary->kind, Kind::milestone);
  EXPECT_EQ(legendary->milestone, HypeMilestoneKind::legendary_performance);
  const auto* done = find(events, Kind::completed);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->reason, HypeEnd::top_level);
  EXPECT_EQ(done->peak_level, 5);
  EXPECT_EQ(done->level, 5);
}

TEST(HypeTrain, LevelTimerEndsATrainThatStopsClimbing) {
  HypeTrain train = started();
  // Fed exactly its decay: stays at level 1 until the 60-tick level timer runs out.
  std::optional<HypeEvent> done;
  int ticks = 0;
  while (!done && ticks < 200) {
    train.add(Sentiment::excited, 2, 2);
    const auto events = train.tick(100);
    ++ticks;
    if (const auto* e = find(events, Kind::completed)) done = *e;
  }
  ASSERT_TRUE(done);
  EXPECT_EQ(done->reason, HypeEnd::level_timer);
  EXPECT_EQ(ticks, 60);
}

TEST(HypeTrain, LevelUpRestartsTheTimerUpToTheHardCap) {
  HypeTrain train = started();
  for (int i = 0; i < 30; ++i) {
    train.add(Sentiment::excited, 2, 2);
    train.tick(100);
  }
  train.add(Sentiment::excited, 10, 15);  // level 2 one tick later: the timer restarts at 60
  EXPECT_EQ(find(train.tick(100), Kind::leveled)->level, 2);
  EXPECT_EQ(train.status().ticks_remaining, 60u);
  int ticks = 31;
  std::vector<HypeEvent> events;
  while (ticks < 200) {
    train.add(Sentiment::excited, 3, 3);  // level 2 decays by 3
    events = train.tick(100);
    ++ticks;
    if (find(events, Kind::completed)) break;
  }
  EXPECT_EQ(find(events, Kind::completed)->reason, HypeEnd::level_timer);
  EXPECT_EQ(ticks, 91);

  // The hard cap wins over the level timer.
  auto p = params();
  p.max_duration_ticks = 10;
  HypeTrain capped(p);
  capped.add(Sentiment::excited, 10, 10);
  capped.tick(100);
  ticks = 0;
  while (ticks < 50) {
    capped.add(Sentiment::excited, 2, 2);
    events = capped.tick(100);
    ++ticks;
    if (find(events, Kind::completed)) break;
  }
  EXPECT_EQ(find(events, Kind::completed)->reason, HypeEnd::max_duration);
  EXPECT_EQ(ticks, 10);
}

TEST(HypeTrain, CooldownAfterATrain) {
  HypeTrain train = started();
  ASSERT_FALSE(train.end().empty());
  EXPECT_EQ(train.status().cooldown_remaining, 60u);
  for (int i = 0; i < 59; ++i) {
    train.add(Sentiment::excited, 20, 20);
    ASSERT_EQ(find(train.tick(100), Kind::started), nullptr) << i;
  }
  train.add(Sentiment::excited, 20, 20);
  const auto events = train.tick(100);
  ASSERT_TRUE(find(events, Kind::started));
  EXPECT_EQ(find(events, Kind::started)->train, 2u);
}

TEST(HypeTrain, SessionEndCompletesARunningTrain) {
  HypeTrain idle(params());
  EXPECT_TRUE(idle.end().empty());
  HypeTrain train = started();
  const auto events = train.end();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::completed);
  EXPECT_EQ(events[0].reason, HypeEnd::session_end);
}

TEST(HypeTrain, LargeAudiencesNeedMore) {
  HypeTrain train(params());
  train.add(Sentiment::excited, 10, 10);
  train.tick(1000);  // 1000 * 0.05 = 50 > 20
  EXPECT_DOUBLE_EQ(train.level_threshold(1), 50.0);
  EXPECT_DOUBLE_EQ(train.status().level_threshold, 50.0);
  EXPECT_DOUBLE_EQ(train.status().fraction, 0.2);
}

TEST(HypeTrain, DisabledNeverStarts) {
  auto p = params();
  p.enabled = false;
  HypeTrain train(p);
  train.add(Sentiment::excited, 100, 100);
  EXPECT_TRUE(train.tick(100).empty());
}

TEST(HypeTrain, SimulatedReactionsFeedIt) {
  HypeTrain train(params());
  SentimentCounts reactions{};
  reactions[std::size_t(Sentiment::excited)] = 6;
  train.add_reactions(reactions);
  train.tick(100);
  train.add_reactions(reactions);
  const auto events = train.tick(100);
  ASSERT_TRUE(find(events, Kind::started));
  EXPECT_DOUBLE_EQ(train.state().score, 12.0);
}

TEST(HypeTrain, StateRoundTrips) {
  HypeTrain train = started();
  train.add(Sentiment::excited, 10, 30);
  train.tick(100);
  HypeTrain copy(train.params(), train.state());
  for (int i = 0; i < 5; ++i) {
    train.add(Sentiment::amused, 1, 3);
    copy.add(Sentiment::amused, 1, 3);
    EXPECT_EQ(kinds(train.tick(100)), kinds(copy.tick(100)));
  }
  EXPECT_EQ(train.state().score, copy.state().score);
}

}  // namespace
}  // namespace onair::showtime
