#pragma once
// Internal: 16 bytes per operation with the GCC/Clang vector extension, which
// compiles to SSE2 on x86-64 (part of the baseline ISA, so no AVX is needed and
// no runtime dispatch), to NEON on ARM, and to plain scalar code elsewhere: one
// portable source, no intrinsics. Masks are 0xFF/0x00 per lane.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace onair::stream::sentiment::bytes16 {

using Bytes = std::uint8_t __attribute__((vector_size(16)));
using Words = std::uint64_t __attribute__((vector_size(16)));

inline Bytes load(const char* p) noexcept {
  Bytes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(char* p, Bytes v) noexcept { std::memcpy(p, &v, sizeof v); }
inline Bytes from_words(std::uint64_t low, std::uint64_t high) noexcept { return (Bytes)(Words{low, high}); }

// Bit k of the result: lane k of the mask is set (the high bits of 8 bytes
// gathered into one byte by one multiply: bit 8k + 7 lands on bit 56 + k).
inline std::uint32_t lane_bits(Bytes mask) noexcept {
  const Words w = (Words)(mask & 0x80);
  constexpr std::uint64_t kGather = 0x02040810204081ull;
  return std::uint32_t((w[0] * kGather) >> 56) | std::uint32_t(((w[1] * kGather) >> 56) << 8);
}

// The sums of the low and of the high nibbles of the 16 lanes (each nibble at
// most 15, so each sum fits in a byte lane before the final multiply).
inline void sum_nibbles(Bytes v, std::uint32_t& low, std::uint32_t& high) noexcept {
  const Words w = (Words)v;
  constexpr std::uint64_t kNibbles = 0x0F0F0F0F0F0F0F0Full;
  const std::uint64_t lows = (w[0] & kNibbles) + (w[1] & kNibbles);  // lanes <= 30
  const std::uint64_t highs = ((w[0] >> 4) & kNibbles) + ((w[1] >> 4) & kNibbles);
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;  // sums 8 lanes (<= 240) into the top byte
  low += std::uint32_t((lows * kOnes) >> 56);
  high += std::uint32_t((highs * kOnes) >> 56);
}

}  // namespace onair::stream::sentiment::bytes16
