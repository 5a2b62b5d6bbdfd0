// The AVX2 kernel: update_member() for 8 members per iteration, for x86-64
// CPUs without the AVX-512 kernel's instructions (Haswell .. Skylake clients,
// AMD Zen 1-3). Same arithmetic as update_member(), so the same results.
// Differences from the AVX-512 kernel: popcount by nibble lookup (PSHUFB +
// PSADBW), unsigned compares through min/max, lane masks through MOVMSKPS,
// and the personality table through one or two 8-entry permutes (a gather
// beyond 16 ids). Compiled with a function-level target attribute and only
// called when the CPU has AVX2 (cpu_has_avx2_kernel).
#include "showtime/engine/tick_kernel.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace onair::showtime::detail {

#if defined(__x86_64__)

#define ONAIR_AVX2_TARGET "avx2,popcnt"

bool cpu_has_avx2_kernel() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

namespace {

__attribute__((target(ONAIR_AVX2_TARGET))) inline void append_bits(unsigned bits, std::size_t base, std::uint32_t* list,
                                                                   std::uint32_t& count) {
  while (bits) {
    list[count++] = static_cast<std::uint32_t>(base + static_cast<unsigned>(__builtin_ctz(bits)));
    bits &= bits - 1;
  }
}

__attribute__((target(ONAIR_AVX2_TARGET))) inline unsigned lane_bits(__m256i mask) {
  return static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(mask)));
}

// a >= b, unsigned 32-bit lanes.
__attribute__((target(ONAIR_AVX2_TARGET))) inline __m256i ge_u32(__m256i a, __m256i b) {
  return _mm256_cmpeq_epi32(_mm256_max_epu32(a, b), a);
}

// Popcount of each 64-bit lane (in the low bits of the lane).
__attribute__((target(ONAIR_AVX2_TARGET))) inline __m256i popcount64(__m256i x) {
  const __m256i lut =
      _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(x, low4);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low4);
  const __m256i bytes = _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
  return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
}

// Moves the nibble counters (8 per lane, one per sentiment) into wider ones.
__attribute__((target(ONAIR_AVX2_TARGET))) inline void flush_nibbles(__m256i& nibbles, __m256i* reactions) {
  const __m256i fifteen = _mm256_set1_epi32(15);
  for (unsigned s = 0; s < kSentimentCount; ++s) {
    const __m256i n = _mm256_and_si256(_mm256_srl_epi32(nibbles, _mm_cvtsi32_si128(static_cast<int>(4 * s))), fifteen);
    reactions[s] = _mm256_add_epi32(reactions[s], n);
  }
  nibbles = _mm256_setzero_si256();
}

}  // namespace

