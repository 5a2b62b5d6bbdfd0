#pragma once
// A realistic benchmark corpus derived from the dev set: each message is a dev
// line with random variations (case, elongation, emote spam, trailing
// punctuation or emoji, two lines joined), seeded so every run sees the same text.
#include <cstdint>
#include <string>
#include <vector>

namespace onair::bench {

std::vector<std::string> make_sentiment_corpus(const std::vector<std::string>& lines, std::size_t count,
                                               std::uint64_t seed);

}  // namespace onair::bench
