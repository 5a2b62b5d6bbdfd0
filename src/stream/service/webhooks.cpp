// The platforms' webhooks (raw HTTP, no bearer token): verification over the raw body first,
// then parsing, then deduplication, then ingestion. Every rejection is a 4xx with a fixed
// message (never request content) and changes nothing. docs/stream.md ("Webhooks").
#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "stream/security/encoding.hpp"
#include "stream/service/parse_arena.hpp"
#include "stream/service/stream_service.hpp"
#include "stream/service/youtube_chat_poller.hpp"

namespace onair::stream {
namespace json = boost::json;
using platform::RawHttpRequest;
using platform::RawHttpResponse;

namespace {

constexpr std::string_view kTwitchTypes[] = {"stream.online",
                                             "stream.offline",
                                             "channel.chat.message",
                                             "channel.subscribe",
                                             "channel.subscription.message",
                                             "channel.subscription.gift",
                                             "channel.cheer",
                                             "channel.raid",
                                             "channel.follow"};

RawHttpResponse reject(int status, std::string_view message) {
  json::object body{{"status", status}, {"error", message}};
  return {status, "application/json", json::serialize(body), {}};
}

RawHttpResponse empty(int status) { return {status, "text/plain; charset=utf-8", {}, {}}; }

// Each series is resolved once per thread (building the labels and finding the series under the
// registry's lock cost more than a chat line's classification), then counted with an atomic. Series
// live as long as the registry; platform and outcome are fixed words, so the cache stays small.
void count(std::string_view platform, std::string_view outcome) {
  thread_local std::unordered_map<std::string, Metrics::Series*> resolved;
  std::string key;
  key.reserve(platform.size() + outcome.size() + 1);
  key.append(platform).append(1, '|').append(outcome);
  auto& series = resolved[key];
  if (!series) {
    series = &metrics().counter("onair_stream_webhook_deliveries_total",
                                {{"platform", std::string(platform)}, {"outcome", std::string(outcome)}});
  }
  series->add();
}

std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return {};
}

std::int64_t int_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), INT64_MAX));
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  if (v->is_string()) {
    std::int64_t n = 0;
    for (char c : v->as_string()) {
      if (c < '0' || c > '9') return 0;
      n = std::min<std::int64_t>(n * 10 + (c - '0'), 1000000000);
    }
    return n;
  }
  return 0;
}

std::uint32_t amount_of(std::int64_t v) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(v, 0, 1000000000));
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

int verdict_status(security::Verdict v) {
  switch (v) {
    case security::Verdict::ok:
      return 200;
    case security::Verdict::missing_header:
    case security::Verdict::malformed_id:
    case security::Verdict::malformed_signature:
    case security::Verdict::malformed_timestamp:
      return 400;
    case security::Verdict::bad_signature:
    case security::Verdict::stale:
    case security::Verdict::from_future:
      return 403;
  }
  return 400;
}

std::string_view verdict_message(security::Verdict v) {
  switch (v) {
    case security::Verdict::missing_header:
      return "missing signature headers";
    case security::Verdict::malformed_id:
      return "malformed message id";
    case security::Verdict::malformed_signature:
      return "malformed signature";
    case security::Verdict::malformed_timestamp:
      return "malformed timestamp";
    case security::Verdict::bad_signature:
      return "signature mismatch";
    case security::Verdict::stale:
      return "message too old";
    case security::Verdict::from_future:
      return "message timestamp in the future";
    case security::Verdict::ok:
      break;
  }
  return "rejected";
}

// Twitch tier "1000" / "2000" / "3000" -> 1..3.
std::uint32_t tier_of(const json::object& e) {
  const auto t = int_at(e, "tier");
  return t >= 3000 ? 3 : t >= 2000 ? 2 : 1;
}

// Roles and stated tenure from a chat message's badges.
void read_badges(const json::object& e, ViewerFacts& facts) {
  const auto* badges = e.if_contains("badges");
  if (!badges || !badges->is_array()) return;
  for (const auto& b : badges->as_array()) {
    if (!b.is_object()) continue;
    const auto set = string_at(b.as_object(), "set_id");
    if (set == "subscriber" || set == "founder") {
      facts.subscriber = true;
      facts.loyalty_months = std::max(facts.loyalty_months, int_at(b.as_object(), "info"));
    } else if (set == "moderator" || set == "broadcaster") {
      facts.moderator = true;
    } else if (set == "vip") {
      facts.vip = true;
    }
  }
}

