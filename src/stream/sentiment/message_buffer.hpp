#pragma once
// Internal: the classifier's padded copy of one message, made in one pass of
// 16-byte vector operations (bytes16.hpp) before any token is seen: the raw
// bytes, their ASCII-lowercased twin at the same offsets, a bit per byte marking
// word separators, and the message's letter, capital, '!' and '?' counts.
// Folding and counting the whole message at once costs a few operations per 16
// bytes with no per-token loop (a token's folded form is then a slice of `low`,
// never a copy), and the tokenizer walks the set bits instead of re-reading and
// re-testing the bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "stream/sentiment/bytes16.hpp"
#include "stream/sentiment/swar.hpp"

namespace onair::stream::sentiment::detail {

// Letters (A-Z, a-z), capitals, '!' and '?' in some bytes.
struct CharCounts {
  std::uint32_t letters = 0, capitals = 0, bangs = 0, questions = 0;
};

// Counts of one 8-byte word.
inline void add_counts(CharCounts& c, std::uint64_t v) noexcept {
  const std::uint64_t letters = swar::letters(v);
  c.letters += std::uint32_t(swar::count(letters));
  c.capitals += std::uint32_t(swar::count(swar::capitals(v, letters)));
  c.bangs += std::uint32_t(swar::count(swar::eq(v, '!')));
  c.questions += std::uint32_t(swar::count(swar::eq(v, '?')));
}

// Counts of p[0..n); p may be read up to 8 bytes past n (the lanes there are masked off).
inline CharCounts count_chars(const char* p, std::size_t n) noexcept {
  CharCounts c;
  for (std::size_t i = 0; i < n; i += 8) add_counts(c, swar::load64(p + i) & swar::first_bytes(n - i));
  return c;
}

// The last k bytes (k <= 7, k <= n) of t[0..n) in the low lanes of a word,
// spaces in the others, reading no byte outside t[0..n).
inline std::uint64_t last_bytes(const char* t, std::size_t n, std::size_t k) noexcept {
  constexpr std::uint64_t kSpaces = 0x20 * swar::kOnes;
  if (k == 0) return kSpaces;
  std::uint64_t v = 0;
  if (n >= 8) {
    v = swar::load64(t + n - 8) >> (8 * (8 - k));
  } else if (n >= 4) {  // then k == n: two overlapping 4-byte loads
    v = swar::load32(t) | (swar::load32(t + n - 4) << (8 * (n - 4)));
  } else {  // 1..3 bytes: first, middle, last (overlapping)
    const auto byte = [t](std::size_t i) { return std::uint64_t(static_cast<unsigned char>(t[i])); };
    v = byte(0) | (byte(n >> 1) << (8 * (n >> 1))) | (byte(n - 1) << (8 * (n - 1)));
  }
  return v | (kSpaces & ~swar::first_bytes(k));
}

template <std::size_t kMaxBytes>
struct MessageBuffer {
  static_assert(kMaxBytes % 64 == 0);
  // Readable bytes past the message's end, all spaces: a token's probe and key
  // compare read 16 bytes from its start, the shape tests whole words past its end.
  static constexpr std::size_t kPadding = 16;

  std::size_t size = 0;  // bytes of the message kept (at most kMaxBytes)
  CharCounts counts;     // over raw[0..size)
  // Bit i % 64 of separators[i / 64]: byte i is ASCII whitespace (' ', \t..\r)
  // or >= 0x80 (UTF-8, decoded by the classifier: emoji and Unicode spaces split
  // words, other letters do not). The byte at `size` is padding, so its bit is set
  // and a walk over the bits always ends there; words past size / 64 are unset.
  std::uint64_t separators[kMaxBytes / 64 + 1];
  char raw[kMaxBytes + 16 + kPadding];  // the last vector written may start at kMaxBytes
  char low[kMaxBytes + 16 + kPadding];
  // low - raw: a byte's folded twin is at this offset (one pointer and a
  // displacement address both, instead of two pointers).
  static constexpr std::size_t kFolded = sizeof(raw);

  explicit MessageBuffer(std::string_view text) noexcept {
    const std::size_t n = std::min(text.size(), kMaxBytes);
    const char* t = text.data();
    size = n;
    // 16 bytes a step. Every load reads `text` itself, never a byte just stored
    // here: a load spanning two recent stores cannot be forwarded from them and stalls.
    Pass pass;
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) put(i, bytes16::load(t + i), pass);
    // One more vector, all or partly padding: the bit at `size` is always set.
    const std::size_t rest = n - i;
    const std::uint64_t first = rest >= 8 ? swar::load64(t + i) : last_bytes(t, n, rest);
    const std::uint64_t second = rest >= 8 ? last_bytes(t, n, rest - 8) : 0x20 * swar::kOnes;
    put(i, bytes16::from_words(first, second), pass);
    if ((i & 63) != 48) separators[i >> 6] = pass.separators;
    const bytes16::Bytes spaces = bytes16::from_words(0x20 * swar::kOnes, 0x20 * swar::kOnes);
    bytes16::store(raw + i + 16, spaces);
    bytes16::store(low + i + 16, spaces);
    static_assert(kPadding == 16);
    counts.letters = bytes16::sum_bytes(pass.letters);
    counts.capitals = bytes16::sum_bytes(pass.capitals);
    counts.bangs = bytes16::sum_bytes(pass.bangs);
    counts.questions = bytes16::sum_bytes(pass.questions);
  }
  MessageBuffer(const MessageBuffer&) = delete;
  MessageBuffer& operator=(const MessageBuffer&) = delete;

 private:
  // Per-lane counts over the whole message (at most kMaxBytes / 16 = 128 per
  // lane, summed once at the end), and the current 64-byte block's separator bits.
  static_assert(kMaxBytes / 16 <= 128);
  struct Pass {
    bytes16::Bytes letters{}, capitals{}, bangs{}, questions{};
    std::uint64_t separators = 0;
  };

  // Stores the 16 bytes at i (a multiple of 16) and adds them to the pass.
  void put(std::size_t i, bytes16::Bytes v, Pass& pass) noexcept {
    using bytes16::Bytes;
    // Letters: one range test on the byte with bit 5 set ('A'..'Z' -> 'a'..'z').
    const Bytes letters = (Bytes)((Bytes)((v | 0x20) - 'a') < 26);
    const Bytes capitals = letters & (Bytes)((v & 0x20) == 0);
    bytes16::store(raw + i, v);
    bytes16::store(low + i, v | (capitals & 0x20));
    pass.letters -= letters;  // a mask lane is 0xFF: -1
    pass.capitals -= capitals;
    pass.bangs -= (Bytes)(v == '!');
    pass.questions -= (Bytes)(v == '?');
    const Bytes splits = (Bytes)(v >= 0x80) | (Bytes)(v == ' ') | (Bytes)((Bytes)(v - '\t') < 5);
    pass.separators |= std::uint64_t(bytes16::lane_bits(splits)) << (i & 63);
    if ((i & 63) == 48) {
      separators[i >> 6] = pass.separators;
      pass.separators = 0;
    }
  }
};

static_assert(offsetof(MessageBuffer<64>, low) == offsetof(MessageBuffer<64>, raw) + MessageBuffer<64>::kFolded);

}  // namespace onair::stream::sentiment::detail
