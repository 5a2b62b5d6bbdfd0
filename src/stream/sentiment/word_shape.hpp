#pragma once
// Internal: the shape of a token, for the classifier's tries after the whole
// token (docs/sentiment.md, "Signals"): byte classes, the repeated-unit and
// elongation tests, and the one test that tells whether any try may apply. In
// SWAR, so that the common answer ("no") costs a few operations per 8 bytes
// instead of a byte loop whose exit mispredicts per word. The tests read their
// input up to 16 bytes past its end (the classifier's padded buffers).
#include <array>
#include <cstddef>
#include <cstdint>

#include "stream/sentiment/hash.hpp"
#include "stream/sentiment/swar.hpp"

namespace onair::stream::sentiment::detail {

// Byte classes for the per-byte edge checks (punctuation strip, digits): one
// table load per byte instead of a chain of range compares.
namespace byte_class {
inline constexpr std::uint8_t digit = 1u << 0;  // 0-9
inline constexpr std::uint8_t word = 1u << 1;   // letters, digits, '\'' and bytes >= 0x80 (kept by the strip step)
}  // namespace byte_class

inline constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t k = 0;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '\'' || c >= 0x80) k |= byte_class::word;
    if (c >= '0' && c <= '9') k |= byte_class::digit | byte_class::word;
    t[std::size_t(c)] = k;
  }
  return t;
}();

inline std::uint8_t class_of(char c) noexcept { return kByteClass[static_cast<unsigned char>(c)]; }
inline bool is_word_byte(char c) noexcept { return (class_of(c) & byte_class::word) != 0; }

// The smallest period p in [2, n/2] of w[0..n): w[i] == w[i - p] for every i in
// [p, n) ("LULLULLUL" -> 3, "hahaha" -> 2); 0 when there is none. A period p
// needs w[p] == w[0], so only the lanes holding w[0] again are verified.
inline std::size_t smallest_period(const char* w, std::size_t n) noexcept {
  const std::size_t last = n / 2;  // the largest period tried
  for (std::size_t k = 0; k <= last; k += 8) {
    std::uint64_t m = swar::eq(swar::load64(w + k), static_cast<std::uint8_t>(w[0]));
    if (k == 0) m &= ~0xFFFFull;           // p >= 2: lanes 0 and 1 are no periods
    m &= swar::first_bytes(last - k + 1);  // p <= n / 2
    while (m != 0) {
      const std::size_t p = k + std::size_t(swar::first_lane(m));
      if (swar::equal_padded(w + p, w, n - p)) return p;
      m &= m - 1;
    }
  }
  return 0;
}

// Whether three equal bytes follow each other somewhere in w[0..n) ("goooood", "yesss").
inline bool has_triple(const char* w, std::size_t n) noexcept {
  std::uint64_t found = 0;
  for (std::size_t k = 0; k + 2 < n; k += 8) {
    // Lane j: bytes k + j, k + j + 1, k + j + 2.
    const std::uint64_t a = swar::load64(w + k), b = swar::load64(w + k + 1), c = swar::load64(w + k + 2);
    found |= swar::zero_lanes((a ^ b) | (b ^ c)) & swar::first_bytes(n - 2 - k);
  }
  return found != 0;
}

// Per token length up to 16, the lanes of the probe's two words that the shape
// test below reads: period candidates (bytes 2 .. len / 2, within the first
// word) and the starts of three bytes in a row (in each word).
struct ShapeLanes {
  std::uint64_t period, triple0, triple1;
};
inline constexpr auto kShapeLanes = [] {
  std::array<ShapeLanes, 17> t{};
  auto lanes = [](std::size_t from, std::size_t to) {  // bytes [from, to) of a word
    std::uint64_t m = 0;
    for (std::size_t k = from; k < to && k < 8; ++k) m |= 0xFFull << (8 * k);
    return m;
  };
  for (std::size_t len = 0; len <= 16; ++len) {
    t[len].period = len >= 4 ? lanes(2, len / 2 + 1) : 0;
    t[len].triple0 = len >= 3 ? lanes(0, len - 2) : 0;
    t[len].triple1 = len >= 11 ? lanes(0, len - 10) : 0;
  }
  return t;
}();

// Whether any try after the whole token may match: the token starts or ends
// with punctuation (2), ends in a digit (a cheer), has a byte equal to its first
// early enough to repeat (3: a period p needs w[p] == w[0], p <= len / 2) or three
// equal bytes in a row (4). False for most words. Reads the probe's words (the
// folded bytes, zero past the token) and no memory but the last byte and two
// small tables; a token over 16 bytes (rare) is always tried.
inline bool may_need_tries(const Probe& p) noexcept {
  if (p.len > 16) return true;
  const std::uint64_t w0 = p.first, w1 = p.second;
  const auto first = static_cast<unsigned char>(w0);
  const char last = p.folded[p.len - 1];
  const bool edges = !is_word_byte(char(first)) | !is_word_byte(last) | ((class_of(last) & byte_class::digit) != 0);
  const ShapeLanes& lanes = kShapeLanes[p.len];
  const std::uint64_t again = swar::eq(w0, first) & lanes.period;
  const bool repeats = (again != 0) | (p.len >= 16);
  // Lane j of each word: bytes j, j + 1, j + 2 of that word (the next word's bytes shifted in).
  const std::uint64_t y0 = (w0 >> 8) | (w1 << 56), z0 = (w0 >> 16) | (w1 << 48);
  std::uint64_t triples = swar::zero_lanes((w0 ^ y0) | (y0 ^ z0)) & lanes.triple0;
  if (p.len > 10) {
    const std::uint64_t y1 = w1 >> 8, z1 = w1 >> 16;
    triples |= swar::zero_lanes((w1 ^ y1) | (y1 ^ z1)) & lanes.triple1;
  }
  return edges | repeats | (triples != 0);
}

}  // namespace onair::stream::sentiment::detail
