#include "stream/service/stream_service.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "gen/stream/topics.hpp"
#include "stream/sentiment/lexicon_loader.hpp"
#include "stream/service/owner_events.hpp"
#include "stream/service/platform_auth.hpp"
#include "stream/service/token_refresh_worker.hpp"
#include "stream/service/twitch_viewer_poller.hpp"
#include "stream/service/upkeep_store.hpp"
#include "stream/service/webhook_subscription_manager.hpp"
#include "stream/service/workers.hpp"
#include "stream/service/youtube_chat_poller.hpp"

#ifndef ONAIR_DEFAULT_SENTIMENT_DIR
#define ONAIR_DEFAULT_SENTIMENT_DIR "data/sentiment"
#endif

namespace onair::stream {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPulseKeyPrefix = "stream:pulse:";
constexpr auto kLatestPulseTtl = std::chrono::hours(24);

std::string channel_key(gst::StreamPlatform platform, const std::string& channel_id) {
  return std::string(gst::to_string(platform)) + ":" + channel_id;
}

sentiment::Lexicon load_lexicon_for(const std::string& configured) {
  if (!configured.empty()) return sentiment::load_lexicon(configured);
  for (const fs::path& dir : {fs::path("data/sentiment"), fs::path(ONAIR_DEFAULT_SENTIMENT_DIR)}) {
    std::error_code ec;
    if (fs::exists(dir / sentiment::kLexiconFiles[0], ec)) return sentiment::load_lexicon(dir);
  }
  log::warn("no sentiment lexicon found (set STREAM_SENTIMENT_LEXICON_DIR); chat is classified without one");
  return sentiment::Lexicon::build({});
}

gst::SentimentCategory category_of(sentiment::Category c) {
  return static_cast<gst::SentimentCategory>(static_cast<int>(c));
}

gst::TestSentimentResult result_of(const sentiment::Sentiment& s) {
  gst::TestSentimentResult r;
  r.category = category_of(s.category);
  r.intensity = std::clamp(static_cast<double>(s.intensity), 0.0, 1.0);
  r.evidence = s.evidence;
  return r;
}

bool truthy(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "1" || s == "true" || s == "yes" || s == "on";
}

}  // namespace

bool is_admin(const platform::CallContext& caller) {
  for (const auto& role : caller.roles) {
    if (role == "admin" || role == "service") return true;
  }
  return false;
}

StreamService::StreamService(platform::ServiceContext& context, gst::StreamConfiguration config)
    : context_(context),
      config_(std::move(config)),
      store_(context.sql),
      dedup_(std::chrono::seconds(config_.webhook_max_message_age_seconds + config_.webhook_max_future_skew_seconds),
             static_cast<std::size_t>(config_.webhook_dedup_max_entries)),
      rng_(std::random_device{}()) {
  policy_.max_tracked = static_cast<std::size_t>(config_.max_tracked_viewers_per_session);
  policy_.engagement_threshold = config_.tracked_viewer_engagement_threshold;
  policy_.subscribers = config_.track_subscribers;
  policy_.moderators = config_.track_moderators;
  policy_.raid_leaders = config_.track_raid_leaders;
  policy_.vips = config_.track_vips;
  policy_.returners = config_.track_returners;
  window_.max_age = std::chrono::seconds(config_.webhook_max_message_age_seconds);
  window_.max_future_skew = std::chrono::seconds(config_.webhook_max_future_skew_seconds);
  if (!config_.twitch_webhook_secret.empty()) {
    twitch_key_ = std::make_unique<security::HmacSha256Key>(config_.twitch_webhook_secret);
  }
  if (config_.token_encryption_key) {
    // Throws std::invalid_argument without the value in the message: startup stops.
    cipher_ = security::TokenCipher::from_key_text(*config_.token_encryption_key);
  } else if (context_.env && truthy(context_.env("ONAIR_DEVELOPMENT_MODE"))) {
    log::warn(
        "STREAM_TOKEN_ENCRYPTION_KEY is not set: development mode seals platform tokens with a fixed public key; "
        "never use this with real accounts");
    cipher_ = security::TokenCipher::development();
  }
  classifier_ = std::make_unique<sentiment::Classifier>(load_lexicon_for(config_.sentiment_lexicon_dir));
  http_ = std::make_unique<PlatformHttp>(static_cast<long>(config_.platform_http_timeout_seconds));
}

