#include "voice/room_record.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cstdio>

#include "core/json_writer.hpp"

namespace onair::voice {
namespace json = boost::json;
namespace {

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

std::string to_text(const RoomRecord& room) {
  JsonWriter w(512 + 256 * room.participants.size());
  w.begin_object();
  w.key("roomId").value(room.room_id);
  w.key("ownerSessionId").value(room.owner_session_id);
  w.key("tier").value(room.tier == VoiceTier::scaled ? "scaled" : "p2p");
  w.key("codec").value(room.codec);
  w.key("maxParticipants").value(room.max_participants);
  w.key("autoCleanup").value(room.auto_cleanup);
  w.key("adHoc").value(room.ad_hoc);
  w.key("passwordHash").value(room.password_hash);
  w.key("createdAt").value(room.created_at);
  if (room.empty_since_ms) w.key("emptySinceMs").value(*room.empty_since_ms);
  w.key("consent").begin_object();
  w.key("state").value(room.consent.state);
  w.key("requestedBy").value(room.consent.requested_by);
  w.key("consented").strings(room.consent.consented);
  w.key("pending").strings(room.consent.pending);
  w.key("deadlineMs").value(room.consent.deadline_ms);
  w.end_object();
  w.key("participants").begin_array();
  for (const auto& p : room.participants) {
    w.begin_object();
    w.key("sessionId").value(p.session_id);
    w.key("displayName").value(p.display_name);
    w.key("joinedAt").value(p.joined_at);
    w.key("lastHeartbeatMs").value(p.last_heartbeat_ms);
    w.key("sdpOffer").value(p.sdp_offer);
    w.key("iceCandidates").strings(p.ice_candidates);
    w.key("isMuted").value(p.is_muted);
    w.key("offersFrom").strings(p.offers_from);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
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
