// Client events to a link's owner (schemas/stream-client-events.yaml): every socket of every session
// of the account hears stream.link.changed and stream.session.changed, whichever node it is on
// (servers: a second node, events through RabbitMQ client.account.<id>); other accounts hear nothing.
// Plus the pure builders of owner_events.hpp.
#include "stream/service/owner_events.hpp"

#include <functional>

#include "core/time.hpp"
#include "stream_server/stream_fixture.hpp"

namespace onair::streamtest {
namespace {

using servertest::BackendSet;
namespace gst = gen::stream;
constexpr auto kCross = 10s;

std::string s(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

std::int64_t n(const json::value& v, std::string_view key) {
  const auto* m = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return m && m->is_int64() ? m->as_int64() : -1;
}

bool absent_or_null(const json::value& v, std::string_view key) {
  const auto* m = v.as_object().if_contains(key);
  return !m || m->is_null();
}

// The event of the next {"type":"event"} named `name`, or null.
json::value next(testing::TestSocket& socket, std::string_view name) {
  auto frame = socket.wait_for_event(name, kCross);
  return frame ? frame->at("event") : json::value();
}

class StreamOwnerEventsTest : public StreamServerTest {};

TEST_P(StreamOwnerEventsTest, LinkAndSessionChangesReachEverySocketOfTheOwner) {
  const bool two_nodes = backend_set() == BackendSet::kServers;
  start_stream();
  // No warm-up needed for node 1's socket: start_stream returns once that node's bus recorder heard its
  // own probe, and RabbitBus binds a node's queues in order, the client-event queue (bound at server
  // start) first.
  if (two_nodes) start_stream();
  const auto account = new_uuid();
  const auto user = account_token(account);
  // Two sessions of the owner (one on the other node when there is one) and a stranger.
  auto here = testing::TestSocket::open(port(0), user);
  auto there = testing::TestSocket::open(port(two_nodes ? 1 : 0), account_token(account));
  auto stranger = testing::TestSocket::open(port(0), account_token(new_uuid()));

  auto custom =
      call("/stream/platform/link", json::object{{"platform", "custom"}, {"customRtmpUrl", "rtmp://h/app/key"}}, user);
  ASSERT_EQ(custom.status, 200) << custom.body;
  const auto link = s(custom.json().at("link"), "linkId");
  for (auto* socket : {here.get(), there.get()}) {
    auto e = next(*socket, "stream.link.changed");
    ASSERT_TRUE(e.is_object()) << socket->history();
    EXPECT_EQ(s(e, "linkId"), link);
    EXPECT_EQ(s(e, "platform"), "custom");
    EXPECT_EQ(s(e, "change"), "linked");
    EXPECT_FALSE(s(e, "eventId").empty());
    // Ids and states only: the RTMP URL (with its key) and the webhook secret never go out.
    EXPECT_EQ(socket->history().find("rtmp://"), std::string::npos);
  }

  auto started = call("/stream/session/start", json::object{{"linkId", link}}, user);
  ASSERT_EQ(started.status, 200) << started.body;
  const auto session = s(started.json(), "platformSessionId");
  const auto game = new_uuid();
  ASSERT_EQ(
      call("/stream/session/associate", json::object{{"platformSessionId", session}, {"inGameSessionId", game}}, user)
          .status,
      200);
  ASSERT_EQ(call("/stream/session/stop", json::object{{"platformSessionId", session}}, user).status, 200);
  for (auto* socket : {here.get(), there.get()}) {
    auto active = next(*socket, "stream.session.changed");
    ASSERT_TRUE(active.is_object()) << socket->history();
    EXPECT_EQ(s(active, "platformSessionId"), session);
    EXPECT_EQ(s(active, "linkId"), link);
    EXPECT_EQ(s(active, "state"), "active");
    EXPECT_TRUE(absent_or_null(active, "inGameSessionId"));
    EXPECT_TRUE(absent_or_null(active, "endReason"));
    auto associated = next(*socket, "stream.session.changed");
    ASSERT_TRUE(associated.is_object()) << socket->history();
    EXPECT_EQ(s(associated, "state"), "active");
    EXPECT_EQ(s(associated, "inGameSessionId"), game);
    auto ended = next(*socket, "stream.session.changed");
    ASSERT_TRUE(ended.is_object()) << socket->history();
    EXPECT_EQ(s(ended, "state"), "ended");
    EXPECT_EQ(s(ended, "endReason"), "manual");
    EXPECT_EQ(s(ended, "inGameSessionId"), game);
    EXPECT_GE(n(ended, "durationSeconds"), 0);
    EXPECT_EQ(n(ended, "peakViewerCount"), 0);
  }
  // A second stop changes nothing and tells nobody.
  ASSERT_EQ(call("/stream/session/stop", json::object{{"platformSessionId", session}}, user).status, 200);

  ASSERT_EQ(call("/stream/platform/unlink", json::object{{"linkId", link}}, user).status, 200);
  for (auto* socket : {here.get(), there.get()}) {
    auto e = next(*socket, "stream.link.changed");
    ASSERT_TRUE(e.is_object()) << socket->history();
    EXPECT_EQ(s(e, "linkId"), link);
    EXPECT_EQ(s(e, "change"), "unlinked");
    // Nothing came between the ended session and the unlink (the second stop was silent).
    const auto history = socket->history();
    EXPECT_EQ(history.find(R"("state":"ended")"), history.rfind(R"("state":"ended")")) << history;
  }
  // The stranger's socket heard none of it.
  EXPECT_FALSE(stranger->wait_for_event("stream.link.changed", 300ms)) << stranger->history();
  EXPECT_EQ(stranger->history().find("stream.session.changed"), std::string::npos);
}

TEST_P(StreamOwnerEventsTest, ALostAuthorizationAsksTheOwnerToLinkAgain) {
  start_stream();
  const auto account = new_uuid();
  auto socket = testing::TestSocket::open(port(), account_token(account));
  // A channel of its own: the servers set's MariaDB outlives the test (links are unique per channel).
  const auto link = twitch_link(account, std::to_string(std::hash<std::string>{}(account) % 1'000'000'000));
  ASSERT_TRUE(run(service().lose_authorization(link.link_id)));
  auto e = next(*socket, "stream.link.changed");
  ASSERT_TRUE(e.is_object()) << socket->history();
  EXPECT_EQ(s(e, "linkId"), link.link_id);
  EXPECT_EQ(s(e, "platform"), "twitch");
  EXPECT_EQ(s(e, "change"), "needs_relink");
  // The link is still listed, waiting for a new authorization.
  auto list = call("/stream/platform/list", json::object{}, account_token(account));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().at("links").as_array().size(), 1u);
  EXPECT_EQ(s(list.json().at("links").as_array()[0], "status"), "needs_relink");
  EXPECT_EQ(call("/stream/platform/unlink", json::object{{"linkId", link.link_id}}, account_token(account)).status,
            200);
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamOwnerEventsTest,
                         ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers), servertest::backend_set_name);

TEST(StreamOwnerEvents, SessionDurationRunsWhileActiveAndStopsAtTheEnd) {
  stream::SessionRecord r;
  r.session_id = "s";
  r.link_id = "l";
  r.platform = gst::StreamPlatform::youtube;
  r.started_ms = 10'000;
  r.peak_viewers = 42;
  auto active = stream::session_changed_event(r, 75'500, "e1", "t1");
  EXPECT_EQ(active.duration_seconds, 65);
  EXPECT_EQ(active.peak_viewer_count, 42);
  EXPECT_EQ(active.state, gst::PlatformSessionState::active);
  EXPECT_FALSE(active.end_reason);
  EXPECT_EQ(active.event_id, "e1");
  r.state = gst::PlatformSessionState::ended;
  r.ended_ms = 40'000;
  r.end_reason = gst::PlatformSessionEndReason::stream_offline;
  auto ended = stream::session_changed_event(r, 999'000, "e2", "t2");
  EXPECT_EQ(ended.duration_seconds, 30);
  EXPECT_EQ(ended.end_reason, gst::PlatformSessionEndReason::stream_offline);
  // A clock that went backwards gives 0, never a negative duration (the schema's minimum).
  r.state = gst::PlatformSessionState::active;
  EXPECT_EQ(stream::session_changed_event(r, 5'000, "e3", "t3").duration_seconds, 0);
}

TEST(StreamOwnerEvents, AnUnlinkByTheOwnerRemovesARevocationAsksForARelink) {
  EXPECT_EQ(stream::link_change_of(gst::StreamPlatformUnlinkedEventReason::unlinked),
            gst::StreamLinkChangedClientEventChange::unlinked);
  EXPECT_EQ(stream::link_change_of(gst::StreamPlatformUnlinkedEventReason::authorization_revoked),
            gst::StreamLinkChangedClientEventChange::needs_relink);
  stream::LinkRecord link;
  link.link_id = "l";
  link.platform = gst::StreamPlatform::twitch;
  auto e = stream::link_changed_event(link, gst::StreamLinkChangedClientEventChange::linked, "e", "t");
  const auto text = e.to_json_text();
  EXPECT_NE(text.find(R"("eventName":"stream.link.changed")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("change":"linked")"), std::string::npos) << text;
}

}  // namespace
}  // namespace onair::streamtest
