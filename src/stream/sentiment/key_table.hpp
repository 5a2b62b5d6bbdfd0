#pragma once
// The lexicon's open-addressing table of byte-string keys (words, emotes,
// emoticons, phrase slices, cheermote prefixes), built once and then read-only.
//
// A Bloom filter in front answers "absent" for most unknown words from L1; then
// linear probing from the home slot, where the 32-bit tag and the length reject
// almost every other key before its bytes are compared. Slots are 32 bytes with
// keys of up to 16 bytes inline, so a hit reads one cache line of the table and
// no separate key string. An absent key answers a shared empty slot (no entry,
// weight 0) rather than nullptr, so callers read its flags without a test.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "stream/sentiment/bloom_filter.hpp"
#include "stream/sentiment/category.hpp"
#include "stream/sentiment/hash.hpp"
#include "stream/sentiment/role.hpp"
#include "stream/sentiment/swar.hpp"

namespace onair::stream::sentiment {

// Slot flags.
namespace slot_flag {
inline constexpr std::uint8_t entry = 1u << 0;   // carries an entry (else only a phrase prefix)
inline constexpr std::uint8_t exact = 1u << 1;   // compare the raw (unfolded) bytes
inline constexpr std::uint8_t prefix = 1u << 2;  // a longer phrase starts with this key
inline constexpr std::uint8_t cased = 1u << 3;   // the key has capitals (an emote written as such)
}  // namespace slot_flag

struct alignas(32) Slot {
  std::uint32_t hash = 0;     // high half of the key's 64-bit hash
  std::uint16_t key_len = 0;  // 0: empty
  std::uint8_t flags = 0;
  Role role = Role::category;
  Category category = Category::curious;
  float weight = 0.0f;
  // The key, zero-padded, when it has at most 16 bytes; else its offset
  // (std::uint32_t) into the table's string of long keys.
  char key[16] = {};
};
static_assert(sizeof(Slot) == 32);

class KeyTable {
 public:
  static constexpr std::size_t kInlineKey = sizeof(Slot::key);

  // An empty table (every lookup answers absent()).
  KeyTable() : slots_(2) {}
  // A table for up to `keys` keys (at most half full).
  explicit KeyTable(std::size_t keys);

  // Adds `key` (hashed in its ASCII-folded form, stored as given) in the first
  // free slot of its chain, which the caller fills in. A key inserted earlier
  // comes first in the chain, so it wins a lookup both could answer (exact
  // entries go in before folded ones).
  Slot& insert(std::string_view key);

  // The slot whose key is the probe's folded key (or its raw one, for an exact
  // entry; keys of at most 65535 bytes), else absent().
  const Slot* find(const Probe& p) const noexcept {
    if (!filter_.test(p.hash)) return absent();  // most unknown words end here, in L1
    const auto tag = std::uint32_t(p.hash >> 32);
    for (std::size_t i = p.hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key_len == 0) return absent();
      if (s.hash == tag && s.key_len == p.len && key_equal(s, p)) return &s;
    }
  }
  // The empty sentinel slot find() answers for an absent key: no flags, weight 0.
  const Slot* absent() const noexcept { return &slots_[mask_ + 1]; }
  // Whether some key inserted had this hash (false: certainly none).
  bool may_contain(std::uint64_t hash) const noexcept { return filter_.test(hash); }

  std::size_t bytes() const noexcept { return slots_.size() * sizeof(Slot) + long_keys_.size(); }

 private:
  bool key_equal(const Slot& s, const Probe& p) const noexcept {
    if (p.len <= kInlineKey) {
      if ((s.flags & slot_flag::exact) != 0) return swar::equal_padded(s.key, p.raw, p.len);
      // The inline key is zero-padded like the probe's words.
      return ((swar::load64(s.key) ^ p.first) | (swar::load64(s.key + 8) ^ p.second)) == 0;
    }
    std::uint32_t offset = 0;
    std::memcpy(&offset, s.key, sizeof offset);
    return swar::equal_padded(long_keys_.data() + offset, (s.flags & slot_flag::exact) ? p.raw : p.folded, p.len);
  }

  std::vector<Slot> slots_;  // a power of two, then the empty sentinel
  std::size_t mask_ = 0;     // slots_.size() - 2
  std::string long_keys_;    // keys over kInlineKey bytes
  detail::BloomFilter filter_;
};

}  // namespace onair::stream::sentiment
