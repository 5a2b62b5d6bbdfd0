// Voice rooms of streaming and game sessions (through the voice service).
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "showtime/service/showtime_service.hpp"
#include "showtime/service/showtime_views.hpp"

namespace onair::showtime {

Task<gs::SessionVoiceRoomResponse> ShowtimeService::ensure_voice_room(std::optional<std::string> showtime_session_id,
                                                                      std::optional<std::string> game_session_id,
                                                                      std::optional<std::int64_t> max_participants) {
  std::optional<SessionRecord> session;
  if (showtime_session_id) {
    session = co_await require_session(*showtime_session_id);
    if (!game_session_id) game_session_id = session->game_session_id;
  }
  std::optional<VoiceMapping> existing;
  if (showtime_session_id) existing = co_await store_.voice_of_session(*showtime_session_id);
  if (!existing && game_session_id) existing = co_await store_.voice_of_game_session(*game_session_id);
  gs::SessionVoiceRoomResponse out;
  if (existing) {
    out.voice_room_id = existing->voice_room_id;
    out.showtime_session_id = existing->showtime_session_id;
    out.game_session_id = existing->game_session_id;
    out.created = false;
    out.created_at = existing->created_at;
    co_return out;
  }
  if (!voice_->available()) throw ApiError(503, "the voice service is not running");
  VoiceMapping mapping;
  mapping.voice_room_id = new_uuid();
  mapping.showtime_session_id = showtime_session_id;
  mapping.game_session_id = game_session_id;
  mapping.created_at = format_ms(now_ms());
  // The room belongs to the game session when there is one, else to the streamer's socket session.
  std::string owner = game_session_id.value_or("");
  if (owner.empty() && session && session->streamer_session_id) owner = *session->streamer_session_id;
  if (owner.empty()) owner = showtime_session_id.value_or(new_uuid());
  co_await voice_->create(mapping.voice_room_id, owner, max_participants);
  co_await store_.add_voice_mapping(mapping);
  if (session) {
    session->voice_room_id = mapping.voice_room_id;
    co_await store_.update_session(*session);
  }
  out.voice_room_id = mapping.voice_room_id;
  out.showtime_session_id = mapping.showtime_session_id;
  out.game_session_id = mapping.game_session_id;
  out.created = true;
  out.created_at = mapping.created_at;
  co_return out;
}

Task<bool> ShowtimeService::drop_voice_room(const VoiceMapping& mapping) {
  bool deleted = false;
  if (voice_->available()) deleted = co_await voice_->remove(mapping.voice_room_id);
  co_await store_.remove_voice_mapping(mapping.voice_room_id);
  if (mapping.showtime_session_id) {
    if (auto session = co_await store_.session(*mapping.showtime_session_id);
        session && session->voice_room_id == mapping.voice_room_id) {
      session->voice_room_id.reset();
      co_await store_.update_session(*session);
    }
  }
  co_return deleted;
}

Task<gs::SessionVoiceRoomResponse> ShowtimeService::create_session_voice_room(gs::CreateSessionVoiceRoomRequest r,
                                                                              const Caller&) {
  if (!r.showtime_session_id && !r.game_session_id) throw bad_request("give showtimeSessionId or gameSessionId");
  co_return co_await ensure_voice_room(r.showtime_session_id, r.game_session_id, r.max_participants);
}

Task<gen::common::EmptyResponse> ShowtimeService::delete_session_voice_room(gs::DeleteSessionVoiceRoomRequest r,
                                                                            const Caller&) {
  if (!r.showtime_session_id && !r.game_session_id) throw bad_request("give showtimeSessionId or gameSessionId");
  std::optional<VoiceMapping> mapping;
  if (r.showtime_session_id) mapping = co_await store_.voice_of_session(*r.showtime_session_id);
  if (!mapping && r.game_session_id) mapping = co_await store_.voice_of_game_session(*r.game_session_id);
  if (!mapping) throw not_found("no voice room is mapped to that session");
  if (!voice_->available()) throw ApiError(503, "the voice service is not running");
  co_await drop_voice_room(*mapping);
  co_return gen::common::EmptyResponse{};
}

}  // namespace onair::showtime
