#include "stream/security/webhook_signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>

#include "stream/security/encoding.hpp"
#include "stream/security/hmac_sha256_key.hpp"

namespace onair::stream::security {
namespace {

constexpr std::size_t kMaxDigestBytes = 64;
constexpr std::size_t kMaxIdBytes = 128;
constexpr std::size_t kMaxTwitchIdBytes = 256;

struct MacDeleter {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};

EVP_MAC* hmac_algorithm() {
  // Fetched once: implicit fetches per call would cost a lookup each time.
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) throw std::runtime_error("webhook signature: HMAC is unavailable");
  return mac.get();
}

// HMAC with `digest` ("SHA256", ...) over the parts in order; the digest size is returned.
std::size_t hmac(const char* digest, std::string_view key, std::initializer_list<std::string_view> parts,
                 std::array<unsigned char, kMaxDigestBytes>& out) {
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(hmac_algorithm()));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_end(),
  };
  // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const auto* key_bytes = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  bool ok = ctx && EVP_MAC_init(ctx.get(), key_bytes, key.size(), params) == 1;
  for (auto part : parts) {
    if (!ok) break;
    if (!part.empty())
      ok = EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1;
  }
  std::size_t len = 0;
  ok = ok && EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) == 1;
  if (!ok) throw std::runtime_error("webhook signature: HMAC failed");
  return len;
}

std::string hmac_raw(const char* digest, std::string_view key, std::initializer_list<std::string_view> parts) {
  std::array<unsigned char, kMaxDigestBytes> mac{};
  const auto len = hmac(digest, key, parts, mac);
  return std::string(reinterpret_cast<const char*>(mac.data()), len);
}

struct Algorithm {
  std::string_view prefix;  // "sha256="
  const char* digest;       // OpenSSL name
  std::size_t bytes;
};
constexpr std::array<Algorithm, 4> kAlgorithms = {{
    {"sha1=", "SHA1", 20},
    {"sha256=", "SHA256", 32},
    {"sha384=", "SHA384", 48},
    {"sha512=", "SHA512", 64},
}};
const Algorithm& algorithm_of(WebSubAlgorithm a) noexcept { return kAlgorithms[static_cast<std::size_t>(a)]; }

// Hex digit values (either case), -1 for anything else: a table, as this runs for every delivery.
constexpr std::array<std::int8_t, 256> kHexValues = [] {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<std::int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    t['a' + i] = static_cast<std::int8_t>(10 + i);
    t['A' + i] = static_cast<std::int8_t>(10 + i);
  }
  return t;
}();
int hex_digit(char c) noexcept { return kHexValues[static_cast<unsigned char>(c)]; }

// The digest a signature header claims (decoded in place: this runs for every delivery).
struct Claimed {
  std::array<unsigned char, kMaxDigestBytes> bytes{};
  std::size_t size = 0;
};

// `header` must be "<prefix><hex of exactly algorithm.bytes>" (either case), else nullopt.
std::optional<Claimed> claimed_digest(std::string_view header, const Algorithm& algorithm) {
  if (header.substr(0, algorithm.prefix.size()) != algorithm.prefix) return std::nullopt;
  const auto hex = header.substr(algorithm.prefix.size());
  if (hex.size() != algorithm.bytes * 2) return std::nullopt;
  Claimed out;
  out.size = algorithm.bytes;
  for (std::size_t i = 0; i < out.size; ++i) {
    const int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.bytes[i] = static_cast<unsigned char>((hi << 4) | lo);
  }
  return out;
}

// `header` must be "<prefix><hex of exactly expected.bytes>"; then compares in constant time.
Verdict compare_signature(std::string_view header, const Algorithm& algorithm, std::string_view key,
                          std::initializer_list<std::string_view> parts) {
  const auto claimed = claimed_digest(header, algorithm);
  if (!claimed) return Verdict::malformed_signature;
  std::array<unsigned char, kMaxDigestBytes> mac{};
  const auto len = hmac(algorithm.digest, key, parts, mac);
  if (len != claimed->size || CRYPTO_memcmp(mac.data(), claimed->bytes.data(), len) != 0) return Verdict::bad_signature;
  return Verdict::ok;
}

bool is_id_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}
bool is_token_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  for (char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}
// Twitch ids are UUIDs today; accept any visible ASCII so a format change does not drop events.
bool is_visible_ascii(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxTwitchIdBytes) return false;
  for (char c : id) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) noexcept {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

std::optional<WallClock::time_point> parse_unix_seconds(std::string_view text) noexcept {
  // At most 10 digits and below 7258118400 (2200-01-01): the nanosecond time_point cannot overflow.
  constexpr std::int64_t kLimit = 7258118400;
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::int64_t seconds = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  if (seconds >= kLimit) return std::nullopt;
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(std::chrono::seconds(seconds)));
}

}  // namespace

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::ok:
      return "ok";
    case Verdict::missing_header:
      return "missing header";
    case Verdict::malformed_id:
      return "malformed id";
    case Verdict::malformed_signature:
      return "malformed signature";
    case Verdict::malformed_timestamp:
      return "malformed timestamp";
    case Verdict::bad_signature:
      return "bad signature";
    case Verdict::stale:
      return "stale timestamp";
    case Verdict::from_future:
      return "timestamp in the future";
  }
  return "unknown";
}

