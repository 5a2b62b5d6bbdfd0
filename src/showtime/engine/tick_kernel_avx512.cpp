// The AVX-512 kernel: update_member() for 16 members per iteration
// (AVX512F/BW/VL + VPOPCNTDQ; Ice Lake, Sapphire Rapids, Zen 4 and later).
// Only this function is compiled for AVX-512 (a target attribute, not a
// file-wide -m flag), so nothing else in the binary needs the instructions;
// it is called only when the CPU has them (cpu_has_avx512_kernel).
//
// Per 16 members: 8 loads (352 bytes: the 22 hot bytes of each member),
// 3 stores (112 bytes) and a handful of mask operations. Engagement is
// updated with saturating u16 adds/subtracts and a high-half multiply, exactly
// the arithmetic of update_member(); the personality weights come from a two-register permute
// when fewer than 33 personality ids are in use (else a gather); reaction
// counts per sentiment bias accumulate as nibbles in one register.
#include "showtime/engine/tick_kernel.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace onair::showtime::detail {

#if defined(__x86_64__)

#define ONAIR_AVX512_TARGET "avx512f,avx512bw,avx512vl,avx512dq,avx512vpopcntdq,popcnt,bmi,bmi2"

bool cpu_has_avx512_kernel() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("popcnt") &&
         __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
}

namespace {

__attribute__((target(ONAIR_AVX512_TARGET))) inline void append_bits(std::uint32_t bits, std::size_t base,
                                                                     std::uint32_t* list, std::uint32_t& count) {
  while (bits) {
    list[count++] = static_cast<std::uint32_t>(base + static_cast<unsigned>(__builtin_ctz(bits)));
    bits &= bits - 1;
  }
}

// Vector accumulators: engagement sums (16 x u32, flushed into 8 x u64) and
// reaction counts (8 nibbles per u32 lane, flushed into one u32 vector per
// sentiment). No _mm512_reduce_*: g++ 12 warns inside them (GCC bug 105593).
struct Accumulators {
  __m512i esum;                        // this round, per lane
  __m512i esum64;                      // all rounds, per 64-bit lane
  __m512i nibbles;                     // this round, 8 nibble counters per lane
  __m512i reactions[kSentimentCount];  // all rounds, per lane
  bool reacted;
};

__attribute__((target(ONAIR_AVX512_TARGET))) inline void flush(Accumulators& acc) {
  const __m512i low32 = _mm512_set1_epi64(0xFFFFFFFFLL);
  acc.esum64 = _mm512_add_epi64(acc.esum64, _mm512_and_si512(acc.esum, low32));
  acc.esum64 = _mm512_add_epi64(acc.esum64, _mm512_srli_epi64(acc.esum, 32));
  acc.esum = _mm512_setzero_si512();
  if (!acc.reacted) return;
  const __m512i fifteen = _mm512_set1_epi32(15);
  for (unsigned s = 0; s < kSentimentCount; ++s) {
    const __m512i n =
        _mm512_and_si512(_mm512_srl_epi32(acc.nibbles, _mm_cvtsi32_si128(static_cast<int>(4 * s))), fifteen);
    acc.reactions[s] = _mm512_add_epi32(acc.reactions[s], n);
  }
  acc.nibbles = _mm512_setzero_si512();
  acc.reacted = false;
}

__attribute__((target(ONAIR_AVX512_TARGET))) inline void drain(Accumulators& acc, KernelAccum& a) {
  flush(acc);
  alignas(64) std::uint64_t sums[8];
  _mm512_store_si512(sums, acc.esum64);
  for (auto v : sums) a.engagement_sum += v;
  alignas(64) std::uint32_t lanes[16];
  for (unsigned s = 0; s < kSentimentCount; ++s) {
    _mm512_store_si512(lanes, acc.reactions[s]);
    for (auto v : lanes) a.reactions[s] += v;
  }
}

}  // namespace

