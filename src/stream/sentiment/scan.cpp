#include "stream/sentiment/scan.hpp"

#include <algorithm>
#include <cstring>

#include "stream/sentiment/events.hpp"

namespace onair::stream::sentiment::detail {

namespace {

// Weights of the non-lexical signals (docs/sentiment.md, "Signals").
constexpr float kQuestionVote = 0.30f;      // '?' -> Curious, +0.05 per further '?' (3 at most)
constexpr float kQuestionBangVote = 0.40f;  // '?' and '!' -> Surprised
constexpr float kBangVote = 0.30f;          // '!' with no other evidence -> Excited
constexpr float kShoutVote = 0.35f;         // >= 70% capitals with no other evidence -> Excited
constexpr float kShoutBonus = 0.15f;        // times the capitals ratio, when shouting
constexpr float kBangBonus = 0.04f;         // per '!', 5 at most
constexpr float kQuestionBonus = 0.05f;     // per '?', 3 at most, Curious/Surprised only
constexpr float kElongationBonus = 0.08f;   // "nooooo", "yesss"
constexpr float kSpamBonus = 0.10f;         // the same token 3+ times in a row
constexpr float kNegatedScale = 0.6f;       // weight of a negated word's flipped vote
constexpr float kDilution = 0.85f;          // long message (>= 12 words) with one vote for the winner
constexpr float kDefaultIntensity = 0.10f;  // no signal: Curious at this intensity
constexpr int kModifierReach = 2;           // words a negate/boost reaches

// The '!' and '?' bonuses by count, as finish() adds them (the same products,
// made once): index min(count, 5) and min(count, 3).
constexpr auto kBangBonuses = [] {
  std::array<float, 6> t{};
  for (std::size_t k = 0; k < t.size(); ++k) t[k] = kBangBonus * float(k);
  return t;
}();
constexpr auto kQuestionBonuses = [] {
  std::array<float, 4> t{};
  for (std::size_t k = 0; k < t.size(); ++k) t[k] = kQuestionBonus * float(k);
  return t;
}();

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
    for (std::size_t keep = 2; keep >= 1 && !has_entry(m.slot); --keep) {
      // Without a branch per byte: every byte is written, and kept (k moves on)
      // while its run is short enough. The last byte kept always equals the one
      // before this, so runs are counted on the token itself.
      char rawsq[kMaxToken];
      rawsq[0] = raw[b], squeezed[0] = folded[b];
      std::size_t k = 1, run = 1;
      for (std::size_t i = b + 1; i < e; ++i) {
        run = (run & (0u - std::size_t(folded[i] == folded[i - 1]))) + 1;  // +1, or 1 after another byte
        rawsq[k] = raw[i], squeezed[k] = folded[i];
        k += run <= keep;
      }
      if (k == n) continue;  // nothing to squeeze at this length
      // Phrases read the squeezed word even when it is no entry ("lets gooo" -> "lets go").
      m.word = squeezed, m.word_len = k, elongated_ = true;
      const Slot* sq = lookup(squeezed, rawsq, k);
      if (has_entry(sq)) m.slot = sq;
    }
  }
}

