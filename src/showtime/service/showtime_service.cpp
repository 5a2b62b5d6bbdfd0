#include "showtime/service/showtime_service.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "showtime/service/audience_tick_worker.hpp"
#include "showtime/service/career_progression_worker.hpp"
#include "showtime/service/event_builders.hpp"
#include "showtime/service/session_codec.hpp"
#include "showtime/service/session_migration.hpp"
#include "showtime/service/tips.hpp"

namespace onair::showtime {
namespace json = boost::json;
namespace {

std::string session_lock(const std::string& id) { return "showtime:session:" + id; }

}  // namespace

bool is_admin(const platform::CallContext& caller) {
  for (const auto& role : caller.roles) {
    if (role == "admin" || role == "service") return true;
  }
  return false;
}

ShowtimeService::ShowtimeService(platform::ServiceContext& context, gs::ShowtimeConfiguration config)
    : context_(context),
      config_(std::move(config)),
      engine_(engine_config(config_)),
      store_(context.sql),
      checkpoints_(context.state, store_),
      inputs_(context.state),
      growth_(config_.growth_debounce_interval_ms) {}

ShowtimeService::~ShowtimeService() { life_->end(); }

void ShowtimeService::register_routes(platform::RouteTable& routes) {
  routes_ = &routes;
  gs::register_routes(routes, *this);
}

std::int64_t ShowtimeService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ViewClock ShowtimeService::clock() const { return {now_ms(), config_.audience_tick_interval_seconds * 1000}; }

std::chrono::milliseconds ShowtimeService::lock_ttl() const {
  return std::chrono::seconds(config_.distributed_lock_timeout_seconds);
}

Task<void> ShowtimeService::send(ShowtimeOutbox out) {
  co_await send_outbox(std::move(out), context_.client_events, context_.bus);
}

std::shared_ptr<const AudienceContext> ShowtimeService::audience_context(const std::string& game_service_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = contexts_.find(game_service_id); it != contexts_.end()) return it->second;
  }
  // The same game service gets the same reservoir on every node (seeded by its id).
  auto made = std::make_shared<const AudienceContext>(
      make_default_context(game_service_seed(game_service_id), 4096, config_.engagement_decay_base_rate));
  std::lock_guard lock(mutex_);
  return contexts_.emplace(game_service_id, std::move(made)).first->second;
}

// ---------------------------------------------------------------------------
// Lifecycle

Task<void> ShowtimeService::start() {
  co_await store_.migrate();
  std::optional<std::string> secret;
  if (context_.env) secret = context_.env("ONAIR_JWT_SECRET");
  voice_ = std::make_unique<VoiceRooms>(routes_, config_.voice_base_url, secret);

  auto subscribe = [this](std::string queue, std::vector<std::string> topics, infra::BusHandler handler) {
    infra::Subscription s{std::move(queue), std::move(topics)};
    context_.bus.subscribe(std::move(s), std::move(handler));
  };
  auto life = life_;
  // One node handles each game-session and session-end event (durable, shared queues). A stopping node
  // throws, so the broker requeues the event for another node instead of it being acknowledged unread.
  static constexpr const char* kStopping = "showtime is stopping: the event is left to another node";
  subscribe("showtime.game-sessions", {"game-session.created", "game-session.ended"},
            [this, life](infra::BusMessage m) -> Task<void> {
              platform::ServiceLife::Entry entry(*life);
              if (!entry) throw std::runtime_error(kStopping);
              const auto body = json::parse(m.body);
              if (m.topic == "game-session.created") {
                co_await on_game_session_created(gs::GameSessionCreatedEvent::from_json(body, "event"));
              } else {
                co_await on_game_session_ended(gs::GameSessionEndedEvent::from_json(body, "event"));
              }
            });
  subscribe("showtime.career", {"showtime.session.ended"}, [this, life](infra::BusMessage m) -> Task<void> {
    platform::ServiceLife::Entry entry(*life);
    if (!entry) throw std::runtime_error(kStopping);
    const auto body = json::parse(m.body);
    co_await on_session_ended_event(std::string(body.at("showtimeSessionId").as_string()));
  });
  subscribe("showtime.voice-rooms", {"voice.room.deleted"}, [this, life](infra::BusMessage m) -> Task<void> {
    platform::ServiceLife::Entry entry(*life);
    if (!entry) throw std::runtime_error(kStopping);
    const auto body = json::parse(m.body);
    co_await on_voice_room_deleted(std::string(body.at("roomId").as_string()));
  });
  // Every node sees these (private queues): the node holding the session applies them.
  subscribe("",
            {"stream.audience.pulse", "stream.platform.session.started", "voice.room.created",
             "voice.participant.joined", "voice.participant.left"},
            [this, life](infra::BusMessage m) -> Task<void> {
              platform::ServiceLife::Entry entry(*life);
              if (!entry) co_return;
              const auto body = json::parse(m.body);
              if (m.topic == "stream.audience.pulse") {
                co_await on_pulse(gs::SentimentPulse::from_json(body, "event"));
              } else if (m.topic == "stream.platform.session.started") {
                co_await on_platform_session_started(gs::StreamPlatformSessionStartedEvent::from_json(body, "event"));
              } else if (m.topic == "voice.participant.joined") {
                co_await on_voice_participants(std::string(body.at("roomId").as_string()),
                                               body.at("currentCount").to_number<std::int64_t>());
              } else if (m.topic == "voice.participant.left") {
                co_await on_voice_participants(std::string(body.at("roomId").as_string()),
                                               body.at("remainingCount").to_number<std::int64_t>());
              }
            });

  tick_worker_ = std::make_unique<AudienceTickWorker>(context_, *this);
  career_worker_ = std::make_unique<CareerProgressionWorker>(context_, *this);
  tick_worker_->start();
  career_worker_->start();
}

