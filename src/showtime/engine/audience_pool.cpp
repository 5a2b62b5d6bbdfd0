#include "showtime/engine/audience_pool.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <unordered_set>

#include "showtime/engine/pool_access.hpp"

namespace onair::showtime {

namespace {

Engagement decay_units(double rate) { return to_engagement(rate); }

}  // namespace

double MemberView::mean_engagement() const noexcept {
  const std::uint32_t ticks = std::min<std::uint32_t>(watch_ticks, 1u << 24);
  if (ticks == 0) return engagement_level();
  return double(mean_sum) / (double(ticks) * 255.0);
}

AudiencePool::AudiencePool(std::shared_ptr<const Reservoir> reservoir, std::uint32_t target_size, std::uint64_t id_seed)
    : reservoir_(reservoir ? std::move(reservoir) : std::make_shared<const Reservoir>()),
      target_(target_size),
      id_seed_(id_seed) {}

void AudiencePool::reserve(std::size_t members) {
  interests_.reserve(members);
  engagement_.reserve(members);
  decay_.reserve(members);
  personality_.reserve(members);
  flags_.reserve(members);
  mean_sum_.reserve(members);
  joined_.reserve(members);
  ids_.reserve(members);
}

std::size_t AudiencePool::memory_bytes() const noexcept {
  return interests_.capacity() * sizeof(TagMask) + engagement_.capacity() * sizeof(Engagement) +
         decay_.capacity() * sizeof(Engagement) + personality_.capacity() * sizeof(PersonalityId) + flags_.capacity() +
         mean_sum_.capacity() * 4 + joined_.capacity() * 4 + ids_.capacity() * sizeof(MemberId);
}

MemberId AudiencePool::next_id() {
  for (;;) {
    const MemberId id = mix64(mix64(id_seed_ ^ 0x5deece66dULL) + ++serial_);  // distinct within a pool (bijection)
    if (id != 0) return id;
  }
}

void AudiencePool::count_in(std::size_t i) {
  TagMask m = interests_[i];
  while (m) {
    ++stats_.tag_counts[__builtin_ctzll(m)];
    m &= m - 1;
  }
  ++stats_.personality_counts[personality_[i]];
  if (flags_[i] & member_flag::real_derived) ++stats_.real_derived;
  if (flags_[i] & member_flag::follower) ++stats_.followers;
}

void AudiencePool::count_out(std::size_t i) {
  TagMask m = interests_[i];
  while (m) {
    --stats_.tag_counts[__builtin_ctzll(m)];
    m &= m - 1;
  }
  --stats_.personality_counts[personality_[i]];
  if (flags_[i] & member_flag::real_derived) --stats_.real_derived;
  if (flags_[i] & member_flag::follower) --stats_.followers;
}

void AudiencePool::push_member(MemberId id, const MemberTemplate& t, Engagement e, std::uint8_t flags) {
  interests_.push_back(t.interests);
  engagement_.push_back(e);
  decay_.push_back(t.decay);
  personality_.push_back(t.personality);
  flags_.push_back(flags);
  mean_sum_.push_back(0);
  joined_.push_back(now_);
  ids_.push_back(id);
  personality_limit_ = std::max<std::uint32_t>(personality_limit_, std::uint32_t(t.personality) + 1);
  count_in(size() - 1);
  ++stats_.joined;
  stats_.peak_size = std::max<std::uint32_t>(stats_.peak_size, static_cast<std::uint32_t>(size()));
}

void AudiencePool::erase_at(std::size_t i) {
  count_out(i);
  if (flags_[i] & member_flag::real_derived) real_.erase(ids_[i]);
  const std::size_t last = size() - 1;
  if (i != last) {
    interests_[i] = interests_[last];
    engagement_[i] = engagement_[last];
    decay_[i] = decay_[last];
    personality_[i] = personality_[last];
    flags_[i] = flags_[last];
    mean_sum_[i] = mean_sum_[last];
    joined_[i] = joined_[last];
    ids_[i] = ids_[last];
    if (flags_[i] & member_flag::real_derived) real_[ids_[i]].index = static_cast<std::uint32_t>(i);
  }
  interests_.pop_back();
  engagement_.pop_back();
  decay_.pop_back();
  personality_.pop_back();
  flags_.pop_back();
  mean_sum_.pop_back();
  joined_.pop_back();
  ids_.pop_back();
}

void AudiencePool::replace_at(std::size_t i, const MemberTemplate& t, Engagement e) {
  count_out(i);
  interests_[i] = t.interests;
  engagement_[i] = e;
  decay_[i] = t.decay;
  personality_[i] = t.personality;
  flags_[i] = with_bias(0, t.bias);
  mean_sum_[i] = 0;
  joined_[i] = now_;
  ids_[i] = next_id();
  personality_limit_ = std::max<std::uint32_t>(personality_limit_, std::uint32_t(t.personality) + 1);
  count_in(i);
  ++stats_.joined;
}

MemberId AudiencePool::add_member(const MemberSpec& spec) {
  const bool real = spec.source == MemberSource::real_derived;
  if (real && spec.id != 0 && real_.count(spec.id)) {  // a tracked viewer again: update, do not duplicate
    refresh_real_member(spec.id, spec.engagement, spec.bias, spec.ttl_ticks);
    return spec.id;
  }
  MemberTemplate t;
  t.interests = spec.interests;
  t.decay = decay_units(spec.decay_rate);
  t.personality = spec.personality;
  std::uint8_t flags = with_bias(0, spec.bias);
  if (real) flags |= member_flag::real_derived;
  if (spec.follower) flags |= member_flag::follower;
  const MemberId id = spec.id != 0 ? spec.id : next_id();
  push_member(id, t, to_engagement(spec.engagement), flags);
  if (real) {
    RealEntry entry{static_cast<std::uint32_t>(size() - 1), 0};
    if (spec.ttl_ticks) {
      entry.expires_at = now_ + std::max<std::uint32_t>(1, *spec.ttl_ticks);
      if (entry.expires_at == 0) entry.expires_at = 1;  // 0 means "no TTL"; at a wrap-around one tick early
    }
    real_[id] = entry;
  }
  return id;
}

bool AudiencePool::remove_member(MemberId id) {
  auto index = index_of(id);
  if (!index) return false;
  erase_at(*index);
  return true;
}

bool AudiencePool::refresh_real_member(MemberId id, std::optional<double> engagement, std::optional<Sentiment> bias,
                                       std::optional<std::uint32_t> ttl_ticks) {
  auto it = real_.find(id);
  if (it == real_.end()) return false;
  const std::size_t i = it->second.index;
  if (engagement) engagement_[i] = to_engagement(*engagement);
  if (bias) flags_[i] = with_bias(flags_[i], *bias);
  if (ttl_ticks) {
    it->second.expires_at = now_ + std::max<std::uint32_t>(1, *ttl_ticks);
    if (it->second.expires_at == 0) it->second.expires_at = 1;
  }
  return true;
}

std::optional<std::size_t> AudiencePool::index_of(MemberId id) const {
  if (auto it = real_.find(id); it != real_.end()) return it->second.index;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (ids_[i] == id) return i;
  }
  return std::nullopt;
}

