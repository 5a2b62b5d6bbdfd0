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
#include <array>
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
  // A table for up to `keys` keys (at most a quarter full).
  explicit KeyTable(std::size_t keys);

  // Adds `key` (hashed in its ASCII-folded form, stored as given) in the first
  // free slot of its chain, which the caller fills in. A key inserted earlier
  // comes first in the chain, so it wins a lookup both could answer (exact
  // entries go in before folded ones).
  Slot& insert(std::string_view key);
  // The same with the key's hash given (phrases: phrase_hash() of their words).
  Slot& insert(std::string_view key, std::uint64_t hash);

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
  // find() for the classifier's tokens: whether a token is in the lexicon is a
  // coin toss that no branch predictor learns, so the filter's answer and the
  // home slot's verdict (an inline folded key) are combined without a branch.
  // Chains, exact and long keys (rare) take find().
  const Slot* find_flat(const Probe& p) const noexcept {
    const std::uint64_t maybe = filter_.bit(p.hash);
    const Slot& s = slots_[p.hash & mask_];
    const std::uint64_t diff = (swar::load64(s.key) ^ p.first) | (swar::load64(s.key + 8) ^ p.second) |
                               std::uint64_t(s.hash ^ std::uint32_t(p.hash >> 32)) | (s.key_len ^ p.len) |
                               (s.flags & slot_flag::exact) | (p.len > kInlineKey);
    const std::uint64_t hit = maybe & std::uint64_t(diff == 0);
    const auto home = reinterpret_cast<std::uintptr_t>(&s), none = reinterpret_cast<std::uintptr_t>(absent());
    const Slot* r = reinterpret_cast<const Slot*>((home & (0 - hit)) | (none & (hit - 1)));
    if ((maybe & ~hit & std::uint64_t(s.key_len != 0)) != 0) r = find(p);
    return r;
  }
  // The slot whose key is the N words joined by single spaces, hashed as
  // `hash` (phrases: pair_hash() chained over the words' hashes), else absent().
  // The words are folded and readable 16 bytes past their ends; every key is
  // compared with them as they are, exact ones too (phrases are looked up folded).
  template <std::size_t N>
  const Slot* find_words(std::uint64_t hash, const std::array<std::string_view, N>& words) const noexcept {
    if (!filter_.test(hash)) return absent();
    std::size_t len = N - 1;
    for (const std::string_view w : words) len += w.size();
    const auto tag = std::uint32_t(hash >> 32);
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key_len == 0) return absent();
      if (s.hash == tag && s.key_len == len && words_equal(s, words)) return &s;
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

  template <std::size_t N>
  bool words_equal(const Slot& s, const std::array<std::string_view, N>& words) const noexcept {
    // Both sides are readable 16 bytes past each word: an inline key in a
    // zero-padded copy, long keys in long_keys_ (padded at its end).
    char inline_key[2 * kInlineKey] = {};
    std::memcpy(inline_key, s.key, kInlineKey);
    const char* key = inline_key;
    if (s.key_len > kInlineKey) {
      std::uint32_t offset = 0;
      std::memcpy(&offset, s.key, sizeof offset);
      key = long_keys_.data() + offset;
    }
    bool equal = swar::equal_padded(key, words[0].data(), words[0].size());
    std::size_t at = words[0].size();
    for (std::size_t k = 1; k < N; ++k) {
      equal &= key[at] == ' ' && swar::equal_padded(key + at + 1, words[k].data(), words[k].size());
      at += 1 + words[k].size();
    }
    return equal;
  }

  std::vector<Slot> slots_;  // a power of two, then the empty sentinel
  std::size_t mask_ = 0;     // slots_.size() - 2
  std::string long_keys_;    // keys over kInlineKey bytes, then kKeyPadding zero bytes
  detail::BloomFilter filter_;
};

}  // namespace onair::stream::sentiment
