// Rooms over HTTP and WebSocket: create, get, join, leave, delete; the join
// refusals (missing, full, password, broadcasting); ad-hoc rooms; and the bus
// events the seed requires, with their fields.
#include "gen/voice/models.hpp"
#include "voice_server/voice_fixture.hpp"

namespace onair::voicetest {
namespace {

class RoomLifecycleTest : public VoiceServerTest {};

TEST_P(RoomLifecycleTest, CreateGetJoinLeaveDelete) {
  const auto port = start_voice().port();
  auto& events = bus();
  const std::string owner = new_session();

  // Create (admin): the response and voice.room.created carry the request's fields.
  auto created = api(port, "/voice/room/create",
                     json::object{{"sessionId", owner}, {"maxParticipants", 4}, {"codec", "g722"}}, admin_token());
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_NO_THROW((void)gen::voice::VoiceRoomResponse::from_json(created.json()));
  const auto room = str(created.json(), "roomId");
  EXPECT_EQ(str(created.json(), "sessionId"), owner);
  EXPECT_EQ(str(created.json(), "tier"), "p2p");
  EXPECT_EQ(str(created.json(), "codec"), "g722");
  EXPECT_EQ(num(created.json(), "maxParticipants"), 4);
  EXPECT_EQ(num(created.json(), "currentParticipants"), 0);
  EXPECT_FALSE(flag(created.json(), "autoCleanup", true));
  EXPECT_FALSE(flag(created.json(), "isAdHoc", true));
  EXPECT_FALSE(flag(created.json(), "isPasswordProtected", true));
  EXPECT_EQ(str(created.json(), "broadcastState"), "inactive");
  auto created_event = events.wait_for("voice.room.created", room);
  ASSERT_TRUE(created_event);
  EXPECT_EQ(str(*created_event, "sessionId"), owner);
  EXPECT_EQ(str(*created_event, "tier"), "p2p");
  EXPECT_EQ(num(*created_event, "maxParticipants"), 4);
  EXPECT_FALSE(flag(*created_event, "isAdHoc", true));
  EXPECT_FALSE(str(*created_event, "eventId").empty());
  EXPECT_FALSE(str(*created_event, "timestamp").empty());

  // The same id again: 409; the service role may create too.
  auto again = api(port, "/voice/room/create", json::object{{"sessionId", owner}, {"roomId", room}}, admin_token());
  EXPECT_EQ(again.status, 409) << again.body;
  const std::string by_service = new_uuid();
  auto service_created =
      api(port, "/voice/room/create", json::object{{"sessionId", owner}, {"roomId", by_service}}, service_token());
  EXPECT_EQ(service_created.status, 200) << service_created.body;
  EXPECT_EQ(str(service_created.json(), "roomId"), by_service);
  EXPECT_EQ(api(port, "/voice/room/delete", json::object{{"roomId", by_service}}, service_token()).status, 200);

  // Get (admin) shows the stored room.
  auto got = api(port, "/voice/room/get", json::object{{"roomId", room}}, admin_token());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), created.json());

  // Three joins: each existing peer hears of the joiner; the joiner gets voice.room.state.
  auto& a = add_peer(port);
  auto& b = add_peer(port);
  auto& c = add_peer(port);
  std::vector<Peer*> joined;
  int count = 0;
  for (auto* p : {&a, &b, &c}) {
    auto reply = join(*p, room, "", json::object{{"displayName", "name-" + p->session().substr(0, 4)}});
    ASSERT_EQ(reply.status, 200) << reply.body;
    ++count;
    EXPECT_NO_THROW((void)gen::voice::JoinVoiceRoomResponse::from_json(reply.json()));
    EXPECT_EQ(str(reply.json(), "sessionId"), p->session());
    EXPECT_EQ(str(reply.json(), "codec"), "g722");
    EXPECT_EQ(str(reply.json(), "broadcastState"), "inactive");
    const auto body = reply.json();
    EXPECT_TRUE(at(body, "stunServers").is_array() && at(body, "stunServers").as_array().empty());
    std::vector<std::string> peers;
    const auto peer_list = at(body, "peers");
    for (const auto& peer : peer_list.as_array()) peers.push_back(str(peer, "sessionId"));
    std::vector<std::string> expected_peers;
    for (auto* j : joined) expected_peers.push_back(j->session());
    EXPECT_EQ(sorted(peers), sorted(expected_peers));

    auto state = p->take("voice.room.state");
    ASSERT_TRUE(state) << p->history();
    EXPECT_EQ(str(*state, "roomId"), room);
    EXPECT_EQ(str(*state, "sessionId"), p->session());
    EXPECT_EQ(at(*state, "peers").as_array().size(), joined.size());
    for (auto* j : joined) {
      auto heard = j->take("voice.peer.joined",
                           [&](const json::object& e) { return str(at(e, "peer"), "peerSessionId") == p->session(); });
      ASSERT_TRUE(heard) << j->history();
      EXPECT_EQ(num(*heard, "currentParticipantCount"), count);
      EXPECT_EQ(str(at(*heard, "peer"), "displayName"), "name-" + p->session().substr(0, 4));
    }
    auto joined_event = events.wait_for("voice.participant.joined", room, [&](const json::object& e) {
      return str(e, "participantSessionId") == p->session();
    });
    ASSERT_TRUE(joined_event);
    EXPECT_EQ(num(*joined_event, "currentCount"), count);
    joined.push_back(p);
  }
  EXPECT_EQ(participants_of(port, room), sorted({a.session(), b.session(), c.session()}));
  EXPECT_EQ(num(room_of(port, room), "currentParticipants"), 3);

