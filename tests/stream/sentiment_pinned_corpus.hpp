#pragma once
// The inputs and the checksum of sentiment_pinned_test.cpp, in a header of their
// own so that the same code can compute the expected values against another
// build of the classifier (how the pinned values were made: from the classifier
// before the speedups of docs/sentiment.md, "Benchmark").
//
// The mutations are generated with splitmix64 and plain arithmetic (no standard
// distribution, whose output differs between library versions), so they are the
// same on every machine.
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onair::stream::sentiment::pinned {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return std::size_t(next() % n); }

 private:
  std::uint64_t state_;
};

// Pieces that reach every signal and code path: emotes, emoticons, modifiers,
// phrases, cheermotes (valid and not), emoji with glue and skin tones, Unicode
// spaces, letters outside ASCII, punctuation, control and invalid bytes.
// One piece a line would take a page:
// clang-format off
inline const std::vector<std::string>& pieces() {
  static const std::vector<std::string> p = {
      "KEKW", "LUL", "OMEGALUL", "PogChamp", "Aware", "aware", "WHAT", "what", "ResidentSleeper", "monkaS",
      "not", "never", "don't", "so", "very", "really", "lets go", "trash streamer", "didn't expect", "so good",
      ":)", "xD", "<3", "D:", "!", "?", "!!!", "???", "...", ",", "(", ")", "lol!!!", "Kappa,", "(what)",
      "LULLULLUL", "hahaha", "hehehe", "KEKWKEKW", "goooood", "nooooo", "yesss", "gg",
      "Cheer100", "cheer1", "BibleThump500", "Cheer0100", "Cheer100x", "Cheerio100", "Cheer1000000000",
      "\xF0\x9F\x98\x82", "\xF0\x9F\x94\xA5", "\xF0\x9F\x92\x80", "\xE2\x9D\xA4\xEF\xB8\x8F",
      "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "\xE2\x80\x8D", "\xC2\xA0", "\xE3\x80\x80", "\xC3\xA9t\xC3\xA9",
      "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "\xE4\xB8\xAD\xE6\x96\x87", "\xF0\x9F\x98", "\xFF\xFE",
      std::string("a\0b", 3), "\t", "\r\n", "  "};
  return p;
}
// clang-format on

// `count` messages derived from `lines`: case changes, elongations, repeats,
// appended pieces, random bytes (any value, NUL and newline included), cuts in
// the middle of UTF-8, piece soups, tokens around the 48-byte lookup limit,
// and messages past the 2,048-byte cap.
inline std::vector<std::string> mutations(const std::vector<std::string>& lines, std::size_t count,
                                          std::uint64_t seed) {
  SplitMix64 rng(seed);
  const auto& p = pieces();
  auto piece = [&] { return p[rng.below(p.size())]; };
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string s = lines[rng.below(lines.size())];
    switch (rng.below(12)) {
      case 0:
        for (char& c : s) c = (c >= 'a' && c <= 'z') ? char(c - 32) : c;
        break;
      case 1:
        for (char& c : s) c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
        break;
      case 2:
        if (!s.empty()) {
          const std::size_t at = rng.below(s.size());
          s.insert(at, 1 + rng.below(7), s[at]);
        }
        break;
      case 3: {
        const std::string first = s.substr(0, s.find(' '));
        for (std::size_t n = 1 + rng.below(5); n > 0; --n) s += " " + first;
        break;
      }
      case 4:
        s += (rng.below(2) ? " " : "") + piece();
        break;
      case 5:
        for (std::size_t n = 1 + rng.below(3); n > 0; --n) s.insert(rng.below(s.size() + 1), 1, char(rng.below(256)));
        break;
      case 6:
        s.resize(rng.below(s.size() + 1));
        break;
      case 7:
        s.clear();
        for (std::size_t n = 1 + rng.below(30); n > 0; --n) s += piece() + (rng.below(4) == 0 ? "" : " ");
        break;
      case 8: {
        const std::string unit = piece();
        s.clear();
        while (s.size() < 40 + rng.below(20)) s += unit;
        break;
      }
      case 9:
        while (s.size() < 2100) s += " " + lines[rng.below(lines.size())];
        break;
      case 10:
        s += " " + lines[rng.below(lines.size())];
        break;
      default:
        break;
    }
    out.push_back(std::move(s));
  }
  return out;
}

// FNV-1a over every result: category, evidence, bits, and the intensity in
// millionths (robust to a last-bit difference from floating-point contraction
// on another compiler or target, while any real change shows).
template <class Classify>
std::uint64_t checksum(const std::vector<std::string>& texts, Classify classify) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  auto mix = [&h](std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i, v >>= 8) h = (h ^ (v & 0xFF)) * 0x100000001B3ull;
  };
  for (const auto& t : texts) {
    const auto r = classify(std::string_view(t));
    mix(std::uint64_t(r.category), 1);
    mix(r.evidence, 1);
    mix(r.bits, 4);
    mix(std::uint64_t(std::llround(double(r.intensity) * 1e6)), 8);
  }
  return h;
}

}  // namespace onair::stream::sentiment::pinned
