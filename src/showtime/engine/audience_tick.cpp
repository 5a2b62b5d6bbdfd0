#include "showtime/engine/audience_tick.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "showtime/engine/pool_access.hpp"
#include "showtime/engine/tick_kernel.hpp"

namespace onair::showtime {

namespace {

using detail::KernelAccum;
using detail::KernelColumns;
using detail::KernelConstants;
using detail::KernelOut;

using KernelFn = void (*)(const KernelColumns&, std::size_t, std::size_t, const KernelConstants&, KernelAccum&,
                          KernelOut&);

bool avx512_available() noexcept {
  static const bool available = detail::cpu_has_avx512_kernel();
  return available;
}

bool avx2_available() noexcept {
  static const bool available = detail::cpu_has_avx2_kernel();
  return available;
}

KernelFn kernel_for(TickKernel kind) noexcept {
  if (kind == TickKernel::avx512) return detail::run_kernel_avx512;
  if (kind == TickKernel::avx2) return detail::run_kernel_avx2;
  static const bool popcnt = detail::cpu_has_popcnt();
  return popcnt ? detail::run_kernel_scalar_popcnt : detail::run_kernel_scalar;
}

std::uint16_t strictly_above(double threshold) {
  const std::uint32_t e = to_engagement(threshold);
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(e + 1, kEngagementOne));
}

struct Prepared {
  KernelConstants k;
  std::array<std::uint64_t, kMaxPersonalities> churn_threshold{};
};

void prepare(const AudiencePool& pool, const InterestMatcher& matcher, const AudienceParams& params, Prepared& out) {
  KernelConstants& k = out.k;
  k.plane_count = matcher.plane_count;
  k.planes = matcher.planes;
  k.shifts = matcher.shifts;
  // A match on the heaviest tag (score 128) gains gain_rate * personality gain *
  // heaviest weight; gain = score * g >> 7, so g = rate * unit_weight * 65535 * 128 * w.
  const double gain_base = params.engagement_gain_rate * matcher.unit_weight * double(kEngagementOne) * 128.0;
  const double churn_base = params.churn_probability * params.churn_multiplier;
  // Only ids in use: the kernels never read an entry at or past the limit.
  const std::size_t limit = std::min<std::size_t>(pool.personality_limit(), kMaxPersonalities);
  for (std::size_t p = 0; p < limit; ++p) {
    const PersonalityWeights w =
        p < params.personality_weights.size() ? params.personality_weights[p] : PersonalityWeights{};
    const auto g = std::clamp<long>(std::lround(gain_base * std::max(0.0, w.gain)), 0, 0xFFFF);
    const auto dm = std::clamp<long>(std::lround(std::max(0.0, w.decay) * 256.0), 0, 0xFFFF);
    k.personality_words[p] = static_cast<std::uint32_t>(g) | (static_cast<std::uint32_t>(dm) << 16);
    out.churn_threshold[p] = probability_threshold(churn_base * std::max(0.0, w.churn));
  }
  k.personality_limit = pool.personality_limit();
  k.now = pool.now();
  k.watch_min = params.followers_enabled ? params.follower_watch_ticks : UINT32_MAX;
  k.mean_q =
      static_cast<std::uint32_t>(std::clamp<long>(std::lround(params.follower_engagement_threshold * 255.0), 0, 255));
  k.engaged_min = strictly_above(params.engaged_threshold);
  k.disengaged_below = to_engagement(params.disengaged_threshold);
  k.react_min = strictly_above(params.reaction_threshold);
}

// Adds (+1) or removes (-1) one member's engagement from the running counts.
void account(KernelAccum& a, const KernelConstants& k, std::uint32_t e, bool candidate, int sign) {
  a.engagement_sum += sign > 0 ? e : 0;
  a.engagement_sum -= sign < 0 ? e : 0;
  const auto one = static_cast<std::uint32_t>(sign);  // wraps for -1: unsigned add of -1
  if (e >= k.engaged_min) a.engaged += one;
  if (e < k.disengaged_below) a.disengaged += one;
  if (candidate) a.candidates += one;
}

}  // namespace

bool tick_kernel_available(TickKernel kernel) noexcept {
  switch (kernel) {
    case TickKernel::automatic:
    case TickKernel::scalar:
      return true;
    case TickKernel::avx2:
      return avx2_available();
    case TickKernel::avx512:
      return avx512_available();
  }
  return false;
}

TickKernel resolve_tick_kernel(TickKernel kernel) noexcept {
  if (kernel == TickKernel::automatic || !tick_kernel_available(kernel)) {
    if (avx512_available()) return TickKernel::avx512;
    if (avx2_available()) return TickKernel::avx2;
    return TickKernel::scalar;
  }
  return kernel;
}

const char* to_string(TickKernel kernel) noexcept {
  switch (kernel) {
    case TickKernel::automatic:
      return "automatic";
    case TickKernel::scalar:
      return "scalar";
    case TickKernel::avx2:
      return "avx2";
    case TickKernel::avx512:
      return "avx512";
  }
  return "scalar";
}

