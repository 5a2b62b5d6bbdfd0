#pragma once
// Builds the voice service's bus events, client events and responses from a
// room record (generated models → JSON text). No I/O.
#include <string>
#include <vector>

#include "gen/voice/models.hpp"
#include "voice/room_record.hpp"
#include "voice/voice_outbox.hpp"

namespace onair::voice {

gen::voice::BroadcastConsentState to_gen(ConsentState state);
gen::voice::VoiceTier to_gen(VoiceTier tier);
gen::voice::VoiceCodec codec_of(const RoomRecord& room);

gen::voice::VoiceRoomResponse room_response(const RoomRecord& room);
gen::voice::BroadcastConsentStatus consent_status(const RoomRecord& room);
gen::voice::VoicePeerInfo peer_info(const ParticipantRecord& p, std::string sdp,
                                    std::vector<std::string> ice_candidates = {});

// Turns the consent machine's effects into session-state changes, client
// events and bus events. `actor`: who caused a stop (leave, evict, stop).
void apply_consent_effects(const RoomRecord& room, const std::vector<Effect>& effects, const std::string& actor,
                           std::int64_t consent_timeout_seconds, VoiceOutbox& out);

// Event JSON helpers: each fills eventId and timestamp.
std::string peer_joined_event(const RoomRecord& room, const gen::voice::VoicePeerInfo& peer);
std::string peer_left_event(const RoomRecord& room, const ParticipantRecord& gone, bool evicted);
std::string peer_updated_event(const RoomRecord& room, const gen::voice::VoicePeerInfo& peer);
std::string room_closed_event(const RoomRecord& room, gen::voice::VoiceRoomDeletedReason reason);
std::string room_created_bus_event(const RoomRecord& room);
std::string room_deleted_bus_event(const RoomRecord& room, gen::voice::VoiceRoomDeletedReason reason);
std::string participant_joined_bus_event(const RoomRecord& room, const std::string& session_id);
std::string participant_left_bus_event(const RoomRecord& room, const std::string& session_id, bool evicted);

}  // namespace onair::voice