StreamService::~StreamService() { *alive_ = false; }

void StreamService::register_routes(platform::RouteTable& routes) { gst::register_routes(routes, *this); }

void StreamService::register_raw_http(platform::RawHttpRoutes& routes) {
  routes.add("POST", "/stream/webhook/twitch",
             [this](platform::RawHttpRequest r) { return twitch_webhook(std::move(r)); });
  routes.add("GET", "/stream/webhook/youtube",
             [this](platform::RawHttpRequest r) { return youtube_verification(std::move(r)); });
  routes.add("POST", "/stream/webhook/youtube",
             [this](platform::RawHttpRequest r) { return youtube_webhook(std::move(r)); });
  routes.add("POST", "/stream/webhook/custom",
             [this](platform::RawHttpRequest r) { return custom_webhook(std::move(r)); });
}

Task<void> StreamService::start() {
  co_await store_.migrate();
  metrics().describe("onair_stream_webhook_deliveries_total", "counter",
                     "Webhook deliveries by platform and outcome (accepted, duplicate, rejected reason)");
  metrics().describe("onair_stream_pulses_total", "counter", "Sentiment pulses published");
  metrics().describe("onair_stream_sentiments_total", "counter", "Sentiment entries buffered");
  metrics().describe("onair_stream_dedup_evicted_early_total", "gauge",
                     "Webhook message ids forgotten before their window ended (dedup cap reached)");
  auto alive = alive_;
  // Every node drops its audience state of a session another node ended.
  infra::Subscription s{{}, {std::string(gst::kStreamPlatformSessionEnded)}};
  context_.bus.subscribe(std::move(s), [this, alive](infra::BusMessage m) -> Task<void> {
    if (!*alive) co_return;
    boost::system::error_code ec;
    auto body = json::parse(m.body, ec);
    if (ec || !body.is_object()) co_return;
    if (const auto* id = body.as_object().if_contains("platformSessionId"); id && id->is_string()) {
      drop_state(std::string(id->as_string()));
    }
  });
  youtube_poller_ = std::make_unique<YouTubeChatPoller>(context_, *this);
  pulse_worker_ = std::make_unique<SentimentBatchPublisher>(context_, *this);
  cleanup_worker_ = std::make_unique<SessionCleanupWorker>(context_, *this);
  pulse_worker_->start();
  cleanup_worker_->start();
  co_await start_upkeep();
}

Task<void> StreamService::stop() {
  *alive_ = false;
  if (pulse_worker_) pulse_worker_->stop();
  if (cleanup_worker_) cleanup_worker_->stop();
  stop_upkeep();
  if (youtube_poller_) co_await youtube_poller_->stop();
  std::lock_guard lock(mutex_);
  for (auto& [id, state] : states_) {
    std::lock_guard state_lock(state->mutex);
    state->viewers.clear();
    state->buffer.clear();
  }
  states_.clear();
  by_channel_.clear();
  co_return;
}

std::int64_t StreamService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const security::TokenCipher& StreamService::cipher() const {
  if (!cipher_) {
    throw ApiError(503,
                   "STREAM_TOKEN_ENCRYPTION_KEY is not set: platform secrets cannot be stored (outside development "
                   "mode a key is required)");
  }
  return *cipher_;
}

Task<void> StreamService::publish(std::string_view topic, const json::value& body) {
  co_await context_.bus.publish(std::string(topic), json::serialize(body));
}

Task<void> StreamService::tell_owner(const std::string& account_id, std::string event_json) {
  try {
    co_await context_.client_events.push_to_account(account_id, std::move(event_json));
  } catch (const std::exception& e) {
    log::warn("stream client event not delivered", {{"error", e.what()}});
  }
}