Task<void> ShowtimeService::stop() {
  life_->end();
  if (tick_worker_) tick_worker_->stop();
  if (career_worker_) career_worker_->stop();
  if (!co_await life_->drained(std::chrono::seconds(10))) {
    log::warn("showtime stop: work still running after 10 s", {{"inside", std::to_string(life_->inside())}});
  }
  try {
    co_await checkpoint_all();
    co_await flush_growth(true);
  } catch (const std::exception& e) {
    log::warn("showtime shutdown checkpoint failed", {{"error", e.what()}});
  }
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, slot] : slots_) ids.push_back(id);
    slots_.clear();
  }
  for (const auto& id : ids) co_await context_.lock.release(session_lock(id), context_.node_id);
}

// ---------------------------------------------------------------------------
// Holding sessions

ShowtimeService::SlotPtr ShowtimeService::held(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(id);
  return it == slots_.end() ? nullptr : it->second;
}

bool ShowtimeService::holds(const std::string& id) { return held(id) != nullptr; }

std::optional<std::uint64_t> ShowtimeService::held_state_hash(const std::string& id) {
  auto slot = held(id);
  if (!slot) return std::nullopt;
  std::lock_guard lock(slot->mutex);
  return state_hash(slot->live->pool);
}

Task<std::unique_ptr<LiveSession>> ShowtimeService::load_copy(const SessionRecord& record) {
  auto context = audience_context(record.game_service_id);
  auto checkpoint = co_await checkpoints_.get(record.id);
  if (checkpoint) {
    try {
      co_return decode_session(*checkpoint, record, context, engine_);
    } catch (const std::exception& e) {
      log::error("damaged audience checkpoint; the session restarts its audience",
                 {{"showtimeSessionId", record.id}, {"error", e.what()}});
    }
  }
  // No checkpoint yet: the start state again (the same seed fills the same pool).
  co_return create_live_session(record, context, {}, engine_);
}

Task<ShowtimeService::SlotPtr> ShowtimeService::acquire(const SessionRecord& record) {
  // Stopping: nothing held is changed any more (its last checkpoint may be written); changes queue for the
  // next holder.
  if (!life_->alive()) co_return nullptr;
  if (auto slot = held(record.id)) co_return slot;
  if (!co_await context_.lock.try_acquire(session_lock(record.id), context_.node_id, lock_ttl())) co_return nullptr;
  auto live = co_await load_copy(record);
  live->record = record;
  auto slot = std::make_shared<Slot>();
  slot->live = std::move(live);
  {
    // Checked under the mutex: stop() ends life_ before it collects slots_ under it, so a slot is either
    // collected there (and its lock released) or refused here.
    std::lock_guard lock(mutex_);
    if (life_->alive()) {
      auto [it, inserted] = slots_.emplace(record.id, slot);
      if (inserted) log::info("showtime session taken over", {{"showtimeSessionId", record.id}});
      co_return it->second;
    }
  }
  co_await context_.lock.release(session_lock(record.id), context_.node_id);
  co_return nullptr;
}

Task<ShowtimeService::View> ShowtimeService::view(const SessionRecord& record) {
  View v;
  v.slot = co_await acquire(record);
  if (!v.slot) v.copy = co_await load_copy(record);
  co_return v;
}

Task<void> ShowtimeService::release(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    slots_.erase(id);
  }
  co_await context_.lock.release(session_lock(id), context_.node_id);
}

Task<void> ShowtimeService::save_checkpoint(const std::string& id, std::string checkpoint) {
  co_await checkpoints_.put(id, std::move(checkpoint));
}

Task<void> ShowtimeService::checkpoint_all() {
  std::vector<std::pair<std::string, SlotPtr>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, slot] : slots_) all.emplace_back(id, slot);
  }
  for (auto& [id, slot] : all) {
    std::string blob;
    {
      std::lock_guard lock(slot->mutex);
      blob = encode_session(*slot->live);
    }
    co_await save_checkpoint(id, std::move(blob));
  }
}

