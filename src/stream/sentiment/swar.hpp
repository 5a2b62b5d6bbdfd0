#pragma once
// Internal: "SIMD within a register" helpers, 8 bytes per 64-bit word, portable
// C++ (no intrinsics, baseline x86-64 or any 64-bit target). Every lane test is
// exact: 7-bit arithmetic never carries into the next lane, so a lane's answer
// never depends on its neighbours. Little-endian lane order: lane k = byte k.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace onair::stream::sentiment::swar {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kHigh = 0x8080808080808080ull;
inline constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;

inline std::uint64_t load64(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint64_t load32(const char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The high bit of every lane that is zero.
inline std::uint64_t zero_lanes(std::uint64_t v) noexcept { return ~(((v & kLow7) + kLow7) | v) & kHigh; }
// Lanes equal to c (any byte value).
inline std::uint64_t eq(std::uint64_t v, std::uint8_t c) noexcept { return zero_lanes(v ^ (c * kOnes)); }
// ASCII letters (A-Z, a-z): one range test on the byte with bit 5 set (which
// maps 'A'..'Z' onto 'a'..'z' and no other byte into that range).
inline std::uint64_t letters(std::uint64_t v) noexcept {
  const std::uint64_t x = v | (0x20 * kOnes);
  const std::uint64_t x7 = x & kLow7;
  return (x7 + (0x80u - 'a') * kOnes) & ~(x7 + (0x80u - 'z' - 1) * kOnes) & ~x & kHigh;
}
// Capitals among `letters`: the letters whose bit 5 (moved up to bit 7) is clear.
inline std::uint64_t capitals(std::uint64_t v, std::uint64_t letters) noexcept { return letters & ~(v << 2); }
// Number of lanes set in a mask from the helpers above (one multiply: no popcnt on baseline x86-64).
inline int count(std::uint64_t mask) noexcept { return int(((mask >> 7) * kOnes) >> 56); }
inline int first_lane(std::uint64_t mask) noexcept { return __builtin_ctzll(mask) >> 3; }

// Masks keeping the first n bytes (n = 0..8) of a word.
inline constexpr std::array<std::uint64_t, 9> kFirstBytes = {
    0x0ull,          0xFFull,           0xFFFFull,           0xFFFFFFull,          0xFFFFFFFFull,
    0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull};
inline std::uint64_t first_bytes(std::size_t n) noexcept { return kFirstBytes[n < 8 ? n : 8]; }

// Per n = 0..16, the masks keeping the first n bytes of two words.
struct PrefixMasks {
  std::uint64_t first, second;
};
inline constexpr auto kPrefixMasks = [] {
  std::array<PrefixMasks, 17> t{};
  for (std::size_t n = 0; n <= 16; ++n) t[n] = {kFirstBytes[n < 8 ? n : 8], kFirstBytes[n < 8 ? 0 : n - 8]};
  return t;
}();

// Equal bytes a[0..n) and b[0..n). Both may be read up to max(n, 16) bytes
// (padded buffers): up to 16 bytes it is two masked compares and no branch on n.
inline bool equal_padded(const char* a, const char* b, std::size_t n) noexcept {
  if (n <= 16) {
    const PrefixMasks& m = kPrefixMasks[n];
    return (((load64(a) ^ load64(b)) & m.first) | ((load64(a + 8) ^ load64(b + 8)) & m.second)) == 0;
  }
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    if (load64(a + i) != load64(b + i)) return false;
  }
  return load64(a + n - 8) == load64(b + n - 8);
}

}  // namespace onair::stream::sentiment::swar
