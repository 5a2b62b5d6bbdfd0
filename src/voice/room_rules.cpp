#include "voice/room_rules.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace onair::voice {
namespace {

using Digest = std::array<unsigned char, 32>;

bool sha256(std::string_view text, Digest& out) {
  unsigned int size = 0;
  return EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(), nullptr) == 1 && size == out.size();
}

JoinDecision refuse(int status, std::string error) {
  JoinDecision d;
  d.status = status;
  d.error = std::move(error);
  return d;
}

}  // namespace

std::string_view to_string(TierDecision decision) {
  switch (decision) {
    case TierDecision::stay:
      return "stay";
    case TierDecision::upgrade_to_scaled:
      return "upgrade_to_scaled";
    case TierDecision::reject_full:
      return "reject_full";
  }
  return "stay";
}

bool passwords_match(std::string_view expected, std::string_view given) {
  // Comparing fixed-size digests hides the length as well as the content.
  Digest a{}, b{};
  if (!sha256(expected, a) || !sha256(given, b)) return false;  // fail closed
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

TierDecision decide_tier(VoiceTier current_tier, int participants_after_join, int p2p_max, bool scaled_tier_enabled,
                         bool tier_upgrade_enabled) {
  if (current_tier == VoiceTier::scaled || participants_after_join <= p2p_max) return TierDecision::stay;
  if (scaled_tier_enabled && tier_upgrade_enabled) return TierDecision::upgrade_to_scaled;
  return TierDecision::reject_full;
}

JoinDecision check_join(const RoomFacts& room, const JoinFacts& join) {
  const RoomLimits& limits = room.limits;
  const int p2p_ceiling = std::min(room.max_participants, limits.p2p_max_participants);
  if (!room.exists) {
    if (!limits.ad_hoc_rooms_enabled) return refuse(404, "voice room not found");
    JoinDecision d;
    d.creates_ad_hoc_room = true;
    d.max_participants = p2p_ceiling;
    return d;
  }
  if (join.already_in_room) return refuse(409, "session is already in the room");
  if (room.password && (!join.password || !passwords_match(*room.password, *join.password))) {
    return refuse(403, "wrong or missing room password");
  }

  const int after = room.participant_count + 1;
  const TierDecision tier =
      decide_tier(room.tier, after, p2p_ceiling, limits.scaled_tier_enabled, limits.tier_upgrade_enabled);
  const int ceiling =
      tier == TierDecision::stay && room.tier == VoiceTier::p2p ? p2p_ceiling : limits.scaled_max_participants;
  if (tier == TierDecision::reject_full || after > ceiling) {
    JoinDecision d = refuse(409, "room is full");
    d.tier = TierDecision::reject_full;
    d.max_participants = tier == TierDecision::reject_full ? p2p_ceiling : ceiling;
    return d;
  }
  if (auto admitted = BroadcastConsent::admission(room.broadcast_state, join.accept_broadcast); !admitted.ok()) {
    return refuse(admitted.status, admitted.error);
  }
  JoinDecision d;
  d.tier = tier;
  d.max_participants = ceiling;
  d.is_broadcasting = is_broadcasting(room.broadcast_state);
  return d;
}

bool should_delete_empty_room(bool auto_cleanup, bool ad_hoc, std::optional<TimeMs> empty_since, TimeMs now,
                              std::chrono::milliseconds grace) {
  if (!(ad_hoc || auto_cleanup) || !empty_since) return false;
  return now - *empty_since >= grace.count();
}

std::vector<std::string> stale_participants(const std::vector<ParticipantHeartbeat>& participants, TimeMs now,
                                            std::chrono::milliseconds timeout) {
  std::vector<std::string> stale;
  for (const auto& p : participants) {
    if (now - p.last_heartbeat >= timeout.count()) stale.push_back(p.session_id);
  }
  std::sort(stale.begin(), stale.end());
  return stale;
}

}  // namespace onair::voice
