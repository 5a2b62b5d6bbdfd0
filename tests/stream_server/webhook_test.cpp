// Raw webhook routing, Twitch EventSub security, session detection, pulses and tracked viewers.
#include <set>
#include <thread>

#include "core/errors.hpp"
#include "core/time.hpp"
#include "stream/security/webhook_signature.hpp"
#include "stream_server/stream_fixture.hpp"

namespace onair::streamtest {
namespace {

using servertest::BackendSet;

std::string s(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

class StreamWebhookTest : public StreamServerTest {
 protected:
  void SetUp() override {
    StreamServerTest::SetUp();
    if (::testing::Test::IsSkipped()) return;
    start_stream();
    account_ = new_uuid();
    channel_ = "4" + random_hex(5);
    link_ = twitch_link(account_, channel_);
  }

  // stream.online -> the session id from the started event.
  std::string go_live() {
    auto reply = deliver(notification("stream.online", channel_, {{"id", "1"}, {"type", "live"}}));
    EXPECT_EQ(reply.status, 200);
    auto started = bus().wait_for("stream.platform.session.started", "linkId", link_.link_id);
    if (!started) throw std::runtime_error("no session started");
    return s(*started, "platformSessionId");
  }

  std::string account_;
  std::string channel_;
  stream::LinkRecord link_;
};

TEST_P(StreamWebhookTest, RawRoutesBypassTheApiAndKeepTheirMethods) {
  // No bearer token needed: the handler answers (403 unsigned), not the dispatcher's 401.
  auto unsigned_post = testing::http_request(port(), "POST", "/stream/webhook/twitch", "{}");
  EXPECT_EQ(unsigned_post.status, 400);  // signature headers missing
  auto wrong_method = testing::http_request(port(), "GET", "/stream/webhook/twitch");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("allow"), "POST");
  auto custom = testing::http_request(port(), "POST", "/stream/webhook/custom", "{}");
  EXPECT_EQ(custom.status, 400);
  // The JSON API is untouched.
  auto api = testing::http_request(port(), "POST", "/stream/platform/list", "{}");
  EXPECT_EQ(api.status, 401);
}

TEST_P(StreamWebhookTest, VerificationAnswersTheChallengeOnlyForKnownSubscriptions) {
  Delivery d = notification("stream.online", channel_, {});
  d.message_type = "webhook_callback_verification";
  d.challenge = "pogchamp-challenge-" + random_hex(4);
  auto reply = deliver(d);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, *d.challenge);
  EXPECT_EQ(reply.header("content-type"), "text/plain");

