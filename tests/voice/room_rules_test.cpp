#include "voice/room_rules.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace onair::voice {
namespace {

using namespace std::chrono_literals;

RoomFacts room(int participants, int max = 6) {
  RoomFacts r;
  r.exists = true;
  r.max_participants = max;
  r.participant_count = participants;
  return r;
}

TEST(RoomRules, JoinAnOpenRoom) {
  auto d = check_join(room(2), {});
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.tier, TierDecision::stay);
  EXPECT_EQ(d.max_participants, 6);
  EXPECT_FALSE(d.creates_ad_hoc_room);
  EXPECT_FALSE(d.is_broadcasting);
}

TEST(RoomRules, MissingRoom) {
  RoomFacts missing;
  auto d = check_join(missing, {});
  EXPECT_EQ(d.status, 404);
  EXPECT_EQ(d.error, "voice room not found");

  missing.limits.ad_hoc_rooms_enabled = true;
  d = check_join(missing, {});
  EXPECT_TRUE(d.ok());
  EXPECT_TRUE(d.creates_ad_hoc_room);
  EXPECT_EQ(d.max_participants, 6);
}

TEST(RoomRules, AlreadyInTheRoom) { EXPECT_EQ(check_join(room(2), {.already_in_room = true}).status, 409); }

TEST(RoomRules, Password) {
  auto r = room(1);
  r.password = "hunter2";
  EXPECT_EQ(check_join(r, {}).status, 403);
  EXPECT_EQ(check_join(r, {.password = "hunter"}).status, 403);
  EXPECT_EQ(check_join(r, {.password = "hunter22"}).status, 403);
  EXPECT_EQ(check_join(r, {.password = ""}).status, 403);
  EXPECT_EQ(check_join(r, {.password = "hunter2"}).error, "");
  EXPECT_TRUE(check_join(r, {.password = "hunter2"}).ok());
  // A password given for an open room is ignored.
  EXPECT_TRUE(check_join(room(1), {.password = "anything"}).ok());
  // The password is checked before anything about the room's state is told.
  auto full = room(6);
  full.password = "x";
  EXPECT_EQ(check_join(full, {}).status, 403);

  EXPECT_TRUE(passwords_match("", ""));
  EXPECT_TRUE(passwords_match("s3cret", "s3cret"));
  EXPECT_FALSE(passwords_match("s3cret", "s3cre"));
  EXPECT_FALSE(passwords_match("s3cret", "S3cret"));
}

TEST(RoomRules, P2PCeilingIsTheSmallerOfRoomAndConfiguration) {
  EXPECT_TRUE(check_join(room(5, 6), {}).ok());
  auto d = check_join(room(6, 6), {});
  EXPECT_EQ(d.status, 409);
  EXPECT_EQ(d.error, "room is full");
  EXPECT_EQ(d.tier, TierDecision::reject_full);

  auto big = room(8, 20);  // the room allows 20, P2PMaxParticipants is 8
  EXPECT_EQ(check_join(big, {}).status, 409);
  EXPECT_EQ(check_join(room(7, 20), {}).max_participants, 8);
}

TEST(RoomRules, UpgradeWhenThePeerMeshIsFull) {
  auto r = room(6, 6);
  r.limits.scaled_tier_enabled = true;
  EXPECT_EQ(check_join(r, {}).status, 409);  // upgrades are off
  r.limits.tier_upgrade_enabled = true;
  auto d = check_join(r, {});
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.tier, TierDecision::upgrade_to_scaled);
  EXPECT_EQ(d.max_participants, 100);

  r.limits.scaled_max_participants = 6;  // an odd configuration: no room to grow
  EXPECT_EQ(check_join(r, {}).status, 409);
}

TEST(RoomRules, ScaledRoomUsesTheScaledCeiling) {
  auto r = room(99, 6);
  r.tier = VoiceTier::scaled;
  auto d = check_join(r, {});
  EXPECT_TRUE(d.ok());
  EXPECT_EQ(d.tier, TierDecision::stay);
  EXPECT_EQ(d.max_participants, 100);
  r.participant_count = 100;
  EXPECT_EQ(check_join(r, {}).status, 409);
}

TEST(RoomRules, BroadcastingRoomNeedsAcceptance) {
  for (auto state : {ConsentState::approved, ConsentState::broadcasting}) {
    auto r = room(2);
    r.broadcast_state = state;
    auto refused = check_join(r, {});
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.error, "room is broadcasting; join with acceptBroadcast to join anyway");
    auto d = check_join(r, {.accept_broadcast = true});
    EXPECT_TRUE(d.ok());
    EXPECT_TRUE(d.is_broadcasting);
  }
  auto pending = room(2);
  pending.broadcast_state = ConsentState::pending;
  EXPECT_TRUE(check_join(pending, {}).ok());
  // Full beats broadcasting: accepting would not help.
  auto full = room(6);
  full.broadcast_state = ConsentState::broadcasting;
  EXPECT_EQ(check_join(full, {.accept_broadcast = true}).error, "room is full");
}

TEST(RoomRules, DecideTier) {
  EXPECT_EQ(decide_tier(VoiceTier::p2p, 8, 8, false, false), TierDecision::stay);
  EXPECT_EQ(decide_tier(VoiceTier::p2p, 9, 8, false, false), TierDecision::reject_full);
  EXPECT_EQ(decide_tier(VoiceTier::p2p, 9, 8, true, false), TierDecision::reject_full);
  EXPECT_EQ(decide_tier(VoiceTier::p2p, 9, 8, false, true), TierDecision::reject_full);
  EXPECT_EQ(decide_tier(VoiceTier::p2p, 9, 8, true, true), TierDecision::upgrade_to_scaled);
  EXPECT_EQ(decide_tier(VoiceTier::scaled, 50, 8, true, true), TierDecision::stay);
  EXPECT_EQ(to_string(TierDecision::upgrade_to_scaled), "upgrade_to_scaled");
}

TEST(RoomRules, EmptyRoomCleanup) {
  const TimeMs since = 1'000'000;
  // Persistent rooms without autoCleanup stay.
  EXPECT_FALSE(should_delete_empty_room(false, false, since, since + 10'000'000, 300s));
  // Ad-hoc rooms and autoCleanup rooms go after the grace period.
  for (auto [auto_cleanup, ad_hoc] : {std::pair{true, false}, std::pair{false, true}, std::pair{true, true}}) {
    EXPECT_FALSE(should_delete_empty_room(auto_cleanup, ad_hoc, since, since + 299'999, 300s));
    EXPECT_TRUE(should_delete_empty_room(auto_cleanup, ad_hoc, since, since + 300'000, 300s));
    EXPECT_FALSE(should_delete_empty_room(auto_cleanup, ad_hoc, std::nullopt, since + 300'000, 300s));
  }
  EXPECT_TRUE(should_delete_empty_room(false, true, since, since, 0s));
}

TEST(RoomRules, StaleParticipants) {
  const TimeMs now = 10'000'000;
  const std::vector<ParticipantHeartbeat> heartbeats = {
      {"zed", now - 61'000}, {"amy", now - 60'000}, {"bob", now - 59'999}, {"cat", now}};
  EXPECT_EQ(stale_participants(heartbeats, now, 60s), (std::vector<std::string>{"amy", "zed"}));
  EXPECT_TRUE(stale_participants({}, now, 60s).empty());
}

}  // namespace
}  // namespace onair::voice