std::string message_text(const json::object& e) {
  if (const auto* m = object_at(e, "message")) return string_at(*m, "text");
  return string_at(e, "message");
}

// The Atom feed's topic: the rel="self" URL of the Link header the hub sends.
std::string websub_topic(std::string_view link_header) {
  std::size_t pos = 0;
  while (pos < link_header.size()) {
    const auto open = link_header.find('<', pos);
    if (open == std::string_view::npos) break;
    const auto close = link_header.find('>', open);
    if (close == std::string_view::npos) break;
    const auto next = link_header.find('<', close);
    const auto params =
        link_header.substr(close + 1, next == std::string_view::npos ? std::string_view::npos : next - close - 1);
    if (params.find("rel=\"self\"") != std::string_view::npos || params.find("rel=self") != std::string_view::npos) {
      return std::string(link_header.substr(open + 1, close - open - 1));
    }
    pos = close + 1;
  }
  return {};
}

std::string websub_pending_key(std::string_view mode, std::string_view topic) {
  return "stream:websub-pending:" + std::string(mode) + ":" +
         security::to_hex(security::hmac_sha256("onair.websub.pending", topic));
}

}  // namespace

bool StreamService::first_sighting(const std::string& id) {
  std::lock_guard lock(dedup_mutex_);
  return dedup_.first_sighting(id, security::DedupWindow::Clock::now());
}

// ---------------------------------------------------------------------------
// Twitch EventSub

Task<RawHttpResponse> StreamService::twitch_webhook(RawHttpRequest request) {
  if (request.body.size() > static_cast<std::size_t>(config_.webhook_max_body_bytes)) {
    count("twitch", "too_large");
    co_return reject(413, "body too large");
  }
  if (!twitch_key_) {
    count("twitch", "not_configured");
    co_return reject(403, "twitch webhooks are not configured");
  }
  const security::TwitchSignedHeaders headers{request.header("twitch-eventsub-message-id"),
                                              request.header("twitch-eventsub-message-timestamp"),
                                              request.header("twitch-eventsub-message-signature")};
  const auto verdict =
      security::verify_twitch_eventsub(*twitch_key_, headers, request.body, security::WallClock::now(), window_);
  if (verdict != security::Verdict::ok) {
    count("twitch", security::to_string(verdict));
    co_return reject(verdict_status(verdict), verdict_message(verdict));
  }
  const auto type = request.header("twitch-eventsub-message-type");
  if (type != "notification" && type != "webhook_callback_verification" && type != "revocation") {
    count("twitch", "malformed");
    co_return reject(400, "unknown message type");
  }
  ParseArena arena;  // before the payload: what is parsed into it must go first
  std::optional<gst::TwitchWebhookPayload> payload;
  {
    boost::system::error_code ec;
    auto body = json::parse(request.body, ec, arena.storage());
    if (!ec) {
      try {
        // The event object (most of the body; its schema is "an object") is moved aside while the
        // generated validator runs and moved back after, so the validator copies an empty object.
        std::optional<json::object> event;
        if (auto* root = body.if_object()) {
          if (auto* e = root->if_contains("event"); e && e->is_object()) event.emplace(std::move(e->as_object()));
        }
        payload = gst::TwitchWebhookPayload::from_json(body, "body");
        if (event) payload->event = std::move(*event);
      } catch (const std::exception&) {
        payload.reset();
      }
    }
  }
  if (!payload || (type == "notification" && !payload->event) ||
      (type == "webhook_callback_verification" && !payload->challenge)) {
    count("twitch", "malformed");
    co_return reject(400, "malformed body");
  }
  if (type == "webhook_callback_verification") {
    if (!co_await knows_twitch_subscription(*payload)) {
      count("twitch", "unknown_subscription");
      co_return reject(404, "unknown subscription");
    }
  }
  if (!first_sighting("twitch:" + std::string(headers.message_id))) {
    count("twitch", "duplicate");
    co_return empty(204);
  }
  if (type == "webhook_callback_verification") {
    count("twitch", "verification");
    RawHttpResponse answer{200, "text/plain", *payload->challenge, {}};
    co_return answer;
  }
  if (type == "revocation") co_return co_await twitch_revocation(*payload);
  co_return co_await twitch_notification(*payload);
}

