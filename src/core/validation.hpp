#pragma once
// Runtime support for the models generated from schemas/ (gen/<svc>/models.cpp):
// reading typed values out of Boost.JSON and checking schema rules. Every
// failure throws ValidationError "<path>: <rule>", e.g.
// "body.repeat: must be at most 10" or "body.tags[2]: must be a string".
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace onair {

// A request (or event) does not match its schema: HTTP 400.
class ValidationError : public ApiError {
 public:
  ValidationError(std::string path, std::string rule);
  const std::string& path() const noexcept { return path_; }  // "body.tags[2]"
  const std::string& rule() const noexcept { return rule_; }  // "must be a string"

 private:
  std::string path_;
  std::string rule_;
};

namespace validation {

inline constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

// Where a value sits: a path ("body"), a member of one ("body" + "roomId") or
// an element ("body.tags" + 2). Cheap to pass around; the text is only built
// for an error message or when descending into a nested object.
class Loc {
 public:
  Loc(std::string_view path) noexcept : parent_(path) {}  // NOLINT(google-explicit-constructor)
  Loc(std::string_view parent, std::string_view key) noexcept : parent_(parent), key_(key), kind_(Kind::kKey) {}
  Loc(std::string_view parent, std::size_t index) noexcept : parent_(parent), index_(index), kind_(Kind::kIndex) {}
  std::string str() const;

 private:
  enum class Kind : unsigned char { kPath, kKey, kIndex };
  std::string_view parent_;
  std::string_view key_;
  std::size_t index_ = 0;
  Kind kind_ = Kind::kPath;
};

[[noreturn]] void fail(const Loc& at, std::string_view rule);

// The member `key`, or nullptr when it is absent or JSON null (null = absent).
const boost::json::value* find(const boost::json::object& o, std::string_view key) noexcept;
// The member `key` as sent (JSON null included), or nullptr when absent.
const boost::json::value* find_raw(const boost::json::object& o, std::string_view key) noexcept;
// Fails with "<path>.<key>: is not allowed (additionalProperties: false)" for the first unknown key.
void reject_unknown(const boost::json::object& o, std::string_view path, std::initializer_list<std::string_view> known);

const boost::json::object& read_object(const boost::json::value& v, const Loc& at);
const boost::json::array& read_array(const boost::json::value& v, const Loc& at);
std::string_view read_string_view(const boost::json::value& v, const Loc& at);
inline std::string read_string(const boost::json::value& v, const Loc& at) {
  return std::string(read_string_view(v, at));
}
// An integer-valued JSON number within int64 (2, 2.0 and 2e0 all read as 2).
std::int64_t read_int(const boost::json::value& v, const Loc& at);
double read_number(const boost::json::value& v, const Loc& at);
bool read_bool(const boost::json::value& v, const Loc& at);

template <class E>
E read_enum(const boost::json::value& v, const Loc& at, std::optional<E> (*parse)(std::string_view),
            std::string_view allowed) {
  if (auto e = parse(read_string_view(v, at))) return *e;
  fail(at, std::string("must be one of ").append(allowed));
}

// Length in UTF-8 code points, as JSON Schema counts it.
std::size_t utf8_length(std::string_view s) noexcept;
void check_length(std::string_view s, const Loc& at, std::size_t min, std::size_t max);
void check_items(std::size_t count, const Loc& at, std::size_t min, std::size_t max);
void check_minimum(std::int64_t v, const Loc& at, std::int64_t min, bool exclusive);
void check_maximum(std::int64_t v, const Loc& at, std::int64_t max, bool exclusive);
void check_minimum(double v, const Loc& at, double min, bool exclusive);
void check_maximum(double v, const Loc& at, double max, bool exclusive);
void check_uuid(std::string_view s, const Loc& at);
void check_date_time(std::string_view s, const Loc& at);
void check_date(std::string_view s, const Loc& at);
void check_uri(std::string_view s, const Loc& at);

// Shortest text that reads back as `v` ("0.5", "10").
std::string number_text(double v);

// JSON output helpers for the generated to_json().
template <class T, class F>
boost::json::array to_array(const std::vector<T>& items, F&& convert) {
  boost::json::array a;
  a.reserve(items.size());
  for (const auto& item : items) a.emplace_back(convert(item));
  return a;
}

template <class T, class F>
boost::json::object to_object(const std::map<std::string, T>& items, F&& convert) {
  boost::json::object o;
  o.reserve(items.size());
  for (const auto& [key, item] : items) o.emplace(key, convert(item));
  return o;
}

}  // namespace validation
}  // namespace onair