__attribute__((target(ONAIR_AVX2_TARGET))) void run_kernel_avx2(const KernelColumns& c, std::size_t begin,
                                                                std::size_t end, const KernelConstants& k,
                                                                KernelAccum& a, KernelOut& out) {
  const __m256i now_v = _mm256_set1_epi32(static_cast<int>(k.now));
  const __m256i window_v = _mm256_set1_epi32(static_cast<int>(kMeanWindow));
  const __m256i watch_min_v = _mm256_set1_epi32(static_cast<int>(k.watch_min));
  const __m256i mean_q_v = _mm256_set1_epi32(static_cast<int>(k.mean_q));
  const __m256i low16 = _mm256_set1_epi32(0xFFFF);
  const __m256i one16 = _mm256_set1_epi32(kEngagementOne);
  const __m256i follower_v = _mm256_set1_epi32(member_flag::follower);
  const __m256i candidate_v = _mm256_set1_epi32(member_flag::candidate);
  const __m256i real_v = _mm256_set1_epi32(member_flag::real_derived);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i seven = _mm256_set1_epi32(7);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i engaged_min = _mm256_set1_epi32(k.engaged_min);
  const __m256i disengaged_below = _mm256_set1_epi32(k.disengaged_below);
  const __m256i react_min = _mm256_set1_epi32(k.react_min);
  const __m256i even_lanes = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  // Byte 0 of each 32-bit lane to the front of its 128-bit half.
  const __m256i first_bytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12,
                                               -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256i gather_halves = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);

  __m256i planes[8];
  __m128i shifts[8];
  for (std::uint32_t p = 0; p < k.plane_count; ++p) {
    planes[p] = _mm256_set1_epi64x(static_cast<long long>(k.planes[p]));
    shifts[p] = _mm_cvtsi32_si128(k.shifts[p]);
  }
  const std::uint32_t* words = k.personality_words.data();
  const __m256i table_lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(words));
  const __m256i table_hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(words + 8));

  __m256i esum_lo = zero, esum_hi = zero;  // 4 x u64 each
  __m256i nibbles = zero;
  __m256i reactions[kSentimentCount];
  for (auto& r : reactions) r = zero;
  unsigned pending = 0;
  bool reacted = false;
  std::size_t i = begin;
  for (; i + 8 <= end; i += 8) {
    // Weighted interest match.
    const __m256i in0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.interests + i));
    const __m256i in1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.interests + i + 4));
    __m256i s0 = zero, s1 = zero;
    for (std::uint32_t p = 0; p < k.plane_count; ++p) {
      s0 = _mm256_add_epi64(s0, _mm256_sll_epi64(popcount64(_mm256_and_si256(in0, planes[p])), shifts[p]));
      s1 = _mm256_add_epi64(s1, _mm256_sll_epi64(popcount64(_mm256_and_si256(in1, planes[p])), shifts[p]));
    }
    const __m256i score = _mm256_permute2x128_si256(_mm256_permutevar8x32_epi32(s0, even_lanes),
                                                    _mm256_permutevar8x32_epi32(s1, even_lanes), 0x20);
    const __m256i matched = _mm256_xor_si256(_mm256_cmpeq_epi32(score, zero), _mm256_set1_epi32(-1));

    // Personality weights.
    const __m256i pid = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(c.personality + i)));
    __m256i word;
    if (k.personality_limit <= 8) {
      word = _mm256_permutevar8x32_epi32(table_lo, pid);
    } else if (k.personality_limit <= 16) {
      const __m256i high = _mm256_cmpgt_epi32(pid, seven);
      word = _mm256_blendv_epi8(_mm256_permutevar8x32_epi32(table_lo, pid), _mm256_permutevar8x32_epi32(table_hi, pid),
                                high);
    } else {
      word = _mm256_i32gather_epi32(reinterpret_cast<const int*>(words), pid, 4);
    }

    // Engagement: gain * (1 - e) on match, decay otherwise.
    const __m256i e = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c.engagement + i)));
    __m256i gain =
        _mm256_min_epu32(_mm256_srli_epi32(_mm256_mullo_epi32(score, _mm256_and_si256(word, low16)), 7), one16);
    gain = _mm256_srli_epi32(_mm256_mullo_epi32(gain, _mm256_sub_epi32(one16, e)), 16);
    const __m256i decay = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c.decay + i)));
    __m256i dec = _mm256_min_epu32(_mm256_srli_epi32(_mm256_mullo_epi32(decay, _mm256_srli_epi32(word, 16)), 8), one16);
    dec = _mm256_andnot_si256(matched, dec);
    const __m256i e2 = _mm256_max_epi32(_mm256_sub_epi32(_mm256_add_epi32(e, gain), dec), zero);
    const __m256i e2_16 = _mm256_permute4x64_epi64(_mm256_packus_epi32(e2, e2), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(c.engagement + i), _mm256_castsi256_si128(e2_16));

    // Mean engagement since joining, and follower candidacy.
    const __m256i watch = _mm256_sub_epi32(now_v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.joined + i)));
    const __m256i tc = _mm256_min_epu32(watch, window_v);
    const __m256i in_window = _mm256_cmpeq_epi32(tc, watch);
    __m256i sum = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.mean_sum + i));
    sum = _mm256_add_epi32(sum, _mm256_and_si256(_mm256_srli_epi32(e2, 8), in_window));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c.mean_sum + i), sum);
    const __m256i f = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(c.flags + i)));
    const __m256i not_follower = _mm256_cmpeq_epi32(_mm256_and_si256(f, follower_v), zero);
    const __m256i cand = _mm256_and_si256(_mm256_and_si256(ge_u32(tc, watch_min_v), not_follower),
                                          ge_u32(sum, _mm256_mullo_epi32(tc, mean_q_v)));
    const __m256i f2 = _mm256_or_si256(_mm256_andnot_si256(candidate_v, f), _mm256_and_si256(cand, candidate_v));
    const __m256i f2_bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(f2, first_bytes), gather_halves);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(c.flags + i), _mm256_castsi256_si128(f2_bytes));
    const unsigned cand_bits = lane_bits(cand);
    const unsigned was_bits = lane_bits(_mm256_cmpeq_epi32(_mm256_and_si256(f, candidate_v), candidate_v));
    append_bits(cand_bits & ~was_bits, i, out.fresh, out.fresh_count);
    a.candidates += static_cast<std::uint32_t>(__builtin_popcount(cand_bits));

    // Counts, churn candidates, reactions.
    const unsigned real_bits = lane_bits(_mm256_cmpeq_epi32(_mm256_and_si256(f, real_v), real_v));
    const unsigned engaged_bits = lane_bits(ge_u32(e2, engaged_min));
    const unsigned disengaged_bits = lane_bits(_mm256_cmpgt_epi32(disengaged_below, e2));
    a.engaged += static_cast<std::uint32_t>(__builtin_popcount(engaged_bits));
    a.disengaged += static_cast<std::uint32_t>(__builtin_popcount(disengaged_bits));
    append_bits(disengaged_bits & ~real_bits, i, out.churn, out.churn_count);
    const __m256i react = _mm256_andnot_si256(_mm256_cmpeq_epi32(_mm256_and_si256(f, real_v), real_v),
                                              _mm256_and_si256(matched, ge_u32(e2, react_min)));
    if (!_mm256_testz_si256(react, react)) {
      const __m256i bias = _mm256_and_si256(_mm256_srli_epi32(f, member_flag::bias_shift), seven);
      nibbles = _mm256_add_epi32(nibbles, _mm256_and_si256(react, _mm256_sllv_epi32(one, _mm256_slli_epi32(bias, 2))));
      reacted = true;
    }
    // Engagement sum: 64-bit lanes (even and odd 32-bit halves).
    const __m256i low32 = _mm256_set1_epi64x(0xFFFFFFFFLL);
    esum_lo = _mm256_add_epi64(esum_lo, _mm256_and_si256(e2, low32));
    esum_hi = _mm256_add_epi64(esum_hi, _mm256_srli_epi64(e2, 32));
    if (++pending == 15) {  // a nibble holds at most 15
      if (reacted) flush_nibbles(nibbles, reactions);
      reacted = false;
      pending = 0;
    }
  }
  if (reacted) flush_nibbles(nibbles, reactions);
  alignas(32) std::uint64_t sums[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(sums), esum_lo);
  _mm256_store_si256(reinterpret_cast<__m256i*>(sums + 4), esum_hi);
  for (auto v : sums) a.engagement_sum += v;
  alignas(32) std::uint32_t lanes[8];
  for (unsigned s = 0; s < kSentimentCount; ++s) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), reactions[s]);
    for (auto v : lanes) a.reactions[s] += v;
  }
  update_range(c, i, end, k, a, out);
}

#else

bool cpu_has_avx2_kernel() noexcept { return false; }
void run_kernel_avx2(const KernelColumns& c, std::size_t begin, std::size_t end, const KernelConstants& k,
                     KernelAccum& a, KernelOut& out) {
  run_kernel_scalar(c, begin, end, k, a, out);
}

#endif

}  // namespace onair::showtime::detail