  // A participant sees its own room; a stranger (no voice state) may not.
  EXPECT_EQ(api(port, "/voice/room/get", json::object{{"roomId", room}}, a.token()).status, 200);
  EXPECT_EQ(api(port, "/voice/room/get", json::object{{"roomId", room}}, mint_token(new_session())).status, 403);

  // Leave: the others hear it, the bus says how many remain, the leaver loses voice: in_room.
  auto left = api(port, "/voice/room/leave", json::object{{"roomId", room}}, b.token());
  ASSERT_EQ(left.status, 200) << left.body;
  for (auto* p : {&a, &c}) {
    auto heard = p->take("voice.peer.left");
    ASSERT_TRUE(heard) << p->history();
    EXPECT_EQ(str(*heard, "peerSessionId"), b.session());
    EXPECT_EQ(num(*heard, "remainingParticipantCount"), 2);
    EXPECT_FALSE(flag(*heard, "evicted", true));
  }
  auto left_event = events.wait_for("voice.participant.left", room);
  ASSERT_TRUE(left_event);
  EXPECT_EQ(str(*left_event, "participantSessionId"), b.session());
  EXPECT_EQ(num(*left_event, "remainingCount"), 2);
  EXPECT_FALSE(flag(*left_event, "evicted", true));
  EXPECT_EQ(api(port, "/voice/room/leave", json::object{{"roomId", room}}, b.token()).status, 403);
  EXPECT_EQ(participants_of(port, room), sorted({a.session(), c.session()}));

  // Delete: voice.room.closed to every socket still in the room, never to the one that left.
  auto deleted =
      api(port, "/voice/room/delete", json::object{{"roomId", room}, {"reason", "admin_action"}}, admin_token());
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  for (auto* p : {&a, &c}) {
    auto closed = p->take("voice.room.closed");
    ASSERT_TRUE(closed) << p->history();
    EXPECT_EQ(str(*closed, "roomId"), room);
    EXPECT_EQ(str(*closed, "reason"), "admin_action");
  }
  b.barrier();
  EXPECT_TRUE(b.pending("voice.room.closed").empty()) << b.history();
  auto deleted_event = events.wait_for("voice.room.deleted", room);
  ASSERT_TRUE(deleted_event);
  EXPECT_EQ(str(*deleted_event, "reason"), "admin_action");
  events.sync();
  // The remaining participants left with the room (one participant.left each, after B's).
  EXPECT_EQ(events.count("voice.participant.left", room), 3u);
  EXPECT_EQ(events.count("voice.room.deleted", room), 1u);
  EXPECT_EQ(events.count("voice.room.created", room), 1u);
  EXPECT_EQ(events.count("voice.participant.joined", room), 3u);
  // Those two count down to an empty room.
  auto lefts = events.of_room(room, "voice.participant.left");
  ASSERT_EQ(lefts.size(), 3u);
  EXPECT_EQ(sorted({str(lefts[1].body, "participantSessionId"), str(lefts[2].body, "participantSessionId")}),
            sorted({a.session(), c.session()}));
  EXPECT_EQ(num(lefts[1].body, "remainingCount"), 1);
  EXPECT_EQ(num(lefts[2].body, "remainingCount"), 0);
  // The deleted event is the room's last.
  auto all = events.of_room(room);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().topic, "voice.room.deleted");

  // Gone: 404, and the participants lost their voice states.
  EXPECT_EQ(api(port, "/voice/room/get", json::object{{"roomId", room}}, admin_token()).status, 404);
  EXPECT_EQ(api(port, "/voice/room/delete", json::object{{"roomId", room}}, admin_token()).status, 404);
  EXPECT_EQ(api(port, "/voice/peer/heartbeat", json::object{{"roomId", room}}, a.token()).status, 403);
}

