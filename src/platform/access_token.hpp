#pragma once
// HS256 JWT access tokens: `sub` (account), `sid` (session), `roles`, `iat`,
// `exp`. Pure logic: minting and verification take the clock as an argument.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onair::platform {

// Roles onair knows, from least to most privileged; `service` is for
// service-to-service calls and may call service-internal endpoints.
inline constexpr std::string_view kKnownRoles[] = {"user", "developer", "admin", "service"};
bool is_known_role(std::string_view role);

struct AccessClaims {
  std::string account_id;  // sub
  std::string session_id;  // sid
  std::vector<std::string> roles;
  std::int64_t issued_at = 0;   // iat, seconds since the epoch
  std::int64_t expires_at = 0;  // exp, seconds since the epoch
};

class TokenSigner {
 public:
  // Throws std::invalid_argument for an empty secret.
  explicit TokenSigner(std::string secret);

  // Throws std::invalid_argument for an unknown role or an empty account.
  std::string mint(const AccessClaims& claims) const;
  // Throws ApiError(401) with the reason (malformed, bad signature, wrong
  // algorithm, expired, missing claims) for a token that must not be trusted.
  // Tokens that verified are remembered per thread (keyed by their whole
  // text), so a client calling again costs a lookup, not an HMAC and two parses.
  AccessClaims verify(std::string_view token, std::int64_t now_seconds) const;

 private:
  std::string sign(std::string_view signing_input) const;
  AccessClaims verify_uncached(std::string_view token) const;
  std::string secret_;
  std::uint64_t id_;  // tells this signer's cache entries from another secret's
};

std::string base64url_encode(std::string_view bytes);
// False when `text` is not valid unpadded base64url.
bool base64url_decode(std::string_view text, std::string& out);

}  // namespace onair::platform
