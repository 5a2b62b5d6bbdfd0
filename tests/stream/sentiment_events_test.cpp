// The event table: categories, and intensity monotone in the amount, within [0, 1].
#include <gtest/gtest.h>

#include <limits>

#include "stream/sentiment/events.hpp"

namespace onair::stream::sentiment {
namespace {

TEST(SentimentEvents, Categories) {
  EXPECT_EQ(classify_event({EventType::follow, 0}).category, Category::supportive);
  EXPECT_EQ(classify_event({EventType::sub, 1}).category, Category::supportive);
  EXPECT_EQ(classify_event({EventType::resub, 12}).category, Category::supportive);
  EXPECT_EQ(classify_event({EventType::gift, 5}).category, Category::excited);
  EXPECT_EQ(classify_event({EventType::cheer, 10}).category, Category::supportive);
  EXPECT_EQ(classify_event({EventType::cheer, 1000}).category, Category::excited);
  EXPECT_EQ(classify_event({EventType::raid, 50}).category, Category::excited);
  EXPECT_EQ(classify_event({EventType::super_chat, 2000}).category, Category::excited);
}

TEST(SentimentEvents, IntensityIsMonotoneInTheAmountAndBounded) {
  for (auto type :
       {EventType::sub, EventType::resub, EventType::gift, EventType::cheer, EventType::raid, EventType::super_chat}) {
    float previous = -1.0f;
    for (std::uint32_t amount : {0u, 1u, 2u, 3u, 5u, 10u, 50u, 99u, 100u, 500u, 1000u, 10000u, 1000000u,
                                 std::numeric_limits<std::uint32_t>::max()}) {
      const float v = classify_event({type, amount}).intensity;
      EXPECT_GE(v, previous) << int(type) << " amount " << amount;
      EXPECT_GE(v, 0.0f);
      EXPECT_LE(v, 1.0f);
      previous = v;
    }
  }
  EXPECT_LT(classify_event({EventType::gift, 1}).intensity, classify_event({EventType::gift, 10}).intensity);
  EXPECT_LT(classify_event({EventType::raid, 5}).intensity, classify_event({EventType::raid, 500}).intensity);
  EXPECT_LT(classify_event({EventType::cheer, 100}).intensity, classify_event({EventType::cheer, 5000}).intensity);
  EXPECT_FLOAT_EQ(classify_event({EventType::raid, 100000}).intensity, 1.0f);  // saturates
}

}  // namespace
}  // namespace onair::stream::sentiment