Task<void> StreamService::tell_owner_session(const SessionRecord& r) {
  co_await tell_owner(r.account_id, session_changed_event(r, now_ms(), new_uuid(), now_rfc3339()).to_json_text());
}

// ---------------------------------------------------------------------------
// Audience state

StreamService::StatePtr StreamService::state_of(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  auto it = states_.find(session_id);
  return it == states_.end() ? nullptr : it->second;
}

StreamService::StatePtr StreamService::hold(const SessionRecord& r) {
  std::lock_guard lock(mutex_);
  if (auto it = states_.find(r.session_id); it != states_.end()) return it->second;
  auto state = std::make_shared<AudienceState>(r, policy_, static_cast<std::size_t>(config_.sentiment_max_batch_size));
  states_.emplace(r.session_id, state);
  if (r.channel_id) by_channel_[channel_key(r.platform, *r.channel_id)] = r.session_id;
  by_channel_["link:" + r.link_id] = r.session_id;
  return state;
}

void StreamService::drop_state(const std::string& session_id) {
  StatePtr state;
  {
    std::lock_guard lock(mutex_);
    auto it = states_.find(session_id);
    if (it == states_.end()) return;
    state = it->second;
    states_.erase(it);
    for (auto c = by_channel_.begin(); c != by_channel_.end();) {
      c = c->second == session_id ? by_channel_.erase(c) : std::next(c);
    }
  }
  if (youtube_poller_) youtube_poller_->forget(session_id);  // no more chat polls for it here
  // The tracking map dies here: tracking ids become orphans.
  std::lock_guard state_lock(state->mutex);
  state->viewers.clear();
  state->buffer.clear();
  state->record.state = gst::PlatformSessionState::ended;
}

std::optional<std::size_t> StreamService::tracked_viewers(const std::string& platform_session_id) {
  auto state = state_of(platform_session_id);
  if (!state) return std::nullopt;
  std::lock_guard lock(state->mutex);
  return state->viewers.tracked_count();
}

std::optional<std::size_t> StreamService::buffered_sentiments(const std::string& platform_session_id) {
  auto state = state_of(platform_session_id);
  if (!state) return std::nullopt;
  std::lock_guard lock(state->mutex);
  return state->buffer.size();
}

Task<StreamService::StatePtr> StreamService::live_for_channel(gst::StreamPlatform platform,
                                                              const std::string& channel_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = by_channel_.find(channel_key(platform, channel_id)); it != by_channel_.end()) {
      if (auto s = states_.find(it->second); s != states_.end()) co_return s->second;
    }
  }
  auto link = co_await store_.link_by_channel(platform, channel_id);
  if (!link) co_return nullptr;
  auto session = co_await store_.active_session_of_link(link->link_id);
  if (!session) co_return nullptr;
  co_return hold(*session);
}

void StreamService::ingest(AudienceState& state, AudienceEvent& event) {
  gst::SentimentEntry entry;
  entry.category = category_of(event.sentiment.category);
  entry.intensity = std::clamp(static_cast<double>(event.sentiment.intensity), 0.0, 1.0);
  {
    std::lock_guard lock(state.mutex);
    if (state.record.state != gst::PlatformSessionState::active) return;
    if (auto tracked = state.viewers.observe(event.platform_user_id, event.facts)) {
      entry.tracking_id = tracked->tracking_id;
      entry.viewer_type = tracked->type;
    }
    state.buffer.add(std::move(entry));
  }
  // The platform's user id is not needed past this point.
  event.platform_user_id.assign(event.platform_user_id.size(), '\0');
  event.platform_user_id.clear();
  static auto& sentiments = metrics().counter("onair_stream_sentiments_total");
  sentiments.add();
}

Task<void> StreamService::set_viewers(const StatePtr& state, std::int64_t viewers) {
  std::string id;
  {
    std::lock_guard lock(state->mutex);
    state->record.current_viewers = viewers;
    state->record.peak_viewers = std::max(state->record.peak_viewers, viewers);
    id = state->record.session_id;
  }
  co_await store_.record_viewers(id, viewers);
}

// ---------------------------------------------------------------------------
// Sessions

