#pragma once
// What the platforms' OAuth token endpoints answer, and when a link's token needs work. Pure:
// no I/O, the clock is a parameter. Used by PlatformAuth (platform_auth.hpp) and the
// TokenRefreshWorker; docs/stream.md ("Token refresh").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gen/stream/models.hpp"

namespace onair::stream {

namespace gst = gen::stream;

// An access token grant (authorization code, refresh or client credentials).
struct TokenGrant {
  std::string access_token;
  std::string refresh_token;  // empty: the platform sent none (Google on refresh, app tokens)
  std::int64_t expires_in = 0;
  std::vector<std::string> scopes;
};

// The body of a 200 token answer; nullopt when it is not JSON or has no access token. `scope` may be
// an array (Twitch) or a space separated string (Google).
std::optional<TokenGrant> parse_token_grant(std::string_view body);

enum class RefreshOutcome {
  refreshed,  // a new access token
  revoked,    // the platform refused the refresh token: the user must link again
  failed,     // unreachable, 5xx, garbage, or our own client configuration: try again later
};

struct RefreshVerdict {
  RefreshOutcome outcome = RefreshOutcome::failed;
  TokenGrant grant;     // when refreshed
  std::string problem;  // short, fixed text for logs (never a token or a body)
};

// Reads the answer to a refresh_token grant. Twitch answers an invalid refresh token with 400 (or 401)
// {status, message}; Google with 400 {"error": "invalid_grant"}. A refused client (Twitch "invalid
// client" / 403 "invalid client secret", Google invalid_client) is our configuration, not the user's
// revocation, so it never counts as revoked: marking every link for relinking over a rotated client
// secret would be far worse than retrying.
RefreshVerdict read_refresh_reply(gst::StreamPlatform platform, int status, std::string_view body);

// True when a token that expires at `expires_ms` (0: unknown) must be refreshed now.
bool refresh_due(std::int64_t expires_ms, std::int64_t now_ms, std::int64_t lead_seconds);

// True when a Twitch token last validated at `validated_ms` (nullopt: never) must be validated now.
bool validation_due(std::optional<std::int64_t> validated_ms, std::int64_t now_ms, std::int64_t interval_seconds);

}  // namespace onair::stream
