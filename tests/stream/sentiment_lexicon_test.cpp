// Lexicon files: parse errors name file:line, later entries override earlier
// ones, operators' directories extend the built-in lexicon.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "stream/sentiment/classifier.hpp"
#include "stream/sentiment/lexicon_loader.hpp"

namespace onair::stream::sentiment {
namespace {

std::string parse_error(std::string_view text) {
  std::vector<LexiconEntry> out;
  try {
    parse_lexicon(text, "extra.tsv", out);
  } catch (const LexiconError& e) {
    return e.what();
  }
  return "";
}

TEST(SentimentLexicon, BadLinesNameFileAndLine) {
  EXPECT_EQ(parse_error("# comment\n\nLUL\tAmused\t0.5\nPog\tHappy\t0.5\n"),
            "extra.tsv:4: unknown category 'Happy' (expected one of the 8 categories, negate, boost, cheermote or "
            "remove)");
  EXPECT_EQ(parse_error("Cheer\tcheermote\t0.5\n"), "extra.tsv:1: a cheermote takes no weight or flag");
  EXPECT_EQ(parse_error("LUL\tAmused\t1.5\n"), "extra.tsv:1: weight '1.5' is not a number in [0, 1]");
  EXPECT_EQ(parse_error("LUL\tAmused\tlots\n"), "extra.tsv:1: weight 'lots' is not a number in [0, 1]");
  EXPECT_EQ(parse_error("LUL Amused 0.5\n"),
            "extra.tsv:1: expected token<TAB>category<TAB>weight[<TAB>exact], got 1 column(s)");
  EXPECT_EQ(parse_error("\tAmused\t0.5\n"), "extra.tsv:1: empty token");
  EXPECT_EQ(parse_error("LUL\tAmused\n"), "extra.tsv:1: missing weight");
  EXPECT_EQ(parse_error("LUL\tAmused\t0.5\tloud\n"), "extra.tsv:1: unknown flag 'loud' (expected exact)");
  EXPECT_EQ(parse_error("so  bad\tCritical\t0.5\n"),
            "extra.tsv:1: token 'so  bad': phrases take single spaces between words");
  EXPECT_EQ(parse_error("LUL\tAmused\t0.5\r\nKEKW\tAmused\t0.6\r\n"), "");  // CRLF files are fine
}

TEST(SentimentLexicon, LaterEntriesOverrideAndRemoveDeletes) {
  std::vector<LexiconEntry> entries;
  parse_lexicon("LUL\tAmused\t0.6\nwow\tSurprised\t0.5\n", "a.tsv", entries);
  parse_lexicon("lul\tBored\t0.3\nwow\tremove\n", "b.tsv", entries);
  const Classifier c(Lexicon::build(entries));
  EXPECT_EQ(c.classify("LUL").category, Category::bored);  // folded keys: "lul" overrides "LUL"
  EXPECT_FLOAT_EQ(c.classify("LUL").intensity, 0.3f);
  EXPECT_EQ(c.classify("wow").evidence, 0);
  EXPECT_EQ(c.lexicon().entry_count(), 1u);
}

TEST(SentimentLexicon, CheermotesAreTheirOwnKeysAndCanBeRemoved) {
  std::vector<LexiconEntry> entries;
  parse_lexicon("Kappa\tAmused\t0.4\nKappa\tcheermote\nmyCheer\tcheermote\n", "a.tsv", entries);
  parse_lexicon("Kappa\tremove\tcheermote\n", "b.tsv", entries);
  const Classifier c(Lexicon::build(entries));
  EXPECT_EQ(c.lexicon().cheermote_count(), 1u);
  EXPECT_EQ(c.classify("Kappa").category, Category::amused);  // the emote stays
  EXPECT_EQ(c.classify("Kappa100").bits, 0u);
  EXPECT_EQ(c.classify("MYCHEER250").bits, 250u);
}

TEST(SentimentLexicon, ExactEntriesWinOverFoldedOnes) {
  std::vector<LexiconEntry> entries;
  parse_lexicon("what\tCurious\t0.2\nWHAT\tSurprised\t0.6\texact\n", "a.tsv", entries);
  const Classifier c(Lexicon::build(entries));
  EXPECT_EQ(c.classify("WHAT").category, Category::surprised);
  EXPECT_EQ(c.classify("what").category, Category::curious);
  EXPECT_EQ(c.classify("What").category, Category::curious);
}

TEST(SentimentLexicon, OperatorDirectoryExtendsAndOverridesTheBuiltIns) {
  const auto dir = std::filesystem::temp_directory_path() / "onair_sentiment_lexicon_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "10_channel.tsv") << "myChannelHype\tExcited\t0.9\nLUL\tBored\t0.2\n";
  std::ofstream(dir / "20_later.tsv") << "LUL\tHostile\t0.4\n";
  std::ofstream(dir / "notes.txt") << "not a lexicon file\n";
  const std::filesystem::path extra[] = {dir};
  const Classifier c(load_lexicon(ONAIR_SENTIMENT_DATA_DIR, extra));
  EXPECT_EQ(c.classify("myChannelHype").category, Category::excited);
  EXPECT_EQ(c.classify("LUL").category, Category::hostile);  // 20_later.tsv is read after 10_channel.tsv
  EXPECT_EQ(c.classify("KEKW").category, Category::amused);  // the built-ins stay

  std::ofstream(dir / "30_bad.tsv") << "ok\tBored\t0.1\nbroken line\n";
  try {
    (void)load_lexicon(ONAIR_SENTIMENT_DATA_DIR, extra);
    FAIL() << "expected LexiconError";
  } catch (const LexiconError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "30_bad.tsv").string() +
                                         ":2: expected token<TAB>category<TAB>weight"
                                         "[<TAB>exact], got 1 column(s)");
  }
  std::filesystem::remove_all(dir);
}

TEST(SentimentLexicon, MissingFilesAndDirectoriesAreErrors) {
  EXPECT_THROW((void)load_lexicon("/nonexistent/onair/lexicon"), LexiconError);
  const std::filesystem::path extra[] = {"/nonexistent/onair/extra"};
  EXPECT_THROW((void)load_lexicon(ONAIR_SENTIMENT_DATA_DIR, extra), LexiconError);
}

TEST(SentimentLexicon, BuiltInLexiconCoversTheGlobalAndThirdPartyEmotes) {
  const Classifier c(load_lexicon(ONAIR_SENTIMENT_DATA_DIR));
  for (std::string_view emote : {"Kappa",
                                 "PogChamp",
                                 "Pog",
                                 "LUL",
                                 "BibleThump",
                                 "Kreygasm",
                                 "ResidentSleeper",
                                 "NotLikeThis",
                                 "4Head",
                                 "SMOrc",
                                 "TriHard",
                                 "DansGame",
                                 "SwiftRage",
                                 "WutFace",
                                 "HeyGuys",
                                 "VoHiYo",
                                 "CoolStoryBob",
                                 "OMEGALUL",
                                 "KEKW",
                                 "monkaS",
                                 "Pepega",
                                 "PepeHands",
                                 "Sadge",
                                 "POGGERS",
                                 "PogU",
                                 "catJAM",
                                 "EZ",
                                 "Clap",
                                 "COPIUM",
                                 "Aware",
                                 "WeirdChamp",
                                 "5Head",
                                 "LULW",
                                 "widepeepoHappy",
                                 "peepoClap",
                                 "modCheck"}) {
    EXPECT_GT(c.classify(emote).evidence, 0) << emote;
  }
  EXPECT_GT(c.lexicon().entry_count(), 900u);
}

}  // namespace
}  // namespace onair::stream::sentiment
