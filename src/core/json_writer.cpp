#include "core/json_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

namespace onair {

void JsonWriter::grow(std::size_t n) { out_.resize(std::max(out_.size() * 2, size_ + n + 64)); }

JsonWriter& JsonWriter::key(std::string_view name) {
  if (need_comma_) {
    reserve(1);
    put(',');
  }
  escaped(name);
  reserve(1);
  put(':');
  need_comma_ = true;
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
  before_value();
  reserve(24);
  size_ =
      static_cast<std::size_t>(std::to_chars(out_.data() + size_, out_.data() + out_.size(), number).ptr - out_.data());
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  before_value();
  reserve(5);
  put(flag ? std::string_view("true") : std::string_view("false"));
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  before_value();
  reserve(32);
  if (!std::isfinite(number)) {
    put("null");
    return *this;
  }
  size_ =
      static_cast<std::size_t>(std::to_chars(out_.data() + size_, out_.data() + out_.size(), number).ptr - out_.data());
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  reserve(json.size());
  put(json);
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  reserve(4);
  put("null");
  return *this;
}

namespace {

// Bytes that a JSON string cannot hold as they are.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// True when one of the 8 bytes of `x` needs an escape: < 0x20, '"' or '\\' (SWAR: a high bit
// per byte that is below 0x20, or zero after XOR with the quote or backslash).
bool any_needs_escape(std::uint64_t x) {
  const auto below_space = (x - kOnes * 0x20) & ~x;
  const auto q = x ^ (kOnes * '"');
  const auto b = x ^ (kOnes * '\\');
  const auto quote = (q - kOnes) & ~q;
  const auto backslash = (b - kOnes) & ~b;
  return ((below_space | quote | backslash) & kHighs) != 0;
}

// Writes `text` quoted and escaped at `out` (room for 6 bytes per byte of text, plus 2); returns
// the end of what it wrote.
char* write_escaped(char* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out++ = '"';
  const char* run = text.data();  // start of the pending run of bytes that need no escape
  const char* const end = text.data() + text.size();
  auto flush = [&](const char* upto) {
    std::memcpy(out, run, static_cast<std::size_t>(upto - run));
    out += upto - run;
  };
  for (const char* p = run; p != end; ++p) {
    // Eight plain bytes at a time (ids, names, timestamps: nearly everything written).
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if (any_needs_escape(word)) break;
      p += 8;
    }
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p);
    if (!kNeedsEscape[c]) continue;
    flush(p);
    run = p + 1;
    *out++ = '\\';
    switch (c) {
      case '"':
        *out++ = '"';
        break;
      case '\\':
        *out++ = '\\';
        break;
      case '\n':
        *out++ = 'n';
        break;
      case '\r':
        *out++ = 'r';
        break;
      case '\t':
        *out++ = 't';
        break;
      case '\b':
        *out++ = 'b';
        break;
      case '\f':
        *out++ = 'f';
        break;
      default:
        *out++ = 'u';
        *out++ = '0';
        *out++ = '0';
        *out++ = kHex[c >> 4];
        *out++ = kHex[c & 0xf];
    }
  }
  flush(end);
  *out++ = '"';
  return out;
}

}  // namespace

void JsonWriter::append_escaped(std::string& out, std::string_view text) {
  const auto old = out.size();
  out.resize(old + 6 * text.size() + 2);
  char* const start = out.data() + old;
  out.resize(old + static_cast<std::size_t>(write_escaped(start, text) - start));
}

void JsonWriter::escaped(std::string_view text) {
  // Worst case: every byte as \u00XX, and the quotes.
  reserve(6 * text.size() + 2);
  char* const start = out_.data() + size_;
  size_ += static_cast<std::size_t>(write_escaped(start, text) - start);
}

}  // namespace onair
