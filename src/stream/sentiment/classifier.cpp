#include "stream/sentiment/classifier.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "stream/sentiment/events.hpp"
#include "stream/sentiment/utf8.hpp"

namespace onair::stream::sentiment {

namespace {

constexpr std::size_t kMaxToken = 48;    // longer tokens are never looked up
constexpr std::size_t kMaxVotes = 64;    // further votes are dropped (intensity has saturated by then)
constexpr std::size_t kPhraseCap = 256;  // words past this many bytes are not phrase-matched

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

// Negation flips the category: "not funny" is Critical, "not boring" Supportive.
constexpr std::array<Category, kCategoryCount> kNegated = {
    Category::critical, Category::critical, Category::supportive, Category::curious,
    Category::bored,    Category::critical, Category::supportive, Category::supportive};

// Byte classes for the ASCII fast path: one table load per byte instead of a
// chain of range compares (and their mispredicted branches) per byte.
namespace byte_class {
inline constexpr std::uint8_t space = 1u << 0;  // ' ', \t..\r
inline constexpr std::uint8_t upper = 1u << 1;  // A-Z
inline constexpr std::uint8_t lower = 1u << 2;  // a-z
inline constexpr std::uint8_t digit = 1u << 3;  // 0-9
inline constexpr std::uint8_t word = 1u << 4;   // letters, digits, '\'' and bytes >= 0x80 (kept by the strip step)
inline constexpr std::uint8_t high = 1u << 5;   // >= 0x80: UTF-8, decoded by classify()
}  // namespace byte_class

constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t k = 0;
    if (c == ' ' || (c >= '\t' && c <= '\r')) k |= byte_class::space;
    if (c >= 'A' && c <= 'Z') k |= byte_class::upper | byte_class::word;
    if (c >= 'a' && c <= 'z') k |= byte_class::lower | byte_class::word;
    if (c >= '0' && c <= '9') k |= byte_class::digit | byte_class::word;
    if (c == '\'') k |= byte_class::word;
    if (c >= 0x80) k |= byte_class::high | byte_class::word;
    t[std::size_t(c)] = k;
  }
  return t;
}();

constexpr std::array<char, 256> kFold = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[std::size_t(c)] = char((c >= 'A' && c <= 'Z') ? c + 32 : c);
  return t;
}();

inline std::uint8_t class_of(char c) noexcept { return kByteClass[static_cast<unsigned char>(c)]; }
inline bool is_word_byte(char c) noexcept { return (class_of(c) & byte_class::word) != 0; }

// SWAR: 8 bytes per step. Each helper sets the high bit of every byte lane that
// matches (exact per lane: 7-bit arithmetic never carries into the next lane).
namespace swar {
inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kHigh = 0x8080808080808080ull;
inline constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
// Lanes < 0x80 whose value is >= c (c in 1..0x80).
inline std::uint64_t ge(std::uint64_t v, std::uint8_t c) noexcept {
  return ((v & kLow7) + (0x80u - c) * kOnes) & ~v & kHigh;
}
// Lanes equal to c (c < 0x80).
inline std::uint64_t eq(std::uint64_t v, std::uint8_t c) noexcept {
  const std::uint64_t t = v ^ (c * kOnes);
  return ~(((t & kLow7) + kLow7) | t) & kHigh;
}
// Word separators for classify(): ASCII whitespace, and bytes >= 0x80 (UTF-8,
// decoded there: emoji and Unicode spaces split words, other letters do not).
inline std::uint64_t separators(std::uint64_t v) noexcept {
  return (v & kHigh) | eq(v, ' ') | (ge(v, '\t') & ~ge(v, '\r' + 1));
}
// Matching lanes of a mask from the helpers above (no popcnt instruction on baseline x86-64).
inline int count(std::uint64_t mask) noexcept { return int(((mask >> 7) * kOnes) >> 56); }
inline int first_lane(std::uint64_t m) noexcept { return __builtin_ctzll(m) >> 3; }
}  // namespace swar

struct Vote {
  Category category;
  float weight;
  std::uint16_t word;
};

