// A room record survives its stored form unchanged (to_text is hand-written for speed, so
// this pins it to what room_from_json reads).
#include "voice/room_record.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace onair::voice {
namespace {

RoomRecord awkward_room() {
  RoomRecord room;
  room.room_id = "2d3c1f0e-1111-4222-8333-944455556666";
  room.owner_session_id = "owner";
  room.tier = VoiceTier::scaled;
  room.codec = "g711";
  room.max_participants = 42;
  room.auto_cleanup = true;
  room.ad_hoc = true;
  room.password_hash = "abc";
  room.created_at = "2026-11-23T18:00:00.000Z";
  room.empty_since_ms = 1700000000123;
  room.consent.state = "pending";
  room.consent.requested_by = "a";
  room.consent.consented = {"a"};
  room.consent.pending = {"b", "c"};
  room.consent.deadline_ms = 1700000009999;
  ParticipantRecord p;
  p.session_id = "a";
  p.display_name = "Zoë \"the voice\" \\ 🎙\n";
  p.joined_at = "2026-11-23T18:00:01.000Z";
  p.last_heartbeat_ms = 1700000000456;
  p.sdp_offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n";
  p.ice_candidates = {"candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host", ""};
  p.is_muted = true;
  p.offers_from = {"b"};
  room.participants.push_back(p);
  ParticipantRecord q;
  q.session_id = "b";
  room.participants.push_back(q);
  return room;
}

TEST(RoomRecordText, RoundTripsEveryField) {
  const auto room = awkward_room();
  const auto text = to_text(room);
  const auto back = room_from_json(boost::json::parse(text));
  EXPECT_EQ(to_text(back), text);
  EXPECT_EQ(back.tier, VoiceTier::scaled);
  EXPECT_EQ(back.max_participants, 42);
  EXPECT_TRUE(back.auto_cleanup);
  EXPECT_EQ(back.empty_since_ms, room.empty_since_ms);
  EXPECT_EQ(back.consent.pending, room.consent.pending);
  EXPECT_EQ(back.consent.deadline_ms, room.consent.deadline_ms);
  ASSERT_EQ(back.participants.size(), 2u);
  EXPECT_EQ(back.participants[0].display_name, room.participants[0].display_name);
  EXPECT_EQ(back.participants[0].sdp_offer, room.participants[0].sdp_offer);
  EXPECT_EQ(back.participants[0].ice_candidates, room.participants[0].ice_candidates);
  EXPECT_EQ(back.participants[0].offers_from, room.participants[0].offers_from);
  EXPECT_TRUE(back.participants[0].is_muted);
  EXPECT_EQ(back.participants[0].last_heartbeat_ms, 1700000000456);
}

TEST(RoomRecordText, NoEmptySinceWhileOccupied) {
  auto room = awkward_room();
  room.empty_since_ms.reset();
  const auto back = room_from_json(boost::json::parse(to_text(room)));
  EXPECT_FALSE(back.empty_since_ms.has_value());
}

}  // namespace
}  // namespace onair::voice
