#pragma once
// Internal: 16 bytes per operation with the GCC/Clang vector extension, which
// compiles to SSE2 on x86-64 (part of the baseline ISA, so no AVX is needed and
// no runtime dispatch), to NEON on ARM, and to plain scalar code elsewhere: one
// portable source. Two SSE2 instructions the extension has no operator for
// (movemask, sum of absolute differences) are used where __SSE2__ is defined,
// beside portable code giving the same results. Masks are 0xFF/0x00 per lane.
#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// Lane k of the result: lane k + 1 of v (lane 15: 0).
inline Bytes shift_down(Bytes v) noexcept {
#if defined(__clang__)
  return __builtin_shufflevector(v, Bytes{}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
#else
  return __builtin_shuffle(v, Bytes{}, Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
#endif
}
// Every lane c.
inline Bytes splat(std::uint8_t c) noexcept { return Bytes{} + c; }

// Bit k of the result: lane k of the mask is set. Portable: the high bits of
// 8 bytes gathered into one byte by one multiply (bit 8k + 7 lands on bit 56 + k).
inline std::uint32_t lane_bits_portable(Bytes mask) noexcept {
  const Words w = (Words)(mask & 0x80);
  constexpr std::uint64_t kGather = 0x02040810204081ull;
  return std::uint32_t((w[0] * kGather) >> 56) | std::uint32_t(((w[1] * kGather) >> 56) << 8);
}

// The sum of the 16 lanes, each at most 128. Portable: adjacent lanes added
// into 16-bit fields (at most 512 each), summed by one multiply.
inline std::uint32_t sum_bytes_portable(Bytes v) noexcept {
  const Words w = (Words)v;
  constexpr std::uint64_t kEven = 0x00FF00FF00FF00FFull;
  const std::uint64_t pairs = (w[0] & kEven) + ((w[0] >> 8) & kEven) + (w[1] & kEven) + ((w[1] >> 8) & kEven);
  return std::uint32_t((pairs * 0x0001000100010001ull) >> 48);
}

// The same, one instruction each on SSE2 (movemask; sum of absolute differences).
inline std::uint32_t lane_bits(Bytes mask) noexcept {
#if defined(__SSE2__)
  return std::uint32_t(_mm_movemask_epi8((__m128i)mask));
#else
  return lane_bits_portable(mask);
#endif
}
inline std::uint32_t sum_bytes(Bytes v) noexcept {
#if defined(__SSE2__)
  const __m128i s = _mm_sad_epu8((__m128i)v, _mm_setzero_si128());  // the sums of lanes 0-7 and 8-15
  return std::uint32_t(_mm_cvtsi128_si32(_mm_add_epi32(s, _mm_unpackhi_epi64(s, s))));
#else
  return sum_bytes_portable(v);
#endif
}

}  // namespace onair::stream::sentiment::bytes16