TickReport tick(AudiencePool& pool, const ContentTags& content, const AudienceParams& params, Rng& rng) {
  TickReport r;
  const std::uint32_t now = ++PoolAccess::now(pool);

  // Paused: nothing is shown, so nobody matches (decay continues); newcomers
  // are still drawn by what the stream is about.
  const InterestMatcher content_matcher = InterestMatcher::build(content, params.tag_weights);
  const InterestMatcher shown = params.paused ? InterestMatcher{} : content_matcher;
  static thread_local Prepared prep;  // 3 KB of per-tick constants, reused
  prepare(pool, shown, params, prep);
  const KernelConstants& k = prep.k;

  r.kernel = resolve_tick_kernel(params.kernel);
  const KernelFn kernel = kernel_for(r.kernel);
  KernelColumns cols{PoolAccess::interests(pool).data(), PoolAccess::engagement(pool).data(),
                     PoolAccess::decay(pool).data(),     PoolAccess::personality(pool).data(),
                     PoolAccess::flags(pool).data(),     PoolAccess::mean_sum(pool).data(),
                     PoolAccess::joined(pool).data()};
  auto& ids = PoolAccess::ids(pool);
  auto& flags = PoolAccess::flags(pool);
  auto& engagement = PoolAccess::engagement(pool);
  const auto& personality = PoolAccess::personality(pool);
  PoolStats& stats = PoolAccess::stats(pool);

  static thread_local std::array<std::uint32_t, detail::kBlock> churn_buf;
  static thread_local std::array<std::uint32_t, detail::kBlock> fresh_buf;
  KernelAccum acc;
  const bool can_replace = pool.reservoir().drawable();
  std::int64_t surplus = std::int64_t(pool.simulated_size()) - std::int64_t(pool.target_size());
  std::vector<std::uint32_t> removals;

  const std::size_t n = pool.size();
  for (std::size_t begin = 0; begin < n; begin += detail::kBlock) {
    const std::size_t end = std::min(n, begin + detail::kBlock);
    KernelOut out{churn_buf.data(), 0, fresh_buf.data(), 0};
    kernel(cols, begin, end, k, acc, out);
    for (std::uint32_t j = 0; j < out.fresh_count; ++j) r.new_candidates.push_back(ids[fresh_buf[j]]);

    // Churn: each disengaged simulated member leaves with its personality's
    // probability; below (or at) the target it is replaced in place.
    for (std::uint32_t j = 0; j < out.churn_count; ++j) {
      const std::uint32_t i = churn_buf[j];
      if (!rng.chance(prep.churn_threshold[personality[i]])) continue;
      const bool was_candidate = flags[i] & member_flag::candidate;
      if (was_candidate) r.departed_candidates.push_back(ids[i]);
      account(acc, k, engagement[i], was_candidate, -1);
      ++r.left;
      ++stats.left;
      if (surplus > 0 || !can_replace) {
        removals.push_back(i);
        --surplus;
        continue;
      }
      const MemberTemplate& t = pool.reservoir()[PoolAccess::draw_template(pool, content_matcher, params, rng)];
      const Engagement e = PoolAccess::join_engagement(pool, params, rng);
      PoolAccess::replace_at(pool, i, t, e);
      account(acc, k, e, false, +1);
      ++r.joined;
    }
  }

  // Real-derived members whose TTL ran out (SHOWTIME.md RealDerivedMemberTtlSeconds).
  for (const std::uint32_t i : PoolAccess::expired_real(pool, now)) {
    const bool was_candidate = flags[i] & member_flag::candidate;
    if (was_candidate) r.departed_candidates.push_back(ids[i]);
    account(acc, k, engagement[i], was_candidate, -1);
    ++r.expired;
    ++stats.expired;
    removals.push_back(i);
  }
  std::sort(removals.begin(), removals.end(), std::greater<>());
  for (const std::uint32_t i : removals) PoolAccess::erase_at(pool, i);

  // Below target (after migration out, or a larger career phase): refill gradually.
  if (can_replace && params.refill_fraction > 0.0 && pool.simulated_size() < pool.target_size()) {
    const auto step = std::max<std::uint32_t>(
        1, static_cast<std::uint32_t>(std::ceil(double(pool.target_size()) * std::min(1.0, params.refill_fraction))));
    const std::size_t before = pool.size();
    r.joined += pool.fill(content, params, rng, step);
    for (std::size_t i = before; i < pool.size(); ++i) account(acc, k, engagement[i], false, +1);
  }

  // Simulated reactions: the expected share of eligible members (more right
  // after a game event raised the content), rounded stochastically.
  double reaction_p = params.reaction_probability;
  std::uint8_t heaviest = 0;
  for (TagMask m = content.mask(); m; m &= m - 1) {
    heaviest = std::max(heaviest, content.raw_weight(static_cast<TagId>(__builtin_ctzll(m))));
  }
  for (unsigned i = 0; i < params.reaction_freshness_power; ++i) reaction_p *= double(heaviest) / 255.0;
  const std::uint64_t p32 = probability_threshold(reaction_p) >> 32;
  for (std::size_t s = 0; s < kSentimentCount; ++s) {
    const std::uint64_t eligible = acc.reactions[s];
    if (eligible == 0 || p32 == 0) continue;
    if (reaction_p >= 1.0) {
      r.reactions[s] = static_cast<std::uint32_t>(eligible);
      continue;
    }
    const std::uint64_t x = eligible * p32;
    std::uint64_t count = x >> 32;
    const std::uint64_t frac = x & 0xFFFFFFFFu;
    if (frac && (rng.next() >> 32) < frac) ++count;
    r.reactions[s] = static_cast<std::uint32_t>(count);
  }

  const auto size = static_cast<std::uint32_t>(pool.size());
  stats.member_ticks += size;
  stats.engagement_ticks += acc.engagement_sum;
  stats.peak_size = std::max(stats.peak_size, size);

  r.tick = now;
  r.size = size;
  r.simulated = pool.simulated_size();
  r.real_derived = pool.real_derived_size();
  r.engaged = acc.engaged;
  r.disengaged = acc.disengaged;
  r.candidates = acc.candidates;
  r.mean_engagement = size ? double(acc.engagement_sum) / double(size) / double(kEngagementOne) : 0.0;
  return r;
}

}  // namespace onair::showtime
