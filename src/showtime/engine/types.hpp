#pragma once
// Vocabulary of the audience engine: ids, the sentiment categories of seed 000
// (SentimentPulse), member flags and the fixed-point engagement unit.
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace onair::showtime {

using MemberId = std::uint64_t;      // 0 is never a member
using PersonalityId = std::uint8_t;  // interned by PersonalityTable (<= 256 per game service)
using TagId = std::uint8_t;          // interned by TagVocabulary (<= 64 per game service)
using TagMask = std::uint64_t;       // bit t set = tag t
using Engagement = std::uint16_t;    // 0 .. kEngagementOne  <->  0.0 .. 1.0

inline constexpr std::size_t kMaxTags = 64;
inline constexpr std::size_t kMaxPersonalities = 256;
inline constexpr std::uint32_t kEngagementOne = 65535;

// SentimentCategory of the stream service's pulses (seed 000); the order is the
// wire order and fits the 3 bits a member keeps for its bias.
enum class Sentiment : std::uint8_t { excited, supportive, critical, curious, surprised, amused, bored, hostile };
inline constexpr std::size_t kSentimentCount = 8;
std::string_view to_string(Sentiment s) noexcept;
std::optional<Sentiment> parse_sentiment(std::string_view name) noexcept;  // "Excited" or "excited"
constexpr std::uint8_t sentiment_bit(Sentiment s) noexcept { return std::uint8_t(1u << static_cast<unsigned>(s)); }
using SentimentCounts = std::array<std::uint32_t, kSentimentCount>;

// Per-member flag byte. Bits 3..5 hold the member's sentiment bias.
namespace member_flag {
inline constexpr std::uint8_t real_derived = 1u << 0;  // came from a real sentiment pulse (admin-only visibility)
inline constexpr std::uint8_t candidate = 1u << 1;     // currently meets the follower thresholds
inline constexpr std::uint8_t follower = 1u << 2;      // already follows this streamer
inline constexpr unsigned bias_shift = 3;
inline constexpr std::uint8_t bias_mask = 7u << bias_shift;
}  // namespace member_flag

constexpr Sentiment bias_of(std::uint8_t flags) noexcept {
  return static_cast<Sentiment>((flags & member_flag::bias_mask) >> member_flag::bias_shift);
}
constexpr std::uint8_t with_bias(std::uint8_t flags, Sentiment s) noexcept {
  return std::uint8_t((flags & ~member_flag::bias_mask) | (static_cast<unsigned>(s) << member_flag::bias_shift));
}

// 0..1 -> engagement units (clamped, rounded). One multiplication: no
// platform can contract it into something else, so conversions replay too.
inline Engagement to_engagement(double v) noexcept {
  if (!(v > 0.0)) return 0;
  if (v >= 1.0) return Engagement(kEngagementOne);
  return static_cast<Engagement>(std::lround(v * double(kEngagementOne)));
}
constexpr double from_engagement(std::uint32_t e) noexcept { return double(e) / double(kEngagementOne); }

}  // namespace onair::showtime