class Scan {
 public:
  explicit Scan(const Lexicon& lx) noexcept : lx_(lx) {}

  void token(const char* raw, std::size_t len) noexcept;
  void emoji(char32_t cp) noexcept;
  Sentiment finish() const noexcept;

 private:
  const Slot* lookup(const char* folded, const char* raw, std::size_t len) const noexcept {
    return lx_.find(folded, raw, len, hash_bytes(folded, len));
  }
  bool cheer(const char* folded, std::size_t len) noexcept;
  static bool has_entry(const Slot* s) noexcept { return s != nullptr && (s->flags & slot_flag::entry) != 0; }
  void vote(Category c, float w) noexcept {
    if (votes_n_ < kMaxVotes) votes_[votes_n_++] = Vote{c, w, words_};
  }
  void apply(const Slot& s, float weight) noexcept;
  void phrase(const char* word, std::size_t len, const Slot* unigram) noexcept;
  void break_phrase() noexcept { prefix1_ = prefix2_ = false; }
  void end_word() noexcept {
    if (negate_left_ > 0) --negate_left_;
    if (boost_left_ > 0) --boost_left_;
    ++words_;
  }

  const Lexicon& lx_;
  std::array<Vote, kMaxVotes> votes_;
  std::size_t votes_n_ = 0;
  char phrase_[kPhraseCap + kMaxToken];  // the slack lets phrase() copy a fixed kMaxToken bytes
  std::size_t phrase_len_ = 0;
  std::size_t start1_ = 0, start2_ = 0;  // phrase_ offsets of the previous word and the one before
  bool prefix1_ = false;                 // the previous word starts a phrase
  bool prefix2_ = false;                 // the previous two words start a phrase
  int negate_left_ = 0, boost_left_ = 0;
  std::uint16_t negator_word_ = 0;
  float boost_ = 1.0f;
  std::uint16_t words_ = 0;
  std::uint32_t letters_ = 0, capitals_ = 0, bangs_ = 0, questions_ = 0;
  std::uint32_t bits_ = 0;  // cheered bits (cheermotes), saturating
  bool elongated_ = false;
  std::uint64_t last_hash_ = 0;
  std::uint32_t run_ = 0, max_run_ = 0;
};

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

// Bigram/trigram lookups, only when the previous word(s) start a phrase.
void Scan::phrase(const char* word, std::size_t len, const Slot* unigram) noexcept {
  const std::size_t start = phrase_len_ == 0 ? 0 : phrase_len_ + 1;
  if (start + len > kPhraseCap) {
    break_phrase();
    return;
  }
  if (phrase_len_ != 0) phrase_[phrase_len_] = ' ';
  // A fixed-size copy compiles to a few vector moves, not a libc call; `word`
  // points into a buffer with kMaxToken bytes of slack, the bytes past `len` are
  // never read as part of a key.
  std::memcpy(phrase_ + start, word, kMaxToken);
  phrase_len_ = start + len;
  bool matched = false;
  // Phrase lookups only when a phrase can end with this word (almost never for
  // most words): the filter answers from L1 without touching the table.
  if ((prefix1_ || prefix2_) && !lx_.may_end_phrase(hash_bytes(word, len))) {
    start2_ = start1_;
    start1_ = start;
    prefix2_ = false;
    prefix1_ = unigram != nullptr && (unigram->flags & slot_flag::prefix) != 0;
    return;
  }
  if (prefix2_) {
    const std::size_t n = phrase_len_ - start2_;
    const Slot* s = lookup(phrase_ + start2_, phrase_ + start2_, n);
    if (has_entry(s)) {
      for (std::size_t i = 0; i < votes_n_; ++i) {
        if (votes_[i].word + 2 >= words_) votes_[i].weight = 0.0f;
      }
      if (negator_word_ + 2 >= words_) negate_left_ = 0;  // "did not expect": the negator is the phrase's
      apply(*s, s->weight);
      matched = true;
    }
  }
  bool next2 = false;
  if (prefix1_ && !matched) {
    const std::size_t n = phrase_len_ - start1_;
    const Slot* s = lookup(phrase_ + start1_, phrase_ + start1_, n);
    if (has_entry(s)) {
      for (std::size_t i = 0; i < votes_n_; ++i) {
        if (votes_[i].word + 1 >= words_) votes_[i].weight = 0.0f;
      }
      if (negator_word_ + 1 >= words_) negate_left_ = 0;
      apply(*s, s->weight);
    }
    next2 = s != nullptr && (s->flags & slot_flag::prefix) != 0;
  }
  start2_ = start1_;
  start1_ = start;
  prefix2_ = next2;
  prefix1_ = unigram != nullptr && (unigram->flags & slot_flag::prefix) != 0;
}

