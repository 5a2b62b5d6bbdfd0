#include "stream/sentiment/classifier.hpp"

#include <cstddef>
#include <cstdint>

#include "stream/sentiment/finish.hpp"
#include "stream/sentiment/scan.hpp"
#include "stream/sentiment/utf8.hpp"

namespace onair::stream::sentiment {

namespace {

// A separator byte >= 0x80 at i (not inside a sequence already decoded): one
// code point decoded. Emoji and Unicode spaces split words (the token before
// ends at i); other letters (accents, CJK) and invalid bytes stay inside them.
// Returns where the current token starts after it. Out of line: rare in chat.
[[gnu::noinline]] std::size_t decode_at(detail::Scan& scan, const detail::Message& m, std::size_t start, std::size_t i,
                                        std::size_t& skip) noexcept {
  char32_t cp = 0;
  const std::size_t len = detail::decode_utf8_padded(reinterpret_cast<const unsigned char*>(m.raw) + i, cp);
  skip = i + len;
  const bool symbol = is_symbol_codepoint(cp);
  if (!symbol && !detail::is_emoji_glue(cp) && !detail::is_unicode_space(cp)) return start;
  if (i > start) scan.token_outline(m.raw + start, m.low + start, i - start);
  if (symbol) scan.emoji(cp);
  return i + len;
}

// The walk over the separator bits (whitespace and bytes >= 0x80): each run of
// bytes between two separators is a token for the scan, each symbol code point
// an emoji. The bit at m.size (padding, a space) is always set, so the walk
// ends there; the one call of the inline token() is for ASCII whitespace.
template <bool kLong>
void walk(detail::Scan& scan, const detail::Message& m) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(m.raw);
  std::size_t start = 0;  // the current token's first byte
  std::size_t skip = 0;   // the bytes before this were decoded with a UTF-8 sequence
  for (std::size_t w = 0;; ++w) {
    for (std::uint64_t bits = m.separators[w]; bits != 0; bits &= bits - 1) {
      const std::size_t i = w * 64 + unsigned(__builtin_ctzll(bits));
      if (p[i] >= 0x80) {  // (the byte at m.size is a space)
        if (i >= skip) start = decode_at(scan, m, start, i, skip);
        continue;
      }
      if (i > start) scan.token<kLong>(m.raw + start, m.raw + start + m.kFolded, i - start);
      if (i >= m.size) return;
      start = i + 1;
    }
  }
}

}  // namespace

// One pass over the message (message_buffer.hpp), then the walk over its tokens.
Sentiment Classifier::classify(std::string_view text) const noexcept {
  const detail::Message m(text);  // padded raw + folded copies, separator bits, letter and punctuation counts
  detail::Scan scan(lexicon_, m);
  if (m.size > detail::kPhraseCap) {
    walk<true>(scan, m);
  } else {
    walk<false>(scan, m);
  }
  return scan.finish();
}

}  // namespace onair::stream::sentiment
