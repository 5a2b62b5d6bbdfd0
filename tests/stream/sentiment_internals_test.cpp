// The classifier's internal building blocks against plain byte-at-a-time
// references, over random input: the one-pass message copy (16-byte vectors),
// the hash and probe of a key, the lexicon's key table, the token shape tests.
// Their SWAR/vector tricks must give exactly the answers of the obvious code.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "stream/sentiment/bytes16.hpp"
#include "stream/sentiment/classifier.hpp"
#include "stream/sentiment/hash.hpp"
#include "stream/sentiment/key_table.hpp"
#include "stream/sentiment/message_buffer.hpp"
#include "stream/sentiment/utf8.hpp"
#include "stream/sentiment/word_shape.hpp"

namespace onair::stream::sentiment {
namespace {

constexpr std::size_t kCap = 2048;
using Buffer = detail::MessageBuffer<kCap>;

bool is_letter(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_separator(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || c >= 0x80; }
char fold(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

// Bytes that exercise every lane test: letters at both ends of the ranges, their
// neighbours, whitespace, '!', '?', digits, NUL, DEL and high bytes.
std::string random_text(std::mt19937_64& rng, std::size_t n) {
  static const std::string alphabet = std::string("AZaz@[`{ !?09'\t\n\v\f\r\x08\x0e\x7f\x80\xbf\xc3\xff") + '\0';
  std::string s(n, ' ');
  for (char& c : s) c = rng() % 3 == 0 ? char(rng() % 256) : alphabet[rng() % alphabet.size()];
  return s;
}

TEST(SentimentInternals, MessageBufferMatchesAByteAtATimeReference) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 3000; ++round) {
    const std::size_t n = round < 2900 ? rng() % 200 : kCap - 40 + rng() % 80;  // some past the cap
    const std::string text = random_text(rng, n);
    const auto m = std::make_unique<Buffer>(text);
    const std::size_t size = std::min(n, kCap);
    ASSERT_EQ(m->size, size);
    std::uint32_t letters = 0, capitals = 0, bangs = 0, questions = 0;
    for (std::size_t i = 0; i < size; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      ASSERT_EQ(m->raw[i], text[i]) << "round " << round << " byte " << i;
      ASSERT_EQ(m->low[i], fold(text[i])) << "round " << round << " byte " << i;
      const bool bit = (m->separators[i / 64] >> (i % 64)) & 1;
      ASSERT_EQ(bit, is_separator(c)) << "round " << round << " byte " << i;
      letters += is_letter(c), capitals += (c >= 'A' && c <= 'Z'), bangs += c == '!', questions += c == '?';
    }
    ASSERT_TRUE((m->separators[size / 64] >> (size % 64)) & 1) << "the walk must end at the size";
    for (std::size_t i = size; i < size + Buffer::kPadding; ++i) {
      ASSERT_EQ(m->raw[i], ' ');
      ASSERT_EQ(m->low[i], ' ');
    }
    EXPECT_EQ(m->counts.letters, letters);
    EXPECT_EQ(m->counts.capitals, capitals);
    EXPECT_EQ(m->counts.bangs, bangs);
    EXPECT_EQ(m->counts.questions, questions);
  }
}

TEST(SentimentInternals, MessageBufferCountsUpToTheCap) {
  // Every byte a capital or a '!': each lane counter reaches its limit (128).
  for (const char c : {'Q', '!', '?'}) {
    const auto m = std::make_unique<Buffer>(std::string(kCap + 100, c));
    EXPECT_EQ(m->counts.letters, c == 'Q' ? kCap : 0);
    EXPECT_EQ(m->counts.capitals, c == 'Q' ? kCap : 0);
    EXPECT_EQ(m->counts.bangs, c == '!' ? kCap : 0);
    EXPECT_EQ(m->counts.questions, c == '?' ? kCap : 0);
  }
}

TEST(SentimentInternals, VectorHelpersMatchTheirPortableCode) {
  // The SSE2 instructions (where __SSE2__ is defined) and the portable code agree.
  std::mt19937_64 rng(15);
  for (int round = 0; round < 20000; ++round) {
    bytes16::Bytes mask, counts;
    for (int k = 0; k < 16; ++k) {
      mask[k] = rng() % 2 ? 0xFF : 0x00;
      counts[k] = std::uint8_t(round < 100 ? 128 : rng() % 129);
    }
    std::uint32_t bits = 0, sum = 0;
    for (int k = 0; k < 16; ++k) bits |= std::uint32_t(mask[k] != 0) << k, sum += counts[k];
    ASSERT_EQ(bytes16::lane_bits(mask), bits);
    ASSERT_EQ(bytes16::lane_bits_portable(mask), bits);
    ASSERT_EQ(bytes16::sum_bytes(counts), sum);
    ASSERT_EQ(bytes16::sum_bytes_portable(counts), sum);
    const bytes16::Bytes down = bytes16::shift_down(counts);
    for (int k = 0; k < 16; ++k) ASSERT_EQ(down[k], k < 15 ? counts[k + 1] : 0);
  }
}

TEST(SentimentInternals, PaddedUtf8DecodingMatchesTheBoundsCheckedOne) {
  // Every lead byte, followed by 0-3 bytes of text and then the classifier's
  // space padding: both decoders give the same code point and length.
  std::mt19937_64 rng(16);
  const unsigned char tails[] = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0x7F, 0x20};
  for (int lead = 0x80; lead < 0x100; ++lead) {
    for (int round = 0; round < 400; ++round) {
      unsigned char text[4] = {static_cast<unsigned char>(lead), 0, 0, 0};
      const std::size_t n = 1 + rng() % 4;
      for (std::size_t k = 1; k < n; ++k) text[k] = rng() % 2 ? tails[rng() % 9] : static_cast<unsigned char>(rng());
      unsigned char padded_text[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
      std::copy(text, text + n, padded_text);
      char32_t a = 0, b = 0;
      const std::size_t la = detail::decode_utf8(text, n, a);
      const std::size_t lb = detail::decode_utf8_padded(padded_text, b);
      ASSERT_EQ(la, lb) << lead << " " << n;
      ASSERT_EQ(a, b) << lead << " " << n;
    }
  }
}

TEST(SentimentInternals, ProbeAndHashAgreeAndSeeEveryByteAndTheLength) {
  std::mt19937_64 rng(12);
  for (int round = 0; round < 5000; ++round) {
    const std::size_t n = 1 + rng() % 64;
    std::string key = random_text(rng, n);
    key.append(kKeyPadding, char(rng()));  // padding: whatever it holds must not matter
    const Probe p = make_probe(key.data(), key.data(), n);
    ASSERT_EQ(p.hash, hash_bytes(key.data(), n));
    std::string other = key;
    std::fill(other.begin() + std::ptrdiff_t(n), other.end(), char(~other[n]));
    ASSERT_EQ(hash_bytes(other.data(), n), p.hash) << "the padding changed the hash";
    other[rng() % n] ^= char(1 + rng() % 255);
    ASSERT_NE(hash_bytes(other.data(), n), p.hash);
    if (n <= 16) {
      std::uint64_t first = 0, second = 0;
      for (std::size_t i = 0; i < n; ++i)
        (i < 8 ? first : second) |= std::uint64_t(std::uint8_t(key[i])) << (8 * (i % 8));
      ASSERT_EQ(p.first, first);
      ASSERT_EQ(p.second, second);
    }
  }
  // Same bytes, another length (a NUL inside a token is a byte like any other).
  const std::string ab("ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 18);
  EXPECT_NE(hash_bytes(ab.data(), 2), hash_bytes(ab.data(), 3));
}

std::string padded(std::string s) { return s.append(kKeyPadding, '\0'); }

// find() and find_flat() (the classifier's, without a branch on the home slot) agree.
const Slot* find(const KeyTable& t, std::string raw) {
  std::string folded = raw;
  for (char& c : folded) c = fold(c);
  const std::string f = padded(folded), r = padded(raw);
  const Probe p = make_probe(f.data(), r.data(), raw.size());
  const Slot* s = t.find(p);
  EXPECT_EQ(t.find_flat(p), s) << raw;
  return s;
}

TEST(SentimentInternals, KeyTableFindsShortLongExactAndFoldedKeys) {
  KeyTable t(8);
  t.insert("WHAT").flags = slot_flag::entry | slot_flag::exact;  // exact first: it wins its own spelling
  t.insert("what").flags = slot_flag::entry;
  t.insert("a phrase of more than sixteen bytes").flags = slot_flag::entry;
  t.insert("kekw").flags = slot_flag::entry;
  EXPECT_EQ(find(t, "WHAT")->flags, slot_flag::entry | slot_flag::exact);
  EXPECT_EQ(find(t, "What")->flags, slot_flag::entry);
  EXPECT_EQ(find(t, "what")->flags, slot_flag::entry);
  EXPECT_EQ(find(t, "KeKw")->flags, slot_flag::entry);
  EXPECT_EQ(find(t, "A Phrase of more than sixteen bytes")->flags, slot_flag::entry);
  for (const char* absent : {"wha", "whatt", "kek", "a phrase of more than sixteen byte", "x"}) {
    const Slot* s = find(t, absent);
    EXPECT_EQ(s, t.absent()) << absent;
    EXPECT_EQ(s->flags, 0) << absent;
    EXPECT_EQ(s->weight, 0.0f) << absent;
  }
  const KeyTable empty;
  EXPECT_EQ(find(empty, "what"), empty.absent());
  // An empty lexicon (the stream service's fallback) classifies by punctuation alone.
  const Classifier none(Lexicon::build({}));
  EXPECT_EQ(none.classify("KEKW so good lets go?").category, Category::curious);
  EXPECT_EQ(none.classify("KEKW so good lets go?").evidence, 1);
  EXPECT_EQ(none.classify("KEKW so good").evidence, 0);
}

TEST(SentimentInternals, KeyTableHoldsManyKeys) {
  std::mt19937_64 rng(13);
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; ++i) keys.push_back("k" + std::to_string(rng() % 100000000) + std::string(rng() % 20, 'x'));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  KeyTable t(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Slot& s = t.insert(keys[i]);
    s.flags = slot_flag::entry;
    s.weight = float(i);
  }
  for (std::size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(find(t, keys[i])->weight, float(i)) << keys[i];
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(find(t, "z" + std::to_string(i)), t.absent());
  // A table so full that chains are long and home slots often hold other keys.
  KeyTable crowded(8);
  for (std::size_t i = 0; i < 32; ++i) crowded.insert(keys[i]).flags = slot_flag::entry;
  for (std::size_t i = 0; i < 64; ++i) (void)find(crowded, keys[i]);
}

// A phrase key's hash, as Lexicon::build makes it: its words' hashes chained with pair_hash().
std::uint64_t phrase_hash_of(const std::vector<std::string>& words) {
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string w = padded(words[i]);
    const std::uint64_t wh = hash_bytes(w.data(), words[i].size());
    h = i == 0 ? wh : pair_hash(h, wh);
  }
  return h;
}

template <std::size_t N>
const Slot* find_words(const KeyTable& t, const std::array<std::string, N>& words) {
  std::vector<std::string> copies;  // each padded, as the classifier's buffers are
  for (const auto& w : words) copies.push_back(padded(w));
  std::array<std::string_view, N> views;
  for (std::size_t i = 0; i < N; ++i) views[i] = std::string_view(copies[i].data(), words[i].size());
  return t.find_words(phrase_hash_of(std::vector<std::string>(words.begin(), words.end())), views);
}

TEST(SentimentInternals, KeyTableFindsPhrasesByTheirWords) {
  // Phrase keys: hashed from their words' hashes, compared word by word with
  // the folded words, never assembled (short keys inline, long ones out of line).
  KeyTable t(8);
  auto add = [&](const std::string& key, std::vector<std::string> words, std::uint8_t flags) {
    t.insert(key, phrase_hash_of(words)).flags = flags;
  };
  add("Not Bad", {"not", "bad"}, slot_flag::entry | slot_flag::exact);  // exact: never equal to folded words
  add("so good", {"so", "good"}, slot_flag::entry);
  add("did not expect that at all", {"did", "not", "expect that at all"}, slot_flag::entry);
  add("trash streamer", {"trash", "streamer"}, slot_flag::prefix);
  add("trash streamer ever", {"trash", "streamer", "ever"}, slot_flag::entry);
  EXPECT_EQ(find_words<2>(t, {"so", "good"})->flags, slot_flag::entry);
  EXPECT_EQ(find_words<2>(t, {"trash", "streamer"})->flags, slot_flag::prefix);
  EXPECT_EQ(find_words<3>(t, {"trash", "streamer", "ever"})->flags, slot_flag::entry);
  EXPECT_EQ(find_words<3>(t, {"did", "not", "expect that at all"})->flags, slot_flag::entry);
  EXPECT_EQ(find_words<2>(t, {"not", "bad"}), t.absent());
  EXPECT_EQ(find_words<2>(t, {"so", "goo"}), t.absent());
  EXPECT_EQ(find_words<2>(t, {"trash", "streamerx"}), t.absent());
  EXPECT_EQ(find_words<3>(t, {"trash", "streamer", "eve"}), t.absent());
  // Same bytes split elsewhere: another hash, and the compare sees the space too.
  EXPECT_EQ(find_words<2>(t, {"sog", "ood"}), t.absent());
  const std::string key = "ab cd";
  t.insert(key, phrase_hash_of({"ab", "cd"})).flags = slot_flag::entry;
  const std::string ab = padded("ab"), bc = padded("b cd");
  const std::array<std::string_view, 2> wrong_split = {std::string_view(ab.data(), 1), std::string_view(bc.data(), 4)};
  EXPECT_EQ(t.find_words(phrase_hash_of({"ab", "cd"}), wrong_split), t.absent());
}

// The conditions may_need_tries() stands for, the obvious way: punctuation or a
// digit at an edge, three equal bytes in a row, or a byte equal to the first at
// a period candidate p (2 <= p <= n / 2): with one candidate, a real period there.
bool any_try_may_apply(const std::string& w) {
  const std::size_t n = w.size();
  auto word_byte = [](unsigned char c) { return is_letter(c) || (c >= '0' && c <= '9') || c == '\'' || c >= 0x80; };
  if (!word_byte(w[0]) || !word_byte(w[n - 1]) || (w[n - 1] >= '0' && w[n - 1] <= '9')) return true;
  for (std::size_t i = 2; i < n; ++i) {
    if (w[i] == w[i - 1] && w[i] == w[i - 2]) return true;
  }
  std::vector<std::size_t> candidates;
  for (std::size_t p = 2; n >= 4 && p <= n / 2; ++p) {
    if (w[p] == w[0]) candidates.push_back(p);
  }
  if (candidates.size() != 1) return !candidates.empty();
  const std::size_t p = candidates[0];
  return w.compare(p, n - p, w, 0, n - p) == 0;
}

TEST(SentimentInternals, ShapeTestsMatchTheirDefinitions) {
  std::mt19937_64 rng(14);
  for (int round = 0; round < 20000; ++round) {
    // Few distinct letters, so that repeats and runs are common.
    const std::size_t n = 1 + rng() % 24;
    std::string w(n, 'a');
    for (char& c : w) c = "abAB1!.'"[rng() % (round % 2 ? 3 : 8)];
    std::string folded = w;
    for (char& c : folded) c = fold(c);
    const std::string f = padded(folded), r = padded(w);
    const bool may = detail::may_need_tries(make_probe(f.data(), r.data(), n));
    if (n < 16) {
      ASSERT_EQ(may, any_try_may_apply(folded)) << w;
    } else {
      ASSERT_TRUE(may) << w;  // tokens of 16 bytes and more are always tried
    }
    // What the test is for: when it says no, no try can match anything.
    if (!may) {
      ASSERT_EQ(detail::smallest_period(f.data(), n), 0u) << w;
      ASSERT_FALSE(detail::has_triple(f.data(), n)) << w;
    }
    bool triple = false;
    for (std::size_t i = 2; i < n; ++i) triple |= folded[i] == folded[i - 1] && folded[i] == folded[i - 2];
    ASSERT_EQ(detail::has_triple(f.data(), n), triple) << w;
    std::size_t period = 0;
    for (std::size_t p = 2; n >= 4 && p <= n / 2 && period == 0; ++p) {
      if (folded.compare(p, n - p, folded, 0, n - p) == 0) period = p;
    }
    if (n >= 4) {
      ASSERT_EQ(detail::smallest_period(f.data(), n), period) << w;
    }
  }
}

}  // namespace
}  // namespace onair::stream::sentiment
