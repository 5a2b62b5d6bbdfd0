// P2P signaling over three WebSocket sessions: join offers, per-pair offers,
// answers gated by voice: ringing, ICE trickle, leave and disconnect. Every
// relay must reach exactly its target with the right fields.
#include "core/ids.hpp"
#include "voice_server/voice_fixture.hpp"

namespace onair::voicetest {
namespace {

class SignalingTest : public VoiceServerTest {
 protected:
  // After barriers on every other peer: none of them holds an event `name`.
  static void expect_none_except(std::string_view name, const std::vector<Peer*>& others) {
    for (auto* p : others) {
      p->barrier();
      EXPECT_TRUE(p->pending(name).empty()) << p->session() << " got " << name << ":\n" << p->history();
    }
  }
};

TEST_P(SignalingTest, OffersAnswersAndIceReachExactlyTheirTarget) {
  const auto port = start_voice().port();
  const auto room = create_room(port);
  auto& a = add_peer(port);
  auto& b = add_peer(port);
  auto& c = add_peer(port);
  auto answer = [&](Peer& from, const Peer& to, const std::string& sdp) {
    return api(port, "/voice/peer/answer",
               json::object{{"roomId", room}, {"targetSessionId", to.session()}, {"sdpAnswer", sdp}}, from.token());
  };

  ASSERT_EQ(join(a, room).status, 200);
  // B joins with an offer: A (the only existing peer) gets it and starts ringing.
  ASSERT_EQ(join(b, room, "v=0 offer-from-B", json::object{{"displayName", "Bea"}}).status, 200);
  auto offer = a.take("voice.peer.joined");
  ASSERT_TRUE(offer) << a.history();
  EXPECT_EQ(str(*offer, "roomId"), room);
  EXPECT_EQ(str(at(*offer, "peer"), "peerSessionId"), b.session());
  EXPECT_EQ(str(at(*offer, "peer"), "sdpOffer"), "v=0 offer-from-B");
  EXPECT_EQ(str(at(*offer, "peer"), "displayName"), "Bea");
  EXPECT_EQ(num(*offer, "currentParticipantCount"), 2);
  // C joins without an offer: A and B hear of it with an empty SDP; nobody rings for it.
  ASSERT_EQ(join(c, room).status, 200);
  for (auto* p : {&a, &b}) {
    auto heard = p->take("voice.peer.joined");
    ASSERT_TRUE(heard) << p->history();
    EXPECT_EQ(str(at(*heard, "peer"), "peerSessionId"), c.session());
    EXPECT_EQ(str(at(*heard, "peer"), "sdpOffer"), "");
    EXPECT_EQ(num(*heard, "currentParticipantCount"), 3);
  }
  expect_none_except("voice.peer.joined", {&a, &b, &c});
  expect_none_except("voice.peer.updated", {&a, &b, &c});

  // Nobody offered to C: answering is refused by the ringing gate (403), before any offer.
  auto refused = answer(c, a, "v=0 answer");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(servertest::error_of(refused).find("voice: ringing"), std::string::npos) << refused.body;
  // Nor did A offer to B.
  EXPECT_EQ(answer(b, a, "v=0 answer").status, 403);

  // A answers B's join offer: only B gets voice.peer.updated, with the answer in sdpOffer.
  auto answered = answer(a, b, "v=0 answer-A-to-B");
  ASSERT_EQ(answered.status, 200) << answered.body;
  auto update = b.take("voice.peer.updated");
  ASSERT_TRUE(update) << b.history();
  EXPECT_EQ(str(at(*update, "peer"), "peerSessionId"), a.session());
  EXPECT_EQ(str(at(*update, "peer"), "sdpOffer"), "v=0 answer-A-to-B");
  expect_none_except("voice.peer.updated", {&a, &c});
  // No offers left for A: ringing cleared, a second answer is refused.
  EXPECT_EQ(answer(a, b, "v=0 again").status, 403);

  // C offers to A (per-pair offer, with candidates): A gets voice.peer.joined with it and rings.
  auto offered = api(port, "/voice/peer/offer",
                     json::object{{"roomId", room},
                                  {"targetSessionId", a.session()},
                                  {"sdpOffer", "v=0 offer-C-to-A"},
                                  {"iceCandidates", json::array{"candidate:1 1 udp 1 10.0.0.3 5000 typ host"}}},
                     c.token());
  ASSERT_EQ(offered.status, 200) << offered.body;
  auto pair_offer = a.take("voice.peer.joined");
  ASSERT_TRUE(pair_offer) << a.history();
  EXPECT_EQ(str(at(*pair_offer, "peer"), "peerSessionId"), c.session());
  EXPECT_EQ(str(at(*pair_offer, "peer"), "sdpOffer"), "v=0 offer-C-to-A");
  EXPECT_EQ(strings(at(*pair_offer, "peer"), "iceCandidates"),
            std::vector<std::string>{"candidate:1 1 udp 1 10.0.0.3 5000 typ host"});
  EXPECT_EQ(num(*pair_offer, "currentParticipantCount"), 3);
  expect_none_except("voice.peer.joined", {&b, &c});

  // A is ringing again, but only C offered: answering B is 404, answering C reaches C only.
  auto wrong_peer = answer(a, b, "v=0 answer-to-B");
  EXPECT_EQ(wrong_peer.status, 404) << wrong_peer.body;
  auto answer_c = api(port, "/voice/peer/answer",
                      json::object{{"roomId", room},
                                   {"targetSessionId", c.session()},
                                   {"sdpAnswer", "v=0 answer-A-to-C"},
                                   {"iceCandidates", json::array{"cand-a"}}},
                      a.token());
  ASSERT_EQ(answer_c.status, 200) << answer_c.body;
  auto c_update = c.take("voice.peer.updated");
  ASSERT_TRUE(c_update) << c.history();
  EXPECT_EQ(str(at(*c_update, "peer"), "peerSessionId"), a.session());
  EXPECT_EQ(str(at(*c_update, "peer"), "sdpOffer"), "v=0 answer-A-to-C");
  EXPECT_EQ(strings(at(*c_update, "peer"), "iceCandidates"), std::vector<std::string>{"cand-a"});
  expect_none_except("voice.peer.updated", {&a, &b});

  // ICE trickle B -> C: voice.peer.updated with the candidates and an empty SDP, to C alone.
  auto ice =
      api(port, "/voice/peer/ice-candidate",
          json::object{{"roomId", room}, {"targetSessionId", c.session()}, {"iceCandidates", json::array{"c1", "c2"}}},
          b.token());
  ASSERT_EQ(ice.status, 200) << ice.body;
  auto c_ice = c.take("voice.peer.updated");
  ASSERT_TRUE(c_ice) << c.history();
  EXPECT_EQ(str(at(*c_ice, "peer"), "peerSessionId"), b.session());
  EXPECT_EQ(str(at(*c_ice, "peer"), "sdpOffer"), "");
  EXPECT_EQ(strings(at(*c_ice, "peer"), "iceCandidates"), (std::vector<std::string>{"c1", "c2"}));
  expect_none_except("voice.peer.updated", {&a, &b});

  // Relays to someone outside the room, or to oneself, change nothing.
  const std::string stranger = new_uuid();
  EXPECT_EQ(
      api(port, "/voice/peer/ice-candidate",
          json::object{{"roomId", room}, {"targetSessionId", stranger}, {"iceCandidates", json::array{"c"}}}, b.token())
          .status,
      404);
  EXPECT_EQ(api(port, "/voice/peer/offer",
                json::object{{"roomId", room}, {"targetSessionId", stranger}, {"sdpOffer", "v=0"}}, b.token())
                .status,
            404);
  EXPECT_EQ(api(port, "/voice/peer/offer",
                json::object{{"roomId", room}, {"targetSessionId", b.session()}, {"sdpOffer", "v=0"}}, b.token())
                .status,
            400);
  expect_none_except("voice.peer.joined", {&a, &b, &c});
  expect_none_except("voice.peer.updated", {&a, &b, &c});
}

TEST_P(SignalingTest, LeaveAndDisconnectTellThePeers) {
  const auto port = start_voice().port();
  auto& events = bus();
  const auto room = create_room(port);
  auto& a = add_peer(port);
  auto& b = add_peer(port);
  auto& c = add_peer(port);
  for (auto* p : {&a, &b, &c}) ASSERT_EQ(join(*p, room).status, 200);

  // B leaves: A and C get voice.peer.left; B gets nothing more about the room.
  ASSERT_EQ(api(port, "/voice/room/leave", json::object{{"roomId", room}}, b.token()).status, 200);
  for (auto* p : {&a, &c}) {
    auto left = p->take("voice.peer.left");
    ASSERT_TRUE(left) << p->history();
    EXPECT_EQ(str(*left, "peerSessionId"), b.session());
    EXPECT_EQ(num(*left, "remainingParticipantCount"), 2);
  }
  expect_none_except("voice.peer.left", {&a, &b, &c});

  // C's socket closes: its session leaves the room, A hears of it, the bus records it.
  c.disconnect();
  auto gone = a.take("voice.peer.left");
  ASSERT_TRUE(gone) << a.history();
  EXPECT_EQ(str(*gone, "peerSessionId"), c.session());
  EXPECT_EQ(num(*gone, "remainingParticipantCount"), 1);
  EXPECT_FALSE(flag(*gone, "evicted", true));
  auto left_event = events.wait_for("voice.participant.left", room, [&](const json::object& e) {
    return str(e, "participantSessionId") == c.session();
  });
  ASSERT_TRUE(left_event);
  EXPECT_FALSE(flag(*left_event, "evicted", true));
  EXPECT_EQ(num(*left_event, "remainingCount"), 1);
  EXPECT_EQ(participants_of(port, room), std::vector<std::string>{a.session()});
  // Its voice states went with it: C's token may not heartbeat any more.
  EXPECT_EQ(api(port, "/voice/peer/heartbeat", json::object{{"roomId", room}}, c.token()).status, 403);
}

INSTANTIATE_TEST_SUITE_P(Backends, SignalingTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::voicetest
