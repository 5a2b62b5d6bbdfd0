#include "voice/voice_messages.hpp"

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/time.hpp"
#include "gen/voice/topics.hpp"

namespace onair::voice {
namespace gv = gen::voice;
namespace {

template <class Event>
Event stamped(const RoomRecord& room) {
  Event e;
  e.event_id = new_uuid();
  e.timestamp = now_rfc3339();
  e.room_id = room.room_id;
  return e;
}

std::optional<std::string> name_of(const RoomRecord& room, const std::string& session) {
  const auto* p = room.find(session);
  if (!p || p->display_name.empty()) return std::nullopt;
  return p->display_name;
}

std::string format_ms(TimeMs ms) { return format_rfc3339(SystemTime(std::chrono::milliseconds(ms))); }

}  // namespace

gv::BroadcastConsentState to_gen(ConsentState state) {
  switch (state) {
    case ConsentState::pending:
      return gv::BroadcastConsentState::pending;
    case ConsentState::approved:
      return gv::BroadcastConsentState::approved;
    case ConsentState::broadcasting:
      return gv::BroadcastConsentState::broadcasting;
    case ConsentState::inactive:
      break;
  }
  return gv::BroadcastConsentState::inactive;
}

gv::VoiceTier to_gen(VoiceTier tier) { return tier == VoiceTier::scaled ? gv::VoiceTier::scaled : gv::VoiceTier::p2p; }

gv::VoiceCodec codec_of(const RoomRecord& room) {
  return gv::parse_voice_codec(room.codec).value_or(gv::VoiceCodec::opus);
}

gv::VoiceRoomResponse room_response(const RoomRecord& room) {
  gv::VoiceRoomResponse r;
  r.room_id = room.room_id;
  r.session_id = room.owner_session_id;
  r.tier = to_gen(room.tier);
  r.codec = codec_of(room);
  r.max_participants = room.max_participants;
  r.current_participants = static_cast<std::int64_t>(room.participants.size());
  for (const auto& p : room.participants) {
    gv::VoiceParticipant vp;
    vp.session_id = p.session_id;
    if (!p.display_name.empty()) vp.display_name = p.display_name;
    vp.joined_at = p.joined_at;
    vp.is_muted = p.is_muted;
    r.participants.push_back(std::move(vp));
  }
  r.created_at = room.created_at;
  r.auto_cleanup = room.auto_cleanup;
  r.is_ad_hoc = room.ad_hoc;
  r.is_password_protected = !room.password_hash.empty();
  r.broadcast_state = to_gen(BroadcastConsent::from_record(room.consent).state());
  return r;
}

gv::BroadcastConsentStatus consent_status(const RoomRecord& room) {
  auto consent = BroadcastConsent::from_record(room.consent);
  gv::BroadcastConsentStatus s;
  s.room_id = room.room_id;
  s.state = to_gen(consent.state());
  if (consent.state() != ConsentState::inactive && !consent.requested_by().empty()) {
    s.requested_by_session_id = consent.requested_by();
  }
  s.consented_session_ids = consent.consented();
  s.pending_session_ids = consent.pending();
  if (consent.state() == ConsentState::pending) s.deadline = format_ms(consent.deadline());
  return s;
}

gv::VoicePeerInfo peer_info(const ParticipantRecord& p, std::string sdp, std::vector<std::string> ice_candidates) {
  gv::VoicePeerInfo info;
  info.peer_session_id = p.session_id;
  if (!p.display_name.empty()) info.display_name = p.display_name;
  info.sdp_offer = std::move(sdp);
  if (!ice_candidates.empty()) info.ice_candidates = std::move(ice_candidates);
  info.is_muted = p.is_muted;
  return info;
}

void apply_consent_effects(const RoomRecord& room, const std::vector<Effect>& effects, const std::string& actor,
                           std::int64_t consent_timeout_seconds, VoiceOutbox& out) {
  const auto everyone = room.session_ids();
  const auto consent = BroadcastConsent::from_record(room.consent);
  for (const auto& effect : effects) {
    if (const auto* set = std::get_if<effect::SetConsentPending>(&effect)) {
      out.set_state(set->session, "consent_pending");
    } else if (const auto* clear = std::get_if<effect::ClearConsentPending>(&effect)) {
      out.clear_state(clear->session, "consent_pending");
    } else if (const auto* asked = std::get_if<effect::ConsentRequested>(&effect)) {
      auto e = stamped<gv::VoiceBroadcastConsentRequestClientEvent>(room);
      e.requested_by_session_id = asked->requested_by;
      e.requested_by_display_name = name_of(room, asked->requested_by);
      e.deadline = format_ms(consent.deadline());
      e.timeout_seconds = consent_timeout_seconds;
      const auto json = e.to_json_text();
      out.push_all(asked->to, json);
    } else if (const auto* update = std::get_if<effect::Update>(&effect)) {
      auto e = stamped<gv::VoiceBroadcastConsentUpdateClientEvent>(room);
      e.state = to_gen(update->state);
      e.consented_count = update->consented_count;
      e.total_count = update->total_count;
      if (!update->declined_by.empty()) {
        e.declined_by_display_name = name_of(room, update->declined_by).value_or(update->declined_by);
      }
      // Later effects of the same batch tell why, when this update ends a flow.
      for (const auto& other : effects) {
        if (const auto* d = std::get_if<effect::Declined>(&other)) {
          e.declined_reason = d->reason == DeclineReason::timeout ? gv::VoiceBroadcastDeclinedReason::timeout
                                                                  : gv::VoiceBroadcastDeclinedReason::declined;
          if (!e.declined_by_display_name) e.declined_by_display_name = name_of(room, d->by).value_or(d->by);
        }
        if (const auto* s = std::get_if<effect::Stopped>(&other)) {
          e.stopped_reason = s->reason == StopReason::room_closed ? gv::VoiceBroadcastStoppedReason::room_closed
                                                                  : gv::VoiceBroadcastStoppedReason::consent_revoked;
        }
      }
      const auto json = e.to_json_text();
      out.push_all(everyone, json);
    } else if (const auto* approved = std::get_if<effect::Approved>(&effect)) {
      auto e = stamped<gv::VoiceRoomBroadcastApprovedEvent>(room);
      e.requested_by_session_id = approved->requested_by;
      e.consented_session_ids = consent.consented();
      out.publish(std::string(gv::kVoiceRoomBroadcastApproved), e.to_json_text());
    } else if (const auto* declined = std::get_if<effect::Declined>(&effect)) {
      auto e = stamped<gv::VoiceRoomBroadcastDeclinedEvent>(room);
      e.declined_by_session_id = declined->by;
      e.reason = declined->reason == DeclineReason::timeout ? gv::VoiceBroadcastDeclinedReason::timeout
                                                            : gv::VoiceBroadcastDeclinedReason::declined;
      out.publish(std::string(gv::kVoiceRoomBroadcastDeclined), e.to_json_text());
    } else if (const auto* stopped = std::get_if<effect::Stopped>(&effect)) {
      auto e = stamped<gv::VoiceRoomBroadcastStoppedEvent>(room);
      e.reason = stopped->reason == StopReason::room_closed ? gv::VoiceBroadcastStoppedReason::room_closed
                                                            : gv::VoiceBroadcastStoppedReason::consent_revoked;
      if (!actor.empty()) e.stopped_by_session_id = actor;
      out.publish(std::string(gv::kVoiceRoomBroadcastStopped), e.to_json_text());
    }
  }
}

std::string peer_joined_event(const RoomRecord& room, const gv::VoicePeerInfo& peer) {
  auto e = stamped<gv::VoicePeerJoinedClientEvent>(room);
  e.peer = peer;
  e.current_participant_count = static_cast<std::int64_t>(room.participants.size());
  return e.to_json_text();
}

std::string peer_left_event(const RoomRecord& room, const ParticipantRecord& gone, bool evicted) {
  auto e = stamped<gv::VoicePeerLeftClientEvent>(room);
  e.peer_session_id = gone.session_id;
  if (!gone.display_name.empty()) e.display_name = gone.display_name;
  e.remaining_participant_count = static_cast<std::int64_t>(room.participants.size());
  e.evicted = evicted;
  return e.to_json_text();
}

std::string peer_updated_event(const RoomRecord& room, const gv::VoicePeerInfo& peer) {
  auto e = stamped<gv::VoicePeerUpdatedClientEvent>(room);
  e.peer = peer;
  return e.to_json_text();
}

std::string room_closed_event(const RoomRecord& room, gv::VoiceRoomDeletedReason reason) {
  auto e = stamped<gv::VoiceRoomClosedClientEvent>(room);
  e.reason = reason;
  return e.to_json_text();
}

std::string room_created_bus_event(const RoomRecord& room) {
  auto e = stamped<gv::VoiceRoomCreatedEvent>(room);
  e.session_id = room.owner_session_id;
  e.tier = to_gen(room.tier);
  e.max_participants = room.max_participants;
  e.is_ad_hoc = room.ad_hoc;
  return e.to_json_text();
}

std::string room_deleted_bus_event(const RoomRecord& room, gv::VoiceRoomDeletedReason reason) {
  auto e = stamped<gv::VoiceRoomDeletedEvent>(room);
  e.reason = reason;
  return e.to_json_text();
}

std::string participant_joined_bus_event(const RoomRecord& room, const std::string& session_id) {
  auto e = stamped<gv::VoiceParticipantJoinedEvent>(room);
  e.participant_session_id = session_id;
  e.current_count = static_cast<std::int64_t>(room.participants.size());
  return e.to_json_text();
}

std::string participant_left_bus_event(const RoomRecord& room, const std::string& session_id, bool evicted) {
  auto e = stamped<gv::VoiceParticipantLeftEvent>(room);
  e.participant_session_id = session_id;
  e.remaining_count = static_cast<std::int64_t>(room.participants.size());
  e.evicted = evicted;
  return e.to_json_text();
}

}  // namespace onair::voice
