// The broadcast consent flow end to end over sockets: request, decline,
// approval, revocation by leaving or stopping, the timeout, and deletion of a
// broadcasting room; the client events every participant sees and the bus
// events the stream service relies on.
#include <thread>

#include "core/time.hpp"
#include "voice_server/voice_fixture.hpp"

namespace onair::voicetest {
namespace {

class BroadcastConsentTest : public VoiceServerTest {
 protected:
  HttpReply call(const std::string& path, const Peer& p, json::object extra = {}) {
    json::object body{{"roomId", room_}};
    for (auto& [k, v] : extra) body[k] = v;
    return api(port_, path, body, p.token());
  }
  HttpReply request(const Peer& p) { return call("/voice/room/broadcast/request", p); }
  HttpReply consent(const Peer& p, bool yes) { return call("/voice/room/broadcast/consent", p, {{"consented", yes}}); }
  HttpReply stop(const Peer& p) { return call("/voice/room/broadcast/stop", p); }
  std::string state_now() {
    // Status is for participants (user + voice: in_room) and the service role; admins have no rule of their own.
    auto r = api(port_, "/voice/room/broadcast/status", json::object{{"roomId", room_}}, service_token());
    return str(r.json(), "state");
  }
  // Every peer in `peers` gets a consent update in `state`; returns them.
  std::vector<json::object> updates(const std::vector<Peer*>& peers, const std::string& state) {
    std::vector<json::object> out;
    for (auto* p : peers) {
      auto u =
          p->take("voice.broadcast.consent-update", [&](const json::object& e) { return str(e, "state") == state; });
      EXPECT_TRUE(u) << p->session() << " got no consent-update " << state << ":\n" << p->history();
      if (u) out.push_back(*u);
    }
    return out;
  }