Task<SessionRecord> ShowtimeService::require_session(const std::string& id) {
  auto record = co_await store_.session(id);
  if (!record) throw not_found("showtime session " + id + " not found");
  co_return std::move(*record);
}

// ---------------------------------------------------------------------------
// Changes

void ShowtimeService::apply_input(LiveSession& s, const SessionInput& input) {
  if (input.kind == "tags") {
    const auto r = gs::SetContentTagsRequest::from_json(input.body, "input");
    apply_content_tags(s, r.tags, r.merge);
  } else if (input.kind == "audience") {
    const auto r = gs::InjectAudienceEventRequest::from_json(input.body, "input");
    if (r.sentiments) apply_sentiments(s, *r.sentiments, r.real_derived, engine_);
    if (r.game_event) apply_game_event(s, *r.game_event);
  } else if (input.kind == "hype") {
    const auto r = gs::InjectHypeEventRequest::from_json(input.body, "input");
    std::optional<std::uint32_t> threshold;
    if (r.trigger_threshold) threshold = static_cast<std::uint32_t>(*r.trigger_threshold);
    apply_hype_input(s, from_gen(r.category), static_cast<std::uint32_t>(r.count), r.intensity,
                     viewer_weight(r.viewer_type), threshold, engine_);
  } else if (input.kind == "pulse") {
    const auto p = gs::SentimentPulse::from_json(input.body, "input");
    apply_sentiments(s, p.sentiments, true, engine_);
  }
}

Task<std::unique_ptr<LiveSession>> ShowtimeService::change_session(const SessionRecord& record, SessionInput input,
                                                                   const Change& apply) {
  if (auto slot = co_await acquire(record)) {
    std::unique_ptr<LiveSession> after;
    {
      std::lock_guard lock(slot->mutex);
      apply(*slot->live);
      // The answer is a copy so the caller reads it without the lock.
      after = decode_session(encode_session(*slot->live), slot->live->record, slot->live->context, engine_);
    }
    co_return after;
  }
  co_await inputs_.push(record.id, input);
  auto preview = co_await load_copy(record);
  apply(*preview);
  co_return preview;
}

// ---------------------------------------------------------------------------
// Ticks

Task<std::vector<std::string>> ShowtimeService::tick_all() {
  std::vector<std::string> ticked;
  platform::ServiceLife::Entry entry(*life_);
  if (!entry) co_return ticked;
  const auto live = co_await store_.live_sessions();
  std::vector<std::string> live_ids;
  for (const auto& record : live) {
    live_ids.push_back(record.id);
    try {
      if (co_await tick_one(record)) ticked.push_back(record.id);
    } catch (const std::exception& e) {
      log::warn("session tick failed", {{"showtimeSessionId", record.id}, {"error", e.what()}});
    }
  }
  // Sessions held here that ended elsewhere (or were cleaned up) are dropped.
  std::vector<std::string> stale;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, slot] : slots_) {
      if (std::find(live_ids.begin(), live_ids.end(), id) == live_ids.end()) stale.push_back(id);
    }
  }
  for (const auto& id : stale) co_await release(id);
  migrate_held_sessions();
  co_return ticked;
}

void ShowtimeService::migrate_held_sessions() {
  std::vector<SlotPtr> slots;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, slot] : slots_) slots.push_back(slot);  // id order: the locking order below
  }
  if (slots.size() < 2) return;
  std::vector<std::unique_lock<std::mutex>> locks;
  std::vector<LiveSession*> sessions;
  for (auto& slot : slots) {
    locks.emplace_back(slot->mutex);
    if (slot->live) sessions.push_back(slot->live.get());
  }
  for (const auto& move : migrate_between_sessions(sessions, engine_)) {
    log::debug("audience migrated", {{"fromShowtimeSessionId", move.from_session},
                                     {"toShowtimeSessionId", move.to_session},
                                     {"members", std::to_string(move.members)}});
  }
}

