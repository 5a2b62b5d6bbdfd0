#include "voice/room_record.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cstdio>

namespace onair::voice {
namespace json = boost::json;
namespace {

json::array strings(const auto& list) {
  json::array out;
  for (const auto& s : list) out.emplace_back(s);
  return out;
}

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::string> str_list(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* v = o.if_contains(key); v && v->is_array()) {
    for (const auto& item : v->as_array()) out.emplace_back(item.as_string());
  }
  return out;
}

std::int64_t num(const json::object& o, std::string_view key, std::int64_t fallback = 0) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : fallback;
}

bool flag(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

}  // namespace

ParticipantRecord* RoomRecord::find(const std::string& session_id) {
  for (auto& p : participants) {
    if (p.session_id == session_id) return &p;
  }
  return nullptr;
}

const ParticipantRecord* RoomRecord::find(const std::string& session_id) const {
  return const_cast<RoomRecord*>(this)->find(session_id);
}

std::vector<std::string> RoomRecord::session_ids() const {
  std::vector<std::string> out;
  for (const auto& p : participants) out.push_back(p.session_id);
  return out;
}

json::value to_json(const RoomRecord& room) {
  json::array participants;
  for (const auto& p : room.participants) {
    participants.emplace_back(json::object{{"sessionId", p.session_id},
                                           {"displayName", p.display_name},
                                           {"joinedAt", p.joined_at},
                                           {"lastHeartbeatMs", p.last_heartbeat_ms},
                                           {"sdpOffer", p.sdp_offer},
                                           {"iceCandidates", strings(p.ice_candidates)},
                                           {"isMuted", p.is_muted},
                                           {"offersFrom", strings(p.offers_from)}});
  }
  json::object consent{{"state", room.consent.state},
                       {"requestedBy", room.consent.requested_by},
                       {"consented", strings(room.consent.consented)},
                       {"pending", strings(room.consent.pending)},
                       {"deadlineMs", room.consent.deadline_ms}};
  json::object o{{"roomId", room.room_id},
                 {"ownerSessionId", room.owner_session_id},
                 {"tier", room.tier == VoiceTier::scaled ? "scaled" : "p2p"},
                 {"codec", room.codec},
                 {"maxParticipants", room.max_participants},
                 {"autoCleanup", room.auto_cleanup},
                 {"adHoc", room.ad_hoc},
                 {"passwordHash", room.password_hash},
                 {"createdAt", room.created_at},
                 {"consent", std::move(consent)},
                 {"participants", std::move(participants)}};
  if (room.empty_since_ms) o["emptySinceMs"] = *room.empty_since_ms;
  return o;
}

RoomRecord room_from_json(const json::value& v) {
  const auto& o = v.as_object();
  RoomRecord room;
  room.room_id = str(o, "roomId");
  room.owner_session_id = str(o, "ownerSessionId");
  room.tier = str(o, "tier") == "scaled" ? VoiceTier::scaled : VoiceTier::p2p;
  room.codec = str(o, "codec");
  room.max_participants = static_cast<int>(num(o, "maxParticipants", 6));
  room.auto_cleanup = flag(o, "autoCleanup");
  room.ad_hoc = flag(o, "adHoc");
  room.password_hash = str(o, "passwordHash");
  room.created_at = str(o, "createdAt");
  if (o.contains("emptySinceMs")) room.empty_since_ms = num(o, "emptySinceMs");
  const auto& c = o.at("consent").as_object();
  room.consent.state = str(c, "state");
  room.consent.requested_by = str(c, "requestedBy");
  room.consent.consented = str_list(c, "consented");
  room.consent.pending = str_list(c, "pending");
  room.consent.deadline_ms = num(c, "deadlineMs");
  for (const auto& item : o.at("participants").as_array()) {
    const auto& p = item.as_object();
    ParticipantRecord r;
    r.session_id = str(p, "sessionId");
    r.display_name = str(p, "displayName");
    r.joined_at = str(p, "joinedAt");
    r.last_heartbeat_ms = num(p, "lastHeartbeatMs");
    r.sdp_offer = str(p, "sdpOffer");
    r.ice_candidates = str_list(p, "iceCandidates");
    r.is_muted = flag(p, "isMuted");
    for (auto& s : str_list(p, "offersFrom")) r.offers_from.insert(std::move(s));
    room.participants.push_back(std::move(r));
  }
  return room;
}

std::string hash_room_password(const std::string& room_id, const std::string& password) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const std::string input = room_id + '\n' + password;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

}  // namespace onair::voice
