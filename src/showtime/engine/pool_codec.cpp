#include "showtime/engine/pool_codec.hpp"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "showtime/engine/pool_access.hpp"

namespace onair::showtime {

static_assert(std::endian::native == std::endian::little, "the checkpoint format is little-endian");

namespace {

constexpr char kMagic[4] = {'O', 'A', 'A', 'P'};
constexpr std::uint32_t kVersion = 1;

class Writer {
 public:
  template <class T>
  void put(T v) {
    append(&v, sizeof v);
  }
  template <class T>
  void column(std::span<const T> v) {
    append(v.data(), v.size_bytes());
  }
  void append(const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }
  std::string out;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  T get() {
    T v;
    take(&v, sizeof v);
    return v;
  }
  template <class T>
  std::vector<T> column(std::size_t n) {
    if (n > in_.size() / sizeof(T) + 1) fail();
    std::vector<T> v(n);
    take(v.data(), n * sizeof(T));
    return v;
  }
  void take(void* p, std::size_t n) {
    if (n > in_.size() - pos_) fail();
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  bool done() const { return pos_ == in_.size(); }
  [[noreturn]] static void fail() { throw std::invalid_argument("audience pool checkpoint is truncated or corrupt"); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode_pool(const AudiencePool& pool, const Rng* rng) {
  Writer w;
  w.append(kMagic, sizeof kMagic);
  w.put(kVersion);
  w.put(pool.target_size());
  w.put(pool.now());
  w.put(pool.id_seed());
  w.put(pool.next_serial());
  w.put(static_cast<std::uint64_t>(pool.size()));
  const PoolStats& s = pool.stats();
  for (std::uint64_t v : {s.member_ticks, s.engagement_ticks, std::uint64_t(s.peak_size), s.joined, s.left, s.expired,
                          s.migrated_out, s.migrated_in}) {
    w.put(v);
  }
  w.put(static_cast<std::uint8_t>(rng != nullptr));
  if (rng) {
    for (auto word : rng->state()) w.put(word);
  }
  w.column(pool.interests());
  w.column(pool.engagement());
  w.column(pool.decay());
  w.column(pool.personality());
  w.column(pool.flags());
  w.column(pool.mean_sum());
  w.column(pool.joined());
  w.column(pool.ids());
  const auto ids = pool.ids();
  const auto flags = pool.flags();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (flags[i] & member_flag::real_derived) w.put(PoolAccess::expires_at(pool, ids[i]));
  }
  w.put(state_hash(pool));
  return std::move(w.out);
}

DecodedPool decode_pool(std::string_view blob, std::shared_ptr<const Reservoir> reservoir) {
  Reader r(blob);
  char magic[4];
  r.take(magic, sizeof magic);
  if (std::memcmp(magic, kMagic, sizeof magic) != 0) Reader::fail();
  if (r.get<std::uint32_t>() != kVersion) throw std::invalid_argument("audience pool checkpoint: unknown version");
  const auto target = r.get<std::uint32_t>();
  const auto now = r.get<std::uint32_t>();
  const auto id_seed = r.get<std::uint64_t>();
  const auto serial = r.get<std::uint64_t>();
  const auto n = r.get<std::uint64_t>();
  if (n > blob.size()) Reader::fail();
  PoolStats totals;
  totals.member_ticks = r.get<std::uint64_t>();
  totals.engagement_ticks = r.get<std::uint64_t>();
  totals.peak_size = static_cast<std::uint32_t>(r.get<std::uint64_t>());
  totals.joined = r.get<std::uint64_t>();
  totals.left = r.get<std::uint64_t>();
  totals.expired = r.get<std::uint64_t>();
  totals.migrated_out = r.get<std::uint64_t>();
  totals.migrated_in = r.get<std::uint64_t>();
  std::optional<Rng::State> rng;
  if (r.get<std::uint8_t>()) {
    Rng::State st;
    for (auto& word : st) word = r.get<std::uint64_t>();
    rng = st;
  }
  const auto interests = r.column<TagMask>(n);
  const auto engagement = r.column<Engagement>(n);
  const auto decay = r.column<Engagement>(n);
  const auto personality = r.column<PersonalityId>(n);
  const auto flags = r.column<std::uint8_t>(n);
  const auto mean_sum = r.column<std::uint32_t>(n);
  const auto joined = r.column<std::uint32_t>(n);
  const auto ids = r.column<MemberId>(n);

  DecodedPool out{AudiencePool(std::move(reservoir), target, id_seed), rng};
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t expires = (flags[i] & member_flag::real_derived) ? r.get<std::uint32_t>() : 0;
    PoolAccess::restore_member(out.pool, ids[i], interests[i], engagement[i], decay[i], personality[i], flags[i],
                               mean_sum[i], joined[i], expires);
  }
  PoolAccess::restore_header(out.pool, now, serial, totals);
  const auto hash = r.get<std::uint64_t>();
  if (!r.done() || hash != state_hash(out.pool)) {
    throw std::invalid_argument("audience pool checkpoint does not match its hash");
  }
  return out;
}

}  // namespace onair::showtime
