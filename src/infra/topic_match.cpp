// AMQP topic matching: words are separated by '.', `*` matches exactly one
// word (which may be empty, as in "a..b"), `#` matches zero or more words.
// The empty string has no words (RabbitMQ: routing key "" matches only "#"
// and "").
#include <string_view>
#include <vector>

#include "infra/message_bus.hpp"

namespace onair::infra {
namespace {

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  if (text.empty()) return words;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    if (dot == std::string_view::npos) {
      words.push_back(text.substr(start));
      return words;
    }
    words.push_back(text.substr(start, dot - start));
    start = dot + 1;
  }
}

}  // namespace

bool topic_matches(std::string_view pattern, std::string_view topic) {
  const std::vector<std::string_view> p = split_words(pattern);
  const std::vector<std::string_view> t = split_words(topic);
  // reach[j]: the pattern words consumed so far can match the first j topic words.
  std::vector<char> reach(t.size() + 1, 0);
  reach[0] = 1;
  for (const std::string_view word : p) {
    std::vector<char> next(t.size() + 1, 0);
    if (word == "#") {
      // Zero or more words: every position at or after a reachable one.
      char any = 0;
      for (std::size_t j = 0; j <= t.size(); ++j) {
        any = static_cast<char>(any | reach[j]);
        next[j] = any;
      }
    } else {
      for (std::size_t j = 0; j < t.size(); ++j) {
        if (reach[j] && (word == "*" || word == t[j])) next[j + 1] = 1;
      }
    }
    reach.swap(next);
  }
  return reach[t.size()] != 0;
}

}  // namespace onair::infra
