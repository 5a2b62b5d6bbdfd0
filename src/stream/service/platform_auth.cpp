#include "stream/service/platform_auth.hpp"

#include <chrono>

#include "core/logging.hpp"
#include "core/time.hpp"
#include "stream/security/token_cipher.hpp"
#include "stream/service/platform_tokens.hpp"
#include "stream/service/stream_service.hpp"

namespace onair::stream {

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

PlatformReply unauthorized() { return {401, {}}; }

}  // namespace

PlatformAuth::PlatformAuth(StreamService& service, PlatformHttp& http) : service_(service), http_(http) {}

std::string PlatformAuth::token_url(gst::StreamPlatform platform) const {
  const auto& c = service_.config();
  return platform == gst::StreamPlatform::twitch ? trim_slash(c.twitch_auth_base_url) + "/oauth2/token"
                                                 : trim_slash(c.you_tube_token_base_url) + "/token";
}

std::optional<std::string> PlatformAuth::open_access(const LinkRecord& link) const {
  if (!link.access_token) return std::nullopt;
  return service_.cipher().open(*link.access_token, security::token_associated_data(link.link_id, "access_token"));
}

PlatformHttp::Fields PlatformAuth::headers_for(gst::StreamPlatform platform, const std::string& token) const {
  PlatformHttp::Fields headers{{"Authorization", "Bearer " + token}};
  if (platform == gst::StreamPlatform::twitch) headers.emplace_back("Client-Id", service_.config().twitch_client_id);
  return headers;
}

Task<PlatformAuth::Refresh> PlatformAuth::refresh(const std::string& link_id) {
  auto link = co_await service_.store().link(link_id);
  if (!link || link->status != gst::PlatformLinkStatus::active || !link->refresh_token ||
      link->platform == gst::StreamPlatform::custom) {
    co_return Refresh::no_token;
  }
  const auto& cipher = service_.cipher();
  const auto refresh_ad = security::token_associated_data(link->link_id, "refresh_token");
  const auto refresh_token = cipher.open(*link->refresh_token, refresh_ad);
  if (!refresh_token) {
    log::warn("sealed refresh token does not open (wrong key?)", {{"linkId", link->link_id}});
    co_return Refresh::failed;
  }
  const bool twitch = link->platform == gst::StreamPlatform::twitch;
  const auto& c = service_.config();
  PlatformHttp::Fields form{{"grant_type", "refresh_token"},
                            {"refresh_token", *refresh_token},
                            {"client_id", twitch ? c.twitch_client_id : c.you_tube_client_id},
                            {"client_secret", twitch ? c.twitch_client_secret : c.you_tube_client_secret}};
  const auto reply = co_await http_.post_form(token_url(link->platform), std::move(form));
  auto verdict = read_refresh_reply(link->platform, reply.status, reply.body);
  const std::string platform(gst::to_string(link->platform));
  if (verdict.outcome == RefreshOutcome::refreshed) {
    const auto now = wall_ms();
    const auto access =
        cipher.seal(verdict.grant.access_token, security::token_associated_data(link->link_id, "access_token"));
    // Google sends no new refresh token: the old one stays valid (sealed again, so the compare-and-set of
    // a concurrent refresher sees the change).
    const auto& next_refresh = verdict.grant.refresh_token.empty() ? *refresh_token : verdict.grant.refresh_token;
    const auto sealed_refresh = cipher.seal(next_refresh, refresh_ad);
    std::int64_t expires_ms = 0;
    std::optional<std::string> expires_at;
    if (verdict.grant.expires_in > 0) {
      expires_ms = now + verdict.grant.expires_in * 1000;
      expires_at = format_rfc3339(SystemTime(std::chrono::milliseconds(expires_ms)));
    }
    const bool stored = co_await service_.store().replace_tokens(link->link_id, *link->refresh_token, access,
                                                                 sealed_refresh, expires_ms, expires_at);
    if (!stored) {
      // Another refresher won (its tokens are in SQL), or the link changed meanwhile.
      auto now_link = co_await service_.store().link(link_id);
      co_return now_link && now_link->status == gst::PlatformLinkStatus::active ? Refresh::refreshed : Refresh::failed;
    }
    log::info("platform token refreshed", {{"linkId", link->link_id}, {"platform", platform}});
    co_return Refresh::refreshed;
  }
  if (verdict.outcome == RefreshOutcome::revoked) {
    // A concurrent refresher may have used (and rotated away) the token this call sent.
    auto now_link = co_await service_.store().link(link_id);
    if (now_link && now_link->status == gst::PlatformLinkStatus::active && now_link->refresh_token &&
        *now_link->refresh_token != *link->refresh_token) {
      co_return Refresh::refreshed;
    }
    log::warn("platform refused the refresh token: the link needs relinking",
              {{"linkId", link->link_id}, {"platform", platform}, {"problem", verdict.problem}});
    co_await service_.lose_authorization(link->link_id);
    co_return Refresh::revoked;
  }
  log::warn("platform token refresh failed; retried later",
            {{"linkId", link->link_id}, {"platform", platform}, {"problem", verdict.problem}});
  co_return Refresh::failed;
}

