#pragma once
// Helpers for the showtime engine tests: small hand-made pools and reservoirs.
#include <cmath>
#include <memory>
#include <vector>

#include "showtime/engine/audience_pool.hpp"
#include "showtime/engine/audience_tick.hpp"
#include "showtime/engine/reservoir.hpp"

namespace onair::showtime::testing {

// Tags used by the hand-made tests.
inline constexpr TagId kCombat = 0;
inline constexpr TagId kCrafting = 1;
inline constexpr TagId kSocial = 2;
inline constexpr TagId kTrade = 3;
constexpr TagMask bit(TagId t) { return TagMask{1} << t; }

inline ContentTags content_of(std::initializer_list<std::pair<TagId, double>> tags) {
  ContentTags c;
  for (auto [t, w] : tags) c.set(t, w);
  return c;
}

// Parameters that isolate one rule: no churn, no refill, no reactions.
inline AudienceParams quiet_params() {
  AudienceParams p;
  p.churn_probability = 0.0;
  p.refill_fraction = 0.0;
  p.reaction_probability = 0.0;
  p.join_engagement_jitter = 0.0;
  return p;
}

inline MemberSpec member(TagMask interests, double engagement, double decay = 0.02, PersonalityId personality = 0) {
  MemberSpec s;
  s.interests = interests;
  s.engagement = engagement;
  s.decay_rate = decay;
  s.personality = personality;
  return s;
}

// A reservoir where every template has exactly one of the given tags.
inline std::shared_ptr<const Reservoir> single_tag_reservoir(std::initializer_list<TagId> tags, int copies = 10) {
  std::vector<MemberTemplate> ts;
  for (int i = 0; i < copies; ++i) {
    for (TagId t : tags) {
      MemberTemplate m;
      m.interests = bit(t);
      m.decay = to_engagement(0.02);
      m.personality = static_cast<PersonalityId>(i % 3);
      m.bias = static_cast<Sentiment>(i % 8);
      ts.push_back(m);
    }
  }
  return std::make_shared<const Reservoir>(std::move(ts));
}

inline double level(const AudiencePool& pool, std::size_t i) { return from_engagement(pool.engagement()[i]); }

// One engagement unit of slack for fixed-point rounding.
inline constexpr double kUnit = 1.5 / 65535.0;

}  // namespace onair::showtime::testing
