#pragma once
// The stream service, input half (seed 000 "lib-stream", issue 5; docs/stream.md): platform
// links (OAuth with a single-use state, PKCE for YouTube, tokens sealed at rest), the
// platforms' webhooks (raw HTTP: Twitch EventSub, YouTube WebSub, custom), platform sessions
// (durable in SQL), and the sentiment pipeline: events -> classifier -> per-session buffer ->
// stream.audience.pulse. Privacy: platform user ids, names and chat text of the audience
// exist only inside ingest() and the per-session AudienceState (audience.hpp); they are
// never stored, logged, published or answered.
//
// Nodes: sessions are SQL records; the audience state of an active session lives in the
// memory of the node(s) its webhooks reach and is dropped when any node ends the session
// (stream.platform.session.ended is also consumed by every node for that).
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gen/stream/configuration.hpp"
#include "gen/stream/routes.hpp"
#include "platform/service.hpp"
#include "stream/security/dedup_window.hpp"
#include "stream/security/hmac_sha256_key.hpp"
#include "stream/security/token_cipher.hpp"
#include "stream/security/webhook_signature.hpp"
#include "stream/sentiment/classifier.hpp"
#include "stream/sentiment/events.hpp"
#include "stream/service/audience.hpp"
#include "stream/service/platform_http.hpp"
#include "stream/service/stream_store.hpp"

namespace onair::stream {

class SentimentBatchPublisher;
class YouTubeChatPoller;
class SessionCleanupWorker;
class PlatformAuth;
class TokenRefreshWorker;
class WebhookSubscriptionManager;
class TwitchViewerPoller;
class UpkeepStore;

// One event of the audience as the ingestion code sees it. Lives only for the call.
struct AudienceEvent {
  std::string platform_user_id;  // empty: anonymous
  ViewerFacts facts;
  sentiment::Sentiment sentiment;
};

class StreamService final : public platform::Service, public gst::StreamApi {
 public:
  using Caller = platform::CallContext;

  StreamService(platform::ServiceContext& context, gst::StreamConfiguration config);
  ~StreamService() override;

  std::string_view name() const override { return "stream"; }
  void register_routes(platform::RouteTable& routes) override;
  void register_raw_http(platform::RawHttpRoutes& routes) override;
  Task<void> start() override;
  Task<void> stop() override;

  Task<gst::LinkPlatformResponse> link_platform(gst::LinkPlatformRequest r, const Caller& c) override;
  Task<gst::PlatformLinkDetail> platform_callback(gst::PlatformCallbackRequest r, const Caller& c) override;
  Task<gen::common::EmptyResponse> unlink_platform(gst::UnlinkPlatformRequest r, const Caller& c) override;
  Task<gst::ListPlatformsResponse> list_platforms(gst::ListPlatformsRequest r, const Caller& c) override;
  Task<gst::PlatformSessionStatus> start_platform_session(gst::StartPlatformSessionRequest r, const Caller& c) override;
  Task<gst::PlatformSessionStatus> stop_platform_session(gst::StopPlatformSessionRequest r, const Caller& c) override;
  Task<gst::PlatformSessionStatus> associate_session(gst::AssociateSessionRequest r, const Caller& c) override;
  Task<gst::PlatformSessionStatus> get_platform_session_status(gst::PlatformSessionStatusRequest r,
                                                               const Caller& c) override;
  Task<gst::ListPlatformSessionsResponse> list_platform_sessions(gst::ListPlatformSessionsRequest r,
                                                                 const Caller& c) override;
  Task<gst::SentimentPulse> get_latest_pulse(gst::LatestPulseRequest r, const Caller& c) override;
  Task<gst::TestSentimentResponse> test_sentiment_processing(gst::TestSentimentRequest r, const Caller& c) override;

