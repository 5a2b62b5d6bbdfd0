#pragma once
// The compiled lexicon: emotes, emoticons, words and modifiers in one flat
// open-addressing table (keys hashed once, ASCII-folded: key_table.hpp), phrases
// in another (hashed from their words' hashes, so a lookup assembles no key),
// emoji keyed by code point. Immutable after build(); lookups never allocate.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stream/sentiment/bloom_filter.hpp"
#include "stream/sentiment/category.hpp"
#include "stream/sentiment/hash.hpp"
#include "stream/sentiment/key_table.hpp"
#include "stream/sentiment/role.hpp"

namespace onair::stream::sentiment {

struct LexiconEntry {
  std::string token;  // an emote, emoticon, word, "multi word phrase" or one emoji
  Role role = Role::category;
  Category category = Category::curious;
  float weight = 0.0f;  // 0..1
  bool exact = false;   // case-sensitive (e.g. "Aware" the emote, not "aware" the word)
  // remove only: delete the cheermote prefix `token` (not the word/emote entry).
  bool cheermote = false;
};

struct CodepointSlot {
  char32_t cp = 0;  // 0 = empty
  Category category = Category::curious;
  float weight = 0.0f;
};

// Code points read as emoji/symbols: they split words and are looked up on their own.
bool is_symbol_codepoint(char32_t cp) noexcept;

class Lexicon {
 public:
  // Later entries override earlier ones with the same token (exact entries are
  // keyed by their raw bytes, the others by their ASCII-lowercased bytes).
  static Lexicon build(std::span<const LexiconEntry> entries);

  // Exact entries match the probe's raw key, the others its folded one. Never
  // nullptr: a slot without slot_flag::entry when there is no entry (an empty
  // one, or a phrase prefix's).
  const Slot* find(const Probe& p) const noexcept { return words_.find(p); }
  const Slot* find_flat(const Probe& p) const noexcept { return words_.find_flat(p); }  // (key_table.hpp)
  // The phrase (or phrase prefix) of two or three folded words, hashed as
  // pair_hash() chained over their hash_bytes(); a slot without
  // slot_flag::entry when there is no entry.
  template <std::size_t N>
  const Slot* find_phrase(std::uint64_t hash, const std::array<std::string_view, N>& words) const noexcept {
    return phrases_.find_words(hash, words);
  }
  const CodepointSlot* find_codepoint(char32_t cp) const noexcept {
    if (cp_slots_.empty() || cp == 0) return nullptr;
    for (std::size_t i = codepoint_home(cp, cp_mask_);; i = (i + 1) & cp_mask_) {
      const CodepointSlot& s = cp_slots_[i];
      if (s.cp == cp) return &s;
      if (s.cp == 0) return nullptr;
    }
  }
  // False when no phrase has these two words next to each other (`pair`:
  // pair_hash() of the folded words' hash_bytes()): then no phrase lookup ending
  // with the second can match, nor do the two start a longer phrase.
  bool may_pair(std::uint64_t pair) const noexcept { return phrase_pairs_.test(pair); }
  // Whether the probe's folded key is a cheermote prefix ("cheer", "biblethump").
  bool is_cheermote(const Probe& p) const noexcept { return (cheermotes_.find(p)->flags & slot_flag::entry) != 0; }

  std::size_t entry_count() const noexcept { return entry_count_; }
  std::size_t cheermote_count() const noexcept { return cheermote_count_; }
  std::size_t table_bytes() const noexcept;

 private:
  static std::size_t codepoint_home(char32_t cp, std::uint64_t mask) noexcept {
    return std::size_t((std::uint64_t(cp) * 0x9E3779B97F4A7C15ull) >> 40) & mask;
  }

  KeyTable words_;                    // one-word entries (exact ones first in their chains) and phrase prefixes
  KeyTable phrases_;                  // the same for keys of several words, hashed from their words' hashes
  KeyTable cheermotes_;               // cheermote prefixes, folded
  detail::BloomFilter phrase_pairs_;  // every two adjacent words of a phrase
  std::vector<CodepointSlot> cp_slots_;
  std::uint64_t cp_mask_ = 0;
  std::size_t entry_count_ = 0;
  std::size_t cheermote_count_ = 0;
};

}  // namespace onair::stream::sentiment
