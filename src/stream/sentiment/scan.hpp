#pragma once
// Internal: the classifier's state while it reads one message's tokens, and
// what each token does to it (docs/sentiment.md, "Signals"). token() is the
// common case, inline in classify()'s walk over the separators: a word that is
// no entry or a plain category entry, with no modifier pending and no try after
// the whole token, costs one hash, one Bloom filter test (plus one probe for an
// entry), the phrase pair filter and a few stores. The rest is out of line
// (scan.cpp): general() for the tries, modified() for modifiers, and
// phrase_lookups() when the pair filter lets a pair through.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stream/sentiment/classifier.hpp"
#include "stream/sentiment/hash.hpp"
#include "stream/sentiment/lexicon.hpp"
#include "stream/sentiment/message_buffer.hpp"
#include "stream/sentiment/word_shape.hpp"

namespace onair::stream::sentiment::detail {

inline constexpr std::size_t kMaxToken = 48;    // longer tokens are never looked up
inline constexpr std::size_t kMaxVotes = 64;    // further votes are dropped (intensity has saturated by then)
inline constexpr std::size_t kPhraseCap = 256;  // words past this many bytes are not phrase-matched

using Message = MessageBuffer<kMaxMessageBytes>;

// A word as phrases read it (folded; readable 16 bytes past its end).
using Word = std::string_view;

struct Vote {
  float weight;
  std::uint16_t word;  // the word that voted (a phrase takes back its own words' votes)
  Category category;
};
static_assert(sizeof(Vote) == 8);

// What the tries found for one token.
struct Match {
  const Slot* slot;  // the entry; without slot_flag::entry when none (maybe a phrase prefix's)
  int reps;          // times the entry's unit repeats ("LULLULLUL": 3)
  bool cheered;      // a cheermote with bits
  const char* word;  // what phrases read: the word without punctuation, one unit or squeezed
  std::size_t word_len;
};

class Scan {
 public:
  // The message's letters and capitals are counted up front; token() takes back
  // those of the tokens that do not count as shouting.
  Scan(const Lexicon& lx, const Message& m) noexcept
      : lx_(lx), m_(m), letters_(m.counts.letters), capitals_(m.counts.capitals) {}

  // The token at `raw` (as written) and `folded` (ASCII-lowercased), slices of
  // the padded message at the same offsets, readable past the token's end. Inline
  // in classify()'s walk: the common case, a word that is no entry or a plain
  // category entry, with no modifier pending and no try after the whole token
  // that could apply, takes no call (a phrase lookup, rare, does); the rest goes
  // to general() or modified(). kLong: the message is longer than kPhraseCap, so phrase()
  // must count the bytes its words span (a shorter one never reaches the cap).
  template <bool kLong>
  [[gnu::always_inline]] void token(const char* raw, const char* folded, std::size_t len) noexcept {
    if (len > kMaxToken) {  // never looked up
      break_phrase();
      end_word();
      return;
    }
    // 1. The whole token: emotes, emoticons, words.
    const Probe probe = make_probe(folded, raw, len);
    const std::uint64_t h = probe.hash;
    // Without a branch on whether the token is an entry (a coin toss): the table's
    // home slot is read and the shape tested for every token, so the branches
    // below are on what it needs, mostly nothing. More instructions, and faster.
    const Slot* s = lx_.find_flat(probe);
    const bool tried = !has_entry(s) & may_need_tries(probe);
    if (tried) {
      general(raw, folded, len, h, s);
      return;
    }
    if (s->role != Role::category || (negate_left_ | boost_left_) != 0) {
      modified(raw, folded, len, h, s);
      return;
    }
    if ((s->flags & slot_flag::cased) != 0) uncount_letters(raw, len);  // an emote in its own capitals
    count_run(h);
    // Whether a token is in the lexicon is close to a coin toss that no branch
    // predictor learns: the vote is written in any case and counted only for an entry.
    votes_[votes_n_] = Vote{s->weight, words_, s->category};
    votes_n_ += std::size_t(has_entry(s) & (votes_n_ < kMaxVotes));
    phrase<kLong>(Word{folded, len}, h, s);
    ++words_;  // end_word() with no modifier pending
  }
  // token() out of line, for the walk's rare paths (UTF-8).
  [[gnu::noinline]] void token_outline(const char* raw, const char* folded, std::size_t len) noexcept {
    token<true>(raw, folded, len);
  }
  void emoji(char32_t cp) noexcept;
  [[gnu::always_inline]] inline Sentiment finish() noexcept;  // finish.hpp

