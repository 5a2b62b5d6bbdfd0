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
  for (std::uint32_t i = 0; i < templates_.size(); ++i) index(i);
  build_alias();
}

void Reservoir::add(const MemberTemplate& t) {
  templates_.push_back(t);
  index(static_cast<std::uint32_t>(templates_.size() - 1));
  build_alias();
}

void Reservoir::index(std::uint32_t i) {
  const MemberTemplate& t = templates_[i];
  popularity_.push_back((popularity_.empty() ? 0 : popularity_.back()) + t.weight);
  if (t.weight == 0) return;
  for (TagMask m = t.interests; m; m &= m - 1) {
    auto& list = by_tag_[__builtin_ctzll(m)];
    list.templates.push_back(i);
    list.cumulative.push_back((list.cumulative.empty() ? 0 : list.cumulative.back()) + t.weight);
  }
}

std::uint32_t Reservoir::draw_with_tag(TagId tag, Rng& rng) const {
  const auto& list = by_tag_[tag];
  const std::uint64_t r = rng.below(list.cumulative.back());
  const auto at = std::upper_bound(list.cumulative.begin(), list.cumulative.end(), r) - list.cumulative.begin();
  return list.templates[static_cast<std::size_t>(at)];
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

ContentDraw::ContentDraw(const Reservoir& reservoir, const InterestMatcher& matcher, std::uint32_t mismatch_q) {
  by_popularity_ = std::uint64_t(mismatch_q) * reservoir.total_popularity();
  std::uint64_t sum = by_popularity_;
  TagMask content = 0;
  for (std::uint8_t k = 0; k < matcher.plane_count; ++k) content |= matcher.planes[k];
  while (content) {
    const auto t = static_cast<TagId>(__builtin_ctzll(content));
    content &= content - 1;
    const std::uint64_t weight = std::uint64_t(matcher.score(TagMask{1} << t)) * reservoir.tag_mass(t);
    if (weight == 0) continue;
    sum += weight;
    tags_[tag_count_] = t;
    cumulative_[tag_count_] = sum;
    ++tag_count_;
  }
  total_ = sum;
}

std::uint32_t ContentDraw::draw(const Reservoir& reservoir, Rng& rng) const {
  if (total_ == 0) return reservoir.draw_by_popularity(rng);
  const std::uint64_t r = rng.below(total_);
  if (r < by_popularity_) return reservoir.draw_by_popularity(rng);
  std::uint8_t i = 0;
  while (i + 1 < tag_count_ && r >= cumulative_[i]) ++i;
  return reservoir.draw_with_tag(tags_[i], rng);
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
