#pragma once
// The audience of one showtime session, stored as a structure of arrays so a
// tick streams through exactly the bytes it needs (SHOWTIME.md "Audience
// Member Anatomy"; the upstream plan keeps one Redis entry per member, onair
// keeps the pool in memory and checkpoints it).
//
// Per member (bytes):                       touched by a tick
//   interests       TagMask (u64)      8    read
//   engagement      u16 fixed point    2    read + write
//   decay           u16 fixed point    2    read
//   personality     u8 (interned)      1    read
//   flags           u8                 1    read + write   (real-derived, candidate, follower, bias:3)
//   mean_sum        u32                4    read + write   (sum of engagement/256 per tick watched)
//   joined          u32 tick           4    read           (watch time = now - joined)
//   id              u64                8    -              (cold)
// = 22 bytes of hot state, 30 bytes in all. Real-derived members' TTL and
// tracking live in a side table: they are few, and the tick never reads it.
//
// The pool keeps `target` simulated members (from the streamer's career
// phase); real-derived members join on top of them (SHOWTIME.md "Proportional
// blending"). Member order is deterministic; removal moves the last member
// into the freed slot.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "showtime/engine/audience_params.hpp"
#include "showtime/engine/content_tags.hpp"
#include "showtime/engine/reservoir.hpp"
#include "showtime/engine/rng.hpp"
#include "showtime/engine/types.hpp"

namespace onair::showtime {

enum class MemberSource : std::uint8_t { simulated, real_derived };

// A member to add: simulated ones come from the reservoir (or a follower
// returning), real-derived ones from a sentiment pulse (stream service).
struct MemberSpec {
  PersonalityId personality = 0;
  TagMask interests = 0;
  double engagement = 0.4;   // 0..1
  double decay_rate = 0.02;  // per tick, 0..1
  Sentiment bias = Sentiment::excited;
  MemberSource source = MemberSource::simulated;
  bool follower = false;                   // already follows this streamer
  std::optional<std::uint32_t> ttl_ticks;  // real-derived only: removed after this many ticks unless refreshed
  MemberId id = 0;                         // 0: the pool assigns one
};

struct MemberView {
  MemberId id = 0;
  PersonalityId personality = 0;
  TagMask interests = 0;
  Engagement engagement = 0;
  Engagement decay = 0;
  std::uint8_t flags = 0;
  std::uint32_t watch_ticks = 0;
  std::uint32_t mean_sum = 0;
  std::optional<std::uint32_t> expires_at;  // tick, real-derived with a TTL

  bool real_derived() const noexcept { return flags & member_flag::real_derived; }
  bool candidate() const noexcept { return flags & member_flag::candidate; }
  bool follower() const noexcept { return flags & member_flag::follower; }
  Sentiment bias() const noexcept { return bias_of(flags); }
  double engagement_level() const noexcept { return from_engagement(engagement); }
  double mean_engagement() const noexcept;  // since joining (the follower rule's "average engagement")
};

// Maintained on every add/remove, so reading them is free.
struct PoolStats {
  std::uint32_t real_derived = 0;
  std::uint32_t followers = 0;
  std::array<std::uint32_t, kMaxTags> tag_counts{};  // members interested in each tag
  std::array<std::uint32_t, kMaxPersonalities> personality_counts{};
  // Session totals (for ShowtimeSessionEnded and careers).
  std::uint64_t member_ticks = 0;      // sum over ticks of the audience size (watch time)
  std::uint64_t engagement_ticks = 0;  // sum over ticks and members of engagement units
  std::uint32_t peak_size = 0;
  std::uint64_t joined = 0;  // members added after creation (reservoir, real, migration)
  std::uint64_t left = 0;    // churned out
  std::uint64_t expired = 0;
  std::uint64_t migrated_out = 0;
  std::uint64_t migrated_in = 0;

  double average_engagement() const noexcept {
    return member_ticks ? double(engagement_ticks) / double(member_ticks) / double(kEngagementOne) : 0.0;
  }
};

class AudiencePool {
 public:
  // `id_seed` makes member ids unique across pools (ids are a bijective mix of
  // seed + serial); give each session its own.
  AudiencePool(std::shared_ptr<const Reservoir> reservoir, std::uint32_t target_size, std::uint64_t id_seed);

  std::size_t size() const noexcept { return ids_.size(); }
  std::uint32_t simulated_size() const noexcept { return static_cast<std::uint32_t>(size()) - stats_.real_derived; }
  std::uint32_t real_derived_size() const noexcept { return stats_.real_derived; }
  std::uint32_t target_size() const noexcept { return target_; }
  void set_target_size(std::uint32_t target) noexcept { target_ = target; }
  std::uint32_t now() const noexcept { return now_; }  // ticks run so far
  const Reservoir& reservoir() const noexcept { return *reservoir_; }
  const std::shared_ptr<const Reservoir>& reservoir_ptr() const noexcept { return reservoir_; }
  const PoolStats& stats() const noexcept { return stats_; }

