#pragma once
// WebhookSubscriptionManager (seed 000 "Background Services"; docs/stream.md, "Webhook subscriptions"):
// keeps the platforms calling onair's webhooks for every active link.
//  Twitch   the 8 EventSub webhook subscriptions of twitch_eventsub_plan.hpp, created with the app
//           access token and the callback <STREAM_PUBLIC_BASE_URL>/stream/webhook/twitch.
//  YouTube  the channel feed's WebSub subscription at STREAM_WEBSUB_HUB_URL with hub.lease_seconds =
//           STREAM_WEBSUB_LEASE_SECONDS and the topic's derived hub.secret, renewed when a fifth is left.
// ensure_link() runs when a link is made, drop_link() when it is removed (subscriptions deleted,
// unsubscribed); every STREAM_WEBHOOK_SUBSCRIPTION_CHECK_INTERVAL_SECONDS a sweep (one node at a time,
// lock "stream:webhook-subscriptions") re-creates missing / failed / revoked ones, renews leases, deletes
// the ones of links that are gone or need relinking, and marks a link whose subscriptions Twitch revoked
// for authorization_revoked / user_removed (a revocation message onair missed). Ids, statuses and lease
// ends are recorded in SQL (UpkeepStore).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "stream/service/stream_store.hpp"
#include "stream/service/twitch_eventsub_plan.hpp"
#include "stream/service/workers.hpp"

namespace onair::stream {

class PlatformAuth;

class WebhookSubscriptionManager final : public PeriodicWorker {
 public:
  WebhookSubscriptionManager(platform::ServiceContext& context, StreamService& service, PlatformAuth& auth);
  ~WebhookSubscriptionManager() override { stop(); }

  struct Summary {
    bool ran = false;              // false: another node held the lock
    std::size_t created = 0;       // EventSub subscriptions created
    std::size_t removed = 0;       // EventSub subscriptions deleted
    std::size_t subscribed = 0;    // WebSub (re)subscriptions requested
    std::size_t unsubscribed = 0;  // WebSub unsubscriptions requested
    std::size_t links_marked = 0;  // links that lost their authorization
  };
  Task<Summary> run_once();
  // A link was made (or made again): its subscriptions now. Errors are logged; the sweep repairs.
  Task<Summary> ensure_link(const LinkRecord& link);
  // A link is being removed: its subscriptions go.
  Task<Summary> drop_link(const LinkRecord& link);

  // What each platform needs configured (else that platform is skipped, said once in the log at start).
  bool twitch_ready() const;
  bool youtube_ready() const;

 protected:
  Task<void> round() override;

 private:
  Task<void> sweep(Summary& out);
  Task<void> sweep_twitch(Summary& out);
  Task<void> sweep_youtube(Summary& out);
  // The subscriptions with onair's callback (all, or those naming `user_id`); nullopt when Helix failed.
  Task<std::optional<std::vector<EventSubSubscription>>> list_twitch(std::optional<std::string> user_id);
  Task<void> apply_twitch(const LinkRecord& link, const std::vector<EventSubSubscription>& existing, Summary& out);
  Task<bool> create_twitch(const LinkRecord& link, const EventSubSpec& spec);
  Task<bool> delete_twitch(const std::string& subscription_id);
  Task<bool> websub(const LinkRecord& link, const std::string& mode);
  std::string twitch_callback() const;
  std::string youtube_callback() const;

  platform::ServiceContext& context_;
  StreamService& service_;
  PlatformAuth& auth_;
};

}  // namespace onair::stream