__attribute__((target(ONAIR_AVX512_TARGET))) void run_kernel_avx512(const KernelColumns& c, std::size_t begin,
                                                                    std::size_t end, const KernelConstants& k,
                                                                    KernelAccum& a, KernelOut& out) {
  const __m512i now_v = _mm512_set1_epi32(static_cast<int>(k.now));
  const __m512i window_v = _mm512_set1_epi32(static_cast<int>(kMeanWindow));
  const __m512i watch_min_v = _mm512_set1_epi32(static_cast<int>(k.watch_min));
  const __m512i mean_q_v = _mm512_set1_epi32(static_cast<int>(k.mean_q));
  const __m512i low16 = _mm512_set1_epi32(0xFFFF);
  const __m512i follower_v = _mm512_set1_epi32(member_flag::follower);
  const __m512i candidate_v = _mm512_set1_epi32(member_flag::candidate);
  const __m512i real_v = _mm512_set1_epi32(member_flag::real_derived);
  const __m512i seven = _mm512_set1_epi32(7);
  const __m512i one = _mm512_set1_epi32(1);
  const __m256i engaged_min = _mm256_set1_epi16(static_cast<short>(k.engaged_min));
  const __m256i disengaged_below = _mm256_set1_epi16(static_cast<short>(k.disengaged_below));
  const __m256i react_min = _mm256_set1_epi16(static_cast<short>(k.react_min));

  __m512i planes[8];
  __m128i shifts[8];
  for (std::uint32_t p = 0; p < k.plane_count; ++p) {
    planes[p] = _mm512_set1_epi64(static_cast<long long>(k.planes[p]));
    shifts[p] = _mm_cvtsi32_si128(k.shifts[p]);
  }
  const bool permute = k.personality_limit <= 32;
  const __m512i table_lo = _mm512_load_si512(k.personality_words.data());
  const __m512i table_hi = _mm512_load_si512(k.personality_words.data() + 16);

  Accumulators acc;
  acc.esum = acc.esum64 = acc.nibbles = _mm512_setzero_si512();
  for (auto& r : acc.reactions) r = _mm512_setzero_si512();
  acc.reacted = false;
  unsigned pending = 0;

  std::size_t i = begin;
  for (; i + 16 <= end; i += 16) {
    // Weighted interest match: sum of popcounts over the bit planes.
    const __m512i in0 = _mm512_loadu_si512(c.interests + i);
    const __m512i in1 = _mm512_loadu_si512(c.interests + i + 8);
    __m512i s0 = _mm512_setzero_si512();
    __m512i s1 = _mm512_setzero_si512();
    for (std::uint32_t p = 0; p < k.plane_count; ++p) {
      s0 = _mm512_add_epi64(s0, _mm512_sll_epi64(_mm512_popcnt_epi64(_mm512_and_si512(in0, planes[p])), shifts[p]));
      s1 = _mm512_add_epi64(s1, _mm512_sll_epi64(_mm512_popcnt_epi64(_mm512_and_si512(in1, planes[p])), shifts[p]));
    }
    const __m512i score =
        _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(s0)), _mm512_cvtepi64_epi32(s1), 1);
    const __mmask16 matched = _mm512_test_epi32_mask(score, score);

    // Personality weights.
    const __m512i pid = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c.personality + i)));
    const __m512i word = permute ? _mm512_permutex2var_epi32(table_lo, pid, table_hi)
                                 : _mm512_i32gather_epi32(pid, k.personality_words.data(), 4);

    // Engagement: gain on match, decay otherwise (saturating u16).
    const __m512i gain = _mm512_srli_epi32(_mm512_mullo_epi32(score, _mm512_and_si512(word, low16)), 7);
    const __m512i decay32 = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.decay + i)));
    const __m512i dec = _mm512_srli_epi32(_mm512_mullo_epi32(decay32, _mm512_srli_epi32(word, 16)), 8);
    const __m256i e16 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c.engagement + i));
    const __m256i headroom = _mm256_xor_si256(e16, _mm256_set1_epi16(-1));  // 65535 - e
    const __m256i up = _mm256_adds_epu16(e16, _mm256_mulhi_epu16(_mm512_cvtusepi32_epi16(gain), headroom));
    const __m256i down = _mm256_subs_epu16(e16, _mm512_cvtusepi32_epi16(dec));
    const __m256i e2 = _mm256_mask_blend_epi16(matched, down, up);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c.engagement + i), e2);
    const __m512i e32 = _mm512_cvtepu16_epi32(e2);

    // Mean engagement since joining, and follower candidacy.
    const __m512i watch = _mm512_sub_epi32(now_v, _mm512_loadu_si512(c.joined + i));
    const __mmask16 in_window = _mm512_cmple_epu32_mask(watch, window_v);
    const __m512i sum_old = _mm512_loadu_si512(c.mean_sum + i);
    const __m512i sum = _mm512_mask_add_epi32(sum_old, in_window, sum_old, _mm512_srli_epi32(e32, 8));
    _mm512_storeu_si512(c.mean_sum + i, sum);
    const __m512i tc = _mm512_min_epu32(watch, window_v);
    const __m512i need = _mm512_mullo_epi32(tc, mean_q_v);
    const __m512i f = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(c.flags + i)));
    const __mmask16 cand = _mm512_cmpge_epu32_mask(tc, watch_min_v) & _mm512_cmpge_epu32_mask(sum, need) &
                           _mm512_testn_epi32_mask(f, follower_v);
    const __mmask16 was = _mm512_test_epi32_mask(f, candidate_v);
    const __m512i cleared = _mm512_andnot_si512(candidate_v, f);
    const __m512i f2 = _mm512_mask_or_epi32(cleared, cand, cleared, candidate_v);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(c.flags + i), _mm512_cvtepi32_epi8(f2));
    append_bits(static_cast<std::uint32_t>(cand & ~was), i, out.fresh, out.fresh_count);
    a.candidates += static_cast<std::uint32_t>(__builtin_popcount(cand));

    // Counts, churn candidates, reactions.
    const __mmask16 engaged = _mm256_cmpge_epu16_mask(e2, engaged_min);
    const __mmask16 disengaged = _mm256_cmplt_epu16_mask(e2, disengaged_below);
    const __mmask16 real = _mm512_test_epi32_mask(f, real_v);
    a.engaged += static_cast<std::uint32_t>(__builtin_popcount(engaged));
    a.disengaged += static_cast<std::uint32_t>(__builtin_popcount(disengaged));
    append_bits(static_cast<std::uint32_t>(disengaged & ~real), i, out.churn, out.churn_count);
    const __mmask16 react = matched & _mm256_cmpge_epu16_mask(e2, react_min) & ~real;
    if (react) {
      const __m512i bias = _mm512_and_si512(_mm512_srli_epi32(f, member_flag::bias_shift), seven);
      const __m512i one_hot = _mm512_sllv_epi32(one, _mm512_slli_epi32(bias, 2));
      acc.nibbles = _mm512_mask_add_epi32(acc.nibbles, react, acc.nibbles, one_hot);
      acc.reacted = true;
    }
    acc.esum = _mm512_add_epi32(acc.esum, e32);
    if (++pending == 15) {  // a nibble holds at most 15
      flush(acc);
      pending = 0;
    }
  }
  drain(acc, a);
  update_range(c, i, end, k, a, out);
}

#else

bool cpu_has_avx512_kernel() noexcept { return false; }
void run_kernel_avx512(const KernelColumns& c, std::size_t begin, std::size_t end, const KernelConstants& k,
                       KernelAccum& a, KernelOut& out) {
  run_kernel_scalar(c, begin, end, k, a, out);
}

#endif

}  // namespace onair::showtime::detail
