#pragma once
// The platform tokens in use (docs/stream.md, "Token refresh"):
//  - a link's user token, opened from its sealed column only for the call that needs it;
//  - refresh (refresh_token grant) with a compare-and-set on the sealed refresh token, so concurrent
//    refreshers on any node never lose a rotated token; a refused refresh token loses the link's
//    authorization (StreamService::lose_authorization: needs_relink + stream.platform.unlinked);
//  - Twitch's token validation (GET /oauth2/validate);
//  - the Twitch app access token (client credentials) for EventSub, kept in this node's memory only;
//  - user_call / app_call: the one path every authenticated platform call takes: a 401 refreshes
//    (user token) or renews (app token) once and retries once.
// Nothing here logs a token, a body or a header.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "core/task.hpp"
#include "stream/service/platform_http.hpp"
#include "stream/service/stream_store.hpp"

namespace onair::stream {

class StreamService;

struct PlatformRequest {
  std::string method = "GET";
  std::string url;
  std::string body;          // JSON for Helix POSTs
  std::string content_type;  // with a body
};

class PlatformAuth {
 public:
  PlatformAuth(StreamService& service, PlatformHttp& http);

  enum class Refresh { refreshed, revoked, failed, no_token };
  // Refreshes the link's tokens now (the link is re-read from SQL).
  Task<Refresh> refresh(const std::string& link_id);

  enum class Validation { valid, refreshed, revoked, failed };
  // Twitch: validates the user token; a 401 refreshes it (and a refused refresh marks the link).
  Task<Validation> validate_twitch(const std::string& link_id);

  // A call with the link's user token (Twitch: Bearer + Client-Id; YouTube: Bearer). A 401 refreshes
  // once and retries once; a link without a usable token answers status 401 without calling.
  Task<PlatformReply> user_call(const std::string& link_id, PlatformRequest request);
  // A Helix call with the app access token; a 401 fetches a new one and retries once. Status 0 when
  // no app token can be had.
  Task<PlatformReply> app_call(PlatformRequest request);

  // Unlink: revokes the link's tokens at the platform (best effort; failures are logged, not thrown).
  Task<void> revoke(const LinkRecord& link);

 private:
  Task<std::optional<std::string>> app_token(bool renew);
  std::optional<std::string> open_access(const LinkRecord& link) const;
  PlatformHttp::Fields headers_for(gst::StreamPlatform platform, const std::string& token) const;
  std::string token_url(gst::StreamPlatform platform) const;

  StreamService& service_;
  PlatformHttp& http_;
  std::mutex mutex_;  // guards the app token
  std::string app_token_;
  std::int64_t app_token_expires_ms_ = 0;
};

}  // namespace onair::stream
