// Every signal of the classifier, and hostile input.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "stream/sentiment/events.hpp"
#include "stream/sentiment_test_support.hpp"

namespace onair::stream::sentiment {
namespace {

using testing::classify;

void expect_category(std::string_view text, Category want) {
  const auto got = classify(text);
  EXPECT_EQ(to_string(got.category), to_string(want)) << "text: " << text;
}

TEST(SentimentClassifier, EmotesMapToTheirCategory) {
  expect_category("ResidentSleeper", Category::bored);
  expect_category("LUL", Category::amused);
  expect_category("KEKW", Category::amused);
  expect_category("OMEGALUL", Category::amused);
  expect_category("PogChamp", Category::excited);
  expect_category("POGGERS", Category::excited);
  expect_category("WeirdChamp", Category::critical);
  expect_category("monkaS", Category::surprised);
  expect_category("modCheck", Category::curious);
  expect_category("peepoClap", Category::supportive);
  expect_category("Madge", Category::hostile);
}

TEST(SentimentClassifier, EmotesAreCaseInsensitiveUnlessExact) {
  expect_category("kekw", Category::amused);
  EXPECT_EQ(classify("Aware").category, Category::amused);
  EXPECT_EQ(classify("Aware").evidence, 1);
  EXPECT_EQ(classify("aware").evidence, 0);  // the word, not the emote
}

TEST(SentimentClassifier, WordsAndPhrases) {
  expect_category("this is so boring", Category::bored);
  expect_category("what happened", Category::curious);
  expect_category("trash", Category::critical);
  expect_category("trash streamer", Category::hostile);  // the phrase replaces its words' votes
  expect_category("no way", Category::surprised);
  expect_category("lets gooo", Category::excited);
}

TEST(SentimentClassifier, NegationFlipsPolarity) {
  expect_category("funny", Category::amused);
  expect_category("not funny at all", Category::critical);
  expect_category("not boring", Category::supportive);
  expect_category("didn't expect that", Category::surprised);  // the negator belongs to the phrase
}

TEST(SentimentClassifier, EmojiAndEmoticons) {
  expect_category("😂", Category::amused);
  expect_category("😴", Category::bored);
  expect_category("🤯", Category::surprised);
  expect_category("❤️", Category::supportive);      // with the presentation selector
  expect_category("gg👍🏽", Category::supportive);  // glued, skin tone
  expect_category(":)", Category::supportive);
  expect_category(":(", Category::critical);
  expect_category("xD", Category::amused);
  expect_category("XD", Category::amused);
  expect_category("<3", Category::supportive);
  expect_category("D:", Category::surprised);
}

TEST(SentimentClassifier, RepetitionRaisesIntensity) {
  const float one = classify("LUL").intensity;
  EXPECT_GT(classify("LUL LUL LUL").intensity, one);
  EXPECT_GT(classify("LULLULLUL").intensity, one);
  expect_category("LULLULLUL", Category::amused);
  expect_category("KEKWKEKWKEKW", Category::amused);
  expect_category("hahahaha", Category::amused);
  EXPECT_GT(classify("hahahaha").intensity, classify("haha").intensity);
  EXPECT_GT(classify("😂😂😂😂").intensity, classify("😂").intensity);
  expect_category("noooooo", Category::surprised);  // elongation
  EXPECT_GT(classify("boooooring").intensity, 0.0f);
  expect_category("boooooring", Category::bored);
}

TEST(SentimentClassifier, CapsAndPunctuationRaiseIntensity) {
  EXPECT_GT(classify("THIS IS AMAZING").intensity, classify("this is amazing").intensity);
  EXPECT_GT(classify("amazing!!!").intensity, classify("amazing").intensity);
  EXPECT_GT(classify("what happened???").intensity, classify("what happened").intensity);
  // Emotes' own capitals are not shouting.
  EXPECT_FLOAT_EQ(classify("OMEGALUL").intensity, classify("omegalul").intensity);
}

TEST(SentimentClassifier, PunctuationAloneIsASignal) {
  expect_category("is he using a controller?", Category::curious);
  expect_category("he's alive?!", Category::surprised);
  expect_category("!!!!", Category::excited);
  expect_category("THE BOSS IS DOWN", Category::excited);
}

TEST(SentimentClassifier, NoSignalIsLowCuriousAndEmptyIsZero) {
  const auto neutral = classify("i just got home from work");
  EXPECT_EQ(neutral.category, Category::curious);
  EXPECT_EQ(neutral.evidence, 0);
  EXPECT_LE(neutral.intensity, 0.2f);
  for (std::string_view s : {"", " ", "\t\n  \r", "\xc2\xa0\xe3\x80\x80"}) {
    const auto r = classify(s);
    EXPECT_EQ(r.evidence, 0);
    EXPECT_EQ(r.intensity, 0.0f);
  }
}

TEST(SentimentClassifier, LongMessagesDiluteASingleSignal) {
  const std::string long_text =
      "so i was thinking about the route and maybe we could try the left path after the boss lol";
  EXPECT_LT(classify(long_text).intensity, classify("lol").intensity);
}

TEST(SentimentClassifier, CheermotesAreCheersScaledByTheirBits) {
  const auto small = classify("Cheer50");
  EXPECT_EQ(small.category, Category::supportive);  // below 100 bits, as the cheer event
  EXPECT_EQ(small.bits, 50u);
  EXPECT_EQ(small.evidence, 1);
  const auto big = classify("BibleThump5000");
  EXPECT_EQ(big.category, Category::excited);
  EXPECT_EQ(big.bits, 5000u);
  EXPECT_GT(big.intensity, classify("cheer100").intensity);  // case-insensitive, more bits -> more intense
  EXPECT_GT(classify("cheer100").intensity, small.intensity);
  // All cheermotes of a message add up, punctuation around one is fine.
  EXPECT_EQ(classify("Cheer100 Kappa100, 4Head1 great stream").bits, 201u);
  EXPECT_FLOAT_EQ(classify("Cheer1000").intensity, classify_event({EventType::cheer, 1000}).intensity);
  // Not cheers: unknown prefix, no digits, leading zero, digits glued to a word, too many digits.
  EXPECT_EQ(classify("Cheerio100").bits, 0u);
  EXPECT_EQ(classify("Cheer").bits, 0u);
  EXPECT_EQ(classify("Cheer0100").bits, 0u);
  EXPECT_EQ(classify("Cheer100x").bits, 0u);
  EXPECT_EQ(classify("Cheer1234567890").bits, 0u);
  EXPECT_EQ(classify("100").bits, 0u);
  // "Cheer1000" is no elongation, and a cheermote's own capitals are no shouting.
  EXPECT_FLOAT_EQ(classify("Cheer1000").intensity, classify("cheer1000").intensity);
  EXPECT_EQ(classify("KAPPA100").category, Category::excited);
  // Other signals still count beside the cheer.
  EXPECT_EQ(classify("Cheer10 KEKW KEKW LUL").category, Category::amused);
  // Saturates instead of overflowing.
  EXPECT_EQ(classify("Cheer999999999 Cheer999999999 Cheer999999999 Cheer999999999 Cheer999999999").bits, 4294967295u);
}

TEST(SentimentClassifier, TokensAtEveryLengthAndOffsetMatchTheLexicon) {
  // The scanner reads 8 bytes at a time: entries must match whatever their
  // position and length, with any padding around them.
  for (int pad = 0; pad < 17; ++pad) {
    const std::string spaces(std::size_t(pad), ' ');
    expect_category(spaces + "KEKW", Category::amused);
    expect_category(spaces + "ResidentSleeper" + spaces, Category::bored);
    expect_category(spaces + "a b c d e f g h LUL", Category::amused);
    expect_category(spaces + "lets goooooo", Category::excited);
  }
}

TEST(SentimentClassifier, HostileInputIsSafe) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 2000; ++round) {
    std::string s(static_cast<std::size_t>(byte(rng) % 80), '\0');
    for (auto& c : s) c = static_cast<char>(byte(rng));
    const auto r = classify(s);
    EXPECT_GE(r.intensity, 0.0f);
    EXPECT_LE(r.intensity, 1.0f);
  }
  // Truncated and invalid UTF-8, overlong encodings, surrogates, lone continuation bytes.
  for (std::string_view s :
       {"\xf0\x9f\x98", "\xf0\x9f", "\xc0\xaf", "\xed\xa0\x80", "\x80\x80 LUL", "\xff\xfe", "LUL\xf0\x9f\x98"}) {
    const auto r = classify(s);
    EXPECT_GE(r.intensity, 0.0f);
    EXPECT_LE(r.intensity, 1.0f);
  }
  EXPECT_EQ(classify("\x80\x80 LUL").category, Category::amused);
  std::string nul("LUL\0LUL", 7);
  EXPECT_LE(classify(nul).intensity, 1.0f);
}