Task<PlatformAuth::Validation> PlatformAuth::validate_twitch(const std::string& link_id) {
  auto link = co_await service_.store().link(link_id);
  if (!link || link->status != gst::PlatformLinkStatus::active || link->platform != gst::StreamPlatform::twitch) {
    co_return Validation::failed;
  }
  auto token = open_access(*link);
  int status = 401;
  if (token) {
    // Twitch documents "Authorization: OAuth <token>" for this endpoint.
    PlatformHttp::Fields headers{{"Authorization", "OAuth " + *token}};
    const auto reply =
        co_await http_.get(trim_slash(service_.config().twitch_auth_base_url) + "/oauth2/validate", std::move(headers));
    status = reply.status;
  }
  if (status == 200) co_return Validation::valid;
  if (status != 401) {
    log::warn("twitch token validation failed; retried later",
              {{"linkId", link->link_id}, {"status", std::to_string(status)}});
    co_return Validation::failed;
  }
  switch (co_await refresh(link_id)) {
    case Refresh::refreshed:
      co_return Validation::refreshed;
    case Refresh::revoked:
      co_return Validation::revoked;
    case Refresh::no_token:
      // No refresh token to try: the authorization is gone.
      co_await service_.lose_authorization(link_id);
      co_return Validation::revoked;
    case Refresh::failed:
      break;
  }
  co_return Validation::failed;
}

Task<PlatformReply> PlatformAuth::user_call(const std::string& link_id, PlatformRequest request) {
  auto link = co_await service_.store().link(link_id);
  if (!link || link->status != gst::PlatformLinkStatus::active) co_return unauthorized();
  PlatformReply reply = unauthorized();
  if (auto token = open_access(*link)) {
    reply = co_await http_.send(request.method, request.url, request.body, request.content_type,
                                headers_for(link->platform, *token));
  }
  if (reply.status != 401) co_return reply;
  if (co_await refresh(link_id) != Refresh::refreshed) co_return reply;
  link = co_await service_.store().link(link_id);
  if (!link) co_return reply;
  auto token = open_access(*link);
  if (!token) co_return reply;
  co_return co_await http_.send(std::move(request.method), std::move(request.url), std::move(request.body),
                                std::move(request.content_type), headers_for(link->platform, *token));
}

Task<std::optional<std::string>> PlatformAuth::app_token(bool renew) {
  const auto now = wall_ms();
  {
    std::lock_guard lock(mutex_);
    // Kept until a minute before it expires (Twitch app tokens live about 60 days).
    if (!renew && !app_token_.empty() && app_token_expires_ms_ - now > 60'000) co_return app_token_;
  }
  const auto& c = service_.config();
  if (c.twitch_client_id.empty() || c.twitch_client_secret.empty()) co_return std::nullopt;
  PlatformHttp::Fields form{{"client_id", c.twitch_client_id},
                            {"client_secret", c.twitch_client_secret},
                            {"grant_type", "client_credentials"}};
  const auto reply = co_await http_.post_form(token_url(gst::StreamPlatform::twitch), std::move(form));
  auto grant = reply.status == 200 ? parse_token_grant(reply.body) : std::nullopt;
  if (!grant) {
    log::warn("twitch app access token not granted", {{"status", std::to_string(reply.status)}});
    co_return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  app_token_ = grant->access_token;
  app_token_expires_ms_ = now + (grant->expires_in > 0 ? grant->expires_in : 3600) * 1000;
  co_return app_token_;
}

Task<PlatformReply> PlatformAuth::app_call(PlatformRequest request) {
  auto token = co_await app_token(false);
  if (!token) co_return PlatformReply{};
  auto reply = co_await http_.send(request.method, request.url, request.body, request.content_type,
                                   headers_for(gst::StreamPlatform::twitch, *token));
  if (reply.status != 401) co_return reply;
  token = co_await app_token(true);
  if (!token) co_return reply;
  co_return co_await http_.send(std::move(request.method), std::move(request.url), std::move(request.body),
                                std::move(request.content_type), headers_for(gst::StreamPlatform::twitch, *token));
}

Task<void> PlatformAuth::revoke(const LinkRecord& link) {
  if (link.platform == gst::StreamPlatform::custom || !service_.has_cipher()) co_return;
  const auto& cipher = service_.cipher();
  const auto& c = service_.config();
  int status = 0;
  if (link.platform == gst::StreamPlatform::twitch) {
    // https://dev.twitch.tv/docs/authentication/revoke-tokens/: client_id + the access token.
    auto token = open_access(link);
    if (!token) co_return;
    PlatformHttp::Fields form{{"client_id", c.twitch_client_id}, {"token", *token}};
    status = (co_await http_.post_form(trim_slash(c.twitch_auth_base_url) + "/oauth2/revoke", std::move(form))).status;
  } else {
    // Google: revoking the refresh token ends the whole grant (and its access tokens).
    std::optional<std::string> token;
    if (link.refresh_token) {
      token = cipher.open(*link.refresh_token, security::token_associated_data(link.link_id, "refresh_token"));
    }
    if (!token) token = open_access(link);
    if (!token) co_return;
    PlatformHttp::Fields form{{"token", *token}};
    status = (co_await http_.post_form(trim_slash(c.you_tube_token_base_url) + "/revoke", std::move(form))).status;
  }
  if (status != 200) {
    log::info("platform token revocation on unlink did not succeed",
              {{"linkId", link.link_id}, {"status", std::to_string(status)}});
  }
}

}  // namespace onair::stream
