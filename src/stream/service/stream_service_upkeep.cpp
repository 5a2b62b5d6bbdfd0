// Link upkeep of the stream service (docs/stream.md, "Token refresh", "Webhook subscriptions", "Twitch
// viewer counts"): the workers' lifecycle, what happens when a platform takes a link's authorization
// away, and the hooks around linking and unlinking.
#include <algorithm>

#include "core/logging.hpp"
#include "stream/service/platform_auth.hpp"
#include "stream/service/stream_service.hpp"
#include "stream/service/token_refresh_worker.hpp"
#include "stream/service/twitch_viewer_poller.hpp"
#include "stream/service/upkeep_store.hpp"
#include "stream/service/webhook_subscription_manager.hpp"
#include "stream/service/websub_lease.hpp"

namespace onair::stream {

Task<void> StreamService::start_upkeep() {
  upkeep_store_ = std::make_unique<UpkeepStore>(context_.sql);
  co_await upkeep_store_->migrate();
  platform_auth_ = std::make_unique<PlatformAuth>(*this, *http_);
  token_refresh_worker_ = std::make_unique<TokenRefreshWorker>(context_, *this, *platform_auth_);
  subscription_manager_ = std::make_unique<WebhookSubscriptionManager>(context_, *this, *platform_auth_);
  viewer_poller_ = std::make_unique<TwitchViewerPoller>(context_, *this, *platform_auth_);
  if (!subscription_manager_->twitch_ready() && !config_.twitch_client_id.empty()) {
    log::warn(
        "twitch EventSub subscriptions are off: they need STREAM_PUBLIC_BASE_URL, STREAM_TWITCH_CLIENT_SECRET and "
        "STREAM_TWITCH_WEBHOOK_SECRET (10 to 100 characters)");
  }
  if (!subscription_manager_->youtube_ready() && !config_.you_tube_client_id.empty()) {
    log::warn(
        "youtube WebSub subscriptions are off: they need STREAM_PUBLIC_BASE_URL and STREAM_YOUTUBE_WEBHOOK_TOKEN");
  }
  token_refresh_worker_->start();
  subscription_manager_->start();
  viewer_poller_->start();
}

void StreamService::stop_upkeep() {
  if (token_refresh_worker_) token_refresh_worker_->stop();
  if (subscription_manager_) subscription_manager_->stop();
  if (viewer_poller_) viewer_poller_->stop();
}

Task<bool> StreamService::lose_authorization(const std::string& link_id) {
  auto link = co_await store_.link(link_id);
  if (!link || link->status != gst::PlatformLinkStatus::active) co_return false;
  if (auto active = co_await store_.active_session_of_link(link->link_id)) {
    co_await end_session(active->session_id, gst::PlatformSessionEndReason::link_removed);
  }
  link->status = gst::PlatformLinkStatus::needs_relink;
  link->access_token.reset();
  link->refresh_token.reset();
  link->token_expires_ms = 0;
  link->token_expires_at.reset();
  co_await store_.update_link(*link);
  co_await publish_unlinked(*link, gst::StreamPlatformUnlinkedEventReason::authorization_revoked);
  log::warn("platform link lost its authorization: needs relinking",
            {{"linkId", link->link_id}, {"platform", gst::to_string(link->platform)}});
  co_return true;
}

Task<void> StreamService::record_granted_lease(const std::string& topic, std::optional<std::string> lease_seconds) {
  const auto granted = granted_lease_seconds(lease_seconds, config_.web_sub_lease_seconds);
  if (!granted || !upkeep_store_) co_return;
  const auto seconds = *granted;
  const auto now = now_ms();
  try {
    auto records = co_await upkeep_store_->of_platform("youtube");
    for (auto& r : records) {
      if (r.topic != topic || r.status != "requested") continue;
      r.updated_ms = now;
      r.expires_ms = now + seconds * 1000;
      co_await upkeep_store_->put(r);
    }
  } catch (const std::exception& e) {
    // The challenge is still answered (the subscription stands); the asked-for lease stays on record.
    log::warn("websub granted lease not recorded", {{"error", e.what()}});
  }
}

std::vector<SessionRecord> StreamService::held_sessions(gst::StreamPlatform platform) {
  std::vector<StatePtr> states;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, state] : states_) states.push_back(state);
  }
  std::vector<SessionRecord> out;
  for (const auto& state : states) {
    std::lock_guard lock(state->mutex);
    if (state->record.platform == platform && state->record.state == gst::PlatformSessionState::active) {
      out.push_back(state->record);
    }
  }
  return out;
}

Task<bool> StreamService::report_viewers(const std::string& platform_session_id, std::int64_t viewers) {
  auto state = state_of(platform_session_id);
  if (!state) co_return false;
  co_await set_viewers(state, std::max<std::int64_t>(0, viewers));
  co_return true;
}

Task<void> StreamService::after_platform_link(const LinkRecord& r) {
  if (!subscription_manager_ || r.platform == gst::StreamPlatform::custom) co_return;
  // The token was just used to read the identity: Twitch's validation clock starts now.
  if (r.platform == gst::StreamPlatform::twitch) co_await upkeep_store_->set_validated(r.link_id, now_ms());
  try {
    (void)co_await subscription_manager_->ensure_link(r);
  } catch (const std::exception& e) {
    // The link stands; the next sweep creates what is missing.
    log::warn("webhook subscriptions of a new link failed; the sweep retries",
              {{"linkId", r.link_id}, {"error", e.what()}});
  }
}

Task<void> StreamService::before_platform_unlink(const LinkRecord& r) {
  if (!subscription_manager_ || r.platform == gst::StreamPlatform::custom) co_return;
  try {
    (void)co_await subscription_manager_->drop_link(r);
    // Subscriptions first: revoking the grant makes Twitch revoke (and announce) the scoped ones.
    co_await platform_auth_->revoke(r);
  } catch (const std::exception& e) {
    // Unlinking goes on; orphaned subscriptions are deleted by the sweep.
    log::warn("cleanup at the platform on unlink failed", {{"linkId", r.link_id}, {"error", e.what()}});
  }
}

}  // namespace onair::stream
