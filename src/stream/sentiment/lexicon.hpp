#pragma once
// The compiled lexicon: emotes, emoticons, words, phrases and modifiers in one
// flat open-addressing table (keys hashed once, ASCII-folded), plus emoji keyed
// by code point. Immutable after build(); lookups never allocate.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stream/sentiment/category.hpp"

namespace onair::stream::sentiment {

// What an entry does when its token is seen.
enum class Role : std::uint8_t {
  category,   // adds evidence for `category` with `weight` (its intensity)
  negate,     // flips the polarity of the next one or two words' evidence
  boost,      // multiplies the next one or two words' weight by (1 + weight)
  remove,     // (loader only) deletes an earlier entry with the same token
  cheermote,  // a Twitch cheermote prefix: "<prefix><bits>" in chat is a cheer (not a table entry)
};

struct LexiconEntry {
  std::string token;  // an emote, emoticon, word, "multi word phrase" or one emoji
  Role role = Role::category;
  Category category = Category::curious;
  float weight = 0.0f;  // 0..1
  bool exact = false;   // case-sensitive (e.g. "Aware" the emote, not "aware" the word)
  // remove only: delete the cheermote prefix `token` (not the word/emote entry).
  bool cheermote = false;
};

// Slot flags.
namespace slot_flag {
inline constexpr std::uint8_t entry = 1u << 0;   // carries an entry (else only a phrase prefix)
inline constexpr std::uint8_t exact = 1u << 1;   // compare the raw (unfolded) bytes
inline constexpr std::uint8_t prefix = 1u << 2;  // a longer phrase starts with this key
inline constexpr std::uint8_t cased = 1u << 3;   // the key has capitals (an emote written as such)
}  // namespace slot_flag

struct Slot {
  std::uint32_t hash = 0;  // high half of the 64-bit hash (0 = empty slot is tracked by key_len)
  std::uint32_t key_offset = 0;
  std::uint16_t key_len = 0;  // 0 = empty
  std::uint8_t flags = 0;
  Role role = Role::category;
  Category category = Category::curious;
  float weight = 0.0f;
};

struct CodepointSlot {
  char32_t cp = 0;  // 0 = empty
  Category category = Category::curious;
  float weight = 0.0f;
};

namespace detail {

inline std::uint64_t load64(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint64_t load32(const char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline constexpr std::uint64_t kHashMul = 0x9E3779B97F4A7C15ull;
inline std::uint64_t hash_mix(std::uint64_t x) noexcept {
  x *= kHashMul;
  return x ^ (x >> 32);
}

// Equal bytes without a libc call: tokens are short, so two overlapping loads
// (or three bytes) cover most keys.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (load64(a + i) != load64(b + i)) return false;
    }
    return load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return ((load32(a) ^ load32(b)) | (load32(a + n - 4) ^ load32(b + n - 4))) == 0;
  if (n == 0) return true;
  return a[0] == b[0] && a[n >> 1] == b[n >> 1] && a[n - 1] == b[n - 1];
}

}  // namespace detail

// 64-bit hash of bytes (the same function at build and lookup time). wyhash's
// read pattern: up to 16 bytes take two (possibly overlapping) loads and no
// per-byte loop or branch on the exact length; longer keys mix 8 bytes a step.
inline std::uint64_t hash_bytes(const char* p, std::size_t n) noexcept {
  using detail::load32;
  using detail::load64;
  std::uint64_t h = 0x243F6A8885A308D3ull ^ (n * detail::kHashMul);
  std::uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 4) {
      const std::size_t mid = (n >> 3) << 2;  // 0 for 4..7 bytes, 4 for 8..16
      a = (load32(p) << 32) | load32(p + mid);
      b = (load32(p + n - 4) << 32) | load32(p + n - 4 - mid);
    } else if (n > 0) {
      const auto u = [p](std::size_t i) { return std::uint64_t(static_cast<unsigned char>(p[i])); };
      a = (u(0) << 16) | (u(n >> 1) << 8) | u(n - 1);
    }
  } else {
    std::size_t i = 0;
    for (; i + 16 < n; i += 16) h = detail::hash_mix(detail::hash_mix(h ^ load64(p + i)) ^ load64(p + i + 8));
    a = load64(p + n - 16), b = load64(p + n - 8);
  }
  h = detail::hash_mix(detail::hash_mix(h ^ a) ^ b);
  return h * detail::kHashMul;
}