// "Cheer100", "BibleThump500": a cheermote prefix directly followed by the bits
// (1 to 9 digits, no leading zero). Only tokens ending in a digit get here.
bool Scan::cheer(const char* folded, std::size_t len) noexcept {
  std::size_t d = len;
  while (d > 0 && (class_of(folded[d - 1]) & byte_class::digit)) --d;
  if (d == 0 || len - d > 9 || folded[d] == '0') return false;
  if (!lx_.is_cheermote(folded, d, hash_bytes(folded, d))) return false;
  std::uint32_t amount = 0;
  for (std::size_t i = d; i < len; ++i) amount = amount * 10 + std::uint32_t(folded[i] - '0');
  bits_ = amount > UINT32_MAX - bits_ ? UINT32_MAX : bits_ + amount;
  return true;
}

void Scan::token(const char* raw, std::size_t len) noexcept {
  // One pass: ASCII-fold into the stack buffer and count letters, capitals, '!'
  // and '?' (table-driven, no data-dependent branches). The second half of the
  // buffer is slack for phrase()'s fixed-size copy.
  char folded[2 * kMaxToken];
  std::uint32_t letters = 0, capitals = 0, bangs = 0, questions = 0;
  // `raw` points into classify()'s padded copy: 8 bytes past the token are readable.
  for (std::size_t i = 0; i < len; i += 8) {
    std::uint64_t v = detail::load64(raw + i);
    if (len - i < 8) v &= ~0ull >> (8 * (8 - (len - i)));  // zero the lanes past the token
    const std::uint64_t upper = swar::ge(v, 'A') & ~swar::ge(v, 'Z' + 1);
    const std::uint64_t lower = swar::ge(v, 'a') & ~swar::ge(v, 'z' + 1);
    letters += std::uint32_t(swar::count(upper | lower));
    capitals += std::uint32_t(swar::count(upper));
    bangs += std::uint32_t(swar::count(swar::eq(v, '!')));
    questions += std::uint32_t(swar::count(swar::eq(v, '?')));
    if (i < kMaxToken) {
      const std::uint64_t f = v | (upper >> 2);  // 0x80 >> 2 = 0x20: 'A' -> 'a'
      std::memcpy(folded + i, &f, 8);
    }
  }
  bangs_ += bangs, questions_ += questions;
  if (len > kMaxToken) {
    letters_ += letters, capitals_ += capitals;
    break_phrase();
    end_word();
    return;
  }

  // 1. The whole token: emotes, emoticons, words.
  const std::uint64_t h = hash_bytes(folded, len);
  const Slot* s = lx_.find(folded, raw, len, h);
  std::size_t b = 0, e = len;  // the word inside the token, for phrases
  int reps = 1;
  if (!has_entry(s) && (!is_word_byte(raw[0]) || !is_word_byte(raw[len - 1]))) {
    // 2. Without surrounding punctuation: "lol!!!", "Kappa,", "(what)".
    while (b < e && !is_word_byte(raw[b])) ++b;
    while (e > b && !is_word_byte(raw[e - 1])) --e;
    if (e > b) s = lookup(folded + b, raw + b, e - b);
  }
  // A cheer ("Cheer100") is no lexicon entry; it is counted instead of the tries below.
  const bool cheered =
      !has_entry(s) && e > b && (class_of(folded[e - 1]) & byte_class::digit) && cheer(folded + b, e - b);
  const std::size_t n = e - b;
  if (!has_entry(s) && !cheered && n >= 4) {
    // 3. A repeated unit: "LULLULLUL", "hahaha", "KEKWKEKW".
    std::size_t p = 2;
    for (; p <= n / 2; ++p) {
      std::size_t i = p;
      while (i < n && folded[b + i] == folded[b + i - p]) ++i;
      if (i == n) break;
    }
    if (p <= n / 2) {
      // The unit ("LUL" of "LULLULLUL") or, for units that are not words, two of them ("hehe").
      const Slot* unit = lookup(folded + b, raw + b, p);
      if (has_entry(unit)) {
        s = unit, reps = int(n / p), e = b + p;
      } else if (const Slot* two = lookup(folded + b, raw + b, 2 * p); has_entry(two)) {
        s = two, reps = int(n / (2 * p)), e = b + 2 * p;
      }
    }
  }
  char squeezed[2 * kMaxToken];  // slack as in `folded`
  const char* word = folded + b;
  std::size_t word_len = e - b;
  bool run3 = false;  // no early exit: a predictable loop beats a short one
  if (!has_entry(s) && !cheered) {
    for (std::size_t i = b + 2; i < e; ++i) run3 |= (folded[i] == folded[i - 1]) & (folded[i] == folded[i - 2]);
  }
  if (run3) {
    // 4. Elongation: "noooo" -> "noo" -> "no", "yesss" -> "yess" -> "yes".
    for (std::size_t keep = 2; keep >= 1 && !has_entry(s); --keep) {
      std::size_t m = 0, run = 0;
      char rawsq[kMaxToken];
      for (std::size_t i = b; i < e; ++i) {
        run = (m > 0 && folded[i] == squeezed[m - 1]) ? run + 1 : 1;
        if (run <= keep) rawsq[m] = raw[i], squeezed[m++] = folded[i];
      }
      if (m == n) continue;  // nothing to squeeze at this length
      // Phrases read the squeezed word even when it is no entry ("lets gooo" -> "lets go").
      word = squeezed, word_len = m, elongated_ = true;
      const Slot* sq = lookup(squeezed, rawsq, m);
      if (has_entry(sq)) s = sq;
    }
  }

  // Emotes written in their own capitals ("OMEGALUL") and cheermotes are not shouting.
  if (!cheered && (s == nullptr || (s->flags & slot_flag::cased) == 0)) letters_ += letters, capitals_ += capitals;
  run_ = (h == last_hash_) ? run_ + 1 : 1;
  max_run_ = std::max(max_run_, run_);
  last_hash_ = h;

  if (has_entry(s)) {
    float w = s->weight;
    if (reps > 1) {
      float rest = 1.0f - w;
      for (int r = 1; r < std::min(reps, 4); ++r) rest *= 1.0f - w;
      w = 1.0f - rest;
    }
    apply(*s, w);
  }
  if (word_len > 0) {
    phrase(word, word_len, s);
  } else {
    break_phrase();
  }
  end_word();
}

