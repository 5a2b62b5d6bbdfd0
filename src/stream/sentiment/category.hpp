#pragma once
// The 8 sentiment categories of seed 000 (SentimentCategory of a SentimentPulse)
// and the 3-way polarity the benchmark uses to compare with other analysers.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace onair::stream::sentiment {

// Wire order; the same order as onair::showtime::Sentiment.
enum class Category : std::uint8_t { excited, supportive, critical, curious, surprised, amused, bored, hostile };
inline constexpr std::size_t kCategoryCount = 8;

std::string_view to_string(Category c) noexcept;                         // "Excited", ...
std::optional<Category> parse_category(std::string_view name) noexcept;  // case-insensitive

enum class Polarity : std::int8_t { negative = -1, neutral = 0, positive = 1 };

// Excited, Supportive, Amused -> positive; Critical, Bored, Hostile -> negative;
// Curious, Surprised -> neutral (engagement without a clear valence).
constexpr Polarity polarity_of(Category c) noexcept {
  constexpr std::array<Polarity, kCategoryCount> kTable = {Polarity::positive, Polarity::positive, Polarity::negative,
                                                           Polarity::neutral,  Polarity::neutral,  Polarity::positive,
                                                           Polarity::negative, Polarity::negative};
  return kTable[static_cast<std::size_t>(c) & 7u];
}

}  // namespace onair::stream::sentiment
