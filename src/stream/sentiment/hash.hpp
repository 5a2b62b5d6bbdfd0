#pragma once
// The one hash of the sentiment lexicon: keys at build time, tokens, phrase
// slices and cheermote prefixes at lookup time.
#include <array>
#include <cstddef>
#include <cstdint>

#include "stream/sentiment/swar.hpp"

namespace onair::stream::sentiment {

namespace detail {

inline constexpr std::uint64_t kHashMul = 0x9E3779B97F4A7C15ull;
inline std::uint64_t hash_mix(std::uint64_t x) noexcept {
  x *= kHashMul;
  return x ^ (x >> 32);
}

}  // namespace detail

// Bytes that must be readable past a key's end for hash_bytes() and the table's
// key compare: the classifier's buffers are padded, the build pads its copies.
inline constexpr std::size_t kKeyPadding = 16;

namespace detail {

inline constexpr std::uint64_t kHashSeed = 0x243F6A8885A308D3ull;

// wyhash's "mum": the 128-bit product of two words, folded to 64 bits. Every
// output bit depends on every input bit; one multiply instruction.
inline std::uint64_t mum(std::uint64_t a, std::uint64_t b) noexcept {
  __extension__ using u128 = unsigned __int128;
  const u128 r = u128(a) * b;
  return std::uint64_t(r) ^ std::uint64_t(r >> 64);
}

// Keys never contain '\n' (whitespace splits tokens; phrases join words with
// ' '), so a word XORed with a constant whose low byte is '\n' (the key's first
// byte, or 0 past its end) is never zero, and neither is the product in mum().
inline constexpr std::uint64_t kFirstWordSalt = 0xA0761D6478BD640Aull;

// Per length up to 16: the masks keeping a key's bytes in its two 8-byte words,
// and the length's seed (low byte '\n', as above), so that a short key's hash
// needs no arithmetic on n.
struct ShortKey {
  std::uint64_t first, second, seed;
};
inline constexpr auto kShortKeys = [] {
  std::array<ShortKey, 17> t{};
  for (std::size_t n = 0; n <= 16; ++n) {
    const std::size_t a = n < 8 ? n : 8, b = n - a;
    t[n].first = a == 8 ? ~0ull : (1ull << (8 * a)) - 1;
    t[n].second = b == 8 ? ~0ull : (1ull << (8 * b)) - 1;
    t[n].seed = ((kHashSeed ^ (n * kHashMul)) & ~0xFFull) | '\n';
  }
  return t;
}();

// A key of at most 16 bytes from its two masked words: one mum.
inline std::uint64_t short_hash(const ShortKey& k, std::uint64_t first, std::uint64_t second) noexcept {
  return mum(first ^ kFirstWordSalt, second ^ k.seed);
}

}  // namespace detail

// 64-bit hash of p[0..n) (the same function at build and lookup time); reads
// p[0 .. max(n, kKeyPadding)). Up to 16 bytes (almost every token): two masked
// loads and one 64x64->128-bit multiply, with no loop or branch on the exact
// length (short words vary in length unpredictably); longer keys (phrases) mix
// 16 bytes a step.
inline std::uint64_t hash_bytes(const char* p, std::size_t n) noexcept {
  if (n <= 16) {
    const detail::ShortKey& k = detail::kShortKeys[n];
    return detail::short_hash(k, swar::load64(p) & k.first, swar::load64(p + 8) & k.second);
  }
  std::uint64_t h = detail::kHashSeed ^ (n * detail::kHashMul);
  for (std::size_t i = 0; i + 16 < n; i += 16) {
    h = detail::hash_mix(detail::hash_mix(h ^ swar::load64(p + i)) ^ swar::load64(p + i + 8));
  }
  return detail::hash_mix(detail::hash_mix(h ^ swar::load64(p + n - 16)) ^ swar::load64(p + n - 8)) * detail::kHashMul;
}

// A key ready for the lexicon's tables: `folded` (ASCII-lowercased) and `raw`
// (as written, for exact entries) of `len` bytes (at least 1), both readable up
// to max(len, kKeyPadding) bytes, hashed once; for keys of up to 16 bytes also
// the folded bytes as two masked words, which the tables compare with a slot's
// inline key without reading the bytes again.
struct Probe {
  const char* folded;
  const char* raw;
  std::size_t len;
  std::uint64_t hash;
  std::uint64_t first = 0, second = 0;  // len <= 16: folded bytes 0-7 and 8-15, zero past len
};

inline Probe make_probe(const char* folded, const char* raw, std::size_t len) noexcept {
  if (len <= 16) {
    const detail::ShortKey& k = detail::kShortKeys[len];
    const std::uint64_t a = swar::load64(folded) & k.first, b = swar::load64(folded + 8) & k.second;
    return Probe{folded, raw, len, detail::short_hash(k, a, b), a, b};
  }
  return Probe{folded, raw, len, hash_bytes(folded, len)};
}

// Two adjacent words of a phrase, from their hash_bytes(). Also a phrase key's
// hash: its words' hashes chained ("a b c": pair_hash(pair_hash(a, b), c)), so
// that a phrase lookup needs no key assembled, only the hashes its words have.
// One multiply (it is computed for every word): a collision only costs a
// phrase lookup, which compares the words.
inline std::uint64_t pair_hash(std::uint64_t first, std::uint64_t second) noexcept {
  return detail::mum(first ^ 0x452821E638D01377ull, second ^ 0xBE5466CF34E90C6Cull);
}

}  // namespace onair::stream::sentiment
