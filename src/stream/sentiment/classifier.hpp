#pragma once
// Chat text -> one of the 8 categories with an intensity in [0, 1]. Pure and
// allocation-free: one pass over the bytes (ASCII fast path, UTF-8 for emoji),
// lookups in the flat lexicon table, a fixed-size vote buffer on the stack.
// Signals and their weights: docs/sentiment.md.
#include <cstdint>
#include <string_view>

#include "stream/sentiment/category.hpp"
#include "stream/sentiment/lexicon.hpp"

namespace onair::stream::sentiment {

struct Sentiment {
  Category category = Category::curious;
  float intensity = 0.0f;     // 0..1
  std::uint8_t evidence = 0;  // signals that voted (0: no signal, the low-intensity Curious default)
  std::uint32_t bits = 0;     // bits cheered in the text ("Cheer100 BibleThump50" -> 150), 0 if none
};

// Only this many bytes of a message are read (Twitch caps chat at 500 characters).
inline constexpr std::size_t kMaxMessageBytes = 2048;

class Classifier {
 public:
  explicit Classifier(Lexicon lexicon) noexcept : lexicon_(std::move(lexicon)) {}

  Sentiment classify(std::string_view text) const noexcept;

  const Lexicon& lexicon() const noexcept { return lexicon_; }

 private:
  Lexicon lexicon_;
};

}  // namespace onair::stream::sentiment
