// Session lifecycle: start, end, pause, resume, get, list.
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/time.hpp"
#include "showtime/engine/followers.hpp"
#include "showtime/service/event_builders.hpp"
#include "showtime/service/session_codec.hpp"
#include "showtime/service/showtime_service.hpp"

namespace onair::showtime {
namespace json = boost::json;

namespace {

std::uint64_t random_seed() {
  const auto hex = random_hex(7);  // 56 bits: within the schema's 2^53 - 1 after the mask
  return std::stoull(hex, nullptr, 16) & ((std::uint64_t{1} << 53) - 1);
}

}  // namespace

Task<SessionRecord> ShowtimeService::begin_session(gs::StartSessionRequest r, std::optional<std::string> caller_session,
                                                   bool auto_started) {
  const StreamerRef streamer{r.streamer_type, r.streamer_id};
  auto existing = co_await store_.live_sessions_of(streamer);
  if (!existing.empty()) {
    throw conflict("streamer " + streamer.type + "/" + streamer.id + " already has a live session " +
                   existing.front().id);
  }
  auto career = co_await store_.career(streamer);
  const auto phase = career ? career->state.phase : CareerPhase::unknown;

  SessionRecord record;
  record.id = new_uuid();
  record.streamer = streamer;
  record.game_service_id = r.game_service_id;
  record.game_session_id = r.game_session_id;
  record.status = gs::ShowtimeSessionStatus::active;
  record.career_phase = to_gen(phase);
  record.started_ms = now_ms();
  record.started_at = format_ms(record.started_ms);
  record.platform_session_id = r.platform_session_id;
  record.streamer_session_id = r.streamer_session_id ? r.streamer_session_id : caller_session;
  if (record.streamer_session_id && record.streamer_session_id->empty()) record.streamer_session_id.reset();
  record.seed = r.seed ? static_cast<std::uint64_t>(*r.seed) : random_seed();
  record.target_size = pool_size_for(engine_, phase);
  record.auto_started = auto_started;

  const auto tags = r.content_tags.value_or(std::vector<std::string>{});
  auto live = create_live_session(record, audience_context(r.game_service_id), tags, engine_);
  if (!co_await context_.lock.try_acquire("showtime:session:" + record.id, context_.node_id, lock_ttl())) {
    throw ApiError(503, "could not take the new session's lock");
  }
  co_await store_.insert_session(record);
  auto blob = encode_session(*live);
  co_await save_checkpoint(record.id, std::move(blob));
  const auto size = static_cast<std::int64_t>(live->pool.size());
  {
    auto slot = std::make_shared<Slot>();
    slot->live = std::move(live);
    std::lock_guard lock(mutex_);
    slots_[record.id] = slot;
  }

  if (r.create_voice_room && voice_->available()) {
    try {
      auto voice = co_await ensure_voice_room(record.id, record.game_session_id, std::nullopt);
      record.voice_room_id = voice.voice_room_id;
    } catch (const std::exception& e) {
      log::warn("voice room for the session failed", {{"showtimeSessionId", record.id}, {"error", e.what()}});
    }
  }
  ShowtimeOutbox out;
  out.publish("showtime.session.started", session_started_event(record, size, tags));
  out.push(record.streamer_session_id, session_status_client_event(record, std::nullopt, size));
  co_await send(std::move(out));
  co_return record;
}

Task<gs::ShowtimeSessionResponse> ShowtimeService::start_session(gs::StartSessionRequest r, const Caller& caller) {
  auto record = co_await begin_session(std::move(r), caller.session_id, false);
  auto v = co_await view(record);
  co_return session_response(record, &v.live(), is_admin(caller), clock());
}

Task<gs::ShowtimeSessionResponse> ShowtimeService::get_session(gs::GetSessionRequest r, const Caller& caller) {
  auto record = co_await require_session(r.showtime_session_id);
  if (!record.live()) co_return session_response(record, nullptr, is_admin(caller), clock());
  auto v = co_await view(record);
  if (v.slot) {
    std::lock_guard lock(v.slot->mutex);
    co_return session_response(record, v.slot->live.get(), is_admin(caller), clock());
  }
  co_return session_response(record, v.copy.get(), is_admin(caller), clock());
}

Task<gs::ListSessionsResponse> ShowtimeService::list_sessions(gs::ListSessionsRequest r, const Caller& caller) {
  if (!r.game_service_id && !(r.streamer_type && r.streamer_id)) {
    throw bad_request("give gameServiceId, or streamerType with streamerId");
  }
  if (r.streamer_type.has_value() != r.streamer_id.has_value()) {
    throw bad_request("streamerType and streamerId go together");
  }
  SessionFilter filter;
  filter.game_service_id = r.game_service_id;
  if (r.streamer_type) filter.streamer = StreamerRef{*r.streamer_type, *r.streamer_id};
  filter.status = r.status;
  auto page = co_await store_.list_sessions(filter, r.page, r.page_size);
  gs::ListSessionsResponse out;
  const bool admin = is_admin(caller);
  for (const auto& record : page.items) {
    if (record.live()) {
      // Listing never takes a session over: live figures come from its checkpoint.
      std::unique_ptr<LiveSession> copy;
      if (auto slot = held(record.id)) {
        std::lock_guard lock(slot->mutex);
        out.sessions.push_back(session_response(record, slot->live.get(), admin, clock()));
        continue;
      }
      copy = co_await load_copy(record);
      out.sessions.push_back(session_response(record, copy.get(), admin, clock()));
    } else {
      out.sessions.push_back(session_response(record, nullptr, admin, clock()));
    }
  }
  out.total_count = page.total;
  out.page = r.page;
  out.page_size = r.page_size;
  out.has_next_page = r.page * r.page_size < page.total;
  co_return out;
}

Task<gs::ShowtimeSessionResponse> ShowtimeService::change_status(const std::string& id, gs::ShowtimeSessionStatus to,
                                                                 std::optional<std::string> reason, bool admin) {
  auto record = co_await require_session(id);
  const auto from = record.status;
  const auto wanted_from =
      to == gs::ShowtimeSessionStatus::paused ? gs::ShowtimeSessionStatus::active : gs::ShowtimeSessionStatus::paused;
  if (from != wanted_from) {
    throw conflict("showtime session " + id + " is " + std::string(gs::to_string(from)) + ", not " +
                   std::string(gs::to_string(wanted_from)));
  }
  const auto now = now_ms();
  std::int64_t paused_seconds = 0;
  if (to == gs::ShowtimeSessionStatus::paused) {
    record.paused_ms = now;
    record.paused_at = format_ms(now);
  } else {
    paused_seconds = (now - record.paused_ms) / 1000;
    record.paused_at.reset();
  }
  record.status = to;
  co_await store_.update_session(record);
  auto v = co_await view(record);
  std::int64_t size = 0;
  gs::ShowtimeSessionResponse response;
  {
    std::unique_lock<std::mutex> lock;
    if (v.slot) lock = std::unique_lock(v.slot->mutex);
    auto& live = v.live();
    live.record.status = record.status;
    live.record.paused_at = record.paused_at;
    live.record.paused_ms = record.paused_ms;
    size = static_cast<std::int64_t>(live.pool.size());
    response = session_response(record, &live, admin, clock());
  }
  ShowtimeOutbox out;
  if (to == gs::ShowtimeSessionStatus::paused) {
    out.publish("showtime.session.paused", session_paused_event(record, size, reason));
  } else {
    out.publish("showtime.session.resumed", session_resumed_event(record, size, paused_seconds));
  }
  out.push(record.streamer_session_id, session_status_client_event(record, from, size));
  co_await send(std::move(out));
  co_return response;
}

Task<gs::ShowtimeSessionResponse> ShowtimeService::pause_session(gs::PauseSessionRequest r, const Caller& caller) {
  co_return co_await change_status(r.showtime_session_id, gs::ShowtimeSessionStatus::paused, r.reason,
                                   is_admin(caller));
}

Task<gs::ShowtimeSessionResponse> ShowtimeService::resume_session(gs::ResumeSessionRequest r, const Caller& caller) {
  co_return co_await change_status(r.showtime_session_id, gs::ShowtimeSessionStatus::active, std::nullopt,
                                   is_admin(caller));
}

Task<gs::ShowtimeSessionResponse> ShowtimeService::end_session(gs::EndSessionRequest r, const Caller& caller) {
  auto record = co_await require_session(r.showtime_session_id);
  if (!record.live()) co_return session_response(record, nullptr, is_admin(caller), clock());
  co_return co_await finish_session(std::move(record), gs::ShowtimeSessionEndReason::manual, is_admin(caller));
}

// Session end (SHOWTIME.md "End"): the running hype train ends, qualifying
// members become followers (quirk 4: at the end, not during the session), the
// final figures are kept, the checkpoint and the session's own voice room go.
// The career contribution follows through showtime.session.ended.
Task<gs::ShowtimeSessionResponse> ShowtimeService::finish_session(SessionRecord record,
                                                                  gs::ShowtimeSessionEndReason reason, bool admin) {
  auto v = co_await view(record);
  const auto current_followers = co_await store_.follower_count(record.streamer);
  const auto view_clock = clock();
  ShowtimeOutbox out;
  std::vector<FollowerRecord> followers;
  std::int64_t hype_train_count = 0;
  std::vector<HypeEvent> hype_events;
  {
    std::unique_lock<std::mutex> lock;
    if (v.slot) lock = std::unique_lock(v.slot->mutex);
    auto& live = v.live();
    hype_events = live.hype.end(HypeEnd::session_end);
    for (const auto& e : hype_events) {
      if (e.kind == HypeEvent::Kind::completed) ++live.record.hype_trains_completed;
      live.record.peak_hype_level = std::max<std::int64_t>(live.record.peak_hype_level, e.peak_level);
    }
    const EventCodes codes{config_.milestone_collection_type, config_.hype_collection_type,
                           config_.world_first_collection_type};
    add_hype_events(
        live, hype_events, codes, view_clock, [] { return new_uuid(); }, out);
    const auto params = session_params(live, engine_);
    auto conversions = select_follower_conversions(live.pool, params, static_cast<std::uint64_t>(current_followers),
                                                   engine_.max_followers_per_streamer, live.rng);
    std::vector<MemberId> ids;
    for (const auto& c : conversions) {
      FollowerRecord f;
      f.follower_id = member_uuid(c.id);
      f.streamer = record.streamer;
      f.game_service_id = record.game_service_id;
      f.personality_type = std::string(live.context->personalities.name(c.personality));
      if (f.personality_type.empty()) f.personality_type = "unknown";
      f.interest_tags = live.tags.names_of(c.interests);
      f.first_followed_ms = view_clock.now_ms;
      f.first_followed_at = format_ms(view_clock.now_ms);
      f.last_watched_at = f.first_followed_at;
      f.total_watch_time_seconds = std::int64_t(c.watch_ticks) * view_clock.tick_ms / 1000;
      f.sessions_watched = 1;
      f.average_engagement = std::clamp(c.mean_engagement, 0.0, 1.0);
      f.real_derived = c.real_derived;
      f.showtime_session_id = record.id;
      followers.push_back(std::move(f));
      ids.push_back(c.id);
    }
    live.pool.mark_followers(ids);
    SessionFinal final_figures;
    final_figures.audience = audience_metrics(live, true, view_clock);
    final_figures.content_tags = content_tag_list(live);
    final_figures.followers_gained = static_cast<std::int64_t>(followers.size());
    final_figures.distinct_content_tags = distinct_tag_count(live);
    final_figures.world_first_count = live.world_firsts;
    final_figures.duration_seconds = (view_clock.now_ms - record.started_ms) / 1000;
    record.hype_trains_completed = live.record.hype_trains_completed;
    record.peak_hype_level = live.record.peak_hype_level;
    record.final_figures = std::move(final_figures);
    hype_train_count = live.hype.state().train;
  }
  const auto previous = record.status;
  record.status = gs::ShowtimeSessionStatus::ended;
  record.ended_at = format_ms(view_clock.now_ms);
  record.end_reason = reason;
  record.career_processed = false;
  co_await store_.add_followers(followers);
  co_await store_.update_session(record);
  co_await checkpoints_.remove(record.id);
  co_await inputs_.clear(record.id);
  if (v.slot) co_await release(record.id);

  // The session's own voice room goes with it (a game session's room stays for the game session).
  if (auto mapping = co_await store_.voice_of_session(record.id); mapping && !mapping->game_session_id) {
    try {
      co_await drop_voice_room(*mapping);
    } catch (const std::exception& e) {
      log::warn("voice room of the ended session not deleted", {{"showtimeSessionId", record.id}, {"error", e.what()}});
    }
  }

  std::int64_t count = current_followers;
  for (const auto& f : followers) {
    gs::ShowtimeFollowerGainedEvent e;
    e.event_id = new_uuid();
    e.timestamp = now_rfc3339();
    e.follower_id = f.follower_id;
    e.streamer_type = record.streamer.type;
    e.streamer_id = record.streamer.id;
    e.game_service_id = record.game_service_id;
    e.showtime_session_id = record.id;
    e.personality_type = f.personality_type;
    e.relationship_type_code = config_.follower_relationship_type_code;
    e.follower_count = ++count;
    out.publish("showtime.follower.gained", e.to_json_text());
  }
  const auto final_size = record.final_figures->audience.current_size;
  out.publish("showtime.session.ended", session_ended_event(record, hype_train_count));
  out.push(record.streamer_session_id, session_status_client_event(record, previous, final_size));
  co_await send(std::move(out));
  // Hype trains that ended with the session count for the career too.
  CareerContext ctx{record.id, record.game_service_id, record.streamer_session_id, ""};
  ShowtimeOutbox career_out;
  for (const auto& e : hype_events) {
    if (e.kind != HypeEvent::Kind::completed) continue;
    const int peak = e.peak_level;
    auto fn = [peak](CareerState& s) { return record_hype_completed(s, peak, CareerParams{}); };
    co_await apply_career(record.streamer, fn, ctx, career_out);
  }
  co_await send(std::move(career_out));
  co_return session_response(record, nullptr, admin, view_clock);
}

}  // namespace onair::showtime