// Everything but the common case of token(): the tries after the whole token,
// modifiers, phrase lookups. `h` and `s` are the whole token's hash and slot.
void Scan::general(const char* raw, const char* folded, std::size_t len, std::uint64_t h, const Slot* s,
                   bool tried) noexcept {
  Match m{s, 1, false, folded, len};
  // Most tokens that are no entry are plain words that none of the other tries
  // can match: one test of their shape (token()) skips them all.
  if (tried) tries(raw, folded, len, m, squeezed_[words_ % 3]);
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

Sentiment Scan::finish() noexcept {
  std::array<float, kCategoryCount> sum{};
  std::array<float, kCategoryCount> rest;
  rest.fill(1.0f);
  std::uint32_t evidence = 0;
  std::uint32_t voted = 0;  // categories with a vote, one bit each
  // Without a branch per vote: a vote that does not count (weight 0 after a
  // phrase took it over) adds +0 to the sum and multiplies the rest by 1, both
  // exact. The tests are made on the weight's bits, which compilers keep free of
  // branches (float compares became branches that mispredicted): a weight counts
  // when it is > 0 (bits 1 .. those of +inf: no NaN, no -0), and floats >= +0
  // order as their bits do, so min(w, 1) is a min of the bits.
  for (std::size_t i = 0; i < votes_n_; ++i) {
    const auto c = static_cast<std::size_t>(votes_[i].category);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &votes_[i].weight, sizeof bits);
    const bool counted = bits - 1 < 0x7F800000u;
    const std::uint32_t kept = bits & (0u - std::uint32_t(counted));       // w, or +0
    const std::uint32_t capped = kept < 0x3F800000u ? kept : 0x3F800000u;  // min(w, 1)
    float w = 0.0f, w1 = 0.0f;
    std::memcpy(&w, &kept, sizeof w);
    std::memcpy(&w1, &capped, sizeof w1);
    sum[c] += w;
    rest[c] *= 1.0f - w1;
    evidence += counted;
    voted |= std::uint32_t(counted) << c;
  }
  // The votes that are not the words' (cheers, punctuation, shouting): rare
  // enough to count per category, which only long messages need (below).
  std::array<std::uint8_t, kCategoryCount> signals{};
  auto add = [&](Category c, float w) {
    const auto i = static_cast<std::size_t>(c);
    sum[i] += w;
    rest[i] *= 1.0f - std::clamp(w, 0.0f, 1.0f);
    ++signals[i];
    ++evidence;
    voted |= 1u << i;
  };
  if (bits_ > 0) {
    // All the message's cheermotes as one cheer event (Twitch sums them too).
    const Sentiment c = classify_event({EventType::cheer, bits_});
    add(c.category, c.intensity);
  }
  const bool lexical = evidence > 0;
  const std::uint32_t bangs = m_.counts.bangs, questions = m_.counts.questions;
  // Without a branch on the letter count, which chat varies unpredictably.
  const float ratio = float(capitals_) / float(std::max<std::uint32_t>(letters_, 1));
  const float caps_ratio = letters_ >= 4 ? ratio : 0.0f;
  const bool shouting = caps_ratio >= 0.7f;
  if (questions > 0 && bangs > 0) {
    add(Category::surprised, kQuestionBangVote);
  } else if (questions > 0) {
    add(Category::curious, kQuestionVote + 0.05f * float(std::min<std::uint32_t>(questions - 1, 3)));
  } else if (!lexical && bangs > 0) {
    add(Category::excited, kBangVote);
  }
  if (!lexical && shouting && questions == 0) add(Category::excited, kShoutVote);
  if (evidence == 0) return Sentiment{Category::curious, words_ > 0 ? kDefaultIntensity : 0.0f, 0, 0};

  // The first largest sum, over the categories that voted (usually one): sums
  // of counted votes are > 0, so a category without one (+0) never wins.
  std::size_t best = std::size_t(__builtin_ctz(voted));
  for (std::uint32_t others = voted & (voted - 1); others != 0; others &= others - 1) {
    const auto i = std::size_t(__builtin_ctz(others));
    if (sum[i] > sum[best]) best = i;
  }
  const auto winner = static_cast<Category>(best);
  // The bonuses are added without branches (a flag as a factor, an index
  // masked to 0): a bonus that does not apply adds +0, which leaves the sum
  // exactly as it was, and bonus * 1.0f is the bonus.
  float intensity = 1.0f - rest[best];
  intensity += kShoutBonus * caps_ratio * float(shouting);
  intensity += kBangBonuses[std::min<std::uint32_t>(bangs, 5)];
  const bool asks = winner == Category::curious || winner == Category::surprised;
  intensity += kQuestionBonuses[std::min<std::uint32_t>(questions, 3) & (0u - std::uint32_t(asks))];
  intensity += kElongationBonus * float(elongated_);
  intensity += kSpamBonus * float(max_run_ >= 3);
  if (words_ >= 12) {  // a long message with one vote for the winner is diluted
    std::uint32_t count = signals[best];
    for (std::size_t i = 0; i < votes_n_; ++i) {
      count += static_cast<std::size_t>(votes_[i].category) == best && votes_[i].weight > 0.0f;
    }
    if (count <= 1) intensity *= kDilution;
  }
  if (!(intensity >= 0.0f)) intensity = 0.0f;  // NaN-proof
  return Sentiment{winner, std::min(intensity, 1.0f), std::uint8_t(std::min<std::uint32_t>(evidence, 255)), bits_};
}

}  // namespace onair::stream::sentiment::detail
