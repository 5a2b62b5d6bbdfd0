// Consumed events: game sessions (voice rooms, automatic streams), real
// audience pulses, platform sessions, and the voice service's rooms.
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/logging.hpp"
#include "showtime/service/showtime_service.hpp"

namespace onair::showtime {

Task<void> ShowtimeService::on_game_session_created(gs::GameSessionCreatedEvent e) {
  const bool want_voice = e.voice_enabled.value_or(config_.auto_voice_on_game_session);
  const bool want_stream = e.stream_enabled.value_or(config_.auto_stream_on_game_session);
  if (want_voice && voice_->available()) {
    try {
      std::optional<std::int64_t> size;
      if (e.max_players && *e.max_players >= 2) size = std::min<std::int64_t>(*e.max_players, 500);
      co_await ensure_voice_room(std::nullopt, e.session_id, size);
    } catch (const std::exception& ex) {
      log::warn("voice room for the game session failed", {{"gameSessionId", e.session_id}, {"error", ex.what()}});
    }
  }
  if (!want_stream) co_return;
  gs::StartSessionRequest start;
  if (e.streamer_type && e.streamer_id) {
    start.streamer_type = *e.streamer_type;
    start.streamer_id = *e.streamer_id;
  } else if (e.owner) {
    start.streamer_type = "account";
    start.streamer_id = *e.owner;
  } else {
    co_return;  // nobody to stream it
  }
  start.game_service_id = e.game_service_id;
  start.game_session_id = e.session_id;
  start.content_tags = e.content_tags;
  start.streamer_session_id = e.streamer_session_id;
  try {
    auto record = co_await begin_session(std::move(start), std::nullopt, true);
    if (auto mapping = co_await store_.voice_of_game_session(e.session_id)) {
      record.voice_room_id = mapping->voice_room_id;
      co_await store_.update_session(record);
    }
  } catch (const ApiError& ex) {
    log::warn("automatic stream not started", {{"gameSessionId", e.session_id}, {"error", ex.what()}});
  }
}

Task<void> ShowtimeService::on_game_session_ended(gs::GameSessionEndedEvent e) {
  for (auto& record : co_await store_.live_sessions_of_game_session(e.session_id)) {
    co_await finish_session(std::move(record), gs::ShowtimeSessionEndReason::game_session_ended, true);
  }
  if (auto mapping = co_await store_.voice_of_game_session(e.session_id)) {
    try {
      co_await drop_voice_room(*mapping);
    } catch (const std::exception& ex) {
      log::warn("voice room of the game session not deleted", {{"gameSessionId", e.session_id}, {"error", ex.what()}});
    }
  }
}

Task<void> ShowtimeService::on_pulse(gs::SentimentPulse pulse) {
  // The pulse names its showtime session, or its platform session links one.
  std::vector<SessionRecord> targets;
  if (pulse.stream_session_id) {
    if (auto r = co_await store_.session(*pulse.stream_session_id); r && r->live()) targets.push_back(*r);
  } else {
    for (auto& r : co_await store_.live_sessions()) {
      if (r.platform_session_id == pulse.platform_session_id) targets.push_back(std::move(r));
    }
  }
  for (const auto& record : targets) {
    // Every node gets the pulse; the node holding the session applies it.
    auto slot = held(record.id);
    if (!slot) continue;
    std::lock_guard lock(slot->mutex);
    apply_sentiments(*slot->live, pulse.sentiments, true, engine_);
  }
}

Task<void> ShowtimeService::on_platform_session_started(gs::StreamPlatformSessionStartedEvent e) {
  if (!e.in_game_session_id) co_return;
  auto record = co_await store_.session(*e.in_game_session_id);
  if (!record || !record->live() || record->platform_session_id == e.platform_session_id) co_return;
  record->platform_session_id = e.platform_session_id;
  co_await store_.update_session(*record);
  if (auto slot = held(record->id)) {
    std::lock_guard lock(slot->mutex);
    slot->live->record.platform_session_id = e.platform_session_id;
  }
}

Task<void> ShowtimeService::on_voice_room_deleted(std::string room_id) {
  // A room deleted elsewhere (empty, admin): forget the mapping.
  co_await store_.remove_voice_mapping(room_id);
  for (auto& record : co_await store_.live_sessions_with_voice_room(room_id)) {
    record.voice_room_id.reset();
    co_await store_.update_session(record);
  }
}

Task<void> ShowtimeService::on_voice_participants(std::string room_id, std::int64_t count) {
  // More voices make livelier content: the stream shows "social" while people talk.
  for (const auto& record : co_await store_.live_sessions_with_voice_room(room_id)) {
    auto slot = held(record.id);
    if (!slot) continue;
    std::lock_guard lock(slot->mutex);
    auto& live = *slot->live;
    const bool more = count > live.voice_participants;
    live.voice_participants = count;
    if (more && count >= 2) {
      if (auto tag = live.tags.intern("social")) live.content.raise(TagMask{1} << *tag, 0.5);
    }
  }
}

}  // namespace onair::showtime