Task<bool> StreamService::knows_twitch_subscription(const gst::TwitchWebhookPayload& payload) {
  const auto& type = payload.subscription.type;
  if (std::find(std::begin(kTwitchTypes), std::end(kTwitchTypes), type) == std::end(kTwitchTypes)) co_return false;
  if (!payload.subscription.condition) co_return false;
  auto broadcaster = string_at(*payload.subscription.condition, "broadcaster_user_id");
  if (broadcaster.empty()) broadcaster = string_at(*payload.subscription.condition, "to_broadcaster_user_id");
  if (broadcaster.empty()) co_return false;
  auto link = co_await store_.link_by_channel(gst::StreamPlatform::twitch, broadcaster);
  co_return link.has_value();
}

Task<RawHttpResponse> StreamService::twitch_revocation(const gst::TwitchWebhookPayload& payload) {
  const auto reason = payload.subscription.status.value_or("");
  count("twitch", "revocation");
  std::string broadcaster;
  if (payload.subscription.condition) {
    broadcaster = string_at(*payload.subscription.condition, "broadcaster_user_id");
    if (broadcaster.empty()) broadcaster = string_at(*payload.subscription.condition, "to_broadcaster_user_id");
  }
  log::warn("twitch subscription revoked",
            {{"subscriptionType", payload.subscription.type}, {"reason", reason.size() <= 64 ? reason : "(long)"}});
  if (broadcaster.empty() || (reason != "authorization_revoked" && reason != "user_removed")) co_return empty(200);
  auto link = co_await store_.link_by_channel(gst::StreamPlatform::twitch, broadcaster);
  if (link) co_await lose_authorization(link->link_id);
  co_return empty(200);
}

Task<RawHttpResponse> StreamService::twitch_notification(const gst::TwitchWebhookPayload& payload) {
  const auto& type = payload.subscription.type;
  const auto& e = *payload.event;
  auto broadcaster = string_at(e, "broadcaster_user_id");
  if (type == "channel.raid") broadcaster = string_at(e, "to_broadcaster_user_id");
  if (broadcaster.empty() && payload.subscription.condition) {
    broadcaster = string_at(*payload.subscription.condition, "broadcaster_user_id");
  }
  if (broadcaster.empty()) {
    count("twitch", "ignored");
    co_return empty(200);
  }
  if (type == "stream.online") {
    count("twitch", "accepted");
    auto link = co_await store_.link_by_channel(gst::StreamPlatform::twitch, broadcaster);
    if (!link || link->status != gst::PlatformLinkStatus::active) co_return empty(200);
    if (!co_await store_.active_session_of_link(link->link_id)) {
      co_await begin_session(*link, gst::PlatformSessionOrigin::detected, std::nullopt);
    }
    co_return empty(200);
  }
  if (type == "stream.offline") {
    count("twitch", "accepted");
    auto link = co_await store_.link_by_channel(gst::StreamPlatform::twitch, broadcaster);
    if (!link) co_return empty(200);
    if (auto active = co_await store_.active_session_of_link(link->link_id)) {
      co_await end_session(active->session_id, gst::PlatformSessionEndReason::stream_offline);
    }
    co_return empty(200);
  }
  auto state = co_await live_for_channel(gst::StreamPlatform::twitch, broadcaster);
  if (!state) {
    count("twitch", "no_session");
    co_return empty(200);
  }
  AudienceEvent event;
  sentiment::PlatformEvent platform_event;
  bool is_event = true;
  if (type == "channel.chat.message") {
    event.platform_user_id = string_at(e, "chatter_user_id");
    read_badges(e, event.facts);
    event.sentiment = classifier_->classify(message_text(e));
    is_event = false;
  } else if (type == "channel.subscribe") {
    event.platform_user_id = string_at(e, "user_id");
    event.facts.subscriber = true;
    platform_event = {sentiment::EventType::sub, tier_of(e)};
  } else if (type == "channel.subscription.message") {
    event.platform_user_id = string_at(e, "user_id");
    event.facts.subscriber = true;
    event.facts.loyalty_months = int_at(e, "cumulative_months");
    platform_event = {sentiment::EventType::resub, amount_of(int_at(e, "cumulative_months"))};
  } else if (type == "channel.subscription.gift") {
    if (const auto* anon = e.if_contains("is_anonymous"); !(anon && anon->is_bool() && anon->as_bool())) {
      event.platform_user_id = string_at(e, "user_id");
    }
    platform_event = {sentiment::EventType::gift, amount_of(std::max<std::int64_t>(1, int_at(e, "total")))};
  } else if (type == "channel.cheer") {
    if (const auto* anon = e.if_contains("is_anonymous"); !(anon && anon->is_bool() && anon->as_bool())) {
      event.platform_user_id = string_at(e, "user_id");
    }
    platform_event = {sentiment::EventType::cheer, amount_of(int_at(e, "bits"))};
  } else if (type == "channel.raid") {
    event.platform_user_id = string_at(e, "from_broadcaster_user_id");
    event.facts.raid_leader = true;
    platform_event = {sentiment::EventType::raid, amount_of(int_at(e, "viewers"))};
  } else if (type == "channel.follow") {
    event.platform_user_id = string_at(e, "user_id");
    platform_event = {sentiment::EventType::follow, 0};
  } else {
    count("twitch", "ignored");
    co_return empty(200);
  }
  if (is_event) {
    event.sentiment = sentiment::classify_event(platform_event);
    event.facts.activity = 3.0;
  }
  ingest(*state, event);
  count("twitch", "accepted");
  co_return empty(200);
}