  std::uint16_t port_ = 0;
  std::string room_;
};

TEST_P(BroadcastConsentTest, DeclineApproveRevokeStopAndClose) {
  port_ = start_voice().port();
  auto& events = bus();
  room_ = create_room(port_);
  auto& a = add_peer(port_);
  auto& b = add_peer(port_);
  auto& c = add_peer(port_);
  ASSERT_EQ(join(a, room_, "", json::object{{"displayName", "Ann"}}).status, 200);
  ASSERT_EQ(join(b, room_, "", json::object{{"displayName", "Bob"}}).status, 200);
  ASSERT_EQ(join(c, room_, "", json::object{{"displayName", "Cid"}}).status, 200);

  // Request: the others are asked (with a deadline) and get voice: consent_pending.
  auto asked = request(a);
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_EQ(str(asked.json(), "state"), "pending");
  EXPECT_EQ(str(asked.json(), "requestedBySessionId"), a.session());
  EXPECT_EQ(strings(asked.json(), "consentedSessionIds"), std::vector<std::string>{a.session()});
  EXPECT_EQ(strings(asked.json(), "pendingSessionIds"), sorted({b.session(), c.session()}));
  ASSERT_FALSE(str(asked.json(), "deadline").empty());
  const auto deadline = parse_rfc3339(str(asked.json(), "deadline"));
  ASSERT_TRUE(deadline);
  const auto left_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(*deadline - std::chrono::system_clock::now());
  EXPECT_GE(left_seconds.count(), 27);  // default VOICE_BROADCAST_CONSENT_TIMEOUT_SECONDS=30
  EXPECT_LE(left_seconds.count(), 30);
  for (auto* p : {&b, &c}) {
    auto r = p->take("voice.broadcast.consent-request");
    ASSERT_TRUE(r) << p->history();
    EXPECT_EQ(str(*r, "requestedBySessionId"), a.session());
    EXPECT_EQ(str(*r, "requestedByDisplayName"), "Ann");
    EXPECT_EQ(str(*r, "deadline"), str(asked.json(), "deadline"));
    EXPECT_EQ(num(*r, "timeoutSeconds"), 30);
  }
  a.barrier();
  EXPECT_TRUE(a.pending("voice.broadcast.consent-request").empty()) << a.history();
  for (const auto& u : updates({&a, &b, &c}, "pending")) {
    EXPECT_EQ(num(u, "consentedCount"), 1);
    EXPECT_EQ(num(u, "totalCount"), 3);
  }
  // The requester is not consent_pending; a second request while pending is 409.
  EXPECT_EQ(consent(a, true).status, 403);
  EXPECT_EQ(request(b).status, 409);

  // B declines: everyone sees inactive/declined, the bus says who, C is no longer pending.
  auto declined = consent(b, false);
  ASSERT_EQ(declined.status, 200) << declined.body;
  EXPECT_EQ(str(declined.json(), "state"), "inactive");
  for (const auto& u : updates({&a, &b, &c}, "inactive")) {
    EXPECT_EQ(str(u, "declinedReason"), "declined");
    EXPECT_EQ(str(u, "declinedByDisplayName"), "Bob");
  }
  auto declined_event = events.wait_for("voice.room.broadcast.declined", room_);
  ASSERT_TRUE(declined_event);
  EXPECT_EQ(str(*declined_event, "declinedBySessionId"), b.session());
  EXPECT_EQ(str(*declined_event, "reason"), "declined");
  EXPECT_EQ(consent(c, true).status, 403);
  EXPECT_EQ(state_now(), "inactive");

  // Again, and everyone consents: approved, with every participant's consent on the bus.
  ASSERT_EQ(request(a).status, 200);
  auto partial = consent(b, true);
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(str(partial.json(), "state"), "pending");
  EXPECT_EQ(strings(partial.json(), "pendingSessionIds"), std::vector<std::string>{c.session()});
  auto all_in = consent(c, true);
  ASSERT_EQ(all_in.status, 200) << all_in.body;
  EXPECT_EQ(str(all_in.json(), "state"), "approved");
  for (const auto& u : updates({&a, &b, &c}, "approved")) {
    EXPECT_EQ(num(u, "consentedCount"), 3);
    EXPECT_EQ(num(u, "totalCount"), 3);
  }
  auto approved = events.wait_for("voice.room.broadcast.approved", room_);
  ASSERT_TRUE(approved);
  EXPECT_EQ(str(*approved, "requestedBySessionId"), a.session());
  EXPECT_EQ(strings(*approved, "consentedSessionIds"), sorted({a.session(), b.session(), c.session()}));
  EXPECT_EQ(state_now(), "approved");
  EXPECT_EQ(request(b).status, 409);

  // The stream service confirms RTMP output (service-internal): broadcasting.
  EXPECT_EQ(api(port_, "/voice/room/broadcast/started", json::object{{"roomId", room_}}, a.token()).status, 403);
  auto started = api(port_, "/voice/room/broadcast/started", json::object{{"roomId", room_}}, service_token());
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(str(started.json(), "state"), "broadcasting");

  // B leaves: consent revoked, the broadcast stops.
  ASSERT_EQ(api(port_, "/voice/room/leave", json::object{{"roomId", room_}}, b.token()).status, 200);
  auto revoked = events.wait_for("voice.room.broadcast.stopped", room_);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(str(*revoked, "reason"), "consent_revoked");
  EXPECT_EQ(str(*revoked, "stoppedBySessionId"), b.session());
  for (const auto& u : updates({&a, &c}, "inactive")) EXPECT_EQ(str(u, "stoppedReason"), "consent_revoked");
  EXPECT_EQ(state_now(), "inactive");

  // Approved again (A and C), then C stops it.
  ASSERT_EQ(request(a).status, 200);
  ASSERT_EQ(str(consent(c, true).json(), "state"), "approved");
  ASSERT_TRUE(events.wait_for("voice.room.broadcast.approved", room_, {}, 10s));
  a.clear();
  c.clear();
  auto stopped = stop(c);
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(str(stopped.json(), "state"), "inactive");
  auto stop_event = events.wait_for("voice.room.broadcast.stopped", room_,
                                    [&](const json::object& e) { return str(e, "stoppedBySessionId") == c.session(); });
  ASSERT_TRUE(stop_event);
  EXPECT_EQ(str(*stop_event, "reason"), "consent_revoked");
  for (const auto& u : updates({&a, &c}, "inactive")) EXPECT_EQ(str(u, "stoppedReason"), "consent_revoked");
  EXPECT_EQ(stop(c).status, 404);  // nothing to stop

  // Stop while pending declines (by the stopper).
  ASSERT_EQ(request(c).status, 200);
  ASSERT_EQ(str(stop(a).json(), "state"), "inactive");
  auto stop_declined = events.wait_for("voice.room.broadcast.declined", room_, [&](const json::object& e) {
    return str(e, "declinedBySessionId") == a.session();
  });
  ASSERT_TRUE(stop_declined);
  EXPECT_EQ(str(*stop_declined, "reason"), "declined");

  // Deleted while approved: stopped with room_closed, and the room closes on every socket.
  ASSERT_EQ(request(a).status, 200);
  ASSERT_EQ(str(consent(c, true).json(), "state"), "approved");
  a.clear();
  c.clear();
  ASSERT_EQ(api(port_, "/voice/room/delete", json::object{{"roomId", room_}}, admin_token()).status, 200);
  auto closed_event = events.wait_for("voice.room.broadcast.stopped", room_,
                                      [](const json::object& e) { return str(e, "reason") == "room_closed"; });
  ASSERT_TRUE(closed_event);
  EXPECT_TRUE(at(*closed_event, "stoppedBySessionId").is_null());
  for (const auto& u : updates({&a, &c}, "inactive")) EXPECT_EQ(str(u, "stoppedReason"), "room_closed");
  for (auto* p : {&a, &c}) EXPECT_TRUE(p->take("voice.room.closed")) << p->history();

  // In all: three approvals, three stops, two declines.
  events.sync();
  EXPECT_EQ(events.count("voice.room.broadcast.approved", room_), 3u);
  EXPECT_EQ(events.count("voice.room.broadcast.stopped", room_), 3u);
  EXPECT_EQ(events.count("voice.room.broadcast.declined", room_), 2u);
}

// The one slow consent test: nobody answers, the request times out.
TEST_P(BroadcastConsentTest, SilenceDeclinesAtTheTimeout) {
  port_ = start_voice({{"VOICE_BROADCAST_CONSENT_TIMEOUT_SECONDS", "10"}}).port();
  auto& events = bus();
  room_ = create_room(port_);
  auto& a = add_peer(port_);
  auto& b = add_peer(port_);
  auto& c = add_peer(port_);
  for (auto* p : {&a, &b, &c}) ASSERT_EQ(join(*p, room_).status, 200);

  const auto asked_at = std::chrono::steady_clock::now();
  auto asked = request(a);
  ASSERT_EQ(asked.status, 200) << asked.body;
  auto r = b.take("voice.broadcast.consent-request");
  ASSERT_TRUE(r) << b.history();
  EXPECT_EQ(num(*r, "timeoutSeconds"), 10);
  // C answers in time, B never does.
  ASSERT_EQ(consent(c, true).status, 200);

  // Heartbeats while waiting (another run's eviction sweep may share the state store).
  std::optional<json::value> declined;
  while (!declined && std::chrono::steady_clock::now() - asked_at < 15s) {
    for (auto* p : {&a, &b, &c}) (void)call("/voice/peer/heartbeat", *p);
    declined = events.wait_for("voice.room.broadcast.declined", room_, {}, 1s);
  }
  const auto took = std::chrono::steady_clock::now() - asked_at;
  ASSERT_TRUE(declined) << "no decline within 15 s";
  EXPECT_GE(took, 9500ms);
  EXPECT_LE(took, 12s);
  EXPECT_EQ(str(*declined, "reason"), "timeout");
  EXPECT_EQ(str(*declined, "declinedBySessionId"), b.session());
  for (const auto& u : updates({&a, &b, &c}, "inactive")) EXPECT_EQ(str(u, "declinedReason"), "timeout");
  EXPECT_EQ(state_now(), "inactive");
  // B's consent_pending went with the request.
  EXPECT_EQ(consent(b, true).status, 403);
  events.sync();
  EXPECT_EQ(events.count("voice.room.broadcast.declined", room_), 1u);
  EXPECT_EQ(events.count("voice.room.broadcast.approved", room_), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, BroadcastConsentTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::voicetest