MemberView AudiencePool::member(std::size_t i) const {
  MemberView v;
  v.id = ids_.at(i);
  v.personality = personality_[i];
  v.interests = interests_[i];
  v.engagement = engagement_[i];
  v.decay = decay_[i];
  v.flags = flags_[i];
  v.watch_ticks = now_ - joined_[i];
  v.mean_sum = mean_sum_[i];
  if (flags_[i] & member_flag::real_derived) {
    auto it = real_.find(v.id);
    if (it != real_.end() && it->second.expires_at != 0) v.expires_at = it->second.expires_at;
  }
  return v;
}

namespace {

std::uint32_t mismatch_units(const AudienceParams& params) {
  return static_cast<std::uint32_t>(
      std::lround(std::clamp(params.reservoir_mismatch_weight, 0.0, 1e4) * double(InterestMatcher::kUnit)));
}

}  // namespace

// A template with probability popularity * (mismatch_q + score) for this
// content (ContentDraw); rebuilt only when the content or weights change.
std::uint32_t AudiencePool::draw_template(const InterestMatcher& matcher, const AudienceParams& params, Rng& rng) {
  const std::uint32_t mismatch_q = mismatch_units(params);
  const std::uint64_t key = mix64(matcher.fingerprint ^ mix64(mismatch_q) ^
                                  mix64(reinterpret_cast<std::uintptr_t>(reservoir_.get()) + reservoir_->size()));
  if (!draw_ready_ || key != draw_key_) {
    draw_ = ContentDraw(*reservoir_, matcher, mismatch_q);
    draw_key_ = key;
    draw_ready_ = true;
  }
  return draw_.draw(*reservoir_, rng);
}

Engagement AudiencePool::join_engagement(const AudienceParams& params, Rng& rng) const {
  const std::int64_t base = to_engagement(params.join_engagement);
  const std::int64_t jitter = to_engagement(std::clamp(params.join_engagement_jitter, 0.0, 1.0));
  const std::int64_t e = base - jitter + static_cast<std::int64_t>(rng.below(std::uint64_t(2 * jitter + 1)));
  return static_cast<Engagement>(std::clamp<std::int64_t>(e, 0, kEngagementOne));
}

