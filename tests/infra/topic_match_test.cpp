#include <gtest/gtest.h>

#include "infra/message_bus.hpp"

namespace {

using onair::infra::topic_matches;

TEST(TopicMatch, ExactWords) {
  EXPECT_TRUE(topic_matches("voice.room.created", "voice.room.created"));
  EXPECT_FALSE(topic_matches("voice.room.created", "voice.room.deleted"));
  EXPECT_FALSE(topic_matches("voice.room", "voice.room.created"));
  EXPECT_FALSE(topic_matches("voice.room.created", "voice.room"));
  EXPECT_FALSE(topic_matches("voice.room", "voice.roomx"));
}

TEST(TopicMatch, StarIsExactlyOneWord) {
  EXPECT_TRUE(topic_matches("voice.*.created", "voice.room.created"));
  EXPECT_TRUE(topic_matches("*", "voice"));
  EXPECT_FALSE(topic_matches("*", "voice.room"));
  EXPECT_FALSE(topic_matches("voice.*", "voice"));
  EXPECT_FALSE(topic_matches("voice.*", "voice.room.created"));
  EXPECT_TRUE(topic_matches("*.*", "a.b"));
  EXPECT_FALSE(topic_matches("*.*", "a.b.c"));
}

TEST(TopicMatch, StarMatchesAnEmptyWordButNotNoWord) {
  EXPECT_TRUE(topic_matches("a.*.b", "a..b"));
  EXPECT_TRUE(topic_matches("a.*", "a."));
  EXPECT_TRUE(topic_matches("*.b", ".b"));
  EXPECT_FALSE(topic_matches("a.*.b", "a.b"));
  EXPECT_FALSE(topic_matches("*", ""));
}

TEST(TopicMatch, HashAloneMatchesEverything) {
  EXPECT_TRUE(topic_matches("#", ""));
  EXPECT_TRUE(topic_matches("#", "a"));
  EXPECT_TRUE(topic_matches("#", "a.b.c"));
  EXPECT_TRUE(topic_matches("#", "a..c"));
  EXPECT_TRUE(topic_matches("#.#", "a.b"));
  EXPECT_TRUE(topic_matches("#.#", ""));
}

TEST(TopicMatch, HashIsZeroOrMoreWords) {
  EXPECT_TRUE(topic_matches("voice.#", "voice"));
  EXPECT_TRUE(topic_matches("voice.#", "voice.room"));
  EXPECT_TRUE(topic_matches("voice.#", "voice.room.created"));
  EXPECT_FALSE(topic_matches("voice.#", "stream.room"));
  EXPECT_TRUE(topic_matches("#.created", "created"));
  EXPECT_TRUE(topic_matches("#.created", "voice.room.created"));
  EXPECT_FALSE(topic_matches("#.created", "voice.created.x"));
}

TEST(TopicMatch, HashInTheMiddle) {
  EXPECT_TRUE(topic_matches("a.#.b", "a.b"));
  EXPECT_TRUE(topic_matches("a.#.b", "a.x.b"));
  EXPECT_TRUE(topic_matches("a.#.b", "a.x.y.z.b"));
  EXPECT_TRUE(topic_matches("a.#.b", "a.b.b"));
  EXPECT_FALSE(topic_matches("a.#.b", "a"));
  EXPECT_FALSE(topic_matches("a.#.b", "a.x.b.c"));
  EXPECT_FALSE(topic_matches("a.#.b", "b.a.b"));
}

TEST(TopicMatch, HashAndStarTogether) {
  EXPECT_TRUE(topic_matches("#.*", "a"));
  EXPECT_FALSE(topic_matches("#.*", ""));
  EXPECT_TRUE(topic_matches("*.#", "a.b.c"));
  EXPECT_TRUE(topic_matches("a.*.#.c", "a.x.c"));
  EXPECT_TRUE(topic_matches("a.*.#.c", "a.x.y.c"));
  EXPECT_FALSE(topic_matches("a.*.#.c", "a.c"));
  EXPECT_TRUE(topic_matches("#.a.#", "x.a.y"));
  EXPECT_FALSE(topic_matches("#.a.#", "x.b.y"));
}

TEST(TopicMatch, EmptyPatternMatchesOnlyEmptyTopic) {
  EXPECT_TRUE(topic_matches("", ""));
  EXPECT_FALSE(topic_matches("", "a"));
  EXPECT_FALSE(topic_matches("a", ""));
}

TEST(TopicMatch, SymbolsInsideWordsAreLiteral) {
  EXPECT_FALSE(topic_matches("a*", "ab"));
  EXPECT_TRUE(topic_matches("a*", "a*"));
  EXPECT_FALSE(topic_matches("a#", "a.b"));
}

}  // namespace
