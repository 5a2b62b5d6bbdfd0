#pragma once
// Writes JSON text straight into a string, for hot paths where building a boost::json
// value first (one allocation per member) costs more than the data is worth: every
// generated model's write_json, API responses, client events, voice room records.
// Output is compact JSON that boost::json::parse reads back; strings are escaped as
// RFC 8259 requires (quote, backslash, control characters); other bytes pass through
// (callers hold UTF-8).
//
// The text grows in a string whose length runs ahead of what is written (`size_`): a piece
// is one capacity check and a copy, not a call into std::string per character.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace onair {

class JsonWriter {
 public:
  explicit JsonWriter(std::size_t reserve = 256) { out_.resize(reserve); }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  // The member name of the next value (inside an object).
  JsonWriter& key(std::string_view name);
  // Same, for a name known to need no escaping (generated code's member names).
  JsonWriter& plain_key(std::string_view name) {
    reserve(name.size() + 4);
    if (need_comma_) put(',');
    put('"');
    put(name);
    put('"');
    put(':');
    need_comma_ = true;
    after_key_ = true;
    return *this;
  }

  JsonWriter& value(std::string_view text) {
    before_value();
    escaped(text);
    return *this;
  }
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(bool flag);
  // Shortest text that reads back as the same double; NaN and infinities (no JSON form) as null.
  JsonWriter& value(double number);
  JsonWriter& null();
  // Already-serialised JSON, written as the next value as it is.
  JsonWriter& raw(std::string_view json);
  // An array of strings from any range of string-likes.
  template <class Range>
  JsonWriter& strings(const Range& range) {
    begin_array();
    for (const auto& item : range) value(std::string_view(item));
    return end_array();
  }

  // `text` as a JSON string (quotes, escapes) appended to `out` (for code that assembles
  // JSON by hand around a few strings).
  static void append_escaped(std::string& out, std::string_view text);

  std::string_view text() const noexcept { return std::string_view(out_.data(), size_); }
  std::string take() {
    out_.resize(size_);
    size_ = 0;
    return std::move(out_);
  }

 private:
  JsonWriter& open(char bracket) {
    before_value();
    reserve(1);
    put(bracket);
    need_comma_ = false;
    return *this;
  }
  JsonWriter& close(char bracket) {
    reserve(1);
    put(bracket);
    need_comma_ = true;
    return *this;
  }
  void before_value() {
    if (after_key_) {
      after_key_ = false;
    } else if (need_comma_) {
      reserve(1);
      put(',');
    }
    need_comma_ = true;
  }
  void escaped(std::string_view text);

  // Room for `n` more bytes; put() may then write them.
  void reserve(std::size_t n) {
    if (size_ + n > out_.size()) grow(n);
  }
  void grow(std::size_t n);
  void put(char c) { out_[size_++] = c; }
  void put(std::string_view s) {
    std::memcpy(out_.data() + size_, s.data(), s.size());
    size_ += s.size();
  }

  std::string out_;  // [0, size_) is the text; the rest is room
  std::size_t size_ = 0;
  bool need_comma_ = false;  // a value was written at this level
  bool after_key_ = false;   // the next value belongs to the key just written
};

}  // namespace onair