void Scan::emoji(char32_t cp) noexcept {
  const std::uint64_t h = 0xE000000000000000ull ^ cp;
  run_ = (h == last_hash_) ? run_ + 1 : 1;
  max_run_ = std::max(max_run_, run_);
  last_hash_ = h;
  break_phrase();
  if (const CodepointSlot* s = lx_.find_codepoint(cp)) vote(s->category, s->weight);
  ++words_;
}

Sentiment Scan::finish() const noexcept {
  std::array<float, kCategoryCount> sum{};
  std::array<float, kCategoryCount> rest;
  std::array<std::uint8_t, kCategoryCount> count{};
  rest.fill(1.0f);
  std::uint32_t evidence = 0;
  auto add = [&](Category c, float w) {
    const auto i = static_cast<std::size_t>(c);
    sum[i] += w;
    rest[i] *= 1.0f - std::clamp(w, 0.0f, 1.0f);
    ++count[i];
    ++evidence;
  };
  for (std::size_t i = 0; i < votes_n_; ++i) {
    if (votes_[i].weight > 0.0f) add(votes_[i].category, votes_[i].weight);
  }
  if (bits_ > 0) {
    // All the message's cheermotes as one cheer event (Twitch sums them too).
    const Sentiment c = classify_event({EventType::cheer, bits_});
    add(c.category, c.intensity);
  }
  const bool lexical = evidence > 0;
  const float caps_ratio = letters_ >= 4 ? float(capitals_) / float(letters_) : 0.0f;
  const bool shouting = caps_ratio >= 0.7f;
  if (questions_ > 0 && bangs_ > 0) {
    add(Category::surprised, kQuestionBangVote);
  } else if (questions_ > 0) {
    add(Category::curious, kQuestionVote + 0.05f * float(std::min<std::uint32_t>(questions_ - 1, 3)));
  } else if (!lexical && bangs_ > 0) {
    add(Category::excited, kBangVote);
  }
  if (!lexical && shouting && questions_ == 0) add(Category::excited, kShoutVote);
  if (evidence == 0) return Sentiment{Category::curious, words_ > 0 ? kDefaultIntensity : 0.0f, 0, 0};

  std::size_t best = 0;
  for (std::size_t i = 1; i < kCategoryCount; ++i) {
    if (sum[i] > sum[best]) best = i;
  }
  const auto winner = static_cast<Category>(best);
  float intensity = 1.0f - rest[best];
  if (shouting) intensity += kShoutBonus * caps_ratio;
  intensity += kBangBonus * float(std::min<std::uint32_t>(bangs_, 5));
  if (winner == Category::curious || winner == Category::surprised) {
    intensity += kQuestionBonus * float(std::min<std::uint32_t>(questions_, 3));
  }
  if (elongated_) intensity += kElongationBonus;
  if (max_run_ >= 3) intensity += kSpamBonus;
  if (words_ >= 12 && count[best] <= 1) intensity *= kDilution;
  if (!(intensity >= 0.0f)) intensity = 0.0f;  // NaN-proof
  return Sentiment{winner, std::min(intensity, 1.0f), std::uint8_t(std::min<std::uint32_t>(evidence, 255)), bits_};
}

}  // namespace

