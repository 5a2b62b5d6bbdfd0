#include "platform/access_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <stdexcept>
#include <unordered_map>

#include "core/errors.hpp"

namespace onair::platform {
namespace json = boost::json;

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

int decode_char(char c) {
  auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

ApiError rejected(std::string_view why) { return unauthorized("invalid access token: " + std::string(why)); }

std::atomic<std::uint64_t> next_signer_id{0};

// Per thread, so lookups take no lock. Bounded: a flood of distinct valid
// tokens only costs re-verification after the map is cleared.
struct VerifiedToken {
  std::uint64_t signer_id;
  AccessClaims claims;
};
constexpr std::size_t kVerifiedCacheLimit = 4096;
thread_local std::unordered_map<std::string, VerifiedToken> verified_tokens;

}  // namespace

bool is_known_role(std::string_view role) {
  return std::find(std::begin(kKnownRoles), std::end(kKnownRoles), role) != std::end(kKnownRoles);
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = decode_char(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero padding, or the text had extra characters.
  return (buffer & ((1u << bits) - 1)) == 0;
}

TokenSigner::TokenSigner(std::string secret) : secret_(std::move(secret)), id_(++next_signer_id) {
  if (secret_.empty()) throw std::invalid_argument("token signing secret is empty");
}

std::string TokenSigner::sign(std::string_view signing_input) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_len);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

std::string TokenSigner::mint(const AccessClaims& claims) const {
  if (claims.account_id.empty()) throw std::invalid_argument("token needs an account id (sub)");
  json::array roles;
  for (const auto& role : claims.roles) {
    if (!is_known_role(role)) throw std::invalid_argument("unknown role: " + role);
    roles.emplace_back(role);
  }
  json::object payload{
      {"sub", claims.account_id}, {"roles", std::move(roles)}, {"iat", claims.issued_at}, {"exp", claims.expires_at}};
  if (!claims.session_id.empty()) payload["sid"] = claims.session_id;
  std::string input = base64url_encode(kHeader) + "." + base64url_encode(json::serialize(payload));
  return input + "." + sign(input);
}

AccessClaims TokenSigner::verify(std::string_view token, std::int64_t now_seconds) const {
  thread_local std::string key;  // reused: no allocation per lookup
  key.assign(token);
  auto cached = verified_tokens.find(key);
  if (cached == verified_tokens.end() || cached->second.signer_id != id_) {
    auto claims = verify_uncached(token);
    if (verified_tokens.size() >= kVerifiedCacheLimit) verified_tokens.clear();
    cached = verified_tokens.insert_or_assign(key, VerifiedToken{id_, std::move(claims)}).first;
  }
  if (cached->second.claims.expires_at <= now_seconds) throw rejected("expired");
  return cached->second.claims;
}

AccessClaims TokenSigner::verify_uncached(std::string_view token) const {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    throw rejected("not a JWT");
  }
  const auto signing_input = token.substr(0, second);
  const auto expected = sign(signing_input);
  const auto given = token.substr(second + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), given.size()) != 0) {
    throw rejected("bad signature");
  }
  std::string header_text, payload_text;
  if (!base64url_decode(token.substr(0, first), header_text) ||
      !base64url_decode(token.substr(first + 1, second - first - 1), payload_text)) {
    throw rejected("bad encoding");
  }
  boost::system::error_code ec;
  auto header = json::parse(header_text, ec);
  if (ec || !header.is_object() || header.as_object().if_contains("alg") == nullptr || header.at("alg") != "HS256") {
    throw rejected("algorithm must be HS256");
  }
  auto payload = json::parse(payload_text, ec);
  if (ec || !payload.is_object()) throw rejected("payload is not a JSON object");
  const auto& p = payload.as_object();
  AccessClaims claims;
  const auto* sub = p.if_contains("sub");
  const auto* exp = p.if_contains("exp");
  const auto* roles = p.if_contains("roles");
  if (!sub || !sub->is_string() || sub->as_string().empty()) throw rejected("missing sub");
  if (!exp || !exp->is_int64()) throw rejected("missing exp");
  if (!roles || !roles->is_array()) throw rejected("missing roles");
  claims.account_id = std::string(sub->as_string());
  claims.expires_at = exp->as_int64();
  if (const auto* sid = p.if_contains("sid"); sid && sid->is_string())
    claims.session_id = std::string(sid->as_string());
  if (const auto* iat = p.if_contains("iat"); iat && iat->is_int64()) claims.issued_at = iat->as_int64();
  for (const auto& role : roles->as_array()) {
    if (role.is_string() && is_known_role(role.as_string())) claims.roles.emplace_back(role.as_string());
  }
  return claims;
}

}  // namespace onair::platform