// Code points read as emoji/symbols: they split words and are looked up on their own.
bool is_symbol_codepoint(char32_t cp) noexcept;

class Lexicon {
 public:
  // Later entries override earlier ones with the same token (exact entries are
  // keyed by their raw bytes, the others by their ASCII-lowercased bytes).
  static Lexicon build(std::span<const LexiconEntry> entries);

  // `folded` is the ASCII-lowercased form of `raw` (same length); `hash` = hash_bytes(folded).
  // Exact entries match `raw`, the others `folded`. nullptr when absent.
  const Slot* find(const char* folded, const char* raw, std::size_t len, std::uint64_t hash) const noexcept {
    if (!Filter::test(key_filter_, hash)) return nullptr;  // most unknown words end here, in L1
    return probe(slots_, folded, raw, len, hash);
  }
  const Slot* find(std::string_view folded, std::string_view raw, std::uint64_t hash) const noexcept {
    return find(folded.data(), raw.data(), folded.size(), hash);
  }
  const CodepointSlot* find_codepoint(char32_t cp) const noexcept;
  // False when no phrase has a second or third word with this hash (`hash` =
  // hash_bytes(folded word)): the classifier then skips its phrase lookups.
  bool may_end_phrase(std::uint64_t hash) const noexcept { return Filter::test(phrase_tail_filter_, hash); }
  // Whether `folded` (ASCII-lowercased, `hash` = hash_bytes(folded)) is a cheermote prefix ("cheer", "biblethump").
  bool is_cheermote(const char* folded, std::size_t len, std::uint64_t hash) const noexcept {
    return probe(cheer_slots_, folded, folded, len, hash) != nullptr;
  }

  std::size_t entry_count() const noexcept { return entry_count_; }
  std::size_t cheermote_count() const noexcept { return cheermote_count_; }
  std::size_t table_bytes() const noexcept;

 private:
  // A blocked Bloom filter over key hashes: 4 KB (stays in L1 beside the 64 KB
  // table), one 64-bit word per key with two bits set; no false negatives,
  // about 1% false positives for the ~1,300 keys. Uses hash bits the table does not.
  struct Filter {
    static constexpr std::size_t kWords = 512;
    static std::uint64_t bits(std::uint64_t hash) noexcept {
      return (1ull << ((hash >> 48) & 63)) | (1ull << ((hash >> 54) & 63));
    }
    static std::size_t word(std::uint64_t hash) noexcept { return (hash >> 38) & (kWords - 1); }
    static void add(std::vector<std::uint64_t>& f, std::uint64_t hash) noexcept { f[word(hash)] |= bits(hash); }
    static bool test(const std::vector<std::uint64_t>& f, std::uint64_t hash) noexcept {
      const std::uint64_t b = bits(hash);
      return (f[word(hash)] & b) == b;
    }
  };

  // Linear probing from hash & (size - 1); the 32-bit tag and the length reject
  // almost every non-matching slot before the bytes are compared.
  const Slot* probe(const std::vector<Slot>& slots, const char* folded, const char* raw, std::size_t len,
                    std::uint64_t hash) const noexcept {
    if (slots.empty() || len > 0xFFFF) return nullptr;
    const auto tag = std::uint32_t(hash >> 32);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots[i];
      if (s.key_len == 0) return nullptr;
      if (s.hash != tag || s.key_len != len) continue;
      const char* probe_key = (s.flags & slot_flag::exact) ? raw : folded;
      if (detail::same_bytes(keys_.data() + s.key_offset, probe_key, len)) return &s;
    }
  }

  std::vector<std::uint64_t> key_filter_ = std::vector<std::uint64_t>(Filter::kWords);
  std::vector<std::uint64_t> phrase_tail_filter_ = std::vector<std::uint64_t>(Filter::kWords);
  std::vector<Slot> slots_;
  std::vector<Slot> cheer_slots_;  // cheermote prefixes, folded
  std::vector<CodepointSlot> cp_slots_;
  std::string keys_;
  std::uint64_t cp_mask_ = 0;
  std::size_t entry_count_ = 0;
  std::size_t cheermote_count_ = 0;
};

}  // namespace onair::stream::sentiment
