#include "stream/sentiment/classifier.hpp"

#include <algorithm>
#include <array>
#include <cstring>

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

constexpr char fold(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }
constexpr bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_word_byte(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || is_lower(char(c)) || is_upper(char(c)) || c >= 0x80 || c == '\'';
}
constexpr bool is_space(unsigned char c) noexcept { return c == ' ' || (c >= '\t' && c <= '\r'); }

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
    const Slot* s = lx_.find({folded, len}, {raw, len}, hash_bytes(folded, len));
    return s;
  }
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
  char phrase_[kPhraseCap];
  std::size_t phrase_len_ = 0;
  std::size_t start1_ = 0, start2_ = 0;  // phrase_ offsets of the previous word and the one before
  bool prefix1_ = false;                 // the previous word starts a phrase
  bool prefix2_ = false;                 // the previous two words start a phrase
  int negate_left_ = 0, boost_left_ = 0;
  std::uint16_t negator_word_ = 0;
  float boost_ = 1.0f;
  std::uint16_t words_ = 0;
  std::uint32_t letters_ = 0, capitals_ = 0, bangs_ = 0, questions_ = 0;
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
  std::memcpy(phrase_ + start, word, len);
  phrase_len_ = start + len;
  bool matched = false;
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

void Scan::token(const char* raw, std::size_t len) noexcept {
  std::uint32_t letters = 0, capitals = 0;
  for (std::size_t i = 0; i < len; ++i) {
    const char c = raw[i];
    bangs_ += c == '!';
    questions_ += c == '?';
    letters += is_upper(c) || is_lower(c);
    capitals += is_upper(c);
  }
  if (len > kMaxToken) {
    letters_ += letters, capitals_ += capitals;
    break_phrase();
    end_word();
    return;
  }
  char folded[kMaxToken];
  for (std::size_t i = 0; i < len; ++i) folded[i] = fold(raw[i]);

  // 1. The whole token: emotes, emoticons, words.
  const std::uint64_t h = hash_bytes(folded, len);
  const Slot* s = lx_.find({folded, len}, {raw, len}, h);
  std::size_t b = 0, e = len;  // the word inside the token, for phrases
  int reps = 1;
  if (!has_entry(s)) {
    // 2. Without surrounding punctuation: "lol!!!", "Kappa,", "(what)".
    while (b < e && !is_word_byte(static_cast<unsigned char>(raw[b]))) ++b;
    while (e > b && !is_word_byte(static_cast<unsigned char>(raw[e - 1]))) --e;
    if (e > b && (b > 0 || e < len)) s = lookup(folded + b, raw + b, e - b);
  }
  const std::size_t n = e - b;
  if (!has_entry(s) && n >= 4) {
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
  char squeezed[kMaxToken];
  const char* word = folded + b;
  std::size_t word_len = e - b;
  bool run3 = false;
  for (std::size_t i = b + 2; i < e && !run3; ++i) run3 = folded[i] == folded[i - 1] && folded[i] == folded[i - 2];
  if (!has_entry(s) && run3) {
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

  if (s == nullptr || (s->flags & slot_flag::cased) == 0) letters_ += letters, capitals_ += capitals;
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
  if (evidence == 0) return Sentiment{Category::curious, words_ > 0 ? kDefaultIntensity : 0.0f, 0};

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
  return Sentiment{winner, std::min(intensity, 1.0f), std::uint8_t(std::min<std::uint32_t>(evidence, 255))};
}

}  // namespace

Sentiment Classifier::classify(std::string_view text) const noexcept {
  Scan scan(lexicon_);
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = std::min(text.size(), kMaxMessageBytes);
  std::size_t i = 0, start = 0;
  auto flush = [&](std::size_t end) {
    if (end > start) scan.token(text.data() + start, end - start);
  };
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (is_space(c)) {
        flush(i);
        start = ++i;
      } else {
        ++i;
      }
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
