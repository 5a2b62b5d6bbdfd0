#include "core/json_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

namespace onair {

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
  } else if (need_comma_) {
    out_ += ',';
  }
  need_comma_ = true;
}

JsonWriter& JsonWriter::open(char bracket) {
  before_value();
  out_ += bracket;
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_ += bracket;
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (need_comma_) out_ += ',';
  escaped(name);
  out_ += ':';
  need_comma_ = true;
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::plain_key(std::string_view name) {
  if (need_comma_) out_ += ',';
  out_ += '"';
  out_.append(name);
  out_.append("\":", 2);
  need_comma_ = true;
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  escaped(text);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
  before_value();
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, number).ptr;
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  before_value();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  before_value();
  if (!std::isfinite(number)) {
    out_ += "null";
    return *this;
  }
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, number).ptr;
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_.append(json);
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
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

}  // namespace

void JsonWriter::append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const char* run = text.data();  // start of the pending run of bytes that need no escape
  const char* const end = text.data() + text.size();
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
    out.append(run, p);
    run = p + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(run, end);
  out += '"';
}

void JsonWriter::escaped(std::string_view text) { append_escaped(out_, text); }

}  // namespace onair
