#pragma once
// A voice room as stored in the state store (`voice:room:<id>`): settings,
// participants with their endpoints and heartbeats, and the broadcast consent
// record. One key per room, written with optimistic concurrency, so every
// change to a room is atomic on both backends.
#include <boost/json/value.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "voice/broadcast_consent.hpp"
#include "voice/room_rules.hpp"

namespace onair::voice {

struct ParticipantRecord {
  std::string session_id;
  std::string display_name;  // empty: none
  std::string joined_at;     // RFC 3339
  TimeMs last_heartbeat_ms = 0;
  std::string sdp_offer;  // as sent with the join (may be empty)
  std::vector<std::string> ice_candidates;
  bool is_muted = false;
  // Peers whose offer this participant has not answered yet (voice: ringing while non-empty).
  std::set<std::string> offers_from;
};

struct RoomRecord {
  std::string room_id;
  std::string owner_session_id;
  VoiceTier tier = VoiceTier::p2p;
  std::string codec = "opus";
  int max_participants = 6;
  bool auto_cleanup = false;
  bool ad_hoc = false;
  std::string password_hash;  // empty: no password
  std::string created_at;
  std::optional<TimeMs> empty_since_ms;
  ConsentRecord consent;
  std::vector<ParticipantRecord> participants;

  ParticipantRecord* find(const std::string& session_id);
  const ParticipantRecord* find(const std::string& session_id) const;
  std::vector<std::string> session_ids() const;
};

// Compact JSON of the record (written without building a JSON value: this runs on every change).
std::string to_text(const RoomRecord& room);
RoomRecord room_from_json(const boost::json::value& v);  // throws std::exception on a corrupt record

// SHA-256 of room id + password, hex: rooms never store a password itself.
std::string hash_room_password(const std::string& room_id, const std::string& password);

}  // namespace onair::voice