Task<std::optional<SessionRecord>> StreamService::begin_session(const LinkRecord& link,
                                                                gst::PlatformSessionOrigin origin,
                                                                std::optional<std::string> in_game_session_id) {
  SessionRecord r;
  r.session_id = new_uuid();
  r.link_id = link.link_id;
  r.account_id = link.account_id;
  r.platform = link.platform;
  r.channel_id = link.channel_id;
  r.state = gst::PlatformSessionState::active;
  r.origin = origin;
  r.in_game_session_id = std::move(in_game_session_id);
  r.started_ms = now_ms();
  r.started_at = format_rfc3339(SystemTime(std::chrono::milliseconds(r.started_ms)));
  if (!co_await store_.insert_session(r)) co_return std::nullopt;
  hold(r);
  gst::StreamPlatformSessionStartedEvent e;
  e.event_id = new_uuid();
  e.timestamp = r.started_at;
  e.platform_session_id = r.session_id;
  e.link_id = r.link_id;
  e.account_id = r.account_id;
  e.platform = r.platform;
  e.in_game_session_id = r.in_game_session_id;
  e.origin = origin;
  const auto body = e.to_json();
  co_await publish(gst::kStreamPlatformSessionStarted, body);
  co_await tell_owner_session(r);
  log::info("platform session started", {{"platformSessionId", r.session_id},
                                         {"linkId", r.link_id},
                                         {"platform", gst::to_string(r.platform)},
                                         {"origin", gst::to_string(origin)}});
  co_return r;
}

Task<SessionRecord> StreamService::end_session(const std::string& session_id, gst::PlatformSessionEndReason reason) {
  const auto ended_ms = now_ms();
  const auto ended_at = format_rfc3339(SystemTime(std::chrono::milliseconds(ended_ms)));
  // The map is destroyed before the ended event is published (stream-events.yaml).
  drop_state(session_id);
  const bool ended_now = co_await store_.finish_session(session_id, ended_at, ended_ms, reason);
  auto record = co_await store_.session(session_id);
  if (!record) throw not_found("platform session not found");
  if (ended_now) {
    gst::StreamPlatformSessionEndedEvent e;
    e.event_id = new_uuid();
    e.timestamp = ended_at;
    e.platform_session_id = record->session_id;
    e.link_id = record->link_id;
    e.account_id = record->account_id;
    e.platform = record->platform;
    e.in_game_session_id = record->in_game_session_id;
    e.duration_seconds = std::max<std::int64_t>(0, (record->ended_ms - record->started_ms) / 1000);
    e.peak_viewer_count = record->peak_viewers;
    e.pulses_published = record->pulses_published;
    e.reason = reason;
    const auto body = e.to_json();
    co_await publish(gst::kStreamPlatformSessionEnded, body);
    co_await tell_owner_session(*record);
    log::info("platform session ended", {{"platformSessionId", record->session_id},
                                         {"reason", gst::to_string(reason)},
                                         {"durationSeconds", std::to_string(e.duration_seconds)}});
  }
  co_return std::move(*record);
}

gst::PlatformSessionStatus StreamService::status_of(const SessionRecord& r) {
  gst::PlatformSessionStatus s;
  s.platform_session_id = r.session_id;
  s.link_id = r.link_id;
  s.account_id = r.account_id;
  s.platform = r.platform;
  s.state = r.state;
  s.origin = r.origin;
  s.in_game_session_id = r.in_game_session_id;
  s.started_at = r.started_at;
  s.ended_at = r.ended_at;
  s.end_reason = r.end_reason;
  const auto end = r.state == gst::PlatformSessionState::ended ? r.ended_ms : now_ms();
  s.duration_seconds = std::max<std::int64_t>(0, (end - r.started_ms) / 1000);
  if (r.state == gst::PlatformSessionState::active) s.current_viewer_count = r.current_viewers;
  s.peak_viewer_count = r.peak_viewers;
  s.pulses_published = r.pulses_published;
  s.last_pulse_at = r.last_pulse_at;
  s.tracked_viewer_count = 0;
  if (r.state == gst::PlatformSessionState::active) {
    if (auto n = tracked_viewers(r.session_id)) s.tracked_viewer_count = static_cast<std::int64_t>(*n);
  }
  return s;
}

