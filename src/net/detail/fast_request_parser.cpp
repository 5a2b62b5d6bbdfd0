#include "net/detail/fast_request_parser.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace onair::net::detail {
namespace {

using Outcome = FastParse::Outcome;

// RFC 9110 tchar: the characters of a method, a header name and a list token.
constexpr auto kTchar = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool tchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }
// Printable ASCII and space: what a header value may hold on this path.
bool value_char(char c) { return c >= 0x20 && c <= 0x7e; }
bool ows(char c) { return c == ' ' || c == '\t'; }

// 16 bytes as one vector (GCC/Clang vector extension: SSE2 on x86-64, NEON on ARM, plain code elsewhere).
using Bytes16 = signed char __attribute__((vector_size(16)));

// Skips printable bytes ([0x20, 0x7e]) from `p`, 16 at a time while it can (a bearer token is
// most of a request's header bytes); returns the first other byte's position.
const char* skip_printable(const char* p, const char* end) {
  while (end - p >= 16) {
    Bytes16 v;
    std::memcpy(&v, p, 16);
    // As signed bytes, >= 0x80 is negative: one range test covers them too.
    const Bytes16 ok = (v > 0x1f) & (v < 0x7f);
    std::uint64_t halves[2];
    std::memcpy(halves, &ok, 16);
    if ((halves[0] & halves[1]) != ~std::uint64_t{0}) break;
    p += 16;
  }
  while (p < end && value_char(*p)) ++p;
  return p;
}

constexpr auto kLower = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return t;
}();

char lower(char c) { return kLower[static_cast<unsigned char>(c)]; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != b[i]) return false;
  }
  return true;
}

struct ConnectionTokens {
  bool close = false, keep_alive = false, upgrade = false;
};

// A Connection value as a list of tokens ("a, b,c"); false when it is anything else.
bool read_connection(std::string_view value, ConnectionTokens& tokens) {
  std::size_t i = 0;
  bool any = false;
  while (i < value.size()) {
    while (i < value.size() && (ows(value[i]) || value[i] == ',')) ++i;
    const auto start = i;
    while (i < value.size() && tchar(value[i])) ++i;
    if (i == start) break;
    any = true;
    const auto token = value.substr(start, i - start);
    if (iequals(token, "close")) tokens.close = true;
    if (iequals(token, "keep-alive")) tokens.keep_alive = true;
    if (iequals(token, "upgrade")) tokens.upgrade = true;
    while (i < value.size() && ows(value[i])) ++i;
    if (i < value.size() && value[i] != ',') return false;
  }
  return any && i == value.size();
}

}  // namespace

FastParse parse_request_fast(std::string_view buffer, std::size_t header_limit, std::size_t body_limit,
                             HttpRequest& out) {
  FastParse result;
  result.outcome = Outcome::unsupported;
  const char* p = buffer.data();
  // The header section is read only within the limit; a longer one is Beast's to refuse.
  const char* const end = p + std::min(buffer.size(), header_limit > 0 ? header_limit - 1 : 0);
  // Running out of bytes inside the header section: wait for more, unless the limit is what ended it.
  auto ran_out = [&] {
    result.outcome = buffer.size() >= header_limit ? Outcome::too_large : Outcome::need_more;
    return result;
  };

  // Request line: method SP target SP HTTP/1.x CRLF.
  const char* start = p;
  while (p < end && tchar(*p)) ++p;
  if (p == end) return ran_out();
  if (p == start || *p != ' ') return result;
  out.method.assign(start, p);
  const char* const target = ++p;
  const char* const printable_end = skip_printable(p, end);
  const auto* space =
      static_cast<const char*>(std::memchr(target, ' ', static_cast<std::size_t>(printable_end - target)));
  if (space == nullptr) return printable_end == end ? ran_out() : result;
  if (space == target) return result;
  out.target.assign(target, space);
  p = space + 1;
  if (end - p < 10) return ran_out();
  if (std::memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '1' && p[7] != '0') || p[8] != '\r' || p[9] != '\n') {
    return result;
  }
  result.version = p[7] == '1' ? 11 : 10;
  p += 10;

  // Header lines: name ":" OWS value OWS CRLF, up to an empty line.
  out.headers.clear();
  out.headers.reserve(8);
  ConnectionTokens connection;
  bool has_length = false;
  std::uint64_t length = 0;
  for (;;) {
    if (end - p < 2) return ran_out();
    if (p[0] == '\r') {
      if (p[1] != '\n') return result;
      p += 2;
      break;
    }
    auto& [name, text] = out.headers.emplace_back();
    start = p;
    while (p < end && tchar(*p)) ++p;
    if (p == end) return ran_out();
    if (p == start || *p != ':') return result;
    name.assign(start, p);
    for (auto& c : name) c = lower(c);
    ++p;
    while (p < end && ows(*p)) ++p;
    const char* value_start = p;
    // A value is printable ASCII, spaces and tabs.
    for (;;) {
      p = skip_printable(p, end);
      if (p < end && *p == '\t') {
        ++p;
        continue;
      }
      break;
    }
    if (end - p < 2) return ran_out();
    if (p[0] != '\r' || p[1] != '\n') return result;
    const char* value_end = p;
    while (value_end > value_start && ows(value_end[-1])) --value_end;
    const std::string_view value(value_start, static_cast<std::size_t>(value_end - value_start));
    text.assign(value);
    p += 2;

    // The fields that change how the message is read: the plain forms only.
    switch (name.size()) {
      case 14:  // content-length
        if (name != "content-length") break;
        if (has_length || value.empty() || value.size() > 18) return result;
        for (char c : value) {
          if (c < '0' || c > '9') return result;
          length = length * 10 + static_cast<std::uint64_t>(c - '0');
        }
        has_length = true;
        break;
      case 10:  // connection
        if (name == "connection" && !read_connection(value, connection)) return result;
        break;
      case 17:  // transfer-encoding
      case 6:   // expect
      case 16:  // proxy-connection
        if (name == "transfer-encoding" || name == "expect" || name == "proxy-connection") return result;
        break;
      default:
        break;
    }
  }

  if (length > body_limit) return result;
  const auto body_start = static_cast<std::size_t>(p - buffer.data());
  if (buffer.size() - body_start < length) {
    result.outcome = Outcome::need_more;
    return result;
  }
  out.body.assign(p, static_cast<std::size_t>(length));
  result.consumed = body_start + static_cast<std::size_t>(length);
  result.keep_alive = result.version == 11 ? !connection.close : connection.keep_alive;
  result.upgrade = connection.upgrade;
  result.outcome = Outcome::done;
  return result;
}

}  // namespace onair::net::detail
