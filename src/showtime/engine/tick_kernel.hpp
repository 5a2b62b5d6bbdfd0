#pragma once
// Internal: the per-member update of an audience tick, in the form the
// kernels share. update_member() is the reference semantics; the AVX2 and
// AVX-512 kernels compute exactly the same thing 8 / 16 members at a time
// (integer arithmetic only, so the results are bit-identical; tests compare
// them).
//
// For member i, with score = sum_k popcount(interests & plane[k]) << shift[k]:
//   matched (score > 0):  e' = e + (min(1, score * gain_p >> 7) * (1 - e))  (diminishing returns)
//   otherwise:            e' = max(0, e - (decay_i * decay_mult_p >> 8))
//   watch = now - joined;  mean_sum += e' >> 8  while watch <= 2^24
//   candidate = watch >= W  and  mean_sum >= min(watch, 2^24) * Tq  and not a follower
// and it counts: engaged (e' >= engaged_min), disengaged (e' < disengaged_below;
// simulated ones become churn candidates), reactions (matched, e' >= react_min,
// simulated) by sentiment bias, and newly raised candidate flags.
#include <array>
#include <cstddef>
#include <cstdint>

#include "showtime/engine/types.hpp"

namespace onair::showtime::detail {

inline constexpr std::uint32_t kMeanWindow = 1u << 24;  // ticks after which a member's mean is frozen
inline constexpr std::size_t kBlock = 4096;             // members per kernel call (bounds the index buffers)

struct KernelColumns {
  const TagMask* interests;
  Engagement* engagement;
  const Engagement* decay;
  const PersonalityId* personality;
  std::uint8_t* flags;
  std::uint32_t* mean_sum;
  const std::uint32_t* joined;
};

struct KernelConstants {
  std::array<TagMask, 8> planes{};
  std::array<std::uint8_t, 8> shifts{};
  std::uint32_t plane_count = 0;
  // Per personality id: gain factor (low 16 bits) | decay multiplier, 8.8 fixed (high 16 bits).
  alignas(64) std::array<std::uint32_t, kMaxPersonalities> personality_words{};
  std::uint32_t personality_limit = 0;  // ids in use are below this
  std::uint32_t now = 0;
  std::uint32_t watch_min = 0;  // W, ticks (UINT32_MAX: followers disabled)
  std::uint32_t mean_q = 0;     // Tq: follower engagement threshold * 255
  std::uint16_t engaged_min = 0;
  std::uint16_t disengaged_below = 0;
  std::uint16_t react_min = 0;
};

struct KernelAccum {
  std::uint64_t engagement_sum = 0;
  std::uint32_t engaged = 0;
  std::uint32_t disengaged = 0;
  std::uint32_t candidates = 0;
  std::array<std::uint32_t, kSentimentCount> reactions{};
};

struct KernelOut {
  std::uint32_t* churn;  // indices of disengaged simulated members (ascending)
  std::uint32_t churn_count = 0;
  std::uint32_t* fresh;  // indices of members that just became candidates (ascending)
  std::uint32_t fresh_count = 0;
};

// Branch-free (members are in no particular order, so "matched" and
// "disengaged" would mispredict): both engagement paths are computed and
// selected, and the index lists are appended to unconditionally.
// kPlanes: the number of bit planes when known at compile time (1: uniform
// weights, the common case), or 0 for any.
template <std::uint32_t kPlanes = 0>
[[gnu::always_inline]] inline void update_member(const KernelColumns& c, std::size_t i, const KernelConstants& k,
                                                 KernelAccum& a, KernelOut& out) {
  const TagMask interests = c.interests[i];
  std::uint32_t score = 0;
  const std::uint32_t planes = kPlanes ? kPlanes : k.plane_count;
  for (std::uint32_t p = 0; p < planes; ++p) {
    score += static_cast<std::uint32_t>(__builtin_popcountll(interests & k.planes[p])) << k.shifts[p];
  }
  const std::uint32_t matched = score != 0;
  const std::uint32_t word = k.personality_words[c.personality[i]];
  const std::uint32_t e = c.engagement[i];
  std::uint32_t gain = (score * (word & 0xFFFFu)) >> 7;  // 0 when nothing matched
  gain = gain < kEngagementOne ? gain : kEngagementOne;
  gain = (gain * (kEngagementOne - e)) >> 16;  // the closer to 1, the less there is to gain
  std::uint32_t dec = (std::uint32_t(c.decay[i]) * (word >> 16)) >> 8;
  dec = (dec < kEngagementOne ? dec : kEngagementOne) & (matched - 1);  // 0 when matched
  std::uint32_t up = e + gain;
  up = up < kEngagementOne ? up : kEngagementOne;
  const std::uint32_t e2 = up > dec ? up - dec : 0;
  c.engagement[i] = static_cast<Engagement>(e2);

  const std::uint32_t watch = k.now - c.joined[i];
  const std::uint32_t in_window = watch <= kMeanWindow;
  const std::uint32_t sum = c.mean_sum[i] + ((e2 >> 8) & (0u - in_window));
  c.mean_sum[i] = sum;
  const std::uint32_t tc = in_window ? watch : kMeanWindow;
  const std::uint32_t f = c.flags[i];
  const std::uint32_t cand = (tc >= k.watch_min) & (sum >= tc * k.mean_q) & ((f & member_flag::follower) == 0);
  c.flags[i] = static_cast<std::uint8_t>((f & ~std::uint32_t(member_flag::candidate)) | (cand << 1));
  static_assert(member_flag::candidate == 2);
  if (cand & ((f & member_flag::candidate) == 0)) [[unlikely]] {
    out.fresh[out.fresh_count++] = static_cast<std::uint32_t>(i);
  }

  const std::uint32_t real = f & member_flag::real_derived;
  const std::uint32_t disengaged = e2 < k.disengaged_below;
  a.engagement_sum += e2;
  a.engaged += e2 >= k.engaged_min;
  a.candidates += cand;
  a.disengaged += disengaged;
  out.churn[out.churn_count] = static_cast<std::uint32_t>(i);
  out.churn_count += disengaged & (real ^ 1u);
  a.reactions[(f >> member_flag::bias_shift) & 7u] += matched & (e2 >= k.react_min) & (real ^ 1u);
}

// update_member over [begin, end) on local copies: the kernel's stores go
// through uint8_t/uint16_t pointers, which could alias anything reachable
// from the caller; locals that never escape cannot be aliased, so their
// fields stay in registers.
[[gnu::always_inline]] inline void update_range(const KernelColumns& columns, std::size_t begin, std::size_t end,
                                                const KernelConstants& constants, KernelAccum& accum,
                                                KernelOut& output) {
  const KernelColumns c = columns;
  const KernelConstants k = constants;
  KernelAccum a = accum;
  KernelOut out = output;
  if (k.plane_count == 1) {
    for (std::size_t i = begin; i < end; ++i) update_member<1>(c, i, k, a, out);
  } else {
    for (std::size_t i = begin; i < end; ++i) update_member<0>(c, i, k, a, out);
  }
  accum = a;
  output = out;
}

// [begin, end) with end - begin <= kBlock.
void run_kernel_scalar(const KernelColumns& c, std::size_t begin, std::size_t end, const KernelConstants& k,
                       KernelAccum& a, KernelOut& out);
void run_kernel_scalar_popcnt(const KernelColumns& c, std::size_t begin, std::size_t end, const KernelConstants& k,
                              KernelAccum& a, KernelOut& out);
void run_kernel_avx2(const KernelColumns& c, std::size_t begin, std::size_t end, const KernelConstants& k,
                     KernelAccum& a, KernelOut& out);
void run_kernel_avx512(const KernelColumns& c, std::size_t begin, std::size_t end, const KernelConstants& k,
                       KernelAccum& a, KernelOut& out);
bool cpu_has_popcnt() noexcept;
bool cpu_has_avx2_kernel() noexcept;
bool cpu_has_avx512_kernel() noexcept;

}  // namespace onair::showtime::detail