  void reserve(std::size_t members);
  std::size_t memory_bytes() const noexcept;  // capacity of the columns (excluding the real-derived side table)

  // Adds a member (any source) and returns its id. Real-derived members are
  // never churned; they leave by TTL or remove_member.
  MemberId add_member(const MemberSpec& spec);
  bool remove_member(MemberId id);
  // A new pulse about a tracked real-derived member: new engagement/bias, TTL
  // restarted (nullopt fields stay as they are). False if not a real member here.
  bool refresh_real_member(MemberId id, std::optional<double> engagement, std::optional<Sentiment> bias,
                           std::optional<std::uint32_t> ttl_ticks);
  // O(1) for real-derived members, a scan otherwise.
  std::optional<std::size_t> index_of(MemberId id) const;
  MemberView member(std::size_t index) const;

  // Draws members from the reservoir for `content` until the simulated count
  // reaches the target (at most `limit`). Returns how many joined.
  std::uint32_t fill(const ContentTags& content, const AudienceParams& params, Rng& rng,
                     std::uint32_t limit = UINT32_MAX);
  // Marks members as followers of this streamer (after conversion).
  std::uint32_t mark_followers(std::span<const MemberId> ids);

  std::vector<std::pair<TagId, std::uint32_t>> top_tags(std::size_t n) const;
  std::vector<std::pair<PersonalityId, std::uint32_t>> personality_mix() const;  // non-zero counts, by id

  // Column views (read-only), for the codec, checks and tests.
  std::span<const TagMask> interests() const noexcept { return interests_; }
  std::span<const Engagement> engagement() const noexcept { return engagement_; }
  std::span<const Engagement> decay() const noexcept { return decay_; }
  std::span<const PersonalityId> personality() const noexcept { return personality_; }
  std::span<const std::uint8_t> flags() const noexcept { return flags_; }
  std::span<const std::uint32_t> mean_sum() const noexcept { return mean_sum_; }
  std::span<const std::uint32_t> joined() const noexcept { return joined_; }
  std::span<const MemberId> ids() const noexcept { return ids_; }
  std::uint64_t id_seed() const noexcept { return id_seed_; }
  std::uint64_t next_serial() const noexcept { return serial_; }
  std::uint32_t personality_limit() const noexcept { return personality_limit_; }  // highest id ever added + 1

  static constexpr std::size_t kHotBytesPerMember = sizeof(TagMask) + 2 * sizeof(Engagement) + sizeof(PersonalityId) +
                                                    sizeof(std::uint8_t) + 2 * sizeof(std::uint32_t);
  static constexpr std::size_t kBytesPerMember = kHotBytesPerMember + sizeof(MemberId);

 private:
  friend struct PoolAccess;  // the tick, migration, codec

  struct RealEntry {
    std::uint32_t index = 0;
    std::uint32_t expires_at = 0;  // tick; 0 = no TTL
  };

  MemberId next_id();
  void push_member(MemberId id, const MemberTemplate& t, Engagement e, std::uint8_t flags);
  void count_in(std::size_t i);
  void count_out(std::size_t i);
  void erase_at(std::size_t i);  // moves the last member into i
  void replace_at(std::size_t i, const MemberTemplate& t, Engagement e);
  std::uint32_t draw_template(const InterestMatcher& matcher, const AudienceParams& params, Rng& rng);
  Engagement join_engagement(const AudienceParams& params, Rng& rng) const;

  std::shared_ptr<const Reservoir> reservoir_;
  std::uint32_t target_ = 0;
  std::uint32_t now_ = 0;
  std::uint64_t id_seed_ = 0;
  std::uint64_t serial_ = 0;
  std::uint32_t personality_limit_ = 0;

  // Hot columns.
  std::vector<TagMask> interests_;
  std::vector<Engagement> engagement_;
  std::vector<Engagement> decay_;
  std::vector<PersonalityId> personality_;
  std::vector<std::uint8_t> flags_;
  std::vector<std::uint32_t> mean_sum_;
  std::vector<std::uint32_t> joined_;
  // Cold.
  std::vector<MemberId> ids_;
  std::unordered_map<MemberId, RealEntry> real_;

  PoolStats stats_;

  // Cache (not state): the reservoir draw for the last content seen.
  ContentDraw draw_;
  std::uint64_t draw_key_ = 0;
  bool draw_ready_ = false;
};

// Hash of everything that determines the pool's future (members in order,
// their columns, TTLs, the tick counter, target, id stream and session
// totals): FNV-1a over 64-bit words. Equal hashes after the same ticks mean
// a replay reproduced the session.
std::uint64_t state_hash(const AudiencePool& pool);

}  // namespace onair::showtime
