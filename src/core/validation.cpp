#include "core/validation.hpp"

#include <charconv>
#include <cmath>

#include "core/ids.hpp"
#include "core/time.hpp"

namespace onair {

ValidationError::ValidationError(std::string path, std::string rule)
    : ApiError(400, path + ": " + rule), path_(std::move(path)), rule_(std::move(rule)) {}

namespace validation {
namespace {

std::string int_text(std::int64_t v) { return std::to_string(v); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string count_text(std::size_t n, const char* noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

}  // namespace

std::string Loc::str() const {
  std::string out(parent_);
  switch (kind_) {
    case Kind::kPath:
      break;
    case Kind::kKey:
      out.append(".").append(key_);
      break;
    case Kind::kIndex:
      out.append("[").append(std::to_string(index_)).append("]");
      break;
  }
  return out;
}

void fail(const Loc& at, std::string_view rule) { throw ValidationError(at.str(), std::string(rule)); }

const boost::json::value* find(const boost::json::object& o, std::string_view key) noexcept {
  const auto* v = o.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

const boost::json::value* find_raw(const boost::json::object& o, std::string_view key) noexcept {
  return o.if_contains(key);
}

void reject_unknown(const boost::json::object& o, std::string_view path,
                    std::initializer_list<std::string_view> known) {
  for (const auto& member : o) {
    bool found = false;
    for (auto k : known) {
      if (k == member.key()) {
        found = true;
        break;
      }
    }
    if (!found) fail(Loc{path, member.key()}, "is not allowed (additionalProperties: false)");
  }
}

const boost::json::object& read_object(const boost::json::value& v, const Loc& at) {
  if (const auto* o = v.if_object()) return *o;
  fail(at, "must be an object");
}

const boost::json::array& read_array(const boost::json::value& v, const Loc& at) {
  if (const auto* a = v.if_array()) return *a;
  fail(at, "must be an array");
}

std::string_view read_string_view(const boost::json::value& v, const Loc& at) {
  if (const auto* s = v.if_string()) return *s;
  fail(at, "must be a string");
}

std::int64_t read_int(const boost::json::value& v, const Loc& at) {
  if (const auto* i = v.if_int64()) return *i;
  if (const auto* u = v.if_uint64()) {
    if (*u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(*u);
  } else if (const auto* d = v.if_double()) {
    // 2^63 is the first double past int64; -2^63 itself fits.
    if (std::isfinite(*d) && std::trunc(*d) == *d && *d >= -9223372036854775808.0 && *d < 9223372036854775808.0) {
      return static_cast<std::int64_t>(*d);
    }
  }
  fail(at, "must be an integer");
}

double read_number(const boost::json::value& v, const Loc& at) {
  if (const auto* i = v.if_int64()) return static_cast<double>(*i);
  if (const auto* u = v.if_uint64()) return static_cast<double>(*u);
  if (const auto* d = v.if_double()) return *d;
  fail(at, "must be a number");
}

bool read_bool(const boost::json::value& v, const Loc& at) {
  if (const auto* b = v.if_bool()) return *b;
  fail(at, "must be a boolean");
}

std::size_t utf8_length(std::string_view s) noexcept {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

void check_length(std::string_view s, const Loc& at, std::size_t min, std::size_t max) {
  // Bytes bound code points from above: most strings skip the count.
  if (s.size() < min || (max != kNoLimit && s.size() > max)) {
    const auto n = utf8_length(s);
    if (n < min) fail(at, "must be at least " + count_text(min, "character"));
    if (max != kNoLimit && n > max) fail(at, "must be at most " + count_text(max, "character"));
  }
}

void check_items(std::size_t count, const Loc& at, std::size_t min, std::size_t max) {
  if (count < min) fail(at, "must have at least " + count_text(min, "item"));
  if (max != kNoLimit && count > max) fail(at, "must have at most " + count_text(max, "item"));
}

void check_minimum(std::int64_t v, const Loc& at, std::int64_t min, bool exclusive) {
  if (exclusive ? v <= min : v < min)
    fail(at, (exclusive ? "must be greater than " : "must be at least ") + int_text(min));
}

void check_maximum(std::int64_t v, const Loc& at, std::int64_t max, bool exclusive) {
  if (exclusive ? v >= max : v > max) fail(at, (exclusive ? "must be less than " : "must be at most ") + int_text(max));
}

void check_minimum(double v, const Loc& at, double min, bool exclusive) {
  if (!std::isfinite(v)) fail(at, "must be a finite number");
  if (exclusive ? v <= min : v < min) {
    fail(at, (exclusive ? "must be greater than " : "must be at least ") + number_text(min));
  }
}

void check_maximum(double v, const Loc& at, double max, bool exclusive) {
  if (!std::isfinite(v)) fail(at, "must be a finite number");
  if (exclusive ? v >= max : v > max)
    fail(at, (exclusive ? "must be less than " : "must be at most ") + number_text(max));
}

void check_uuid(std::string_view s, const Loc& at) {
  if (!is_uuid(s)) fail(at, "must be a uuid");
}

void check_date_time(std::string_view s, const Loc& at) {
  if (!parse_rfc3339(s)) fail(at, "must be an RFC 3339 date-time");
}

void check_date(std::string_view s, const Loc& at) {
  // YYYY-MM-DD: reuse the date-time parser on midnight of that day.
  if (s.size() != 10 || !parse_rfc3339(std::string(s) + "T00:00:00Z")) fail(at, "must be an RFC 3339 date");
}

void check_uri(std::string_view s, const Loc& at) {
  // RFC 3986 absolute URI: scheme ":" then no spaces or control characters.
  const auto colon = s.find(':');
  bool ok = colon != std::string_view::npos && colon > 0 && !is_digit(s[0]);
  for (std::size_t i = 0; ok && i < colon; ++i) {
    const char c = s[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '+' || c == '-' || c == '.';
  }
  for (std::size_t i = 0; ok && i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    ok = c > 0x20 && c != 0x7F;
  }
  if (!ok) fail(at, "must be an absolute URI");
}

std::string number_text(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(v);
}

}  // namespace validation
}  // namespace onair