 private:
  const Slot* lookup(const char* folded, const char* raw, std::size_t len) const noexcept {
    return lx_.find(make_probe(folded, raw, len));
  }
  // Parts of general() (scan.cpp), inlined there: one call per general token.
  [[gnu::always_inline]] inline bool cheer(const char* folded, std::size_t len) noexcept;
  [[gnu::always_inline]] inline void tries(const char* raw, const char* folded, std::size_t len, Match& m,
                                           char* squeezed) noexcept;
  // A token that is no entry and may_need_tries(): the tries, then as below.
  [[gnu::noinline]] void general(const char* raw, const char* folded, std::size_t len, std::uint64_t h,
                                 const Slot* s) noexcept;
  // A modifier, or a token while one is pending: apply() and phrase().
  [[gnu::noinline]] void modified(const char* raw, const char* folded, std::size_t len, std::uint64_t h,
                                  const Slot* s) noexcept;
  void uncount_letters(const char* raw, std::size_t len) noexcept {
    const CharCounts c = count_chars(raw, len);
    letters_ -= c.letters, capitals_ -= c.capitals;
  }
  void count_run(std::uint64_t h) noexcept {                    // the same token again: spam
    run_ = (run_ & (0u - std::uint32_t(h == last_hash_))) + 1;  // no branch: +1, or 1 after another token
    max_run_ = std::max(max_run_, run_);
    last_hash_ = h;
  }
  // Lookups never answer nullptr: a slot without this flag when there is no entry.
  static bool has_entry(const Slot* s) noexcept { return (s->flags & slot_flag::entry) != 0; }
  void vote(Category c, float w) noexcept {
    if (votes_n_ < kMaxVotes) votes_[votes_n_++] = Vote{w, words_, c};
  }
  void apply(const Slot& s, float weight) noexcept;
  // The word as phrases read it; `hash` = hash_bytes() of it, `unigram` its slot.
  // Inline up to the pair filter, which almost always says no lookup is due.
  template <bool kLong>
  [[gnu::always_inline]] void phrase(Word word, std::uint64_t hash, const Slot* unigram) noexcept {
    if (kLong) {
      const std::size_t start = phrase_len_ + (phrase_len_ != 0);  // after a separating space
      if (start + word.size() > kPhraseCap) {
        break_phrase();
        return;
      }
      phrase_len_ = start + word.size();
    }
    const auto starts = std::uint8_t((unigram->flags & slot_flag::prefix) != 0);
    // Lookups only when the previous word starts a phrase and some phrase has it
    // and this one next to each other. Both are coin tosses a branch predictor
    // misses: the pair is hashed and tested for every word, for one branch.
    const std::uint64_t pair = pair_hash(prev1_hash_, hash);
    if ((prefix_ != 0) & lx_.may_pair(pair)) {
      phrase_lookups(word, hash, pair, starts);
      return;
    }
    prev2_ = prev1_;
    prev1_ = Slice{word.data(), word.size()};
    prev1_hash_ = hash;
    prefix_ = starts;
  }
  [[gnu::always_inline]] inline void take_phrase(const Slot& s, std::uint16_t words) noexcept;
  // The bigram/trigram lookups of phrase(); `pair` = pair_hash(prev1_hash_, hash).
  [[gnu::noinline]] void phrase_lookups(Word word, std::uint64_t hash, std::uint64_t pair,
                                        std::uint8_t starts) noexcept;
  void break_phrase() noexcept { prefix_ = 0; }
  void end_word() noexcept {
    negate_left_ -= negate_left_ > 0;  // no branch: these flip with the words
    boost_left_ -= boost_left_ > 0;
    ++words_;
  }

  const Lexicon& lx_;
  const Message& m_;
  std::array<Vote, kMaxVotes + 1> votes_;  // token() writes one past the last vote (kept only for an entry)
  std::size_t votes_n_ = 0;
  // The previous word and the one before, as phrases read them (slices of the
  // message's folded copy, or of squeezed_): a phrase lookup compares them with
  // the key where they are, no key is assembled (copying every word into a
  // phrase buffer cost more than the rest of the phrase logic: a copy reads
  // bytes just written by the message pass, which the CPU cannot forward from
  // its store buffer). Read only once prefix_ says they were set: no initial values.
  struct Slice {
    const char* p;
    std::size_t n;
    operator Word() const noexcept { return Word(p, n); }
  };
  Slice prev1_, prev2_;
  std::uint64_t prev1_hash_ = 0;  // hash_bytes() of prev1_ (read before the first word is seen)
  std::uint64_t pair_hash_;       // pair_hash() of prev2_ and prev1_, when kPrefix2
  // Bytes of "word word ..." so far (counted in messages longer than kPhraseCap
  // only): words past kPhraseCap are not phrase-matched.
  std::size_t phrase_len_ = 0;
  // Squeezed elongations ("gooo" -> "go"), one per token in turn, so that the
  // previous two stay valid while they may be part of a phrase.
  // Each row: the token squeezed to runs of 2, then to runs of 1 at half the
  // row, each readable 16 bytes past its end.
  static constexpr std::size_t kSqueezeRow = 2 * (kMaxToken + kKeyPadding);
  char squeezed_[3][kSqueezeRow];
  // kPrefix1: the previous word starts a phrase; kPrefix2: the previous two words do.
  static constexpr std::uint8_t kPrefix1 = 1, kPrefix2 = 2;
  std::uint8_t prefix_ = 0;
  int negate_left_ = 0, boost_left_ = 0;
  std::uint16_t negator_word_ = 0;
  float boost_;  // read only while boost_left_ > 0
  std::uint16_t words_ = 0;
  std::uint32_t letters_ = 0, capitals_ = 0;  // of the words that count for shouting
  std::uint32_t bits_ = 0;                    // cheered bits (cheermotes), saturating
  bool elongated_ = false;
  std::uint64_t last_hash_ = 0;
  std::uint32_t run_ = 0, max_run_ = 0;
};

}  // namespace onair::stream::sentiment::detail
