// Platform links: OAuth authorization code flow with a single-use state (state store, TTL
// STREAM_LINK_STATE_TTL_SECONDS, bound to the account), PKCE S256 for YouTube, the code
// exchange and identity lookup with libcurl on the blocking pool, tokens sealed with the
// TokenCipher. Custom links store their RTMP URL and webhook secret sealed. docs/stream.md.
#include <openssl/sha.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/time.hpp"
#include "gen/stream/topics.hpp"
#include "stream/security/encoding.hpp"
#include "stream/service/owner_events.hpp"
#include "stream/service/stream_service.hpp"

namespace onair::stream {
namespace json = boost::json;

namespace {

constexpr std::string_view kStatePrefix = "stream:link-state:";
// channel.chat.message over a webhook (app token) also needs user:bot from the chatting user and
// channel:bot from the broadcaster; onair reads chat as the broadcaster, who grants both.
constexpr std::string_view kTwitchScopes =
    "user:read:chat user:bot channel:bot channel:read:subscriptions bits:read moderator:read:followers";
constexpr std::string_view kYouTubeScopes = "https://www.googleapis.com/auth/youtube.readonly";

std::string base64url(std::string_view bytes) {
  auto b = security::to_base64(bytes);
  while (!b.empty() && b.back() == '=') b.pop_back();
  for (auto& c : b) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return b;
}

std::string random_bytes(std::size_t n) {
  auto hex = random_hex(n);
  return *security::from_hex(hex);
}

std::string pkce_challenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return base64url(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// "rtmp://host/app/****": everything after the last '/' (the stream key) is masked.
std::string mask_rtmp(const std::string& url) {
  const auto scheme = url.find("://");
  const auto last = url.rfind('/');
  if (scheme == std::string::npos || last == std::string::npos || last <= scheme + 2) return "rtmp://****";
  return url.substr(0, last + 1) + "****";
}

std::string str(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  if (!m) return {};
  if (m->is_string()) return std::string(m->as_string());
  if (m->is_int64()) return std::to_string(m->as_int64());
  return {};
}

struct Tokens {
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;
  std::vector<std::string> scopes;
};

struct Identity {
  std::string id;
  std::string login;
  std::string display_name;
};

json::value parse_reply(const PlatformReply& reply) {
  if (reply.status == 0) throw ApiError(502, "the platform could not be reached");
  boost::system::error_code ec;
  auto v = json::parse(reply.body, ec);
  if (ec || !v.is_object()) throw ApiError(502, "the platform answered garbage");
  return v;
}

}  // namespace

std::string StreamService::redirect_uri() const {
  if (!config_.o_auth_redirect_uri.empty()) return config_.o_auth_redirect_uri;
  return trim_slash(config_.public_base_url) + "/stream-link.html";
}

Task<void> StreamService::publish_linked(const LinkRecord& r) {
  gst::StreamPlatformLinkedEvent e;
  e.event_id = new_uuid();
  e.timestamp = now_rfc3339();
  e.account_id = r.account_id;
  e.link_id = r.link_id;
  e.platform = r.platform;
  const auto body = e.to_json();
  co_await publish(gst::kStreamPlatformLinked, body);
  co_await tell_owner(
      r.account_id,
      link_changed_event(r, gst::StreamLinkChangedClientEventChange::linked, new_uuid(), now_rfc3339()).to_json_text());
}

Task<void> StreamService::publish_unlinked(const LinkRecord& r, gst::StreamPlatformUnlinkedEventReason reason) {
  gst::StreamPlatformUnlinkedEvent e;
  e.event_id = new_uuid();
  e.timestamp = now_rfc3339();
  e.account_id = r.account_id;
  e.link_id = r.link_id;
  e.platform = r.platform;
  e.reason = reason;
  const auto body = e.to_json();
  co_await publish(gst::kStreamPlatformUnlinked, body);
  co_await tell_owner(r.account_id,
                      link_changed_event(r, link_change_of(reason), new_uuid(), now_rfc3339()).to_json_text());
}

Task<gst::PlatformLinkDetail> StreamService::link_detail(const LinkRecord& r) {
  gst::PlatformLinkDetail d;
  d.link_id = r.link_id;
  d.account_id = r.account_id;
  d.platform = r.platform;
  d.platform_channel_id = r.channel_id;
  d.platform_login = r.login;
  d.display_name = r.display_name;
  d.scopes = r.scopes;
  d.status = r.status;
  d.masked_rtmp_url = r.masked_rtmp_url;
  d.linked_at = r.linked_at;
  d.token_expires_at = r.token_expires_at;
  if (auto active = co_await store_.active_session_of_link(r.link_id))
    d.active_platform_session_id = active->session_id;
  co_return d;
}

Task<gst::LinkPlatformResponse> StreamService::link_platform(gst::LinkPlatformRequest r, const Caller& c) {
  using P = gst::StreamPlatform;
  if (r.platform != P::custom && (r.custom_rtmp_url || r.custom_display_name)) {
    throw bad_request("customRtmpUrl and customDisplayName are for platform custom only");
  }
  const auto& sealer = cipher();  // 503 without a key outside development mode
  gst::LinkPlatformResponse out;
  out.platform = r.platform;
  const auto now = now_ms();
  if (r.platform == P::custom) {
    if (!r.custom_rtmp_url) throw bad_request("customRtmpUrl is required for platform custom");
    LinkRecord link;
    link.link_id = new_uuid();
    link.account_id = c.account_id;
    link.platform = P::custom;
    link.display_name = r.custom_display_name;
    link.status = gst::PlatformLinkStatus::active;
    const auto secret = security::generate_webhook_secret();
    link.webhook_secret = sealer.seal(secret, security::token_associated_data(link.link_id, "webhook_secret"));
    link.rtmp_url = sealer.seal(*r.custom_rtmp_url, security::token_associated_data(link.link_id, "rtmp_url"));
    link.masked_rtmp_url = mask_rtmp(*r.custom_rtmp_url);
    link.linked_ms = now;
    link.linked_at = format_rfc3339(SystemTime(std::chrono::milliseconds(now)));
    co_await store_.insert_link(link);
    co_await publish_linked(link);
    out.link = co_await link_detail(link);
    out.webhook_secret = secret;
    co_return out;
  }
  const bool twitch = r.platform == P::twitch;
  const auto& client_id = twitch ? config_.twitch_client_id : config_.you_tube_client_id;
  if (client_id.empty()) throw bad_request("this platform is not configured on this server");
  for (const auto& existing : co_await store_.links_of(c.account_id)) {
    if (existing.platform == r.platform && existing.status == gst::PlatformLinkStatus::active) {
      throw bad_request("this platform is already linked to your account");
    }
  }
  const auto state = random_hex(32);
  json::object pending{{"accountId", c.account_id}, {"platform", gst::to_string(r.platform)}};
  std::string url;
  const auto redirect = PlatformHttp::url_encode(redirect_uri());
  if (twitch) {
    url = trim_slash(config_.twitch_auth_base_url) +
          "/oauth2/authorize?response_type=code&client_id=" + PlatformHttp::url_encode(client_id) +
          "&redirect_uri=" + redirect + "&scope=" + PlatformHttp::url_encode(kTwitchScopes) + "&state=" + state;
  } else {
    const auto verifier = base64url(random_bytes(32));
    pending["verifier"] = verifier;
    url = trim_slash(config_.you_tube_auth_base_url) +
          "/o/oauth2/v2/auth?response_type=code&client_id=" + PlatformHttp::url_encode(client_id) +
          "&redirect_uri=" + redirect + "&scope=" + PlatformHttp::url_encode(kYouTubeScopes) + "&state=" + state +
          "&code_challenge=" + pkce_challenge(verifier) +
          "&code_challenge_method=S256&access_type=offline&prompt=consent";
  }
  const auto ttl = std::chrono::seconds(config_.link_state_ttl_seconds);
  co_await context_.state.set(std::string(kStatePrefix) + state, json::serialize(pending),
                              std::chrono::duration_cast<infra::Ttl>(ttl));
  out.authorize_url = url;
  out.state = state;
  out.state_expires_at = format_rfc3339(std::chrono::system_clock::now() + ttl);
  co_return out;
}

Task<gst::PlatformLinkDetail> StreamService::platform_callback(gst::PlatformCallbackRequest r, const Caller& c) {
  const auto key = std::string(kStatePrefix) + r.state;
  auto stored = co_await context_.state.get(key);
  if (!stored) throw not_found("no pending link request for this state");
  boost::system::error_code ec;
  auto pending = json::parse(stored->data, ec);
  if (ec || str(pending, "accountId") != c.account_id) throw not_found("no pending link request for this state");
  // Single use: whoever removes it owns it.
  if (!co_await context_.state.remove(key)) throw not_found("no pending link request for this state");
  const auto platform = gst::parse_stream_platform(str(pending, "platform"));
  if (!platform || *platform == gst::StreamPlatform::custom) throw not_found("no pending link request for this state");
  const auto& sealer = cipher();
  const bool twitch = *platform == gst::StreamPlatform::twitch;

  // Exchange the code.
  PlatformHttp::Fields form{{"code", r.code}, {"grant_type", "authorization_code"}, {"redirect_uri", redirect_uri()}};
  std::string token_url;
  if (twitch) {
    form.emplace_back("client_id", config_.twitch_client_id);
    form.emplace_back("client_secret", config_.twitch_client_secret);
    token_url = trim_slash(config_.twitch_auth_base_url) + "/oauth2/token";
  } else {
    form.emplace_back("client_id", config_.you_tube_client_id);
    form.emplace_back("client_secret", config_.you_tube_client_secret);
    form.emplace_back("code_verifier", str(pending, "verifier"));
    token_url = trim_slash(config_.you_tube_token_base_url) + "/token";
  }
  auto token_reply = co_await http_->post_form(std::move(token_url), std::move(form));
  if (token_reply.status == 400 || token_reply.status == 401) throw bad_request("the platform refused the code");
  if (token_reply.status != 200) {
    throw ApiError(502, "the platform's token endpoint answered " + std::to_string(token_reply.status));
  }
  const auto token_json = parse_reply(token_reply);
  Tokens tokens;
  tokens.access_token = str(token_json, "access_token");
  tokens.refresh_token = str(token_json, "refresh_token");
  if (const auto* e = token_json.as_object().if_contains("expires_in"); e && e->is_number()) {
    tokens.expires_in = e->to_number<std::int64_t>();
  }
  if (const auto* s = token_json.as_object().if_contains("scope")) {
    if (s->is_array()) {
      for (const auto& x : s->as_array()) {
        if (x.is_string()) tokens.scopes.emplace_back(x.as_string());
      }
    } else if (s->is_string()) {
      std::string_view rest = s->as_string();
      while (!rest.empty()) {
        const auto sp = rest.find(' ');
        if (sp != 0) tokens.scopes.emplace_back(rest.substr(0, sp));
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      }
    }
  }
  if (tokens.access_token.empty()) throw ApiError(502, "the platform answered no access token");

  // Who is it?
  Identity who;
  if (twitch) {
    PlatformHttp::Fields headers{{"Authorization", "Bearer " + tokens.access_token},
                                 {"Client-Id", config_.twitch_client_id}};
    auto reply = co_await http_->get(trim_slash(config_.twitch_api_base_url) + "/helix/users", std::move(headers));
    if (reply.status != 200)
      throw ApiError(502, "the platform's identity endpoint answered " + std::to_string(reply.status));
    const auto v = parse_reply(reply);
    const auto* data = v.as_object().if_contains("data");
    if (!data || !data->is_array() || data->as_array().empty()) throw ApiError(502, "the platform answered no user");
    const auto& u = data->as_array().front();
    who = {str(u, "id"), str(u, "login"), str(u, "display_name")};
  } else {
    PlatformHttp::Fields headers{{"Authorization", "Bearer " + tokens.access_token}};
    auto reply = co_await http_->get(
        trim_slash(config_.you_tube_api_base_url) + "/youtube/v3/channels?part=snippet&mine=true", std::move(headers));
    if (reply.status != 200)
      throw ApiError(502, "the platform's identity endpoint answered " + std::to_string(reply.status));
    const auto v = parse_reply(reply);
    const auto* items = v.as_object().if_contains("items");
    if (!items || !items->is_array() || items->as_array().empty())
      throw ApiError(502, "the platform answered no channel");
    const auto& ch = items->as_array().front();
    const auto snippet =
        ch.is_object() && ch.as_object().contains("snippet") ? ch.as_object().at("snippet") : json::value();
    who = {str(ch, "id"), str(snippet, "customUrl"), str(snippet, "title")};
  }
  if (who.id.empty()) throw ApiError(502, "the platform answered no user id");

  auto existing = co_await store_.link_by_channel(*platform, who.id);
  if (existing && existing->account_id != c.account_id) {
    throw conflict("this platform account is already linked to another onair account");
  }
  const auto now = now_ms();
  LinkRecord link = existing ? *existing : LinkRecord{};
  if (!existing) {
    link.link_id = new_uuid();
    link.account_id = c.account_id;
    link.platform = *platform;
    link.channel_id = who.id;
    link.linked_ms = now;
    link.linked_at = format_rfc3339(SystemTime(std::chrono::milliseconds(now)));
  }
  link.login = who.login.empty() ? std::nullopt : std::optional<std::string>(who.login);
  link.display_name = who.display_name.empty() ? std::nullopt : std::optional<std::string>(who.display_name);
  link.scopes = tokens.scopes;
  link.status = gst::PlatformLinkStatus::active;
  link.access_token = sealer.seal(tokens.access_token, security::token_associated_data(link.link_id, "access_token"));
  link.refresh_token = tokens.refresh_token.empty()
                           ? std::nullopt
                           : std::optional<std::string>(sealer.seal(
                                 tokens.refresh_token, security::token_associated_data(link.link_id, "refresh_token")));
  if (tokens.expires_in > 0) {
    link.token_expires_ms = now + tokens.expires_in * 1000;
    link.token_expires_at = format_rfc3339(SystemTime(std::chrono::milliseconds(link.token_expires_ms)));
  }
  if (existing) {
    co_await store_.update_link(link);
  } else {
    try {
      co_await store_.insert_link(link);
    } catch (const InfraError&) {
      // The unique (platform, channel) index: linked concurrently by someone else.
      throw conflict("this platform account is already linked to another onair account");
    }
  }
  co_await publish_linked(link);
  log::info("platform linked", {{"linkId", link.link_id}, {"platform", gst::to_string(link.platform)}});
  co_await after_platform_link(link);
  co_return co_await link_detail(link);
}

Task<gen::common::EmptyResponse> StreamService::unlink_platform(gst::UnlinkPlatformRequest r, const Caller& c) {
  auto link = co_await require_link(r.link_id, c);
  if (auto active = co_await store_.active_session_of_link(link.link_id)) {
    co_await end_session(active->session_id, gst::PlatformSessionEndReason::link_removed);
  }
  co_await before_platform_unlink(link);
  co_await store_.delete_link(link.link_id);
  co_await publish_unlinked(link, gst::StreamPlatformUnlinkedEventReason::unlinked);
  co_return gen::common::EmptyResponse{};
}

Task<gst::ListPlatformsResponse> StreamService::list_platforms(gst::ListPlatformsRequest r, const Caller& c) {
  if (r.account_id && *r.account_id != c.account_id && !is_admin(c)) {
    throw forbidden("only admins may list another account's links");
  }
  gst::ListPlatformsResponse out;
  for (const auto& link : co_await store_.links_of(r.account_id.value_or(c.account_id))) {
    out.links.push_back(co_await link_detail(link));
  }
  co_return out;
}

}  // namespace onair::stream
