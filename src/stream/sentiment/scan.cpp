#include "stream/sentiment/scan.hpp"

#include <algorithm>
#include <cstring>

namespace onair::stream::sentiment::detail {

namespace {

constexpr float kNegatedScale = 0.6f;  // weight of a negated word's flipped vote
constexpr int kModifierReach = 2;      // words a negate/boost reaches

// Negation flips the category: "not funny" is Critical, "not boring" Supportive.
constexpr std::array<Category, kCategoryCount> kNegated = {
    Category::critical, Category::critical, Category::supportive, Category::curious,
    Category::bored,    Category::critical, Category::supportive, Category::supportive};

}  // namespace

void Scan::apply(const Slot& s, float weight) noexcept {
  switch (s.role) {
    case Role::negate:
      negate_left_ = kModifierReach + 1;  // end_word() of the negator itself takes one
      negator_word_ = words_;
      return;
    case Role::boost:
      boost_ = 1.0f + s.weight;
      boost_left_ = kModifierReach + 1;
      return;
    case Role::remove:
    case Role::cheermote:  // loader-only roles, never in the main table
      return;
    case Role::category:
      break;
  }
  Category c = s.category;
  if (negate_left_ > 0) {
    c = kNegated[static_cast<std::size_t>(c)];
    weight *= kNegatedScale;
    negate_left_ = 0;
  }
  if (boost_left_ > 0) {
    weight = std::min(1.0f, weight * boost_);
    boost_left_ = 0;
  }
  vote(c, weight);
}

// A phrase of the last `words` words matched: it takes back their votes (the
// last ones: votes are in word order) and owns a negator among them ("did not
// expect"), then votes itself.
void Scan::take_phrase(const Slot& s, std::uint16_t words) noexcept {
  for (std::size_t i = votes_n_; i > 0 && votes_[i - 1].word + words >= words_; --i) votes_[i - 1].weight = 0.0f;
  if (negator_word_ + words >= words_) negate_left_ = 0;
  if (s.role == Role::category && (negate_left_ | boost_left_) == 0) {
    vote(s.category, s.weight);  // apply() without a modifier
  } else {
    apply(s, s.weight);
  }
}

// The lookups of phrase(), once the pair filter lets the previous word and this one through.
void Scan::phrase_lookups(Word current, std::uint64_t hash, std::uint64_t pair, std::uint8_t starts) noexcept {
  bool matched = false;
  if ((prefix_ & kPrefix2) != 0) {
    const Slot* s = lx_.find_phrase(pair_hash(pair_hash_, hash), std::array<Word, 3>{prev2_, prev1_, current});
    if (has_entry(s)) {
      take_phrase(*s, 2);
      matched = true;
    }
  }
  bool next2 = false;
  if ((prefix_ & kPrefix1) != 0 && !matched) {
    const Slot* s = lx_.find_phrase(pair, std::array<Word, 2>{prev1_, current});
    if (has_entry(s)) take_phrase(*s, 1);
    next2 = (s->flags & slot_flag::prefix) != 0;
    pair_hash_ = pair;
  }
  prev2_ = prev1_;
  prev1_ = Slice{current.data(), current.size()};
  prev1_hash_ = hash;
  prefix_ = std::uint8_t(starts | (next2 ? kPrefix2 : 0));
}

// "Cheer100", "BibleThump500": a cheermote prefix directly followed by the bits
// (1 to 9 digits, no leading zero). Only tokens ending in a digit get here.
bool Scan::cheer(const char* folded, std::size_t len) noexcept {
  std::size_t d = len;
  while (d > 0 && (class_of(folded[d - 1]) & byte_class::digit)) --d;
  if (d == 0 || len - d > 9 || folded[d] == '0') return false;
  if (!lx_.is_cheermote(make_probe(folded, folded, d))) return false;
  std::uint32_t amount = 0;
  for (std::size_t i = d; i < len; ++i) amount = amount * 10 + std::uint32_t(folded[i] - '0');
  bits_ = amount > UINT32_MAX - bits_ ? UINT32_MAX : bits_ + amount;
  return true;
}

// The tries after the whole token (2-4 of docs/sentiment.md, and cheers), for a
// token that is no entry and has a shape one of them may match.
void Scan::tries(const char* raw, const char* folded, std::size_t len, Match& m, char* squeezed) noexcept {
  std::size_t b = 0, e = len;
  if (!is_word_byte(raw[0]) || !is_word_byte(raw[len - 1])) {
    // 2. Without surrounding punctuation: "lol!!!", "Kappa,", "(what)".
    while (b < e && !is_word_byte(raw[b])) ++b;
    while (e > b && !is_word_byte(raw[e - 1])) --e;
    if (e > b) m.slot = lookup(folded + b, raw + b, e - b);
  }
  // A cheer ("Cheer100") is no lexicon entry; it is counted instead of the tries below.
  m.cheered = !has_entry(m.slot) && e > b && (class_of(folded[e - 1]) & byte_class::digit) && cheer(folded + b, e - b);
  const std::size_t n = e - b;
  if (!has_entry(m.slot) && !m.cheered && n >= 4) {
    // 3. A repeated unit: "LULLULLUL", "hahaha", "KEKWKEKW".
    if (const std::size_t p = smallest_period(folded + b, n); p != 0) {
      // The unit ("LUL" of "LULLULLUL") or, for units that are not words, two of them ("hehe").
      const Slot* unit = lookup(folded + b, raw + b, p);
      if (has_entry(unit)) {
        m.slot = unit, m.reps = int(n / p), e = b + p;
      } else if (const Slot* two = lookup(folded + b, raw + b, 2 * p); has_entry(two)) {
        m.slot = two, m.reps = int(n / (2 * p)), e = b + 2 * p;
      }
    }
  }
  m.word = folded + b;
  m.word_len = e - b;
  if (!has_entry(m.slot) && !m.cheered && has_triple(folded + b, n)) {
    // 4. Elongation: "noooo" -> "noo" -> "no", "yesss" -> "yess" -> "yes".
    // Both squeezes in one pass without a branch per byte: every byte is
    // written, and kept (k moves on) while its run is short enough. The last
    // byte kept always equals the one before this, so runs are counted on the
    // token itself. Runs squeezed to 2 bytes first, then to 1.
    char* squeezed2 = squeezed;
    char* squeezed1 = squeezed + kSqueezeRow / 2;
    char raw2[kMaxToken], raw1[kMaxToken];
    squeezed2[0] = squeezed1[0] = folded[b];
    raw2[0] = raw1[0] = raw[b];
    std::size_t k2 = 1, k1 = 1, run = 1;
    for (std::size_t i = b + 1; i < e; ++i) {
      run = (run & (0u - std::size_t(folded[i] == folded[i - 1]))) + 1;  // +1, or 1 after another byte
      squeezed2[k2] = squeezed1[k1] = folded[i];
      raw2[k2] = raw1[k1] = raw[i];
      k2 += run <= 2;
      k1 += run <= 1;
    }
    const std::array<const char*, 2> words = {squeezed2, squeezed1}, raws = {raw2, raw1};
    const std::array<std::size_t, 2> lens = {k2, k1};
    for (std::size_t pass = 0; pass < 2 && !has_entry(m.slot); ++pass) {
      if (lens[pass] == n) continue;  // nothing to squeeze at this length
      // Phrases read the squeezed word even when it is no entry ("lets gooo" -> "lets go").
      m.word = words[pass], m.word_len = lens[pass], elongated_ = true;
      const Slot* sq = lookup(words[pass], raws[pass], lens[pass]);
      if (has_entry(sq)) m.slot = sq;
    }
  }
}

// A token that the tries after the whole token may match (token() tested its
// shape). `h` and `s` are the whole token's hash and slot.
void Scan::modified(const char* raw, const char* folded, std::size_t len, std::uint64_t h, const Slot* s) noexcept {
  if ((s->flags & slot_flag::cased) != 0) uncount_letters(raw, len);
  count_run(h);
  if (has_entry(s)) apply(*s, s->weight);
  phrase<true>(Word{folded, len}, h, s);
  end_word();
}

void Scan::general(const char* raw, const char* folded, std::size_t len, std::uint64_t h, const Slot* s) noexcept {
  Match m{s, 1, false, folded, len};
  tries(raw, folded, len, m, squeezed_[words_ % 3]);
  s = m.slot;

  // Emotes written in their own capitals ("OMEGALUL") and cheermotes are not
  // shouting: their letters leave the message's counts.
  if (m.cheered | ((s->flags & slot_flag::cased) != 0)) uncount_letters(raw, len);
  count_run(h);
  if (has_entry(s)) {
    float w = s->weight;
    if (m.reps > 1) {
      float rest = 1.0f - w;
      for (int r = 1; r < std::min(m.reps, 4); ++r) rest *= 1.0f - w;
      w = 1.0f - rest;
    }
    apply(*s, w);
  }
  if (m.word_len > 0) {
    const bool whole = m.word == folded && m.word_len == len;
    phrase<true>(Word{m.word, m.word_len}, whole ? h : hash_bytes(m.word, m.word_len), s);
  } else {
    break_phrase();
  }
  end_word();
}

void Scan::emoji(char32_t cp) noexcept {
  count_run(0xE000000000000000ull ^ cp);
  break_phrase();
  if (const CodepointSlot* s = lx_.find_codepoint(cp)) vote(s->category, s->weight);
  ++words_;
}

}  // namespace onair::stream::sentiment::detail
