#include "stream/sentiment/classifier.hpp"

#include <cstddef>
#include <cstdint>

#include "stream/sentiment/scan.hpp"
#include "stream/sentiment/utf8.hpp"

namespace onair::stream::sentiment {

// One pass over the message (message_buffer.hpp), then a walk over its
// separator bits: each run of bytes between two separators is a token for the
// scan (scan.hpp), each symbol code point an emoji.
Sentiment Classifier::classify(std::string_view text) const noexcept {
  const detail::Message m(text);  // padded raw + folded copies, separator bits, letter and punctuation counts
  const auto* p = reinterpret_cast<const unsigned char*>(m.raw);
  detail::Scan scan(lexicon_, m);
  std::size_t start = 0;  // the current token's first byte
  std::size_t skip = 0;   // the bytes before this were decoded with a UTF-8 sequence
  // Walk the separator bits (whitespace and bytes >= 0x80); the bit at m.size is
  // always set, so the walk ends there.
  for (std::size_t w = 0;; ++w) {
    for (std::uint64_t bits = m.separators[w]; bits != 0; bits &= bits - 1) {
      const std::size_t i = w * 64 + std::size_t(__builtin_ctzll(bits));
      if (i >= m.size) {
        if (m.size > start) scan.token(start, m.size - start);
        return scan.finish();
      }
      if (p[i] < 0x80) {  // ASCII whitespace
        if (i > start) scan.token(start, i - start);
        start = i + 1;
        continue;
      }
      if (i < skip) continue;  // a continuation byte of a sequence already decoded
      char32_t cp = 0;
      const std::size_t len = detail::decode_utf8(p + i, m.size - i, cp);
      skip = i + len;
      // Emoji and Unicode spaces split words; other letters (accents, CJK) and
      // invalid bytes stay inside them.
      if (is_symbol_codepoint(cp) || detail::is_emoji_glue(cp) || detail::is_unicode_space(cp)) {
        if (i > start) scan.token(start, i - start);
        if (is_symbol_codepoint(cp)) scan.emoji(cp);
        start = i + len;
      }
    }
  }
}

}  // namespace onair::stream::sentiment