std::uint32_t AudiencePool::fill(const ContentTags& content, const AudienceParams& params, Rng& rng,
                                 std::uint32_t limit) {
  if (!reservoir_->drawable()) return 0;
  const auto matcher = InterestMatcher::build(content, params.tag_weights);
  std::uint32_t added = 0;
  while (simulated_size() < target_ && added < limit) {
    const MemberTemplate& t = (*reservoir_)[draw_template(matcher, params, rng)];
    const Engagement e = join_engagement(params, rng);
    push_member(next_id(), t, e, with_bias(0, t.bias));
    ++added;
  }
  return added;
}

std::uint32_t AudiencePool::mark_followers(std::span<const MemberId> ids) {
  const std::unordered_set<MemberId> wanted(ids.begin(), ids.end());
  std::uint32_t marked = 0;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (!wanted.count(ids_[i]) || (flags_[i] & member_flag::follower)) continue;
    flags_[i] = std::uint8_t((flags_[i] | member_flag::follower) & ~member_flag::candidate);
    ++stats_.followers;
    ++marked;
  }
  return marked;
}

std::vector<std::pair<TagId, std::uint32_t>> AudiencePool::top_tags(std::size_t n) const {
  std::vector<std::pair<TagId, std::uint32_t>> out;
  for (std::size_t t = 0; t < kMaxTags; ++t) {
    if (stats_.tag_counts[t]) out.emplace_back(static_cast<TagId>(t), stats_.tag_counts[t]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (out.size() > n) out.resize(n);
  return out;
}

std::vector<std::pair<PersonalityId, std::uint32_t>> AudiencePool::personality_mix() const {
  std::vector<std::pair<PersonalityId, std::uint32_t>> out;
  for (std::size_t p = 0; p < std::min<std::size_t>(personality_limit_, kMaxPersonalities); ++p) {
    if (stats_.personality_counts[p]) out.emplace_back(static_cast<PersonalityId>(p), stats_.personality_counts[p]);
  }
  return out;
}

void PoolAccess::restore_member(AudiencePool& p, MemberId id, TagMask interests, Engagement e, Engagement decay,
                                PersonalityId personality, std::uint8_t flags, std::uint32_t mean_sum,
                                std::uint32_t joined, std::uint32_t expires_at) {
  MemberTemplate t;
  t.interests = interests;
  t.decay = decay;
  t.personality = personality;
  const auto joined_before = p.stats_.joined;
  const auto peak_before = p.stats_.peak_size;
  p.push_member(id, t, e, flags);
  p.stats_.joined = joined_before;
  p.stats_.peak_size = peak_before;
  p.mean_sum_.back() = mean_sum;
  p.joined_.back() = joined;
  if (flags & member_flag::real_derived) {
    p.real_[id] = AudiencePool::RealEntry{static_cast<std::uint32_t>(p.size() - 1), expires_at};
  }
}

void PoolAccess::restore_header(AudiencePool& p, std::uint32_t now, std::uint64_t serial, const PoolStats& totals) {
  p.now_ = now;
  p.serial_ = serial;
  p.stats_.member_ticks = totals.member_ticks;
  p.stats_.engagement_ticks = totals.engagement_ticks;
  p.stats_.peak_size = totals.peak_size;
  p.stats_.joined = totals.joined;
  p.stats_.left = totals.left;
  p.stats_.expired = totals.expired;
  p.stats_.migrated_out = totals.migrated_out;
  p.stats_.migrated_in = totals.migrated_in;
}

namespace {

struct Fnv64 {
  std::uint64_t h = 14695981039346656037ULL;
  void word(std::uint64_t w) {
    h ^= w;
    h *= 1099511628211ULL;
  }
  template <class T>
  void column(std::span<const T> v) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
    const std::size_t n = v.size() * sizeof(T);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, bytes + i, 8);
      word(w);
    }
    std::uint64_t tail = 0;
    if (i < n) std::memcpy(&tail, bytes + i, n - i);
    word(tail ^ (std::uint64_t(n) << 32));
  }
};

}  // namespace

std::uint64_t state_hash(const AudiencePool& pool) {
  Fnv64 f;
  const auto& s = pool.stats();
  f.word(pool.size());
  f.word(pool.target_size());
  f.word(pool.now());
  f.word(pool.id_seed());
  f.word(pool.next_serial());
  for (std::uint64_t w : {s.member_ticks, s.engagement_ticks, std::uint64_t(s.peak_size), s.joined, s.left, s.expired,
                          s.migrated_out, s.migrated_in}) {
    f.word(w);
  }
  f.column(pool.interests());
  f.column(pool.engagement());
  f.column(pool.decay());
  f.column(pool.personality());
  f.column(pool.flags());
  f.column(pool.mean_sum());
  f.column(pool.joined());
  f.column(pool.ids());
  const auto ids = pool.ids();
  const auto flags = pool.flags();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (flags[i] & member_flag::real_derived) f.word((std::uint64_t(i) << 32) | PoolAccess::expires_at(pool, ids[i]));
  }
  return f.h;
}

}  // namespace onair::showtime