Verdict check_freshness(WallClock::time_point stamped, WallClock::time_point now, const ReplayWindow& window) noexcept {
  if (stamped < now && now - stamped > window.max_age) return Verdict::stale;
  if (stamped > now && stamped - now > window.max_future_skew) return Verdict::from_future;
  return Verdict::ok;
}

std::string hmac_sha256(std::string_view key, std::string_view message) { return hmac_raw("SHA256", key, {message}); }

std::optional<WallClock::time_point> parse_rfc3339(std::string_view t) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (t.size() < 20 || !read_digits(t, 0, 4, year) || t[4] != '-' || !read_digits(t, 5, 2, month) || t[7] != '-' ||
      !read_digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't') || !read_digits(t, 11, 2, hour) || t[13] != ':' ||
      !read_digits(t, 14, 2, minute) || t[16] != ':' || !read_digits(t, 17, 2, second)) {
    return std::nullopt;
  }
  // Years outside 1900..2200 are refused: far outside any real clock, and beyond 2262 the
  // nanosecond time_point would overflow.
  if (year < 1900 || year > 2200 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (t[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (t[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (std::size_t d = digits; d < 9; ++d) nanos *= 10;
  }
  int offset_minutes = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh = 0, om = 0;
    if (!read_digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' ||
        !read_digits(t, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (t[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  using namespace std::chrono;
  const auto at =
      sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second) - minutes(offset_minutes) + nanoseconds(nanos);
  return time_point_cast<WallClock::duration>(at);
}

Verdict verify_twitch_eventsub(std::string_view secret, const TwitchSignedHeaders& headers, std::string_view body,
                               WallClock::time_point now, const ReplayWindow& window) {
  return verify_twitch_eventsub(HmacSha256Key(secret), headers, body, now, window);
}

Verdict verify_twitch_eventsub(const HmacSha256Key& secret, const TwitchSignedHeaders& headers, std::string_view body,
                               WallClock::time_point now, const ReplayWindow& window) {
  if (headers.message_id.empty() || headers.timestamp.empty() || headers.signature.empty()) {
    return Verdict::missing_header;
  }
  if (!is_visible_ascii(headers.message_id)) return Verdict::malformed_id;
  const auto stamped = parse_rfc3339(headers.timestamp);
  if (!stamped) return Verdict::malformed_timestamp;
  const auto claimed = claimed_digest(headers.signature, kAlgorithms[1]);
  if (!claimed) return Verdict::malformed_signature;
  const auto mac = secret.mac({headers.message_id, headers.timestamp, body});
  if (claimed->size != mac.size() || CRYPTO_memcmp(mac.data(), claimed->bytes.data(), mac.size()) != 0) {
    return Verdict::bad_signature;
  }
  return check_freshness(*stamped, now, window);
}

std::string sign_twitch_eventsub(std::string_view secret, std::string_view message_id, std::string_view timestamp,
                                 std::string_view body) {
  return "sha256=" + to_hex(hmac_raw("SHA256", secret, {message_id, timestamp, body}));
}

Verdict verify_websub(std::string_view secret, std::string_view x_hub_signature, std::string_view body) {
  if (x_hub_signature.empty()) return Verdict::missing_header;
  for (const auto& algorithm : kAlgorithms) {
    if (x_hub_signature.substr(0, algorithm.prefix.size()) == algorithm.prefix) {
      return compare_signature(x_hub_signature, algorithm, secret, {body});
    }
  }
  return Verdict::malformed_signature;
}

std::string sign_websub(std::string_view secret, std::string_view body, WebSubAlgorithm algorithm) {
  const auto& a = algorithm_of(algorithm);
  return std::string(a.prefix) + to_hex(hmac_raw(a.digest, secret, {body}));
}

std::string derive_websub_secret(std::string_view master, std::string_view topic_url) {
  return to_hex(hmac_raw("SHA256", master, {"onair.websub.v1:", topic_url}));
}

Verdict verify_custom_webhook(std::string_view secret, const CustomSignedHeaders& headers, std::string_view body,
                              WallClock::time_point now, const ReplayWindow& window) {
  if (headers.link_id.empty() || headers.delivery_id.empty() || headers.timestamp.empty() ||
      headers.signature.empty()) {
    return Verdict::missing_header;
  }
  if (!is_token_id(headers.link_id) || !is_token_id(headers.delivery_id)) return Verdict::malformed_id;
  const auto stamped = parse_unix_seconds(headers.timestamp);
  if (!stamped) return Verdict::malformed_timestamp;
  const auto verdict =
      compare_signature(headers.signature, kAlgorithms[1], secret,
                        {"v1:", headers.link_id, ":", headers.delivery_id, ":", headers.timestamp, ":", body});
  if (verdict != Verdict::ok) return verdict;
  return check_freshness(*stamped, now, window);
}

std::string sign_custom_webhook(std::string_view secret, std::string_view link_id, std::string_view delivery_id,
                                std::string_view timestamp, std::string_view body) {
  return "sha256=" + to_hex(hmac_raw("SHA256", secret, {"v1:", link_id, ":", delivery_id, ":", timestamp, ":", body}));
}

std::string generate_webhook_secret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("webhook secret: the random number generator failed");
  }
  auto secret = to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return secret;
}

}  // namespace onair::stream::security
