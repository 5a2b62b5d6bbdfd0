#pragma once
// The compiled lexicon: emotes, emoticons, words, phrases and modifiers in one
// flat open-addressing table (keys hashed once, ASCII-folded), plus emoji keyed
// by code point. Immutable after build(); lookups never allocate.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stream/sentiment/category.hpp"

namespace onair::stream::sentiment {

// What an entry does when its token is seen.
enum class Role : std::uint8_t {
  category,  // adds evidence for `category` with `weight` (its intensity)
  negate,    // flips the polarity of the next one or two words' evidence
  boost,     // multiplies the next one or two words' weight by (1 + weight)
  remove,    // (loader only) deletes an earlier entry with the same token
};

struct LexiconEntry {
  std::string token;  // an emote, emoticon, word, "multi word phrase" or one emoji
  Role role = Role::category;
  Category category = Category::curious;
  float weight = 0.0f;  // 0..1
  bool exact = false;   // case-sensitive (e.g. "Aware" the emote, not "aware" the word)
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

// 64-bit hash of bytes (the same function at build and lookup time).
std::uint64_t hash_bytes(const char* data, std::size_t size) noexcept;

// Code points read as emoji/symbols: they split words and are looked up on their own.
bool is_symbol_codepoint(char32_t cp) noexcept;

class Lexicon {
 public:
  // Later entries override earlier ones with the same token (exact entries are
  // keyed by their raw bytes, the others by their ASCII-lowercased bytes).
  static Lexicon build(std::span<const LexiconEntry> entries);

  // `folded` is the ASCII-lowercased form of `raw` (same length); `hash` = hash_bytes(folded).
  // Exact entries match `raw`, the others `folded`. nullptr when absent.
  const Slot* find(std::string_view folded, std::string_view raw, std::uint64_t hash) const noexcept;
  const CodepointSlot* find_codepoint(char32_t cp) const noexcept;

  std::size_t entry_count() const noexcept { return entry_count_; }
  std::size_t table_bytes() const noexcept;

 private:
  std::vector<Slot> slots_;
  std::vector<CodepointSlot> cp_slots_;
  std::string keys_;
  std::uint64_t mask_ = 0;
  std::uint64_t cp_mask_ = 0;
  std::size_t entry_count_ = 0;
};

}  // namespace onair::stream::sentiment
