#pragma once
// Which EventSub subscriptions a Twitch link needs, and what to do about the ones Twitch holds.
// Pure (no I/O): the WebhookSubscriptionManager lists, plans with these, then creates and deletes.
// Contracts: https://dev.twitch.tv/docs/eventsub/eventsub-subscription-types/ (types, versions,
// conditions), https://dev.twitch.tv/docs/api/reference/#get-eventsub-subscriptions (statuses).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onair::stream {

struct EventSubSpec {
  std::string type;
  std::string version;
  std::map<std::string, std::string> condition;
};

// The 8 subscriptions of a linked broadcaster: stream.online / .offline, channel.chat.message (read as
// the broadcaster: user_id = broadcaster, who granted user:read:chat, user:bot and channel:bot),
// channel.subscribe, channel.subscription.message, channel.cheer, channel.raid (to the broadcaster)
// and channel.follow version 2 (the broadcaster as its own moderator).
std::vector<EventSubSpec> twitch_subscriptions_for(const std::string& broadcaster_id);

// One subscription as Helix lists it.
struct EventSubSubscription {
  std::string id;
  std::string type;
  std::string version;
  std::string status;
  std::string callback;
  std::map<std::string, std::string> condition;
};

struct EventSubPage {
  std::vector<EventSubSubscription> data;
  std::optional<std::string> cursor;  // pagination.cursor: more pages follow
};

// GET /helix/eventsub/subscriptions (also the 202 of a create: data holds the new one). nullopt: not the shape.
std::optional<EventSubPage> parse_eventsub_page(std::string_view body);

// The JSON body of POST /helix/eventsub/subscriptions with the webhook transport.
std::string eventsub_create_body(const EventSubSpec& spec, const std::string& callback, const std::string& secret);

// The channel a subscription is about: broadcaster_user_id, else to_broadcaster_user_id (raids).
std::string broadcaster_of(const EventSubSubscription& s);

// enabled, or created and waiting for the callback verification: leave it alone.
bool eventsub_healthy(std::string_view status);
// The user took the authorization away: the link must be relinked; re-creating would only fail.
bool eventsub_authorization_lost(std::string_view status);

struct EventSubPlan {
  bool authorization_lost = false;  // mark the link; `remove` then holds every subscription of it
  std::vector<EventSubSpec> create;
  std::vector<std::string> remove;  // subscription ids
  std::vector<EventSubSubscription> kept;
};

// `existing`: the subscriptions Twitch holds for this broadcaster with onair's callback. A wanted one
// that is healthy is kept (its duplicates removed); one in any other state (verification failed,
// notification_failures_exceeded, version_removed, ...) is removed and created again; a missing one is
// created; one onair does not want (e.g. an old version) is removed.
EventSubPlan plan_eventsub(const std::string& broadcaster_id, const std::vector<EventSubSubscription>& existing);

}  // namespace onair::stream
