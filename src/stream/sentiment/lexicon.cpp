#include "stream/sentiment/lexicon.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "stream/sentiment/utf8.hpp"

namespace onair::stream::sentiment {

namespace {

std::string fold(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

bool has_capitals(std::string_view s) noexcept {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// hash_bytes() reads kKeyPadding bytes past short keys: hash a padded copy.
std::uint64_t hash_key(std::string_view key) {
  std::string padded(key);
  padded.append(kKeyPadding, '\0');
  return hash_bytes(padded.data(), key.size());
}

// A phrase key's hash: pair_hash() chained over its words' hashes (hash.hpp).
std::uint64_t phrase_hash(std::string_view folded) {
  std::size_t sp = folded.find(' ');
  std::uint64_t h = hash_key(folded.substr(0, sp));
  while (sp != std::string_view::npos) {
    const std::size_t next = folded.find(' ', sp + 1);
    h = pair_hash(h, hash_key(folded.substr(sp + 1, next == std::string_view::npos ? next : next - sp - 1)));
    sp = next;
  }
  return h;
}

// Slots for the code point table: a power of two, at least twice the count.
std::size_t table_size_for(std::size_t n) {
  std::size_t size = 64;
  while (size < 2 * n) size *= 2;
  return size;
}

// The emoji an entry names: its first code point, when that is a symbol and the
// rest only glue, skin tones or further symbols (a ZWJ sequence). 0 otherwise.
char32_t emoji_key(std::string_view token) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(token.data());
  if (token.empty() || p[0] < 0x80) return 0;
  char32_t first = 0;
  std::size_t i = 0;
  while (i < token.size()) {
    if (p[i] < 0x80) return 0;
    char32_t cp = 0;
    i += detail::decode_utf8(p + i, token.size() - i, cp);
    if (first == 0) {
      if (!is_symbol_codepoint(cp)) return 0;
      first = cp;
    } else if (!detail::is_emoji_glue(cp) && !is_symbol_codepoint(cp)) {
      return 0;
    }
  }
  return first;
}

}  // namespace

bool is_symbol_codepoint(char32_t cp) noexcept {
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return true;  // emoticons, pictographs, transport, supplemental
  if (cp >= 0x2600 && cp <= 0x27BF) return true;    // misc symbols, dingbats
  if (cp >= 0x2190 && cp <= 0x21FF) return true;    // arrows
  if (cp >= 0x2300 && cp <= 0x23FF) return true;    // misc technical (hourglass, alarm clock)
  if (cp >= 0x25A0 && cp <= 0x25FF) return true;    // geometric shapes
  if (cp >= 0x2B00 && cp <= 0x2BFF) return true;    // arrows and stars
  return cp == 0x203C || cp == 0x2049 || cp == 0x2122 || cp == 0x2139 || cp == 0x3030 || cp == 0x303D;
}

Lexicon Lexicon::build(std::span<const LexiconEntry> entries) {
  // Last writer wins per key; `remove` deletes.
  std::vector<LexiconEntry> kept;
  std::unordered_map<std::string, std::size_t> index;
  std::vector<bool> alive;
  for (const auto& e : entries) {
    if (e.token.empty()) continue;
    // Keys: "E" raw (exact), "F" folded, "C" folded cheermote prefix.
    const bool cheer = e.role == Role::cheermote || (e.role == Role::remove && e.cheermote);
    const std::string key = cheer ? "C" + fold(e.token) : (e.exact ? "E" + e.token : "F" + fold(e.token));
    const auto it = index.find(key);
    if (e.role == Role::remove) {
      if (it != index.end()) alive[it->second] = false;
      continue;
    }
    if (it != index.end()) {
      kept[it->second] = e;
      alive[it->second] = true;
    } else {
      index.emplace(key, kept.size());
      kept.push_back(e);
      alive.push_back(true);
    }
  }

  Lexicon lx;
  std::vector<const LexiconEntry*> exact, folded;
  std::vector<std::pair<char32_t, const LexiconEntry*>> emoji;
  std::vector<std::string> cheermotes;
  std::unordered_set<std::string> prefixes;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (!alive[i]) continue;
    const auto& e = kept[i];
    if (e.role == Role::cheermote) {
      cheermotes.push_back(fold(e.token));
      continue;
    }
    if (const char32_t cp = emoji_key(e.token); cp != 0) {
      emoji.emplace_back(cp, &e);
      continue;
    }
    (e.exact ? exact : folded).push_back(&e);
    const std::string f = fold(e.token);
    std::size_t word = 0;  // the word before the space
    for (std::size_t sp = f.find(' '); sp != std::string::npos; sp = f.find(' ', sp + 1)) {
      prefixes.insert(f.substr(0, sp));
      // The words on both sides of this space: a phrase lookup is only worth it for such a pair.
      const std::size_t end = std::min(f.find(' ', sp + 1), f.size());
      const std::string_view fv(f);
      lx.phrase_pairs_.add(pair_hash(hash_key(fv.substr(word, sp - word)), hash_key(fv.substr(sp + 1, end - sp - 1))));
      word = sp + 1;
    }
  }
  std::unordered_set<std::string> folded_keys;
  for (const auto* e : folded) folded_keys.insert(fold(e->token));
  std::vector<std::string> prefix_only;
  for (const auto& p : prefixes) {
    if (!folded_keys.contains(p)) prefix_only.push_back(p);
  }

