#pragma once
// Room rules of the voice service (pure): who may join a room, which tier the
// room needs after the join (P2PCoordinator / ScaledTierCoordinator's limits),
// when an empty room is deleted, and which participants missed their
// heartbeats (ParticipantEvictionWorker). Time is passed in.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "voice/broadcast_consent.hpp"

namespace onair::voice {

enum class VoiceTier { p2p, scaled };

enum class TierDecision { stay, upgrade_to_scaled, reject_full };
std::string_view to_string(TierDecision decision);

// The voice configuration that bounds rooms (P2PMaxParticipants,
// ScaledMaxParticipants, ScaledTierEnabled, TierUpgradeEnabled,
// AdHocRoomsEnabled); defaults are the configuration's.
struct RoomLimits {
  int p2p_max_participants = 8;
  int scaled_max_participants = 100;
  bool scaled_tier_enabled = false;
  bool tier_upgrade_enabled = false;
  bool ad_hoc_rooms_enabled = false;
};

struct RoomFacts {
  bool exists = false;
  VoiceTier tier = VoiceTier::p2p;
  // The room's own maxParticipants (its P2P ceiling); for a missing room, the
  // value an ad-hoc room would be created with.
  int max_participants = 6;
  int participant_count = 0;
  std::optional<std::string> password;  // nullopt: no password
  ConsentState broadcast_state = ConsentState::inactive;
  RoomLimits limits;
};

struct JoinFacts {
  std::optional<std::string> password;
  bool accept_broadcast = false;
  bool already_in_room = false;
};

struct JoinDecision {
  int status = 200;  // 200, or 404 / 403 / 409 with `error`
  std::string error;
  bool creates_ad_hoc_room = false;  // the room is missing and ad-hoc rooms are on
  TierDecision tier = TierDecision::stay;
  int max_participants = 0;      // the room's ceiling in the tier it has after the join
  bool is_broadcasting = false;  // for the join response's isBroadcasting flag

  bool ok() const { return status == 200; }
};

// Checks, in this order: room exists (else 404, or an ad-hoc room when enabled),
// not already in the room (409), password (403; compared in constant time,
// before anything about the room's state is revealed), capacity for the tier
// (409), broadcast acceptance (409, BroadcastConsent::admission).
JoinDecision check_join(const RoomFacts& room, const JoinFacts& join);

// P2P up to p2p_max (the room's effective ceiling: min(room max, P2PMaxParticipants));
// beyond it upgrade when both the scaled tier and upgrades are enabled, else
// full. A scaled room stays scaled (its own ceiling is check_join's).
TierDecision decide_tier(VoiceTier current_tier, int participants_after_join, int p2p_max, bool scaled_tier_enabled,
                         bool tier_upgrade_enabled);

// True when both are equal, in time that depends on neither content nor length.
bool passwords_match(std::string_view expected, std::string_view given);

// Ad-hoc rooms always clean up; persistent ones only with autoCleanup. A room
// that is not empty (empty_since nullopt) is never deleted.
bool should_delete_empty_room(bool auto_cleanup, bool ad_hoc, std::optional<TimeMs> empty_since, TimeMs now,
                              std::chrono::milliseconds grace);

struct ParticipantHeartbeat {
  std::string session_id;
  TimeMs last_heartbeat = 0;
};

// Sessions whose last heartbeat is `timeout` or more before `now`, sorted.
std::vector<std::string> stale_participants(const std::vector<ParticipantHeartbeat>& participants, TimeMs now,
                                            std::chrono::milliseconds timeout);

}  // namespace onair::voice
