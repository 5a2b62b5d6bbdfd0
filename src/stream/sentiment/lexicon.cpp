#include "stream/sentiment/lexicon.hpp"

#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "stream/sentiment/utf8.hpp"

namespace onair::stream::sentiment {

namespace {

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;

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

std::uint64_t hash_bytes(const char* data, std::size_t size) noexcept {
  std::uint64_t h = 0x243F6A8885A308D3ull ^ (size * kMul);
  while (size >= 8) {
    std::uint64_t v;
    std::memcpy(&v, data, 8);
    h = (h ^ v) * kMul;
    h ^= h >> 29;
    data += 8;
    size -= 8;
  }
  std::uint64_t tail = 0;
  for (std::size_t i = 0; i < size; ++i) tail |= std::uint64_t(static_cast<unsigned char>(data[i])) << (8 * i);
  h = (h ^ tail) * kMul;
  h ^= h >> 32;
  return h * kMul;
}

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
    const std::string key = (e.exact ? "E" + e.token : "F" + fold(e.token));
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
  std::unordered_set<std::string> prefixes;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (!alive[i]) continue;
    const auto& e = kept[i];
    if (const char32_t cp = emoji_key(e.token); cp != 0) {
      emoji.emplace_back(cp, &e);
      continue;
    }
    (e.exact ? exact : folded).push_back(&e);
    const std::string f = fold(e.token);
    for (std::size_t sp = f.find(' '); sp != std::string::npos; sp = f.find(' ', sp + 1))
      prefixes.insert(f.substr(0, sp));
  }
  std::unordered_set<std::string> folded_keys;
  for (const auto* e : folded) folded_keys.insert(fold(e->token));
  std::vector<std::string> prefix_only;
  for (const auto& p : prefixes) {
    if (!folded_keys.contains(p)) prefix_only.push_back(p);
  }

  lx.slots_.resize(table_size_for(exact.size() + folded.size() + prefix_only.size()));
  lx.mask_ = lx.slots_.size() - 1;
  auto insert = [&](std::string_view key, const LexiconEntry* e, bool is_exact, bool cased) {
    const std::string f = fold(key);
    const std::uint64_t h = hash_bytes(f.data(), f.size());
    std::size_t i = h & lx.mask_;
    while (lx.slots_[i].key_len != 0) i = (i + 1) & lx.mask_;
    Slot& s = lx.slots_[i];
    s.hash = std::uint32_t(h >> 32);
    s.key_offset = std::uint32_t(lx.keys_.size());
    s.key_len = std::uint16_t(key.size());
    lx.keys_.append(key);
    if (prefixes.contains(f)) s.flags |= slot_flag::prefix;
    if (e == nullptr) return;
    s.flags |= slot_flag::entry;
    if (is_exact) s.flags |= slot_flag::exact;
    if (cased) s.flags |= slot_flag::cased;
    s.role = e->role;
    s.category = e->category;
    s.weight = e->weight;
  };
  // Exact entries first: a probe meets them before the folded entry of the same key.
  for (const auto* e : exact) insert(e->token, e, true, has_capitals(e->token));
  for (const auto* e : folded) insert(fold(e->token), e, false, has_capitals(e->token));
  for (const auto& p : prefix_only) insert(p, nullptr, false, false);

  lx.cp_slots_.resize(table_size_for(emoji.size()));
  lx.cp_mask_ = lx.cp_slots_.size() - 1;
  for (const auto& [cp, e] : emoji) {
    std::size_t i = (std::uint64_t(cp) * kMul >> 40) & lx.cp_mask_;
    while (lx.cp_slots_[i].cp != 0 && lx.cp_slots_[i].cp != cp) i = (i + 1) & lx.cp_mask_;
    lx.cp_slots_[i] = CodepointSlot{cp, e->category, e->weight};
  }
  lx.entry_count_ = exact.size() + folded.size() + emoji.size();
  return lx;
}

const Slot* Lexicon::find(std::string_view folded, std::string_view raw, std::uint64_t hash) const noexcept {
  if (slots_.empty() || folded.size() > 0xFFFF) return nullptr;
  const auto tag = std::uint32_t(hash >> 32);
  const char* keys = keys_.data();
  for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.key_len == 0) return nullptr;
    if (s.hash != tag || s.key_len != folded.size()) continue;
    const std::string_view probe = (s.flags & slot_flag::exact) ? raw : folded;
    if (std::memcmp(keys + s.key_offset, probe.data(), probe.size()) == 0) return &s;
  }
}

const CodepointSlot* Lexicon::find_codepoint(char32_t cp) const noexcept {
  if (cp_slots_.empty() || cp == 0) return nullptr;
  for (std::size_t i = (std::uint64_t(cp) * kMul >> 40) & cp_mask_;; i = (i + 1) & cp_mask_) {
    const CodepointSlot& s = cp_slots_[i];
    if (s.cp == cp) return &s;
    if (s.cp == 0) return nullptr;
  }
}

std::size_t Lexicon::table_bytes() const noexcept {
  return slots_.size() * sizeof(Slot) + cp_slots_.size() * sizeof(CodepointSlot) + keys_.size();
}

}  // namespace onair::stream::sentiment