// ---------------------------------------------------------------------------
// YouTube WebSub

Task<void> StreamService::expect_websub_verification(std::string mode, std::string topic) {
  co_await context_.state.set(websub_pending_key(mode, topic), "1",
                              std::chrono::duration_cast<infra::Ttl>(std::chrono::hours(1)));
}

Task<RawHttpResponse> StreamService::youtube_verification(RawHttpRequest request) {
  const auto mode = request.query_param("hub.mode");
  const auto topic = request.query_param("hub.topic");
  const auto challenge = request.query_param("hub.challenge");
  if (!mode || !topic || (*mode != "subscribe" && *mode != "unsubscribe")) {
    count("youtube", "unknown_topic");
    co_return reject(404, "unknown topic or mode");
  }
  if (!challenge || challenge->empty() || challenge->size() > 1024) {
    count("youtube", "malformed");
    co_return reject(400, "missing hub.challenge");
  }
  // Single use: only the request this node made is confirmed, once.
  if (!co_await context_.state.remove(websub_pending_key(*mode, *topic))) {
    count("youtube", "unknown_topic");
    co_return reject(404, "unknown topic or mode");
  }
  count("youtube", "verification");
  if (*mode == "subscribe") co_await record_granted_lease(*topic, request.query_param("hub.lease_seconds"));
  RawHttpResponse answer{200, "text/plain", *challenge, {}};
  co_return answer;
}

Task<RawHttpResponse> StreamService::youtube_webhook(RawHttpRequest request) {
  if (request.body.size() > static_cast<std::size_t>(config_.webhook_max_body_bytes)) {
    count("youtube", "too_large");
    co_return reject(413, "body too large");
  }
  const auto topic = websub_topic(request.header("link"));
  const auto signature = request.header("x-hub-signature");
  if (config_.you_tube_webhook_verification_token.empty() || topic.empty() || signature.empty()) {
    count("youtube", "rejected");
    co_return reject(403, "missing signature or unknown topic");
  }
  const auto secret = security::derive_websub_secret(config_.you_tube_webhook_verification_token, topic);
  const auto verdict = security::verify_websub(secret, signature, request.body);
  if (verdict != security::Verdict::ok) {
    count("youtube", security::to_string(verdict));
    co_return reject(403, verdict_message(verdict));
  }
  const auto first = request.body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || request.body[first] != '<') {
    count("youtube", "malformed");
    co_return reject(400, "malformed body");
  }
  // The live check of each announced video (youtube_live_check.cpp counts the outcomes).
  if (!youtube_poller_) co_return reject(503, "not started");
  if (co_await youtube_poller_->on_feed(topic, request.body) != 204) co_return reject(400, "malformed body");
  co_return empty(204);
}

// ---------------------------------------------------------------------------
// Custom platforms

