#include "showtime/engine/types.hpp"

#include <cctype>

namespace onair::showtime {

namespace {
constexpr std::array<std::string_view, kSentimentCount> kSentimentNames = {
    "excited", "supportive", "critical", "curious", "surprised", "amused", "bored", "hostile"};
}  // namespace

std::string_view to_string(Sentiment s) noexcept { return kSentimentNames[static_cast<std::size_t>(s) & 7u]; }

std::optional<Sentiment> parse_sentiment(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kSentimentNames.size(); ++i) {
    const auto expected = kSentimentNames[i];
    if (name.size() != expected.size()) continue;
    bool same = true;
    for (std::size_t c = 0; c < name.size() && same; ++c) {
      same = std::tolower(static_cast<unsigned char>(name[c])) == expected[c];
    }
    if (same) return static_cast<Sentiment>(i);
  }
  return std::nullopt;
}

}  // namespace onair::showtime
