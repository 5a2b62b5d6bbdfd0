// Signaling across two nodes (servers set): a joiner whose socket is on node
// A, a peer whose socket is on node B. Client events for a session connected
// elsewhere travel over RabbitMQ (client.session.<id>); the room and the
// session states live in Redis, so either node can take any call.
#include "core/ids.hpp"
#include "voice_server/voice_fixture.hpp"

namespace onair::voicetest {
namespace {

class VoiceCrossNodeTest : public VoiceServerTest {};

TEST_P(VoiceCrossNodeTest, SignalingCrossesNodes) {
  start_voice();
  start_voice();
  const auto node_a = port(0);
  const auto node_b = port(1);
  auto& events = bus(1);
  const auto room = create_room(node_a);
  auto& peer = add_peer(node_b);    // socket on B
  auto& joiner = add_peer(node_a);  // socket on A
  constexpr auto kCross = 10s;

  ASSERT_EQ(join(peer, room).status, 200);
  // The joiner joins through A with an offer: the peer, on B, gets it.
  auto joined = join(joiner, room, "v=0 offer-from-A", json::object{{"displayName", "Joiner"}});
  ASSERT_EQ(joined.status, 200) << joined.body;
  auto offer = peer.take("voice.peer.joined", {}, kCross);
  ASSERT_TRUE(offer) << peer.history();
  EXPECT_EQ(str(at(*offer, "peer"), "peerSessionId"), joiner.session());
  EXPECT_EQ(str(at(*offer, "peer"), "sdpOffer"), "v=0 offer-from-A");
  EXPECT_EQ(str(at(*offer, "peer"), "displayName"), "Joiner");
  EXPECT_EQ(num(*offer, "currentParticipantCount"), 2);
  auto joined_event = events.wait_for("voice.participant.joined", room, [&](const json::object& e) {
    return str(e, "participantSessionId") == joiner.session();
  });
  ASSERT_TRUE(joined_event);  // published by A, seen on B's bus
  EXPECT_EQ(num(*joined_event, "currentCount"), 2);

  // The peer answers through B (its ringing state is in Redis): the joiner, on A, gets it.
  auto answered =
      api(node_b, "/voice/peer/answer",
          json::object{{"roomId", room}, {"targetSessionId", joiner.session()}, {"sdpAnswer", "v=0 answer-B"}},
          peer.token());
  ASSERT_EQ(answered.status, 200) << answered.body;
  auto answer = joiner.take("voice.peer.updated", {}, kCross);
  ASSERT_TRUE(answer) << joiner.history();
  EXPECT_EQ(str(at(*answer, "peer"), "peerSessionId"), peer.session());
  EXPECT_EQ(str(at(*answer, "peer"), "sdpOffer"), "v=0 answer-B");

  // A per-pair offer through A reaches B; the answer through A (a call may go to any node) reaches A.
  auto offered =
      api(node_a, "/voice/peer/offer",
          json::object{{"roomId", room}, {"targetSessionId", peer.session()}, {"sdpOffer", "v=0 renegotiate"}},
          joiner.token());
  ASSERT_EQ(offered.status, 200) << offered.body;
  auto pair_offer = peer.take("voice.peer.joined", {}, kCross);
  ASSERT_TRUE(pair_offer) << peer.history();
  EXPECT_EQ(str(at(*pair_offer, "peer"), "sdpOffer"), "v=0 renegotiate");
  auto reanswered =
      api(node_a, "/voice/peer/answer",
          json::object{{"roomId", room}, {"targetSessionId", joiner.session()}, {"sdpAnswer", "v=0 re-answer"}},
          peer.token());
  ASSERT_EQ(reanswered.status, 200) << reanswered.body;
  auto reanswer = joiner.take("voice.peer.updated", {}, kCross);
  ASSERT_TRUE(reanswer) << joiner.history();
  EXPECT_EQ(str(at(*reanswer, "peer"), "sdpOffer"), "v=0 re-answer");

  // ICE both ways.
  ASSERT_EQ(api(node_b, "/voice/peer/ice-candidate",
                json::object{
                    {"roomId", room}, {"targetSessionId", joiner.session()}, {"iceCandidates", json::array{"from-B"}}},
                peer.token())
                .status,
            200);
  auto ice_a = joiner.take("voice.peer.updated", {}, kCross);
  ASSERT_TRUE(ice_a) << joiner.history();
  EXPECT_EQ(strings(at(*ice_a, "peer"), "iceCandidates"), std::vector<std::string>{"from-B"});
  ASSERT_EQ(
      api(node_a, "/voice/peer/ice-candidate",
          json::object{{"roomId", room}, {"targetSessionId", peer.session()}, {"iceCandidates", json::array{"from-A"}}},
          joiner.token())
          .status,
      200);
  auto ice_b = peer.take("voice.peer.updated", {}, kCross);
  ASSERT_TRUE(ice_b) << peer.history();
  EXPECT_EQ(strings(at(*ice_b, "peer"), "iceCandidates"), std::vector<std::string>{"from-A"});

  // A consent request through B reaches the joiner on A.
  ASSERT_EQ(api(node_b, "/voice/room/broadcast/request", json::object{{"roomId", room}}, peer.token()).status, 200);
  auto asked = joiner.take("voice.broadcast.consent-request", {}, kCross);
  ASSERT_TRUE(asked) << joiner.history();
  EXPECT_EQ(str(*asked, "requestedBySessionId"), peer.session());

  // The joiner's socket on A closes: A makes it leave, and the peer on B hears it.
  joiner.disconnect();
  auto left = peer.take("voice.peer.left", {}, kCross);
  ASSERT_TRUE(left) << peer.history();
  EXPECT_EQ(str(*left, "peerSessionId"), joiner.session());
  EXPECT_EQ(num(*left, "remainingParticipantCount"), 1);
  // The pending request had only the joiner to wait for: it ends with the peer's consent alone (approved).
  auto approved = events.wait_for("voice.room.broadcast.approved", room, {}, kCross);
  ASSERT_TRUE(approved);
  EXPECT_EQ(strings(*approved, "consentedSessionIds"), std::vector<std::string>{peer.session()});
  EXPECT_EQ(participants_of(node_b, room), std::vector<std::string>{peer.session()});
}

INSTANTIATE_TEST_SUITE_P(Backends, VoiceCrossNodeTest, ::testing::Values(BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::voicetest
