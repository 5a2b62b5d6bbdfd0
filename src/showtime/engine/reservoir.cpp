#include "showtime/engine/reservoir.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace onair::showtime {

namespace {

std::uint32_t to_weight(double w) {
  if (!(w > 0.0)) return 0;
  return static_cast<std::uint32_t>(std::min(1e9, std::round(w * 1000.0)));
}

// Index drawn with probability weights[i] / sum (sum > 0).
std::size_t weighted_index(const std::vector<std::uint32_t>& weights, std::uint64_t sum, Rng& rng) {
  std::uint64_t r = rng.below(sum);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (r < weights[i]) return i;
    r -= weights[i];
  }
  return weights.size() - 1;
}

}  // namespace

Reservoir::Reservoir(std::vector<MemberTemplate> templates) : templates_(std::move(templates)) {
  popularity_.reserve(templates_.size());
  for (const auto& t : templates_) {
    popularity_.push_back((popularity_.empty() ? 0 : popularity_.back()) + t.weight);
    max_interests_ = std::max<unsigned>(max_interests_, static_cast<unsigned>(__builtin_popcountll(t.interests)));
  }
  build_alias();
}

void Reservoir::add(const MemberTemplate& t) {
  templates_.push_back(t);
  popularity_.push_back((popularity_.empty() ? 0 : popularity_.back()) + t.weight);
  max_interests_ = std::max<unsigned>(max_interests_, static_cast<unsigned>(__builtin_popcountll(t.interests)));
  build_alias();
}

// Vose's alias method with integer weights: scaled weight w_i * n against the
// total W; each slot keeps its own share (< W) and the rest goes to an alias.
void Reservoir::build_alias() {
  const std::size_t n = templates_.size();
  alias_prob_.assign(n, 0);
  alias_.assign(n, 0);
  uniform_ = true;
  for (const auto& t : templates_) uniform_ = uniform_ && t.weight == templates_.front().weight;
  if (n == 0 || uniform_ || !drawable()) return;
  const std::uint64_t total = popularity_.back();
  std::vector<std::uint64_t> scaled(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    scaled[i] = std::uint64_t(templates_[i].weight) * n;
    (scaled[i] < total ? small : large).push_back(static_cast<std::uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back(), l = large.back();
    small.pop_back();
    alias_prob_[s] = scaled[s];
    alias_[s] = l;
    scaled[l] -= total - scaled[s];
    if (scaled[l] < total) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (auto i : large) alias_prob_[i] = total;
  for (auto i : small) alias_prob_[i] = total;  // rounding leftovers: keep themselves
}

ReservoirSampler::ReservoirSampler(const Reservoir& reservoir, const InterestMatcher& matcher,
                                   std::uint32_t mismatch_q) {
  cdf_.resize(reservoir.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < reservoir.size(); ++i) {
    const auto& t = reservoir[i];
    total += std::uint64_t(t.weight) * (mismatch_q + matcher.score(t.interests));
    cdf_[i] = total;
  }
  if (total == 0) {  // nothing matches and mismatches are filtered out: fall back to popularity
    for (std::size_t i = 0; i < reservoir.size(); ++i) {
      total += reservoir[i].weight;
      cdf_[i] = total;
    }
  }
}

std::uint32_t ReservoirSampler::draw(Rng& rng) const {
  const std::uint64_t total = total_weight();
  if (total == 0) return 0;
  const std::uint64_t r = rng.below(total);
  return static_cast<std::uint32_t>(std::upper_bound(cdf_.begin(), cdf_.end(), r) - cdf_.begin());
}

Reservoir generate_reservoir(const ReservoirSpec& spec, PersonalityTable& personalities, Rng& rng) {
  if (spec.personalities.empty()) throw std::invalid_argument("reservoir spec has no personalities");
  const std::size_t tag_count = std::min(spec.tag_popularity.size(), kMaxTags);
  if (tag_count == 0) throw std::invalid_argument("reservoir spec has no tags");

  std::vector<PersonalityId> ids;
  std::vector<std::uint32_t> shares;
  std::uint64_t share_sum = 0;
  for (const auto& p : spec.personalities) {
    auto id = personalities.intern(p.name);
    if (!id) throw std::invalid_argument("personality table is full or name is empty: '" + p.name + "'");
    ids.push_back(*id);
    shares.push_back(to_weight(p.share));
    share_sum += shares.back();
  }
  if (share_sum == 0) throw std::invalid_argument("reservoir spec: all personality shares are 0");

  std::vector<std::uint32_t> tag_weights(tag_count);
  for (std::size_t t = 0; t < tag_count; ++t) tag_weights[t] = to_weight(spec.tag_popularity[t]);

  const double base_units = spec.decay_base_rate * double(kEngagementOne);
  const auto jitter = static_cast<std::int64_t>(std::lround(std::clamp(spec.decay_jitter, 0.0, 1.0) * 1024.0));

  std::vector<MemberTemplate> out;
  out.reserve(spec.templates);
  for (std::size_t n = 0; n < spec.templates; ++n) {
    const std::size_t pi = weighted_index(shares, share_sum, rng);
    const auto& profile = spec.personalities[pi];
    MemberTemplate t;
    t.personality = ids[pi];

    // Interests: k distinct tags, drawn by popularity without replacement.
    const unsigned lo = std::max<unsigned>(1, profile.min_interests);
    const unsigned hi = std::max<unsigned>(lo, profile.max_interests);
    unsigned k = lo + static_cast<unsigned>(rng.below(hi - lo + 1));
    std::vector<std::uint32_t> remaining = tag_weights;
    std::uint64_t remaining_sum = 0;
    for (auto w : remaining) remaining_sum += w;
    while (k-- > 0 && remaining_sum > 0) {
      const std::size_t tag = weighted_index(remaining, remaining_sum, rng);
      t.interests |= TagMask{1} << tag;
      remaining_sum -= remaining[tag];
      remaining[tag] = 0;
    }

    // Decay: base * personality multiplier, +/- jitter (integer units).
    const auto personal = static_cast<std::int64_t>(std::llround(base_units * std::max(0.0, profile.decay_multiplier)));
    const std::int64_t j = static_cast<std::int64_t>(rng.below(std::uint64_t(2 * jitter + 1))) - jitter;
    const std::int64_t decay = personal * (1024 + j) / 1024;
    t.decay = static_cast<Engagement>(std::clamp<std::int64_t>(decay, 0, kEngagementOne));

    std::vector<std::uint32_t> bias(kSentimentCount);
    std::uint64_t bias_sum = 0;
    for (std::size_t s = 0; s < kSentimentCount; ++s) bias_sum += bias[s] = to_weight(profile.bias_weights[s]);
    t.bias = bias_sum ? static_cast<Sentiment>(weighted_index(bias, bias_sum, rng)) : Sentiment::excited;
    out.push_back(t);
  }
  return Reservoir(std::move(out));
}

}  // namespace onair::showtime
