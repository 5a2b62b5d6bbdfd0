#include "stream/service/webhook_subscription_manager.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "core/logging.hpp"
#include "stream/security/webhook_signature.hpp"
#include "stream/service/node_lock.hpp"
#include "stream/service/platform_auth.hpp"
#include "stream/service/stream_service.hpp"
#include "stream/service/upkeep_store.hpp"
#include "stream/service/websub_lease.hpp"
#include "stream/service/youtube_feed.hpp"

namespace onair::stream {

namespace {

constexpr std::string_view kWebSubKind = "websub";
const std::string kSubscribe = "subscribe";
const std::string kUnsubscribe = "unsubscribe";
constexpr int kMaxListPages = 100;  // 100 subscriptions a page: 10 000 is far beyond one deployment's links

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

SubscriptionRecord twitch_record(const LinkRecord& link, const EventSubSubscription& s) {
  SubscriptionRecord r;
  r.link_id = link.link_id;
  r.kind = s.type;
  r.platform = "twitch";
  r.external_id = s.id;
  r.status = s.status;
  r.updated_ms = wall_ms();
  return r;
}

}  // namespace

WebhookSubscriptionManager::WebhookSubscriptionManager(platform::ServiceContext& context, StreamService& service,
                                                       PlatformAuth& auth)
    : PeriodicWorker(context, "WebhookSubscriptionManager",
                     std::chrono::seconds(service.config().webhook_subscription_check_interval_seconds)),
      context_(context),
      service_(service),
      auth_(auth) {}

bool WebhookSubscriptionManager::twitch_ready() const {
  const auto& c = service_.config();
  // Twitch's rule for the transport secret: 10 to 100 ASCII characters.
  return !c.public_base_url.empty() && !c.twitch_client_id.empty() && !c.twitch_client_secret.empty() &&
         c.twitch_webhook_secret.size() >= 10 && c.twitch_webhook_secret.size() <= 100;
}

bool WebhookSubscriptionManager::youtube_ready() const {
  const auto& c = service_.config();
  return !c.public_base_url.empty() && !c.you_tube_webhook_verification_token.empty();
}

std::string WebhookSubscriptionManager::twitch_callback() const {
  return trim_slash(service_.config().public_base_url) + "/stream/webhook/twitch";
}

std::string WebhookSubscriptionManager::youtube_callback() const {
  return trim_slash(service_.config().public_base_url) + "/stream/webhook/youtube";
}

Task<void> WebhookSubscriptionManager::round() { (void)co_await run_once(); }

Task<WebhookSubscriptionManager::Summary> WebhookSubscriptionManager::run_once() {
  Summary out;
  const auto ttl = std::chrono::seconds(
      std::max<std::int64_t>(120, 2 * service_.config().webhook_subscription_check_interval_seconds));
  auto work = [this, &out]() -> Task<void> { co_await sweep(out); };
  out.ran = co_await run_exclusively(context_, "stream:webhook-subscriptions", ttl, work);
  co_return out;
}

Task<void> WebhookSubscriptionManager::sweep(Summary& out) {
  if (twitch_ready()) co_await sweep_twitch(out);
  if (youtube_ready()) co_await sweep_youtube(out);
}

// ---------------------------------------------------------------------------------------------- Twitch

Task<std::optional<std::vector<EventSubSubscription>>> WebhookSubscriptionManager::list_twitch(
    std::optional<std::string> user_id) {
  const auto base = trim_slash(service_.config().twitch_api_base_url) + "/helix/eventsub/subscriptions";
  const auto callback = twitch_callback();
  std::vector<EventSubSubscription> ours;
  std::optional<std::string> cursor;
  for (int page = 0; page < kMaxListPages; ++page) {
    std::string url = base;
    char sep = '?';
    if (user_id) {
      url += "?user_id=" + PlatformHttp::url_encode(*user_id);
      sep = '&';
    }
    if (cursor) url += sep + std::string("after=") + PlatformHttp::url_encode(*cursor);
    PlatformRequest request{"GET", std::move(url), {}, {}};
    const auto reply = co_await auth_.app_call(std::move(request));
    auto parsed = reply.status == 200 ? parse_eventsub_page(reply.body) : std::nullopt;
    if (!parsed) {
      log::warn("twitch eventsub subscriptions could not be listed", {{"status", std::to_string(reply.status)}});
      co_return std::nullopt;
    }
    for (auto& s : parsed->data) {
      if (s.callback == callback) ours.push_back(std::move(s));
    }
    if (!parsed->cursor) co_return ours;
    cursor = std::move(parsed->cursor);
  }
  co_return ours;
}

Task<bool> WebhookSubscriptionManager::create_twitch(const LinkRecord& link, const EventSubSpec& spec) {
  PlatformRequest request{"POST", trim_slash(service_.config().twitch_api_base_url) + "/helix/eventsub/subscriptions",
                          eventsub_create_body(spec, twitch_callback(), service_.config().twitch_webhook_secret),
                          "application/json"};
  const auto reply = co_await auth_.app_call(std::move(request));
  if (reply.status == 202) {
    auto page = parse_eventsub_page(reply.body);
    if (page && !page->data.empty()) {
      const auto record = twitch_record(link, page->data.front());
      co_await service_.upkeep_store().put(record);
    }
    co_return true;
  }
  // 409: the same subscription exists (a concurrent create); 403: the user never granted the scope.
  log::warn("twitch eventsub subscription not created",
            {{"linkId", link.link_id}, {"subscriptionType", spec.type}, {"status", std::to_string(reply.status)}});
  co_return reply.status == 409;
}

Task<bool> WebhookSubscriptionManager::delete_twitch(const std::string& subscription_id) {
  PlatformRequest request{"DELETE",
                          trim_slash(service_.config().twitch_api_base_url) +
                              "/helix/eventsub/subscriptions?id=" + PlatformHttp::url_encode(subscription_id),
                          {},
                          {}};
  const auto reply = co_await auth_.app_call(std::move(request));
  if (reply.status == 204 || reply.status == 404) co_return true;
  log::warn("twitch eventsub subscription not deleted", {{"status", std::to_string(reply.status)}});
  co_return false;
}

Task<void> WebhookSubscriptionManager::apply_twitch(const LinkRecord& link,
                                                    const std::vector<EventSubSubscription>& existing, Summary& out) {
  const auto plan = plan_eventsub(*link.channel_id, existing);
  if (plan.authorization_lost) {
    log::warn("twitch revoked the link's eventsub subscriptions (authorization)", {{"linkId", link.link_id}});
    const bool marked = co_await service_.lose_authorization(link.link_id);
    if (marked) ++out.links_marked;
  }
  for (const auto& id : plan.remove) {
    const bool deleted = co_await delete_twitch(id);
    if (deleted) ++out.removed;
  }
  if (plan.authorization_lost) {
    co_await service_.upkeep_store().forget_link(link.link_id);
    co_return;
  }
  for (const auto& kept : plan.kept) {
    const auto record = twitch_record(link, kept);
    co_await service_.upkeep_store().put(record);
  }
  for (const auto& spec : plan.create) {
    const bool created = co_await create_twitch(link, spec);
    if (created) ++out.created;
  }
}

Task<void> WebhookSubscriptionManager::sweep_twitch(Summary& out) {
  auto listed = co_await list_twitch(std::nullopt);
  if (!listed) co_return;
  std::map<std::string, std::vector<EventSubSubscription>> by_broadcaster;
  for (auto& s : *listed) by_broadcaster[broadcaster_of(s)].push_back(std::move(s));
  const auto links = co_await service_.store().active_links(gst::StreamPlatform::twitch);
  std::set<std::string> live_links;
  for (const auto& link : links) {
    // An active link holds tokens (a callback stored them; losing them makes it needs_relink): one without is
    // not a usable link and is not kept subscribed.
    if (!link.channel_id || !link.access_token) continue;
    live_links.insert(link.link_id);
    auto it = by_broadcaster.find(*link.channel_id);
    std::vector<EventSubSubscription> existing;
    if (it != by_broadcaster.end()) {
      existing = std::move(it->second);
      by_broadcaster.erase(it);
    }
    co_await apply_twitch(link, existing, out);
  }
  // Subscriptions of channels without an active link (unlinked, needs relinking): nothing reads them.
  for (const auto& entry : by_broadcaster) {
    for (const auto& s : entry.second) {
      const bool deleted = co_await delete_twitch(s.id);
      if (deleted) ++out.removed;
    }
  }
  const std::string platform = "twitch";
  const auto recorded = co_await service_.upkeep_store().of_platform(platform);
  for (const auto& r : recorded) {
    if (!live_links.contains(r.link_id)) co_await service_.upkeep_store().remove(r.link_id, r.kind);
  }
}

// --------------------------------------------------------------------------------------------- YouTube

Task<bool> WebhookSubscriptionManager::websub(const LinkRecord& link, const std::string& mode) {
  const auto& c = service_.config();
  const auto topic = youtube_topic_of(*link.channel_id);
  // The hub's verification GET is answered only for what this service asked for.
  co_await service_.expect_websub_verification(mode, topic);
  PlatformHttp::Fields form{
      {"hub.callback", youtube_callback()}, {"hub.mode", mode}, {"hub.topic", topic}, {"hub.verify", "async"}};
  SubscriptionRecord r;
  if (mode == "subscribe") {
    form.emplace_back("hub.lease_seconds", std::to_string(c.web_sub_lease_seconds));
    form.emplace_back("hub.secret", security::derive_websub_secret(c.you_tube_webhook_verification_token, topic));
    // Written before asking: the hub's verification (which may come before its answer is read here)
    // replaces the lease with the one it granted (StreamService::youtube_verification).
    r.link_id = link.link_id;
    r.kind = std::string(kWebSubKind);
    r.platform = "youtube";
    r.topic = topic;
    r.status = "requested";
    r.updated_ms = wall_ms();
    r.expires_ms = r.updated_ms + c.web_sub_lease_seconds * 1000;
    co_await service_.upkeep_store().put(r);
  }
  const auto reply =
      co_await service_.platform_http().post_form(trim_slash(c.web_sub_hub_url) + "/subscribe", std::move(form));
  const bool accepted = reply.status == 202 || reply.status == 204;
  if (!accepted) {
    log::warn("websub request not accepted by the hub",
              {{"linkId", link.link_id}, {"mode", mode}, {"status", std::to_string(reply.status)}});
    if (mode == "subscribe") {
      // Retried by the next sweep.
      r.status = "failed";
      r.updated_ms = wall_ms();
      r.expires_ms = 0;
      co_await service_.upkeep_store().put(r);
    }
  }
  co_return accepted;
}

Task<void> WebhookSubscriptionManager::sweep_youtube(Summary& out) {
  const auto links = co_await service_.store().active_links(gst::StreamPlatform::youtube);
  std::map<std::string, SubscriptionRecord> records;
  const std::string platform = "youtube";
  auto recorded = co_await service_.upkeep_store().of_platform(platform);
  for (auto& r : recorded) records[r.link_id] = std::move(r);
  for (const auto& link : links) {
    if (!link.channel_id || !link.access_token) continue;
    auto it = records.find(link.link_id);
    // The lease's length is the one granted (or, before the hub's verification, asked for).
    const bool due =
        it == records.end() || it->second.status != "requested" ||
        lease_renewal_due(it->second.expires_ms, (it->second.expires_ms - it->second.updated_ms) / 1000, wall_ms());
    if (it != records.end()) records.erase(it);
    if (!due) continue;
    const bool requested = co_await websub(link, kSubscribe);
    if (requested) ++out.subscribed;
  }
  // Records of links that are gone or need relinking.
  for (const auto& entry : records) {
    const auto& r = entry.second;
    if (r.topic && !youtube_topic_channel(*r.topic).empty()) {
      LinkRecord gone;
      gone.link_id = r.link_id;
      gone.channel_id = youtube_topic_channel(*r.topic);
      const bool requested = co_await websub(gone, kUnsubscribe);
      if (requested) ++out.unsubscribed;
    }
    co_await service_.upkeep_store().remove(r.link_id, r.kind);
  }
}

// ------------------------------------------------------------------------------------ link / unlink

Task<WebhookSubscriptionManager::Summary> WebhookSubscriptionManager::ensure_link(const LinkRecord& link) {
  Summary out;
  out.ran = true;
  if (!link.channel_id || !link.access_token || link.status != gst::PlatformLinkStatus::active) co_return out;
  if (link.platform == gst::StreamPlatform::twitch && twitch_ready()) {
    auto listed = co_await list_twitch(*link.channel_id);
    if (listed) {
      std::vector<EventSubSubscription> mine;
      for (auto& s : *listed) {
        if (broadcaster_of(s) == *link.channel_id) mine.push_back(std::move(s));
      }
      co_await apply_twitch(link, mine, out);
    }
  } else if (link.platform == gst::StreamPlatform::youtube && youtube_ready()) {
    const bool requested = co_await websub(link, kSubscribe);
    if (requested) ++out.subscribed;
  }
  co_return out;
}

Task<WebhookSubscriptionManager::Summary> WebhookSubscriptionManager::drop_link(const LinkRecord& link) {
  Summary out;
  out.ran = true;
  const bool twitch = link.channel_id && link.platform == gst::StreamPlatform::twitch && twitch_ready();
  const bool youtube = link.channel_id && link.platform == gst::StreamPlatform::youtube && youtube_ready();
  if (twitch) {
    const auto listed = co_await list_twitch(*link.channel_id);
    std::vector<std::string> ids;
    if (listed) {
      for (const auto& s : *listed) {
        if (broadcaster_of(s) == *link.channel_id) ids.push_back(s.id);
      }
    }
    for (const auto& id : ids) {
      const bool deleted = co_await delete_twitch(id);
      if (deleted) ++out.removed;
    }
  } else if (youtube) {
    const bool requested = co_await websub(link, kUnsubscribe);
    if (requested) ++out.unsubscribed;
  }
  co_await service_.upkeep_store().forget_link(link.link_id);
  co_return out;
}

}  // namespace onair::stream
