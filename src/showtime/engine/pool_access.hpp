#pragma once
// Internal: mutable access to an AudiencePool's columns for the engine's own
// algorithms (tick, migration, checkpoint codec). Not for the service layer.
#include "showtime/engine/audience_pool.hpp"

namespace onair::showtime {

struct PoolAccess {
  static std::vector<TagMask>& interests(AudiencePool& p) { return p.interests_; }
  static std::vector<Engagement>& engagement(AudiencePool& p) { return p.engagement_; }
  static std::vector<Engagement>& decay(AudiencePool& p) { return p.decay_; }
  static std::vector<PersonalityId>& personality(AudiencePool& p) { return p.personality_; }
  static std::vector<std::uint8_t>& flags(AudiencePool& p) { return p.flags_; }
  static std::vector<std::uint32_t>& mean_sum(AudiencePool& p) { return p.mean_sum_; }
  static std::vector<std::uint32_t>& joined(AudiencePool& p) { return p.joined_; }
  static std::vector<MemberId>& ids(AudiencePool& p) { return p.ids_; }
  static PoolStats& stats(AudiencePool& p) { return p.stats_; }
  static std::uint32_t& now(AudiencePool& p) { return p.now_; }

  static void erase_at(AudiencePool& p, std::size_t i) { p.erase_at(i); }
  static void replace_at(AudiencePool& p, std::size_t i, const MemberTemplate& t, Engagement e) {
    p.replace_at(i, t, e);
  }
  static std::uint32_t draw_template(AudiencePool& p, const InterestMatcher& m, const AudienceParams& params,
                                     Rng& rng) {
    return p.draw_template(m, params, rng);
  }
  static Engagement join_engagement(const AudiencePool& p, const AudienceParams& params, Rng& rng) {
    return p.join_engagement(params, rng);
  }
  // Real-derived members whose TTL ran out at tick `now` (indices, unordered).
  static std::vector<std::uint32_t> expired_real(const AudiencePool& p, std::uint32_t now) {
    std::vector<std::uint32_t> out;
    for (const auto& [id, entry] : p.real_) {
      if (entry.expires_at != 0 && static_cast<std::int32_t>(now - entry.expires_at) >= 0) out.push_back(entry.index);
    }
    return out;
  }
  // For the codec: restore one member with all of its state.
  static void restore_member(AudiencePool& p, MemberId id, TagMask interests, Engagement e, Engagement decay,
                             PersonalityId personality, std::uint8_t flags, std::uint32_t mean_sum,
                             std::uint32_t joined, std::uint32_t expires_at);
  static void restore_header(AudiencePool& p, std::uint32_t now, std::uint64_t serial, const PoolStats& totals);
  static std::uint32_t expires_at(const AudiencePool& p, MemberId id) {
    auto it = p.real_.find(id);
    return it == p.real_.end() ? 0 : it->second.expires_at;
  }
};

}  // namespace onair::showtime
