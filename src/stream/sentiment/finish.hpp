#pragma once
// Internal: the end of a message's scan, its votes and the message's signals
// (docs/sentiment.md, "Signals") -> the Sentiment. Inline in classify(): once
// per message, and a call's spills and reloads were a tenth of its cost.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "stream/sentiment/events.hpp"
#include "stream/sentiment/scan.hpp"

namespace onair::stream::sentiment::detail {

namespace signal {

// Weights of the non-lexical signals.
inline constexpr float kQuestionVote = 0.30f;      // '?' -> Curious, +0.05 per further '?' (3 at most)
inline constexpr float kQuestionBangVote = 0.40f;  // '?' and '!' -> Surprised
inline constexpr float kBangVote = 0.30f;          // '!' with no other evidence -> Excited
inline constexpr float kShoutVote = 0.35f;         // >= 70% capitals with no other evidence -> Excited
inline constexpr float kShoutBonus = 0.15f;        // times the capitals ratio, when shouting
inline constexpr float kBangBonus = 0.04f;         // per '!', 5 at most
inline constexpr float kQuestionBonus = 0.05f;     // per '?', 3 at most, Curious/Surprised only
inline constexpr float kElongationBonus = 0.08f;   // "nooooo", "yesss"
inline constexpr float kSpamBonus = 0.10f;         // the same token 3+ times in a row
inline constexpr float kDilution = 0.85f;          // long message (>= 12 words) with one vote for the winner
inline constexpr float kDefaultIntensity = 0.10f;  // no signal: Curious at this intensity

// The '!' and '?' bonuses by count, as finish() adds them (the same products,
// made once): index min(count, 5) and min(count, 3).
inline constexpr auto kBangBonuses = [] {
  std::array<float, 6> t{};
  for (std::size_t k = 0; k < t.size(); ++k) t[k] = kBangBonus * float(k);
  return t;
}();
inline constexpr auto kQuestionBonuses = [] {
  std::array<float, 4> t{};
  for (std::size_t k = 0; k < t.size(); ++k) t[k] = kQuestionBonus * float(k);
  return t;
}();

}  // namespace signal

inline Sentiment Scan::finish() noexcept {
  using namespace signal;
  std::array<float, kCategoryCount> sum{};
  std::array<float, kCategoryCount> rest;
  rest.fill(1.0f);
  std::uint32_t evidence = 0;
  std::uint32_t voted = 0;  // categories with a vote, one bit each
  // Without a branch per vote: a vote that does not count (weight 0 after a
  // phrase took it over) adds +0 to the sum and multiplies the rest by 1, both
  // exact. The tests are made on the weight's bits, which compilers keep free of
  // branches (float compares became branches that mispredicted): a weight counts
  // when it is > 0 (bits 1 .. those of +inf: no NaN, no -0), and floats >= +0
  // order as their bits do, so min(w, 1) is a min of the bits.
  for (std::size_t i = 0; i < votes_n_; ++i) {
    const auto c = static_cast<std::size_t>(votes_[i].category);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &votes_[i].weight, sizeof bits);
    const bool counted = bits - 1 < 0x7F800000u;
    const std::uint32_t kept = bits & (0u - std::uint32_t(counted));       // w, or +0
    const std::uint32_t capped = kept < 0x3F800000u ? kept : 0x3F800000u;  // min(w, 1)
    float w = 0.0f, w1 = 0.0f;
    std::memcpy(&w, &kept, sizeof w);
    std::memcpy(&w1, &capped, sizeof w1);
    sum[c] += w;
    rest[c] *= 1.0f - w1;
    evidence += counted;
    voted |= std::uint32_t(counted) << c;
  }
  // The votes that are not the words' (cheers, punctuation, shouting): rare
  // enough to count per category, which only long messages need (below).
  std::array<std::uint8_t, kCategoryCount> signals{};
  auto add = [&](Category c, float w) {
    const auto i = static_cast<std::size_t>(c);
    sum[i] += w;
    rest[i] *= 1.0f - std::clamp(w, 0.0f, 1.0f);
    ++signals[i];
    ++evidence;
    voted |= 1u << i;
  };
  if (bits_ > 0) {
    // All the message's cheermotes as one cheer event (Twitch sums them too).
    const Sentiment c = classify_event({EventType::cheer, bits_});
    add(c.category, c.intensity);
  }
  const bool lexical = evidence > 0;
  const std::uint32_t bangs = m_.counts.bangs, questions = m_.counts.questions;
  // Without a branch on the letter count, which chat varies unpredictably.
  const float ratio = float(capitals_) / float(std::max<std::uint32_t>(letters_, 1));
  const float caps_ratio = letters_ >= 4 ? ratio : 0.0f;
  const bool shouting = caps_ratio >= 0.7f;
  if (questions > 0 && bangs > 0) {
    add(Category::surprised, kQuestionBangVote);
  } else if (questions > 0) {
    add(Category::curious, kQuestionVote + 0.05f * float(std::min<std::uint32_t>(questions - 1, 3)));
  } else if (!lexical && bangs > 0) {
    add(Category::excited, kBangVote);
  }
  if (!lexical && shouting && questions == 0) add(Category::excited, kShoutVote);
  if (evidence == 0) return Sentiment{Category::curious, words_ > 0 ? kDefaultIntensity : 0.0f, 0, 0};

  // The first largest sum, over the categories that voted (usually one): sums
  // of counted votes are > 0, so a category without one (+0) never wins.
  std::size_t best = std::size_t(__builtin_ctz(voted));
  for (std::uint32_t others = voted & (voted - 1); others != 0; others &= others - 1) {
    const auto i = std::size_t(__builtin_ctz(others));
    if (sum[i] > sum[best]) best = i;
  }
  const auto winner = static_cast<Category>(best);
  // The bonuses are added without branches (a flag as a factor, an index
  // masked to 0): a bonus that does not apply adds +0, which leaves the sum
  // exactly as it was, and bonus * 1.0f is the bonus.
  float intensity = 1.0f - rest[best];
  intensity += kShoutBonus * caps_ratio * float(shouting);
  intensity += kBangBonuses[std::min<std::uint32_t>(bangs, 5)];
  const bool asks = winner == Category::curious || winner == Category::surprised;
  intensity += kQuestionBonuses[std::min<std::uint32_t>(questions, 3) & (0u - std::uint32_t(asks))];
  intensity += kElongationBonus * float(elongated_);
  intensity += kSpamBonus * float(max_run_ >= 3);
  if (words_ >= 12) {  // a long message with one vote for the winner is diluted
    std::uint32_t count = signals[best];
    for (std::size_t i = 0; i < votes_n_; ++i) {
      count += static_cast<std::size_t>(votes_[i].category) == best && votes_[i].weight > 0.0f;
    }
    if (count <= 1) intensity *= kDilution;
  }
  if (!(intensity >= 0.0f)) intensity = 0.0f;  // NaN-proof
  return Sentiment{winner, std::min(intensity, 1.0f), std::uint8_t(std::min<std::uint32_t>(evidence, 255)), bits_};
}

}  // namespace onair::stream::sentiment::detail