Sentiment Classifier::classify(std::string_view text) const noexcept {
  // A padded copy: the SWAR scans read whole 8-byte words past a token's end.
  // The padding is spaces, so the last token ends there by itself.
  const std::size_t n = std::min(text.size(), kMaxMessageBytes);
  char buf[kMaxMessageBytes + 16];
  if (n >= 8) {
    // 8-byte moves, the last one overlapping: no libc call for short messages.
    for (std::size_t k = 0; k + 8 < n; k += 8) std::memcpy(buf + k, text.data() + k, 8);
    std::memcpy(buf + n - 8, text.data() + n - 8, 8);
  } else {
    for (std::size_t k = 0; k < n; ++k) buf[k] = text[k];
  }
  std::memset(buf + n, ' ', 16);
  const auto* p = reinterpret_cast<const unsigned char*>(buf);

  Scan scan(lexicon_);
  std::size_t i = 0, start = 0;
  auto flush = [&](std::size_t end) {
    if (end > start) scan.token(buf + start, end - start);
  };
  for (;;) {
    // Skip word bytes 8 at a time up to the next whitespace or non-ASCII byte.
    const std::uint64_t m = swar::separators(detail::load64(buf + i));
    if (m == 0) {
      i += 8;
      continue;
    }
    i += std::size_t(swar::first_lane(m));
    if (i >= n) break;
    if (p[i] < 0x80) {  // ASCII whitespace
      flush(i);
      start = ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = detail::decode_utf8(p + i, n - i, cp);
    if (is_symbol_codepoint(cp) || detail::is_emoji_glue(cp) || detail::is_unicode_space(cp)) {
      flush(i);
      if (is_symbol_codepoint(cp)) scan.emoji(cp);
      start = i + len;
    }
    i += len;
  }
  flush(n);
  return scan.finish();
}

}  // namespace onair::stream::sentiment
