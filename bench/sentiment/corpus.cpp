#include "corpus.hpp"

#include <cctype>
#include <random>

namespace onair::bench {

namespace {

const char* const kTails[] = {"!!!", "??", "!", " 😂", " 🔥🔥", " <3", " xD", " lol", " KEKW", " PogChamp", "...", " 💀"};
const char* const kPrefixes[] = {"@mod ", "chat ", "bro ", "yo ", "ok ", "honestly "};

void elongate(std::string& s, std::mt19937_64& rng) {
  for (std::size_t tries = 0; tries < 8 && !s.empty(); ++tries) {
    const std::size_t i = rng() % s.size();
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    if (c == 'o' || c == 'e' || c == 'a' || c == 's') {
      s.insert(i, std::string(2 + rng() % 4, s[i]));
      return;
    }
  }
}

void spam_first_token(std::string& s, std::mt19937_64& rng) {
  const std::string token = s.substr(0, s.find(' '));
  if (token.empty()) return;
  for (std::size_t n = 1 + rng() % 5; n > 0; --n) s += " " + token;
}

}  // namespace

std::vector<std::string> make_sentiment_corpus(const std::vector<std::string>& lines, std::size_t count,
                                               std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  out.reserve(count);
  if (lines.empty()) return out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string s = lines[rng() % lines.size()];
    switch (rng() % 10) {
      case 0:
        for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        break;
      case 1:
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        break;
      case 2:
        elongate(s, rng);
        break;
      case 3:
        spam_first_token(s, rng);
        break;
      case 4:
        s += kTails[rng() % std::size(kTails)];
        break;
      case 5:
        s = kPrefixes[rng() % std::size(kPrefixes)] + s;
        break;
      case 6:
        s += " " + lines[rng() % lines.size()];
        break;
      default:
        break;  // as written
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace onair::bench