  const auto is_phrase = [](std::string_view key) { return key.find(' ') != std::string_view::npos; };
  std::size_t phrase_keys = 0;
  for (const auto* e : exact) phrase_keys += is_phrase(e->token);
  for (const auto* e : folded) phrase_keys += is_phrase(e->token);
  for (const auto& p : prefix_only) phrase_keys += is_phrase(p);
  const std::size_t keys = exact.size() + folded.size() + prefix_only.size();
  lx.words_ = KeyTable(keys - phrase_keys);
  lx.phrases_ = KeyTable(phrase_keys);
  auto insert = [&](std::string_view key, const LexiconEntry* e, bool is_exact, bool cased) {
    Slot& s = is_phrase(key) ? lx.phrases_.insert(key, phrase_hash(fold(key))) : lx.words_.insert(key);
    if (prefixes.contains(fold(key))) s.flags |= slot_flag::prefix;
    if (e == nullptr) return;
    s.flags |= slot_flag::entry;
    if (is_exact) s.flags |= slot_flag::exact;
    if (cased) s.flags |= slot_flag::cased;
    s.role = e->role;
    s.category = e->category;
    s.weight = e->weight;
  };
  // Exact entries first: a probe meets them before the folded entry of the same key.
  // Then shorter keys first (chat's most frequent words are short), so that they
  // sit nearer their home slots; the sort is stable, so exact entries stay first.
  struct Key {
    std::string key;
    const LexiconEntry* e;
    bool exact;
  };
  std::vector<Key> order;
  for (const auto* e : exact) order.push_back({e->token, e, true});
  for (const auto* e : folded) order.push_back({fold(e->token), e, false});
  for (const auto& p : prefix_only) order.push_back({p, nullptr, false});
  std::stable_sort(order.begin(), order.end(), [](const Key& a, const Key& b) { return a.key.size() < b.key.size(); });
  for (const auto& k : order) insert(k.key, k.e, k.exact, k.e != nullptr && has_capitals(k.e->token));

  lx.cheermotes_ = KeyTable(cheermotes.size());
  for (const auto& c : cheermotes) lx.cheermotes_.insert(c).flags = slot_flag::entry;
  lx.cheermote_count_ = cheermotes.size();

  lx.cp_slots_.resize(table_size_for(emoji.size()));
  lx.cp_mask_ = lx.cp_slots_.size() - 1;
  for (const auto& [cp, e] : emoji) {
    std::size_t i = codepoint_home(cp, lx.cp_mask_);
    while (lx.cp_slots_[i].cp != 0 && lx.cp_slots_[i].cp != cp) i = (i + 1) & lx.cp_mask_;
    lx.cp_slots_[i] = CodepointSlot{cp, e->category, e->weight};
  }
  lx.entry_count_ = exact.size() + folded.size() + emoji.size();
  return lx;
}

std::size_t Lexicon::table_bytes() const noexcept {
  return words_.bytes() + phrases_.bytes() + cheermotes_.bytes() + cp_slots_.size() * sizeof(CodepointSlot);
}

}  // namespace onair::stream::sentiment