Task<std::optional<gs::ShowtimeSessionResponse>> ShowtimeService::tick_one(const SessionRecord& record) {
  auto slot = held(record.id);
  if (slot) {
    // Still ours? (An expired lock that another node took means it is not.)
    bool ours = co_await context_.lock.extend(session_lock(record.id), context_.node_id, lock_ttl());
    if (!ours) ours = co_await context_.lock.try_acquire(session_lock(record.id), context_.node_id, lock_ttl());
    if (!ours) {
      std::lock_guard lock(mutex_);
      slots_.erase(record.id);
      co_return std::nullopt;
    }
    // Stopping: the lock (kept or just re-taken) goes back; stop() may already have released it.
    if (!life_->alive()) {
      co_await release(record.id);
      co_return std::nullopt;
    }
  } else {
    slot = co_await acquire(record);
    if (!slot) co_return std::nullopt;
  }
  auto inputs = co_await inputs_.drain(record.id);
  const auto view_clock = clock();
  ShowtimeOutbox out;
  std::vector<HypeEvent> hype_events;
  std::string blob;
  LiveSession* live = nullptr;
  std::uint32_t new_tags = 0, new_events = 0, world_firsts = 0;
  SessionRecord snapshot;
  {
    std::lock_guard lock(slot->mutex);
    live = slot->live.get();
    // The durable record decides status (pause/resume may come from any node).
    live->record.status = record.status;
    live->record.paused_at = record.paused_at;
    live->record.paused_ms = record.paused_ms;
    live->record.voice_room_id = record.voice_room_id;
    live->record.platform_session_id = record.platform_session_id;
    for (const auto& input : inputs) {
      try {
        apply_input(*live, input);
      } catch (const std::exception& e) {
        log::warn("queued session input dropped", {{"showtimeSessionId", record.id}, {"error", e.what()}});
      }
    }
    auto result = step(*live, engine_, view_clock.now_ms);
    const EventCodes codes{config_.milestone_collection_type, config_.hype_collection_type,
                           config_.world_first_collection_type};
    add_hype_events(
        *live, result.hype, codes, view_clock, [] { return new_uuid(); }, out);
    add_audience_push(*live, result.change, result.previous_size, view_clock, out);
    const double engagement = result.report.mean_engagement * result.report.size;
    const auto tips = accrue_tips(live->pending_tips, engagement, live->hype.status().level,
                                  static_cast<std::uint32_t>(config_.audience_tick_interval_seconds),
                                  live->record.status == gs::ShowtimeSessionStatus::paused);
    if (tips > 0) add_tip_event(*live, tips, config_.tip_currency_code, out);
    hype_events = std::move(result.hype);
    new_tags = std::exchange(live->pending_new_tags, 0);
    new_events = std::exchange(live->pending_unique_events, 0);
    world_firsts = std::exchange(live->pending_world_firsts, 0);
    snapshot = live->record;
    blob = encode_session(*live);
  }
  co_await save_checkpoint(record.id, std::move(blob));
  if (snapshot.hype_trains_completed != record.hype_trains_completed ||
      snapshot.peak_hype_level != record.peak_hype_level) {
    auto updated = record;
    updated.hype_trains_completed = snapshot.hype_trains_completed;
    updated.peak_hype_level = snapshot.peak_hype_level;
    co_await store_.update_session(updated);
  }

  // Career contributions of this tick.
  CareerContext ctx{record.id, record.game_service_id, record.streamer_session_id, ""};
  for (const auto& e : hype_events) {
    if (e.kind == HypeEvent::Kind::completed) {
      const int peak = e.peak_level;
      auto fn = [peak](CareerState& s) { return record_hype_completed(s, peak, CareerParams{}); };
      co_await apply_career(record.streamer, fn, ctx, out);
    } else if (e.kind == HypeEvent::Kind::milestone) {
      MilestoneRow row;
      row.milestone_id = new_uuid();
      row.streamer = record.streamer;
      row.reached_ms = view_clock.now_ms;
      row.record.milestone_code = std::string(to_string(e.milestone));
      row.record.kind = gs::MilestoneKind::performance;
      row.record.value = e.level;
      row.record.reached_at = format_ms(view_clock.now_ms);
      row.record.showtime_session_id = record.id;
      row.record.game_service_id = record.game_service_id;
      auto none = [](CareerState&) { return CareerUpdate{}; };
      std::vector<MilestoneRow> extra{std::move(row)};
      co_await apply_career(record.streamer, none, ctx, out, std::move(extra));
    }
  }
  if (new_tags || new_events || world_firsts) {
    auto fn = [new_tags, new_events, world_firsts](CareerState& s) {
      CareerUpdate all;
      const CareerParams params;
      auto merge = [&all](CareerUpdate u) {
        for (auto& g : u.growth) all.growth.push_back(std::move(g));
        for (auto& m : u.milestones) all.milestones.push_back(std::move(m));
        if (u.phase_to) {
          if (!all.phase_from) all.phase_from = u.phase_from;
          all.phase_to = u.phase_to;
        }
      };
      for (std::uint32_t i = 0; i < new_tags; ++i) merge(record_new_content_tag(s, params));
      for (std::uint32_t i = 0; i < new_events; ++i) merge(record_unique_event(s, params));
      for (std::uint32_t i = 0; i < world_firsts; ++i) merge(record_world_first(s, params));
      return all;
    };
    co_await apply_career(record.streamer, fn, ctx, out);
  }
  co_await send(std::move(out));
  co_return session_response(snapshot, nullptr, false, view_clock);
}

}  // namespace onair::showtime