TEST_P(RoomLifecycleTest, JoinRefusals) {
  const auto port = start_voice().port();
  auto& events = bus();

  // Missing room with ad-hoc rooms off: 404, nothing created.
  const std::string missing = new_uuid();
  auto& a = add_peer(port);
  auto reply = join(a, missing);
  EXPECT_EQ(reply.status, 404) << reply.body;
  EXPECT_TRUE(room_of(port, missing).is_null());

  // Full: maxParticipants 2.
  const auto small = create_room(port, json::object{{"maxParticipants", 2}});
  auto& b = add_peer(port);
  auto& c = add_peer(port);
  EXPECT_EQ(join(a, small).status, 200);
  EXPECT_EQ(join(b, small).status, 200);
  reply = join(c, small);
  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(participants_of(port, small), sorted({a.session(), b.session()}));
  c.barrier();
  EXPECT_TRUE(c.pending("voice.room.state").empty());

  // Password: missing or wrong 403, right 200; the room says it is protected.
  const auto locked = create_room(port, json::object{{"password", "s3cret"}});
  EXPECT_TRUE(flag(room_of(port, locked), "isPasswordProtected"));
  reply = join(c, locked);
  EXPECT_EQ(reply.status, 403) << reply.body;
  reply = join(c, locked, "", json::object{{"password", "wrong"}});
  EXPECT_EQ(reply.status, 403) << reply.body;
  EXPECT_TRUE(participants_of(port, locked).empty());
  reply = join(c, locked, "", json::object{{"password", "s3cret"}});
  EXPECT_EQ(reply.status, 200) << reply.body;

  // Broadcasting (approved): 409 without acceptBroadcast, 200 with it (and the joiner counts as consented).
  const auto live = create_room(port);
  auto& d = add_peer(port);
  auto& e = add_peer(port);
  auto& f = add_peer(port);
  ASSERT_EQ(join(d, live).status, 200);
  ASSERT_EQ(join(e, live).status, 200);
  ASSERT_EQ(api(port, "/voice/room/broadcast/request", json::object{{"roomId", live}}, d.token()).status, 200);
  auto consent =
      api(port, "/voice/room/broadcast/consent", json::object{{"roomId", live}, {"consented", true}}, e.token());
  ASSERT_EQ(consent.status, 200) << consent.body;
  ASSERT_EQ(str(consent.json(), "state"), "approved");
  reply = join(f, live);
  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(participants_of(port, live), sorted({d.session(), e.session()}));
  reply = join(f, live, "", json::object{{"acceptBroadcast", true}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(str(reply.json(), "broadcastState"), "approved");
  auto status = api(port, "/voice/room/broadcast/status", json::object{{"roomId", live}}, f.token());
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(strings(status.json(), "consentedSessionIds"), sorted({d.session(), e.session(), f.session()}));

  // Refused joins published nothing: one participant.joined per successful join.
  events.sync();
  EXPECT_EQ(events.count("voice.participant.joined", small), 2u);
  EXPECT_EQ(events.count("voice.participant.joined", locked), 1u);
  EXPECT_EQ(events.count("voice.participant.joined", live), 3u);
  EXPECT_TRUE(events.of_room(missing).empty());
}

// A token's sid is the session a user acts for; it must be a uuid, and a user
// may not act for another session.
TEST_P(RoomLifecycleTest, UserActsOnlyForItsOwnUuidSession) {
  const auto port = start_voice().port();
  const auto room = create_room(port);
  auto reply = join_as(port, mint_token("not-a-uuid"), room);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_TRUE(participants_of(port, room).empty());

  auto& a = add_peer(port);
  reply = join(a, room, "", json::object{{"sessionId", new_session()}});
  EXPECT_EQ(reply.status, 403) << reply.body;
  EXPECT_TRUE(participants_of(port, room).empty());

  // The service role joins any session.
  const std::string other = new_session();
  reply = join_as(port, service_token(), room, "", json::object{{"sessionId", other}});
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(str(reply.json(), "sessionId"), other);
  EXPECT_EQ(participants_of(port, room), std::vector<std::string>{other});
}

// One room per session: a successful join elsewhere leaves the previous room;
// a refused one changes nothing.
TEST_P(RoomLifecycleTest, JoiningAnotherRoomLeavesThePreviousOneOnlyOnSuccess) {
  const auto port = start_voice().port();
  auto& events = bus();
  const auto first = create_room(port);
  const auto locked = create_room(port, json::object{{"password", "pw"}});
  const auto second = create_room(port);
  auto& a = add_peer(port);
  auto& b = add_peer(port);
  ASSERT_EQ(join(a, first).status, 200);
  ASSERT_EQ(join(b, first).status, 200);

  // Refused joins (wrong password, missing room): A stays where it was, nobody hears of a departure.
  EXPECT_EQ(join(a, locked, "", json::object{{"password", "wrong"}}).status, 403);
  EXPECT_EQ(join(a, new_uuid()).status, 404);
  EXPECT_EQ(participants_of(port, first), sorted({a.session(), b.session()}));
  b.barrier();
  EXPECT_TRUE(b.pending("voice.peer.left").empty()) << b.history();
  EXPECT_EQ(api(port, "/voice/peer/heartbeat", json::object{{"roomId", first}}, a.token()).status, 200);

  // A successful join elsewhere: A leaves the first room (B hears it) and keeps voice: in_room.
  ASSERT_EQ(join(a, second).status, 200);
  auto left = b.take("voice.peer.left");
  ASSERT_TRUE(left) << b.history();
  EXPECT_EQ(str(*left, "peerSessionId"), a.session());
  EXPECT_EQ(participants_of(port, first), std::vector<std::string>{b.session()});
  EXPECT_EQ(participants_of(port, second), std::vector<std::string>{a.session()});
  EXPECT_EQ(api(port, "/voice/peer/heartbeat", json::object{{"roomId", second}}, a.token()).status, 200);
  EXPECT_EQ(api(port, "/voice/peer/heartbeat", json::object{{"roomId", first}}, a.token()).status, 404);
  events.sync();
  EXPECT_EQ(events.count("voice.participant.left", first), 1u);
}

TEST_P(RoomLifecycleTest, AdHocJoinCreatesAndLastLeaveDeletes) {
  const auto port = start_voice({{"VOICE_AD_HOC_ROOMS_ENABLED", "true"},
                                 {"VOICE_EMPTY_ROOM_GRACE_PERIOD_SECONDS", "0"},
                                 {"VOICE_P2P_MAX_PARTICIPANTS", "5"}})
                        .port();
  auto& events = bus();
  auto& a = add_peer(port);
  auto& b = add_peer(port);
  const std::string room = new_uuid();
  auto reply = join(a, room);
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto created = events.wait_for("voice.room.created", room);
  ASSERT_TRUE(created);
  EXPECT_TRUE(flag(*created, "isAdHoc"));
  EXPECT_EQ(str(*created, "sessionId"), a.session());
  EXPECT_EQ(num(*created, "maxParticipants"), 5);
  auto r = room_of(port, room);
  EXPECT_TRUE(flag(r, "isAdHoc"));
  EXPECT_TRUE(flag(r, "autoCleanup"));
  EXPECT_EQ(str(r, "sessionId"), a.session());
  ASSERT_EQ(join(b, room).status, 200);

  // Created before the first join is announced.
  events.sync();
  auto all = events.of_room(room);
  ASSERT_GE(all.size(), 3u);
  EXPECT_EQ(all[0].topic, "voice.room.created");
  EXPECT_EQ(all[1].topic, "voice.participant.joined");
  EXPECT_EQ(num(all[1].body, "currentCount"), 1);
  EXPECT_EQ(num(all[2].body, "currentCount"), 2);

  ASSERT_EQ(api(port, "/voice/room/leave", json::object{{"roomId", room}}, a.token()).status, 200);
  EXPECT_FALSE(room_of(port, room).is_null());
  // The last one out: the room goes at once (grace period 0), reason empty.
  ASSERT_EQ(api(port, "/voice/room/leave", json::object{{"roomId", room}}, b.token()).status, 200);
  auto deleted = events.wait_for("voice.room.deleted", room);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(str(*deleted, "reason"), "empty");
  EXPECT_TRUE(room_of(port, room).is_null());
  auto left = events.of_room(room, "voice.participant.left");
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(num(left[1].body, "remainingCount"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, RoomLifecycleTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::voicetest