Task<SessionRecord> StreamService::require_session(const std::string& id, const Caller& c) {
  auto record = co_await store_.session(id);
  if (!record || (!is_admin(c) && record->account_id != c.account_id)) throw not_found("platform session not found");
  co_return std::move(*record);
}

Task<LinkRecord> StreamService::require_link(const std::string& id, const Caller& c) {
  auto record = co_await store_.link(id);
  if (!record || (!is_admin(c) && record->account_id != c.account_id)) throw not_found("link not found");
  co_return std::move(*record);
}

Task<gst::PlatformSessionStatus> StreamService::start_platform_session(gst::StartPlatformSessionRequest r,
                                                                       const Caller& c) {
  auto link = co_await require_link(r.link_id, c);
  if (link.status != gst::PlatformLinkStatus::active) throw bad_request("the link needs to be relinked");
  auto started = co_await begin_session(link, gst::PlatformSessionOrigin::manual, r.in_game_session_id);
  if (!started) throw conflict("the link already has an active session");
  auto& record = *started;
  // YouTube: the poller's first live check finds the channel's live broadcast and its chat.
  if (record.platform == gst::StreamPlatform::youtube && youtube_poller_)
    youtube_poller_->watch(record.session_id, {}, {}, true);
  // Twitch: Helix's viewer count at once. An offline channel still gets its session (a game may start
  // before the stream does; stream.online then finds the session active), and so does a Helix failure.
  if (record.platform == gst::StreamPlatform::twitch && viewer_poller_) {
    try {
      (void)co_await viewer_poller_->read_viewers(record);
      // Read again whatever the check said: a refused refresh token ends the session inside it.
      if (auto fresh = co_await store_.session(record.session_id)) record = std::move(*fresh);
    } catch (const std::exception& e) {
      log::warn("twitch live check failed", {{"platformSessionId", record.session_id}, {"error", e.what()}});
    }
  }
  co_return status_of(record);
}

Task<gst::PlatformSessionStatus> StreamService::stop_platform_session(gst::StopPlatformSessionRequest r,
                                                                      const Caller& c) {
  auto record = co_await require_session(r.platform_session_id, c);
  if (record.state == gst::PlatformSessionState::ended) co_return status_of(record);
  auto ended = co_await end_session(record.session_id, gst::PlatformSessionEndReason::manual);
  co_return status_of(ended);
}

Task<gst::PlatformSessionStatus> StreamService::associate_session(gst::AssociateSessionRequest r, const Caller& c) {
  auto record = co_await require_session(r.platform_session_id, c);
  if (record.state != gst::PlatformSessionState::active) throw not_found("platform session has ended");
  co_await store_.set_association(record.session_id, r.in_game_session_id);
  record.in_game_session_id = r.in_game_session_id;
  if (auto state = state_of(record.session_id)) {
    std::lock_guard lock(state->mutex);
    state->record.in_game_session_id = r.in_game_session_id;
  }
  co_await tell_owner_session(record);
  co_return status_of(record);
}

Task<gst::PlatformSessionStatus> StreamService::get_platform_session_status(gst::PlatformSessionStatusRequest r,
                                                                            const Caller& c) {
  if (r.platform_session_id.has_value() == r.link_id.has_value()) {
    throw bad_request("exactly one of platformSessionId and linkId");
  }
  if (r.platform_session_id) co_return status_of(co_await require_session(*r.platform_session_id, c));
  auto link = co_await require_link(*r.link_id, c);
  auto active = co_await store_.active_session_of_link(link.link_id);
  if (!active) throw not_found("the link has no active session");
  co_return status_of(*active);
}

Task<gst::ListPlatformSessionsResponse> StreamService::list_platform_sessions(gst::ListPlatformSessionsRequest r,
                                                                              const Caller& c) {
  if (r.account_id && *r.account_id != c.account_id && !is_admin(c)) {
    throw forbidden("only admins may list another account's sessions");
  }
  const auto account = r.account_id.value_or(c.account_id);
  auto records = co_await store_.sessions_of(account, r.active_only, r.limit);
  gst::ListPlatformSessionsResponse out;
  for (const auto& record : records) out.sessions.push_back(status_of(record));
  co_return out;
}

