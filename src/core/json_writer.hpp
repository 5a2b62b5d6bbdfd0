#pragma once
// Writes JSON text straight into a string, for hot paths where building a boost::json
// value first (one allocation per member) costs more than the data is worth: every
// generated model's write_json, API responses, client events, voice room records.
// Output is compact JSON that boost::json::parse reads back; strings are escaped as
// RFC 8259 requires (quote, backslash, control characters); other bytes pass through
// (callers hold UTF-8).
#include <cstdint>
#include <string>
#include <string_view>

namespace onair {

class JsonWriter {
 public:
  explicit JsonWriter(std::size_t reserve = 256) { out_.reserve(reserve); }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  // The member name of the next value (inside an object).
  JsonWriter& key(std::string_view name);
  // Same, for a name known to need no escaping (generated code's member names).
  JsonWriter& plain_key(std::string_view name);

  JsonWriter& value(std::string_view text);
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

  // Every escape below is written into `out` instead of this writer (for code that
  // assembles JSON by hand around a few strings).
  static void append_escaped(std::string& out, std::string_view text);

  const std::string& text() const noexcept { return out_; }
  std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  void before_value();
  void escaped(std::string_view text);

  std::string out_;
  bool need_comma_ = false;  // a value was written at this level
  bool after_key_ = false;   // the next value belongs to the key just written
};

}  // namespace onair