  // --- raw HTTP (webhooks) ------------------------------------------------------
  Task<platform::RawHttpResponse> twitch_webhook(platform::RawHttpRequest request);
  Task<platform::RawHttpResponse> youtube_verification(platform::RawHttpRequest request);
  Task<platform::RawHttpResponse> youtube_webhook(platform::RawHttpRequest request);
  Task<platform::RawHttpResponse> custom_webhook(platform::RawHttpRequest request);

  // --- workers, tests -----------------------------------------------------------
  // One SentimentBatchPublisher round: a pulse for every active session held here with at
  // least the min batch; returns how many were published.
  Task<std::size_t> publish_pulses();
  // YouTube live checks and chat polling of the YouTube sessions held here (youtube_chat_poller.hpp).
  YouTubeChatPoller& youtube_poller() { return *youtube_poller_; }
  // One SessionCleanupWorker round; returns the purged records.
  Task<std::int64_t> purge_ended_sessions();
  SentimentBatchPublisher& pulse_worker() { return *pulse_worker_; }
  SessionCleanupWorker& cleanup_worker() { return *cleanup_worker_; }
  StreamStore& store() { return store_; }
  infra::StateStore& state_store() { return context_.state; }
  const gst::StreamConfiguration& config() const noexcept { return config_; }
  // Tracked viewers of a session held here (nullopt: no audience state on this node).
  std::optional<std::size_t> tracked_viewers(const std::string& platform_session_id);
  std::optional<std::size_t> buffered_sentiments(const std::string& platform_session_id);
  // A WebSub (un)subscription this node asked the hub for: the hub's verification GET for
  // it is answered (the WebhookSubscriptionManager sets these; tests too).
  Task<void> expect_websub_verification(std::string mode, std::string topic);
  // A confirmed subscribe verification: the topic's lease record runs for what the hub granted
  // (hub.lease_seconds; nothing changes without a valid one).
  Task<void> record_granted_lease(const std::string& topic, std::optional<std::string> lease_seconds);
  // Seals with the configured key (tests check what is stored). Throws 503 without a key.
  const security::TokenCipher& cipher() const;
  bool has_cipher() const noexcept { return cipher_.has_value(); }

  // --- link upkeep (stream_service_upkeep.cpp; docs/stream.md "Token refresh", "Webhook subscriptions")
  TokenRefreshWorker& token_refresh_worker() { return *token_refresh_worker_; }
  WebhookSubscriptionManager& subscription_manager() { return *subscription_manager_; }
  TwitchViewerPoller& viewer_poller() { return *viewer_poller_; }
  PlatformAuth& platform_auth() { return *platform_auth_; }
  PlatformHttp& platform_http() { return *http_; }
  UpkeepStore& upkeep_store() { return *upkeep_store_; }
  // The platform took the link's authorization away (refused refresh token, EventSub revocation for
  // authorization_revoked / user_removed): its active session ends, it becomes needs_relink, its tokens
  // are dropped and stream.platform.unlinked (authorization_revoked) is published. False when the link
  // is gone or already needs relinking.
  Task<bool> lose_authorization(const std::string& link_id);
  // Active sessions of `platform` whose audience state this node holds.
  std::vector<SessionRecord> held_sessions(gst::StreamPlatform platform);
  // A platform's viewer count for a session held here; false when it is not held here.
  Task<bool> report_viewers(const std::string& platform_session_id, std::int64_t viewers);

 private:
  struct AudienceState {
    explicit AudienceState(SessionRecord r, const TrackingPolicy& policy, std::size_t capacity)
        : record(std::move(r)), viewers(policy), buffer(capacity) {}
    std::mutex mutex;
    SessionRecord record;
    TrackedViewers viewers;
    SentimentBuffer buffer;
  };
  using StatePtr = std::shared_ptr<AudienceState>;