Task<RawHttpResponse> StreamService::custom_webhook(RawHttpRequest request) {
  if (request.body.size() > static_cast<std::size_t>(config_.webhook_max_body_bytes)) {
    count("custom", "too_large");
    co_return reject(413, "body too large");
  }
  const security::CustomSignedHeaders headers{request.header("x-onair-link-id"), request.header("x-onair-delivery-id"),
                                              request.header("x-onair-timestamp"), request.header("x-onair-signature")};
  if (headers.link_id.empty() || headers.delivery_id.empty() || headers.timestamp.empty() ||
      headers.signature.empty()) {
    count("custom", "missing_header");
    co_return reject(400, "missing signature headers");
  }
  if (!is_uuid(headers.link_id)) {
    count("custom", "malformed_id");
    co_return reject(400, "malformed link id");
  }
  auto link = co_await store_.link(std::string(headers.link_id));
  std::optional<std::string> secret;
  if (link && link->platform == gst::StreamPlatform::custom && link->webhook_secret && cipher_) {
    secret = cipher_->open(*link->webhook_secret, security::token_associated_data(link->link_id, "webhook_secret"));
  }
  // An unknown link is answered like a bad signature; verification still runs (same work either way).
  const auto verdict = security::verify_custom_webhook(secret ? *secret : std::string(64, '0'), headers, request.body,
                                                       security::WallClock::now(), window_);
  if (verdict != security::Verdict::ok || !secret) {
    const auto v = verdict == security::Verdict::ok ? security::Verdict::bad_signature : verdict;
    count("custom", security::to_string(v));
    co_return reject(verdict_status(v), verdict_message(v));
  }
  std::optional<gst::CustomWebhookPayload> payload;
  {
    boost::system::error_code ec;
    auto body = json::parse(request.body, ec);
    if (!ec) {
      try {
        payload = gst::CustomWebhookPayload::from_json(body, "body");
      } catch (const std::exception&) {
        payload.reset();
      }
    }
  }
  if (!payload) {
    count("custom", "malformed");
    co_return reject(400, "malformed body");
  }
  if (!first_sighting("custom:" + link->link_id + ":" + std::string(headers.delivery_id))) {
    count("custom", "duplicate");
    co_return empty(204);
  }
  count("custom", "accepted");
  using T = gst::CustomWebhookEventType;
  if (payload->type == T::stream_online) {
    if (link->status == gst::PlatformLinkStatus::active) {
      if (!co_await store_.active_session_of_link(link->link_id)) {
        co_await begin_session(*link, gst::PlatformSessionOrigin::detected, std::nullopt);
      }
    }
    co_return empty(204);
  }
  if (payload->type == T::stream_offline) {
    if (auto active = co_await store_.active_session_of_link(link->link_id)) {
      co_await end_session(active->session_id, gst::PlatformSessionEndReason::stream_offline);
    }
    co_return empty(204);
  }
  StatePtr state;
  {
    std::lock_guard lock(mutex_);
    if (auto it = by_channel_.find("link:" + link->link_id); it != by_channel_.end()) {
      if (auto s = states_.find(it->second); s != states_.end()) state = s->second;
    }
  }
  if (!state) {
    if (auto active = co_await store_.active_session_of_link(link->link_id)) state = hold(*active);
  }
  if (!state) co_return empty(204);
  if (payload->type == T::viewer_count) {
    co_await set_viewers(state, payload->amount.value_or(0));
    co_return empty(204);
  }
  AudienceEvent event;
  event.platform_user_id = payload->viewer_id.value_or("");
  for (auto role : payload->viewer_roles) {
    using R = gst::CustomWebhookPayloadViewerRolesItem;
    if (role == R::subscriber) event.facts.subscriber = true;
    if (role == R::moderator) event.facts.moderator = true;
    if (role == R::vip) event.facts.vip = true;
  }
  const auto amount = amount_of(payload->amount.value_or(0));
  if (payload->type == T::chat_message) {
    event.sentiment = classifier_->classify(payload->text.value_or(""));
  } else {
    sentiment::PlatformEvent pe;
    pe.amount = amount;
    switch (payload->type) {
      case T::follow:
        pe.type = sentiment::EventType::follow;
        break;
      case T::sub:
        pe.type = sentiment::EventType::sub;
        event.facts.subscriber = true;
        break;
      case T::resub:
        pe.type = sentiment::EventType::resub;
        event.facts.subscriber = true;
        event.facts.loyalty_months = amount;
        break;
      case T::gift:
        pe.type = sentiment::EventType::gift;
        break;
      case T::cheer:
        pe.type = sentiment::EventType::cheer;
        break;
      default:
        pe.type = sentiment::EventType::raid;
        event.facts.raid_leader = true;
        break;
    }
    event.sentiment = sentiment::classify_event(pe);
    event.facts.activity = 3.0;
  }
  ingest(*state, event);
  co_return empty(204);
}

}  // namespace onair::stream
