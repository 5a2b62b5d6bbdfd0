#include "showtime/engine/migration.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "showtime/engine/pool_access.hpp"

namespace onair::showtime {

MigrationResult migrate(AudiencePool& from, const ContentTags& from_content, std::span<const MigrationTarget> targets,
                        double fraction, const AudienceParams& params, Rng& rng) {
  MigrationResult result;
  result.moved_to.assign(targets.size(), 0);
  if (targets.empty() || !(fraction > 0.0)) return result;

  const InterestMatcher here = InterestMatcher::build(from_content, params.tag_weights);
  std::vector<InterestMatcher> there;
  there.reserve(targets.size());
  for (const auto& t : targets) {
    there.push_back(t.content && t.pool && t.pool != &from ? InterestMatcher::build(*t.content, params.tag_weights)
                                                           : InterestMatcher{});
  }
  // Scores are compared in real weights (each matcher has its own unit).
  auto real_score = [](const InterestMatcher& m, TagMask interests) {
    return double(m.score(interests)) * m.unit_weight;
  };

  const Engagement disengaged_below = to_engagement(params.disengaged_threshold);
  const auto interests = from.interests();
  const auto engagement = from.engagement();
  const auto flags = from.flags();
  struct Candidate {
    std::uint32_t index;
    std::uint32_t target;
  };
  std::vector<Candidate> eligible;
  for (std::size_t i = 0; i < from.size(); ++i) {
    if ((flags[i] & member_flag::real_derived) || engagement[i] >= disengaged_below) continue;
    const double current = real_score(here, interests[i]);
    double best = current;
    std::size_t best_target = targets.size();
    for (std::size_t t = 0; t < targets.size(); ++t) {
      const double s = real_score(there[t], interests[i]);
      if (s > best) {
        best = s;
        best_target = t;
      }
    }
    if (best_target < targets.size()) {
      eligible.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(best_target)});
    }
  }
  result.eligible = static_cast<std::uint32_t>(eligible.size());
  if (eligible.empty()) return result;

  // How many: fraction * eligible, rounded stochastically; which: a partial
  // Fisher-Yates shuffle.
  const double want = std::min(1.0, fraction) * double(eligible.size());
  std::size_t count = static_cast<std::size_t>(want);
  if (rng.chance(probability_threshold(want - double(count)))) ++count;
  count = std::min(count, eligible.size());
  for (std::size_t j = 0; j < count; ++j) {
    const std::size_t pick = j + static_cast<std::size_t>(rng.below(eligible.size() - j));
    std::swap(eligible[j], eligible[pick]);
  }
  eligible.resize(count);

  // Arrive in selection order; leave in descending index order (removal moves
  // the last member into the freed slot).
  for (const auto& c : eligible) {
    const MemberView m = from.member(c.index);
    MemberSpec spec;
    spec.id = m.id;
    spec.personality = m.personality;
    spec.interests = m.interests;
    spec.engagement = params.join_engagement;
    spec.decay_rate = from_engagement(m.decay);
    spec.bias = m.bias();
    AudiencePool& to = *targets[c.target].pool;
    to.add_member(spec);
    // add_member converts the decay rate back to units; keep the exact value.
    PoolAccess::decay(to).back() = m.decay;
    ++PoolAccess::stats(to).migrated_in;
    ++result.moved_to[c.target];
    result.moved.push_back(m.id);
  }
  std::vector<std::uint32_t> indices;
  indices.reserve(eligible.size());
  for (const auto& c : eligible) indices.push_back(c.index);
  std::sort(indices.begin(), indices.end(), std::greater<>());
  for (const std::uint32_t i : indices) PoolAccess::erase_at(from, i);
  PoolAccess::stats(from).migrated_out += indices.size();
  return result;
}

}  // namespace onair::showtime