Task<std::int64_t> StreamService::purge_ended_sessions() {
  const auto cutoff = now_ms() - config_.session_history_retention_hours * 3600 * 1000;
  const auto purged = co_await store_.purge_ended_before(cutoff);
  if (purged > 0) log::info("ended platform sessions purged", {{"count", std::to_string(purged)}});
  co_return purged;
}

// ---------------------------------------------------------------------------
// Pulses

Task<std::size_t> StreamService::publish_pulses() {
  std::vector<StatePtr> states;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, state] : states_) states.push_back(state);
  }
  std::size_t published = 0;
  for (const auto& state : states) {
    std::string session_id;
    {
      std::lock_guard lock(state->mutex);
      session_id = state->record.session_id;
    }
    // The durable record is the truth for association and for whether it still runs (another node may have
    // changed either).
    auto record = co_await store_.session(session_id);
    if (!record || record->state != gst::PlatformSessionState::active) {
      drop_state(session_id);
      continue;
    }
    gst::SentimentPulse pulse;
    {
      std::lock_guard lock(state->mutex);
      std::optional<std::vector<gst::SentimentEntry>> batch;
      {
        std::lock_guard rng_lock(rng_mutex_);
        batch = state->buffer.take(static_cast<std::size_t>(config_.sentiment_min_batch_size), rng_);
      }
      if (!batch) continue;
      state->record.in_game_session_id = record->in_game_session_id;
      pulse.sentiments = std::move(*batch);
      pulse.approximate_viewer_count =
          state->record.current_viewers ? state->record.current_viewers : record->current_viewers;
    }
    pulse.pulse_id = new_uuid();
    pulse.platform_session_id = session_id;
    pulse.stream_session_id = record->in_game_session_id;
    pulse.timestamp = now_rfc3339();
    pulse.interval_seconds = config_.sentiment_pulse_interval_seconds;
    const auto body = pulse.to_json();
    co_await publish(gst::kStreamAudiencePulse, body);
    co_await store_.record_pulse(session_id, pulse.timestamp);
    co_await context_.state.set(std::string(kPulseKeyPrefix) + session_id, json::serialize(body),
                                std::chrono::duration_cast<infra::Ttl>(kLatestPulseTtl));
    static auto& pulses = metrics().counter("onair_stream_pulses_total");
    pulses.add();
    ++published;
  }
  {
    std::lock_guard lock(dedup_mutex_);
    metrics().set_gauge("onair_stream_dedup_evicted_early_total", {}, static_cast<double>(dedup_.evicted_early()));
  }
  co_return published;
}

// ---------------------------------------------------------------------------
// Admin

Task<gst::SentimentPulse> StreamService::get_latest_pulse(gst::LatestPulseRequest r, const Caller& c) {
  (void)c;
  auto stored = co_await context_.state.get(std::string(kPulseKeyPrefix) + r.platform_session_id);
  if (!stored) throw not_found("no pulse published for this session");
  co_return gst::SentimentPulse::from_json(json::parse(stored->data), "pulse");
}

Task<gst::TestSentimentResponse> StreamService::test_sentiment_processing(gst::TestSentimentRequest r,
                                                                          const Caller& c) {
  (void)c;
  if (r.messages.empty() && r.events.empty()) throw bad_request("at least one message or event");
  gst::TestSentimentResponse out;
  for (const auto& m : r.messages) out.messages.push_back(result_of(classifier_->classify(m)));
  for (const auto& e : r.events) {
    sentiment::PlatformEvent event;
    event.type = static_cast<sentiment::EventType>(static_cast<int>(e.type));
    event.amount = static_cast<std::uint32_t>(std::clamp<std::int64_t>(e.amount, 0, 1000000000));
    out.events.push_back(result_of(sentiment::classify_event(event)));
  }
  co_return out;
}

}  // namespace onair::stream