  Delivery unknown = notification("stream.online", "999" + random_hex(3), {});
  unknown.message_type = "webhook_callback_verification";
  unknown.challenge = "x";
  EXPECT_EQ(deliver(unknown).status, 404);
  Delivery unknown_type = notification("channel.ban", channel_, {});
  unknown_type.message_type = "webhook_callback_verification";
  unknown_type.challenge = "x";
  EXPECT_EQ(deliver(unknown_type).status, 404);
}

TEST_P(StreamWebhookTest, ForgedStaleDuplicateMalformedAndOversizedChangeNothing) {
  const auto session = go_live();
  auto good = chat(channel_, "u1", "PogChamp PogChamp let's go");
  ASSERT_EQ(deliver(good).status, 200);
  ASSERT_EQ(service().buffered_sentiments(session), 1u);

  auto forged = chat(channel_, "u2", "hello");
  forged.secret = "not-the-secret-at-all-0123";
  EXPECT_EQ(deliver(forged).status, 403);

  auto stale = chat(channel_, "u3", "hello");
  stale.timestamp = format_rfc3339(std::chrono::system_clock::now() - std::chrono::minutes(11));
  EXPECT_EQ(deliver(stale).status, 403);

  auto future = chat(channel_, "u4", "hello");
  future.timestamp = format_rfc3339(std::chrono::system_clock::now() + std::chrono::minutes(5));
  EXPECT_EQ(deliver(future).status, 403);

  EXPECT_EQ(deliver(good).status, 204);  // duplicate message id

  auto no_signature = chat(channel_, "u5", "hello");
  no_signature.signature = "sha256=zz";
  EXPECT_EQ(deliver(no_signature).status, 400);

  // Signed but malformed: not JSON, and JSON without a subscription.
  for (const std::string& body : {std::string("{not json"), std::string("{\"event\":{}}")}) {
    const auto id = new_uuid();
    const auto ts = now_rfc3339();
    auto reply = deliver_raw(body, {{"Twitch-Eventsub-Message-Id", id},
                                    {"Twitch-Eventsub-Message-Timestamp", ts},
                                    {"Twitch-Eventsub-Message-Signature",
                                     stream::security::sign_twitch_eventsub(kTwitchSecret, id, ts, body)},
                                    {"Twitch-Eventsub-Message-Type", "notification"}});
    EXPECT_EQ(reply.status, 400) << body;
  }
  // Oversized (default limit 64 KiB), even when correctly signed.
  auto big = chat(channel_, "u6", std::string(70000, 'a'));
  EXPECT_EQ(deliver(big).status, 413);

  EXPECT_EQ(service().buffered_sentiments(session), 1u);
  EXPECT_EQ(service().tracked_viewers(session), 0u);
  EXPECT_EQ(bus().of("stream.platform.session.started").size(), 1u);
}

TEST_P(StreamWebhookTest, EventsBecomeAPulseAndOfflineEndsTheSession) {
  const auto session = go_live();
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(deliver(chat(channel_, "c" + std::to_string(i), "LUL LUL that was funny")).status, 200);
  ASSERT_EQ(
      deliver(notification("channel.subscribe", channel_, {{"user_id", "s1"}, {"tier", "1000"}, {"is_gift", false}}))
          .status,
      200);
  ASSERT_EQ(deliver(notification("channel.subscription.message", channel_,
                                 {{"user_id", "s2"},
                                  {"tier", "2000"},
                                  {"cumulative_months", 14},
                                  {"message", json::object{{"text", "love this stream"}}}}))
                .status,
            200);
  ASSERT_EQ(deliver(notification("channel.cheer", channel_,
                                 {{"user_id", "b1"}, {"is_anonymous", false}, {"bits", 500}, {"message", "Cheer500"}}))
                .status,
            200);
  ASSERT_EQ(
      deliver(notification("channel.raid", channel_, {{"from_broadcaster_user_id", "r1"}, {"viewers", 120}})).status,
      200);
  ASSERT_EQ(deliver(notification("channel.follow", channel_, {{"user_id", "f1"}})).status, 200);

  ASSERT_EQ(publish_pulses(), 1u);
  auto pulse = bus().wait_for("stream.audience.pulse", "platformSessionId", session);
  ASSERT_TRUE(pulse);
  const auto& entries = pulse->at("sentiments").as_array();
  EXPECT_EQ(entries.size(), 10u);
  EXPECT_EQ(pulse->at("intervalSeconds").as_int64(), 300);
  EXPECT_TRUE(s(*pulse, "streamSessionId").empty());
  std::set<std::string> types;
  for (const auto& e : entries) {
    if (!s(e, "viewerType").empty()) types.insert(s(e, "viewerType"));
  }
  // The sub, the resub (a sub) and the raid leader are tracked; chatters without roles are not.
  EXPECT_TRUE(types.count("subscriber"));
  EXPECT_TRUE(types.count("raid_leader"));
  EXPECT_EQ(service().tracked_viewers(session), 3u);
  EXPECT_EQ(publish_pulses(), 0u);  // buffer drained

  // The admin view answers the same pulse; a user may not read it.
  const auto dev = account_token(new_uuid(), "developer");
  auto latest = call("/stream/admin/pulse/latest", json::object{{"platformSessionId", session}}, dev);
  ASSERT_EQ(latest.status, 200);
  EXPECT_EQ(latest.json(), *pulse);
  EXPECT_EQ(
      call("/stream/admin/pulse/latest", json::object{{"platformSessionId", session}}, account_token(account_)).status,
      403);

  ASSERT_EQ(deliver(notification("stream.offline", channel_, {})).status, 200);
  auto ended = bus().wait_for("stream.platform.session.ended", "platformSessionId", session);
  ASSERT_TRUE(ended);
  EXPECT_EQ(s(*ended, "reason"), "stream_offline");
  EXPECT_EQ(ended->at("pulsesPublished").as_int64(), 1);
  EXPECT_TRUE(ended->at("durationSeconds").is_int64());
  EXPECT_FALSE(service().tracked_viewers(session).has_value());  // the map is gone
  // Later chat for the ended session is dropped.
  EXPECT_EQ(deliver(chat(channel_, "late", "hello")).status, 200);
  EXPECT_EQ(publish_pulses(), 0u);
  auto status = call("/stream/session/status", json::object{{"platformSessionId", session}}, account_token(account_));
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(s(status.json(), "state"), "ended");
  EXPECT_EQ(status.json().at("trackedViewerCount").as_int64(), 0);
}

TEST_P(StreamWebhookTest, TrackingIdsAreStableWithinASessionAndNewAcrossSessions) {
  const json::array mod_badges{json::object{{"set_id", "moderator"}, {"id", "1"}, {"info", ""}}};
  auto pulse_ids = [&](const std::string& session) {
    const auto before = bus().of("stream.audience.pulse").size();
    EXPECT_EQ(publish_pulses(), 1u);
    std::set<std::string> ids;
    for (const auto& p : bus().wait_count("stream.audience.pulse", before + 1)) {
      if (s(p, "platformSessionId") != session) continue;
      for (const auto& e : p.at("sentiments").as_array()) {
        if (!s(e, "trackingId").empty()) ids.insert(s(e, "trackingId"));
      }
    }
    return ids;
  };
  const auto first = go_live();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(deliver(chat(channel_, "mod-1", "nice play", mod_badges)).status, 200);
  auto ids1 = pulse_ids(first);
  ASSERT_EQ(ids1.size(), 1u);  // three entries, one id
  ASSERT_EQ(deliver(chat(channel_, "mod-1", "again", mod_badges)).status, 200);
  EXPECT_EQ(pulse_ids(first), ids1);
  ASSERT_EQ(deliver(notification("stream.offline", channel_, {})).status, 200);
  ASSERT_TRUE(bus().wait_for("stream.platform.session.ended", "platformSessionId", first));

  deliver(notification("stream.online", channel_, {{"id", "2"}}));
  std::string second;
  for (int i = 0; i < 50 && second.empty(); ++i) {
    for (const auto& e : bus().of("stream.platform.session.started")) {
      if (s(e, "platformSessionId") != first) second = s(e, "platformSessionId");
    }
    if (second.empty()) std::this_thread::sleep_for(50ms);
  }
  ASSERT_FALSE(second.empty());
  ASSERT_EQ(deliver(chat(channel_, "mod-1", "back", mod_badges)).status, 200);
  auto ids2 = pulse_ids(second);
  ASSERT_EQ(ids2.size(), 1u);
  EXPECT_NE(*ids2.begin(), *ids1.begin());
}

TEST_P(StreamWebhookTest, HighEngagersReturnersAndTheCap) {
  const auto session = go_live();
  // Six plain chat lines pass the default engagement threshold (1 - 0.8^6 > 0.7).
  for (int i = 0; i < 6; ++i) ASSERT_EQ(deliver(chat(channel_, "eager", "what is this game?")).status, 200);
  // A subscriber badge of 3 months but TrackSubscribers on: subscriber wins over returner.
  ASSERT_EQ(deliver(chat(channel_, "loyal", "hi",
                         json::array{json::object{{"set_id", "subscriber"}, {"id", "3"}, {"info", "3"}}}))
                .status,
            200);
  ASSERT_EQ(publish_pulses(), 1u);
  auto pulse = bus().wait_for("stream.audience.pulse", "platformSessionId", session);
  ASSERT_TRUE(pulse);
  std::multiset<std::string> types;
  for (const auto& e : pulse->at("sentiments").as_array()) {
    if (!s(e, "viewerType").empty()) types.insert(s(e, "viewerType"));
  }
  EXPECT_EQ(types.count("high_engager"), 1u);  // only the sixth line carries the id
  EXPECT_EQ(types.count("subscriber"), 1u);
  EXPECT_EQ(service().tracked_viewers(session), 2u);
}

TEST_P(StreamWebhookTest, RevocationMarksTheLinkAndEndsItsSession) {
  const auto session = go_live();
  Delivery d = notification("stream.online", channel_, {});
  d.message_type = "revocation";
  d.status = "authorization_revoked";
  ASSERT_EQ(deliver(d).status, 200);
  auto unlinked = bus().wait_for("stream.platform.unlinked", "linkId", link_.link_id);
  ASSERT_TRUE(unlinked);
  EXPECT_EQ(s(*unlinked, "reason"), "authorization_revoked");
  auto ended = bus().wait_for("stream.platform.session.ended", "platformSessionId", session);
  ASSERT_TRUE(ended);
  EXPECT_EQ(s(*ended, "reason"), "link_removed");
  auto list = call("/stream/platform/list", json::object{}, account_token(account_));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(s(list.json().at("links").as_array().at(0), "status"), "needs_relink");
}

TEST_P(StreamWebhookTest, BatchLimitsKeepTheStrongestAndWaitForTheMinimum) {
  nodes_.clear();
  recorders_.clear();
  start_stream({{"STREAM_SENTIMENT_MIN_BATCH_SIZE", "3"}, {"STREAM_SENTIMENT_MAX_BATCH_SIZE", "4"}});
  const auto session = go_live();
  ASSERT_EQ(deliver(chat(channel_, "a", "ok")).status, 200);
  ASSERT_EQ(deliver(chat(channel_, "b", "ok")).status, 200);
  EXPECT_EQ(publish_pulses(), 0u);  // below the minimum: kept
  EXPECT_EQ(service().buffered_sentiments(session), 2u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(deliver(notification("channel.cheer", channel_, {{"user_id", "x" + std::to_string(i)}, {"bits", 10000}}))
                  .status,
              200);
  }
  ASSERT_EQ(publish_pulses(), 1u);
  auto pulse = bus().wait_for("stream.audience.pulse", "platformSessionId", session);
  ASSERT_TRUE(pulse);
  const auto& entries = pulse->at("sentiments").as_array();
  ASSERT_EQ(entries.size(), 4u);
  for (const auto& e : entries) EXPECT_EQ(s(e, "category"), "excited");  // the weak "ok" lines were dropped
}

// Two deliveries of "the stream is live" at once (two EventSub messages, or EventSub on one node
// and the live check on another) start one session: the store holds one active session per link.
TEST_P(StreamWebhookTest, ALinkHasOneActiveSessionHoweverManyStartsRace) {
  std::vector<std::thread> senders;
  for (int i = 0; i < 6; ++i) {
    senders.emplace_back([this, i] {
      deliver(notification("stream.online", channel_, {{"id", std::to_string(100 + i)}, {"type", "live"}}));
    });
  }
  for (auto& t : senders) t.join();
  ASSERT_TRUE(bus().wait_for("stream.platform.session.started", "linkId", link_.link_id));
  std::this_thread::sleep_for(300ms);  // a second started event, if one were coming
  std::size_t started = 0;
  for (const auto& e : bus().of("stream.platform.session.started")) started += s(e, "linkId") == link_.link_id;
  EXPECT_EQ(started, 1u);
  auto& store = service().store();
  const auto active = run(store.active_session_of_link(link_.link_id));
  ASSERT_TRUE(active);

  // The store itself refuses a second active session, the pre-check aside: the database's unique column.
  stream::SessionRecord second = *active;
  second.session_id = new_uuid();
  EXPECT_FALSE(run(store.insert_session(second)));
  const std::string bypass =
      "INSERT INTO stream_sessions (session_id, link_id, account_id, platform, state, origin, started_at, started_ms, "
      "ended_ms, peak_viewers, pulses_published, active_link_id) VALUES (?, ?, 'a', 'twitch', 'active', 'manual', 'x', "
      "1, 0, 0, 0, ?)";
  const std::vector<infra::SqlValue> values{new_uuid(), link_.link_id, link_.link_id};
  EXPECT_THROW(run(store.sql().execute(bypass, values)), InfraError);
  // Once it ended, the next one may start. (Ended now: other tests purge old records from the shared database.)
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto reason = stream::gst::PlatformSessionEndReason::stream_offline;
  ASSERT_TRUE(run(store.finish_session(active->session_id, now_rfc3339(), now, reason)));
  EXPECT_TRUE(run(store.insert_session(second)));
  EXPECT_EQ(run(store.active_session_of_link(link_.link_id))->session_id, second.session_id);
  run(store.finish_session(second.session_id, now_rfc3339(), now, reason));
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamWebhookTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::streamtest