  // Sessions.
  // nullopt when the link has an active session already (this node's or another's: the store
  // allows one per link), and then nothing is published.
  Task<std::optional<SessionRecord>> begin_session(const LinkRecord& link, gst::PlatformSessionOrigin origin,
                                                   std::optional<std::string> in_game_session_id);
  Task<SessionRecord> end_session(const std::string& session_id, gst::PlatformSessionEndReason reason);
  Task<SessionRecord> require_session(const std::string& id, const Caller& c);
  Task<LinkRecord> require_link(const std::string& id, const Caller& c);
  gst::PlatformSessionStatus status_of(const SessionRecord& r);
  StatePtr state_of(const std::string& session_id);
  StatePtr hold(const SessionRecord& r);
  void drop_state(const std::string& session_id);
  // The audience state of the active session of a channel, loading it from SQL on a miss.
  Task<StatePtr> live_for_channel(gst::StreamPlatform platform, const std::string& channel_id);
  void ingest(AudienceState& state, AudienceEvent& event);
  Task<void> set_viewers(const StatePtr& state, std::int64_t viewers);

  // Webhooks.
  Task<platform::RawHttpResponse> twitch_notification(const gst::TwitchWebhookPayload& payload);
  Task<platform::RawHttpResponse> twitch_revocation(const gst::TwitchWebhookPayload& payload);
  Task<bool> knows_twitch_subscription(const gst::TwitchWebhookPayload& payload);
  bool first_sighting(const std::string& id);

  // Linking.
  Task<gst::PlatformLinkDetail> link_detail(const LinkRecord& r);
  std::string redirect_uri() const;
  Task<void> publish_linked(const LinkRecord& r);
  Task<void> publish_unlinked(const LinkRecord& r, gst::StreamPlatformUnlinkedEventReason reason);
  // Link upkeep around linking: subscriptions made / deleted, tokens revoked at the platform on unlink.
  Task<void> after_platform_link(const LinkRecord& r);
  Task<void> before_platform_unlink(const LinkRecord& r);
  Task<void> start_upkeep();  // migrations, then the upkeep workers
  void stop_upkeep();

  Task<void> publish(std::string_view topic, const boost::json::value& body);
  // The owner's sockets hear of link and session changes (owner_events.hpp); best effort, a failure
  // is logged and never undoes the change.
  Task<void> tell_owner(const std::string& account_id, std::string event_json);
  Task<void> tell_owner_session(const SessionRecord& r);
  std::int64_t now_ms() const;

  platform::ServiceContext& context_;
  gst::StreamConfiguration config_;
  StreamStore store_;
  TrackingPolicy policy_;
  std::optional<security::TokenCipher> cipher_;
  std::unique_ptr<sentiment::Classifier> classifier_;
  std::unique_ptr<PlatformHttp> http_;
  security::ReplayWindow window_;
  std::unique_ptr<security::HmacSha256Key> twitch_key_;  // STREAM_TWITCH_WEBHOOK_SECRET keyed once (null: unset)

  std::mutex dedup_mutex_;
  security::DedupWindow dedup_;

  std::mutex mutex_;                        // guards states_, by_channel_ (never taken while holding a state's mutex)
  std::map<std::string, StatePtr> states_;  // session id -> audience state
  std::map<std::string, std::string> by_channel_;  // "<platform>:<channel id>" -> session id
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;

  std::unique_ptr<SentimentBatchPublisher> pulse_worker_;
  std::unique_ptr<SessionCleanupWorker> cleanup_worker_;
  std::unique_ptr<UpkeepStore> upkeep_store_;
  std::unique_ptr<PlatformAuth> platform_auth_;  // before the workers that use it (destroyed after them)
  std::unique_ptr<TokenRefreshWorker> token_refresh_worker_;
  std::unique_ptr<WebhookSubscriptionManager> subscription_manager_;
  std::unique_ptr<TwitchViewerPoller> viewer_poller_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  // Last: its loops use everything above, so it goes first.
  std::unique_ptr<YouTubeChatPoller> youtube_poller_;
  friend class YouTubeChatPoller;  // ingest, sessions and the platform client (youtube_chat_poller.hpp)
};

bool is_admin(const platform::CallContext& caller);

}  // namespace onair::stream
