// Pins the classifier's outputs, so that a speedup cannot change a result
// unnoticed: a checksum over category, evidence, bits and intensity (to 1e-6)
// of every line of data/sentiment/dev_set.tsv and of 20,000 generated messages
// (sentiment_pinned_corpus.hpp). The expected values were computed with the
// classifier as it was before the speedups (docs/sentiment.md, "Benchmark");
// the speedups kept every result bit-identical.
//
// A deliberate change of the classifier or of the built-in lexicon changes them:
// show that tools/sentiment/evaluate does not get worse, then update the values
// (the failure message prints the new ones).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "stream/sentiment/evaluation.hpp"
#include "stream/sentiment_pinned_corpus.hpp"
#include "stream/sentiment_test_support.hpp"

namespace onair::stream::sentiment {
namespace {

constexpr std::uint64_t kDevSetChecksum = 0xc6965753b752154aull;
constexpr std::uint64_t kMutationsChecksum = 0x5ec293ca0303ae97ull;

std::vector<std::string> dev_texts() {
  std::vector<std::string> texts;
  for (auto& l : read_dev_set(std::string(ONAIR_SENTIMENT_DATA_DIR) + "/dev_set.tsv")) texts.push_back(l.text);
  return texts;
}

std::uint64_t checksum_of(const std::vector<std::string>& texts) {
  return pinned::checksum(texts, [](std::string_view t) { return testing::classify(t); });
}

TEST(SentimentPinned, DevSetResultsAreUnchanged) {
  const auto texts = dev_texts();
  ASSERT_EQ(texts.size(), 636u);
  const std::uint64_t got = checksum_of(texts);
  EXPECT_EQ(got, kDevSetChecksum) << "classifier results on the dev set changed; new checksum 0x" << std::hex << got;
}

TEST(SentimentPinned, GeneratedMessagesResultsAreUnchanged) {
  const auto messages = pinned::mutations(dev_texts(), 20000, 20240501);
  const std::uint64_t got = checksum_of(messages);
  EXPECT_EQ(got, kMutationsChecksum) << "classifier results on the generated messages changed; new checksum 0x"
                                     << std::hex << got;
}

TEST(SentimentPinned, TheChecksumSeesEveryField) {
  // The pin is only as good as the checksum: each field of one result moves it.
  const std::vector<std::string> one = {"KEKW"};
  const Sentiment base = testing::classify("KEKW");
  const std::uint64_t reference = pinned::checksum(one, [&](std::string_view) { return base; });
  auto with = [&](auto change) {
    Sentiment r = base;
    change(r);
    return pinned::checksum(one, [&](std::string_view) { return r; });
  };
  EXPECT_NE(with([](Sentiment& r) { r.category = Category::bored; }), reference);
  EXPECT_NE(with([](Sentiment& r) { r.evidence += 1; }), reference);
  EXPECT_NE(with([](Sentiment& r) { r.bits += 1; }), reference);
  EXPECT_NE(with([](Sentiment& r) { r.intensity += 1e-5f; }), reference);
}

}  // namespace
}  // namespace onair::stream::sentiment
