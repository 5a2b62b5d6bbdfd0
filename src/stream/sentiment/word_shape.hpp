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

#include "stream/sentiment/bytes16.hpp"
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

// Per token length up to 15, the lanes the shape test below reads: period
// candidates (bytes 2 .. len / 2) and the starts of three bytes in a row.
struct alignas(16) ShapeLanes {
  std::array<char, 16> period, triple;  // 0xFF lanes: read
};
inline constexpr auto kShapeLanes = [] {
  std::array<ShapeLanes, 16> t{};
  for (std::size_t len = 0; len < 16; ++len) {
    for (std::size_t k = 0; k < 16; ++k) {
      t[len].period[k] = (len >= 4 && k >= 2 && k <= len / 2) ? char(0xFF) : 0;
      t[len].triple[k] = (k + 2 < len) ? char(0xFF) : 0;
    }
  }
  return t;
}();

// Per byte: bit 0, it is no word byte (a token starting with it may be stripped);
// bit 1, no word byte or a digit (a token ending with it may be stripped or a cheer).
inline constexpr auto kEdgeClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) {
    const std::uint8_t k = kByteClass[c];
    t[c] = std::uint8_t(((k & byte_class::word) == 0 ? 3 : 0) | ((k & byte_class::digit) != 0 ? 2 : 0));
  }
  return t;
}();

// Whether any try after the whole token may match: the token starts or ends
// with punctuation (2), ends in a digit (a cheer), repeats a unit (3) or has
// three equal bytes in a row (4). False for most words, after one test of all
// lanes of the probe's two words at once in one vector; a token of 16 bytes or
// more (rare) is always tried. A period p needs w[p] == w[0], 2 <= p <= len / 2:
// when one such byte is all there is ("every", "that's"), the period is
// verified here (a call of the tries costs far more); several are left to them.
inline bool may_need_tries(const Probe& p) noexcept {
  if (p.len >= 16) return true;
  using bytes16::Bytes;
  const auto first = static_cast<unsigned char>(p.first);
  const auto last = static_cast<unsigned char>(p.folded[p.len - 1]);
  const unsigned edges = (kEdgeClass[first] | (kEdgeClass[last] >> 1)) & 1u;
  const Bytes v = bytes16::from_words(p.first, p.second);                        // zero past the token
  const Bytes next = bytes16::shift_down(v), after = bytes16::shift_down(next);  // lane j: bytes j + 1, j + 2
  const ShapeLanes& lanes = kShapeLanes[p.len];
  const Bytes triples = (Bytes)(v == next) & (Bytes)(next == after) & bytes16::load(lanes.triple.data());
  const Bytes periods = (Bytes)(v == bytes16::splat(first)) & bytes16::load(lanes.period.data());
  if ((edges | bytes16::lane_bits(triples | periods)) == 0) return false;
  const std::uint32_t candidates = bytes16::lane_bits(periods);
  if ((edges | bytes16::lane_bits(triples)) != 0 || (candidates & (candidates - 1)) != 0) return true;
  // One candidate q: w[i] == w[i - q] for every i in [q, len), i.e. the token
  // shifted by q bytes equals its first len - q bytes.
  __extension__ using u128 = unsigned __int128;
  const unsigned q = unsigned(__builtin_ctz(candidates));
  const u128 w = u128(p.first) | (u128(p.second) << 64);
  const u128 keep = (u128(1) << (8 * (p.len - q))) - 1;  // len - q < 16 bytes
  return (((w >> (8 * q)) ^ w) & keep) == 0;
}

}  // namespace onair::stream::sentiment::detail