TEST(SentimentClassifier, VeryLongInputIsBoundedAndSaturates) {
  std::string spam;
  for (int i = 0; i < 100000; ++i) spam += "KEKW ";
  const auto r = classify(spam);
  EXPECT_EQ(r.category, Category::amused);
  EXPECT_LE(r.intensity, 1.0f);
  EXPECT_GT(r.intensity, 0.9f);
  const std::string one_token(100000, 'A');
  EXPECT_LE(classify(one_token).intensity, 1.0f);
  std::string emoji;
  for (int i = 0; i < 5000; ++i) emoji += "😂";
  EXPECT_LE(classify(emoji).intensity, 1.0f);
}

TEST(SentimentClassifier, IntensityAlwaysInRangeOverMixedCorpus) {
  const char* parts[] = {"LUL",      "WHAT",     "!!!",    "???",  "not",   "so",  "very", "😂",
                         "trash",    "streamer", "lets",   "go",   "NOOOO", "zzz", "<3",   "hmm",
                         "KEKWKEKW", "fucking",  "insane", "🤬", "\xf0",  "a"};
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const int n = 1 + int(rng() % 30);
    for (int i = 0; i < n; ++i) (s += parts[rng() % std::size(parts)]) += (rng() % 4 == 0 ? "" : " ");
    const auto r = classify(s);
    ASSERT_GE(r.intensity, 0.0f) << s;
    ASSERT_LE(r.intensity, 1.0f) << s;
  }
}

}  // namespace
}  // namespace onair::stream::sentiment
