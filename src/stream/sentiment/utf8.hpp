#pragma once
// Minimal UTF-8 decoding for the classifier (internal): never reads past the
// end, never fails; an invalid or truncated sequence decodes as one byte U+FFFD.
#include <cstddef>
#include <cstdint>

namespace onair::stream::sentiment::detail {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the sequence starting at p[0] (p[0] >= 0x80); returns its length (1..4).
inline std::size_t decode_utf8(const unsigned char* p, std::size_t available, char32_t& cp) noexcept {
  const unsigned char b0 = p[0];
  std::size_t len = 0;
  char32_t v = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, v = b0 & 0x1Fu, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, v = b0 & 0x0Fu, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, v = b0 & 0x07u, min = 0x10000;
  } else {
    cp = kReplacement;
    return 1;
  }
  if (len > available) {
    cp = kReplacement;
    return 1;
  }
  for (std::size_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0u) != 0x80u) {
      cp = kReplacement;
      return 1;
    }
    v = (v << 6) | (p[i] & 0x3Fu);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
    cp = kReplacement;
    return 1;
  }
  cp = v;
  return len;
}

// The same in a padded buffer: p[0..4) readable, and no byte past the text a
// continuation byte (0x80-0xBF: the classifier pads with spaces), so a sequence
// cut by the end fails its continuation test instead of a length test. One read
// of the four bytes and no loop: emoji are 4-byte sequences on chat's hot path.
inline std::size_t decode_utf8_padded(const unsigned char* p, char32_t& cp) noexcept {
  const char32_t b0 = p[0], b1 = p[1], b2 = p[2], b3 = p[3];
  const bool c1 = (b1 & 0xC0u) == 0x80u, c2 = (b2 & 0xC0u) == 0x80u, c3 = (b3 & 0xC0u) == 0x80u;
  cp = kReplacement;
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const char32_t v = ((b0 & 0x07u) << 18) | ((b1 & 0x3Fu) << 12) | ((b2 & 0x3Fu) << 6) | (b3 & 0x3Fu);
    if (!(c1 && c2 && c3) || v < 0x10000 || v > 0x10FFFF) return 1;
    cp = v;
    return 4;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const char32_t v = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
    if (!(c1 && c2) || v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 1;
    cp = v;
    return 3;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF && c1) {  // at least 0x80: no overlong form
    cp = ((b0 & 0x1Fu) << 6) | (b1 & 0x3Fu);
    return 2;
  }
  return 1;
}

// Joiners and presentation selectors that glue emoji together: skipped.
constexpr bool is_emoji_glue(char32_t cp) noexcept {
  return cp == 0x200D || cp == 0xFE0F || cp == 0xFE0E || (cp >= 0xE0020 && cp <= 0xE007F);
}

// Non-ASCII spaces that separate words (NBSP, the U+2000 block, ideographic space).
constexpr bool is_unicode_space(char32_t cp) noexcept {
  return cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200C) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

}  // namespace onair::stream::sentiment::detail
