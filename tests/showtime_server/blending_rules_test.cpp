// How a pulse's entries act on a session (SHOWTIME.md's translation table): every entry feeds the
// hype train; hostile entries make the rest of the audience rally (supportive entries); bored ones
// raise churn; with join_pool they become real-derived members.
#include <gtest/gtest.h>

#include "showtime/engine/presets.hpp"
#include "showtime/service/live_session.hpp"

namespace onair::showtime {
namespace {

const ShowtimeEngineConfig& config() {
  static const auto c = engine_config(gs::ShowtimeConfiguration{});
  return c;
}

std::unique_ptr<LiveSession> session() {
  static const auto context = std::make_shared<const AudienceContext>(make_default_context(7, 4096, 0.02));
  SessionRecord record;
  record.id = "s";
  record.game_service_id = "g";
  record.seed = 3;
  record.target_size = 100;
  return create_live_session(std::move(record), context, {"combat"}, config());
}

gs::SentimentEntry entry(gs::SentimentCategory category, double intensity) {
  gs::SentimentEntry e;
  e.category = category;
  e.intensity = intensity;
  return e;
}

std::uint32_t pending(const LiveSession& s, Sentiment category) {
  return s.hype.state().pending_counts[static_cast<std::size_t>(category)];
}

TEST(BlendingRules, HostileChatMakesTheAudienceRally) {
  auto s = session();
  apply_sentiments(*s, {entry(gs::SentimentCategory::hostile, 0.9), entry(gs::SentimentCategory::hostile, 0.6)}, false,
                   config());
  EXPECT_EQ(pending(*s, Sentiment::hostile), 2u);
  EXPECT_EQ(pending(*s, Sentiment::supportive), 2u) << "one rally entry per hostile entry";

  auto calm = session();
  apply_sentiments(*calm, {entry(gs::SentimentCategory::curious, 0.9)}, false, config());
  EXPECT_EQ(pending(*calm, Sentiment::supportive), 0u);
}

TEST(BlendingRules, BoredRaisesChurnAndEntriesJoinAsRealDerivedMembers) {
  auto s = session();
  const auto before = s->pool.size();
  apply_sentiments(*s,
                   {entry(gs::SentimentCategory::bored, 0.5), entry(gs::SentimentCategory::bored, 0.5),
                    entry(gs::SentimentCategory::excited, 0.9), entry(gs::SentimentCategory::amused, 0.7)},
                   true, config());
  EXPECT_DOUBLE_EQ(s->churn_multiplier, 2.0);  // half the pulse bored: 1 + 2 x 0.5
  EXPECT_EQ(s->pool.size(), before + 4);
}

}  // namespace
}  // namespace onair::showtime
