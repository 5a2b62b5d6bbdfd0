// The Twitch notification hot path as bench/webhook drives it, and the shortcuts it takes
// (docs/stream.md, "bench/webhook"): the secret keyed once, bodies parsed into a pooled
// ParseArena (also past its first block), the event kept out of the validator's copy, delivery
// counters resolved once. Each must leave behaviour exactly as before: every distinct signed
// notification is ingested, replays are 204, malformed event shapes are 400 and change nothing.
#include <thread>

#include "core/metrics.hpp"
#include "core/time.hpp"
#include "stream/security/webhook_signature.hpp"
#include "stream/service/parse_arena.hpp"
#include "stream_server/stream_fixture.hpp"

namespace onair::streamtest {
namespace {

using servertest::BackendSet;

double accepted_count() {
  return metrics().value("onair_stream_webhook_deliveries_total", {{"platform", "twitch"}, {"outcome", "accepted"}});
}

TEST(StreamParseArena, ParsesPastItsBlockAndAcrossThreads) {
  // A document larger than the first block: the monotonic resource takes more from the heap.
  std::string big = R"({"subscription":{"id":"a","type":"channel.chat.message","version":"1"},"event":{"lines":[)";
  for (int i = 0; i < 4000; ++i) big += (i ? "," : "") + std::string(R"("line number )") + std::to_string(i) + "\"";
  big += "]}}";
  ASSERT_GT(big.size(), stream::ParseArena::kBlockBytes);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        stream::ParseArena arena;
        boost::system::error_code ec;
        auto v = json::parse(round % 2 ? big : std::string(R"({"n":)") + std::to_string(t) + "}", ec, arena.storage());
        if (ec) {
          ++wrong[t];
          continue;
        }
        if (round % 2) {
          const auto& lines = v.at("event").at("lines").as_array();
          if (lines.size() != 4000 || lines.at(3999).as_string() != "line number 3999") ++wrong[t];
        } else if (v.at("n").as_int64() != t) {
          ++wrong[t];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
  // An arena ended on another thread than it began on (a coroutine that moved).
  auto moved = std::make_unique<stream::ParseArena>();
  std::optional<json::value> kept = json::parse(R"({"k":[1,2,3]})", moved->storage());
  EXPECT_EQ(kept->at("k").as_array().size(), 3u);
  std::thread([&] {
    kept.reset();
    moved.reset();
  }).join();
  EXPECT_FALSE(moved);
}

class StreamWebhookHotPathTest : public StreamServerTest {
 protected:
  void SetUp() override {
    StreamServerTest::SetUp();
    if (::testing::Test::IsSkipped()) return;
    start_stream({{"STREAM_SENTIMENT_MAX_BATCH_SIZE", "10000"}});
    channel_ = "5" + random_hex(5);
    twitch_link(new_uuid(), channel_);
    EXPECT_EQ(deliver(notification("stream.online", channel_, {{"id", "1"}, {"type", "live"}})).status, 200);
    auto started = bus().wait_for("stream.platform.session.started", "platform", "twitch");
    if (!started) throw std::runtime_error("no session started");
    session_ = std::string(started->at("platformSessionId").as_string());
  }

  HttpReply signed_raw(const std::string& body) {
    const auto id = new_uuid();
    const auto ts = now_rfc3339();
    return deliver_raw(body, {{"Twitch-Eventsub-Message-Id", id},
                              {"Twitch-Eventsub-Message-Timestamp", ts},
                              {"Twitch-Eventsub-Message-Signature",
                               stream::security::sign_twitch_eventsub(kTwitchSecret, id, ts, body)},
                              {"Twitch-Eventsub-Message-Type", "notification"},
                              {"Twitch-Eventsub-Subscription-Type", "channel.chat.message"}});
  }

  std::string subscription_json(const std::string& type = "channel.chat.message") const {
    return R"({"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"enabled","type":")" + type +
           R"(","version":"1","condition":{"broadcaster_user_id":")" + channel_ + R"("}})";
  }

  std::string channel_;
  std::string session_;
};

TEST_P(StreamWebhookHotPathTest, EveryDistinctNotificationIsIngestedOnceWithOneKeyedSecret) {
  const auto accepted_before = accepted_count();
  std::vector<Delivery> sent;
  for (int i = 0; i < 120; ++i) {
    sent.push_back(chat(channel_, "viewer" + std::to_string(i % 40), "PogChamp line " + std::to_string(i)));
    ASSERT_EQ(deliver(sent.back()).status, 200) << i;
  }
  EXPECT_EQ(service().buffered_sentiments(session_), 120u);
  EXPECT_EQ(accepted_count() - accepted_before, 120.0);
  // Replays of every one of them: acknowledged, nothing ingested.
  for (const auto& d : sent) ASSERT_EQ(deliver(d).status, 204);
  EXPECT_EQ(service().buffered_sentiments(session_), 120u);
  EXPECT_EQ(accepted_count() - accepted_before, 120.0);
  // Interleaved with forgeries, the keyed secret still verifies the next genuine one.
  auto forged = chat(channel_, "viewer1", "hello");
  forged.secret = "not-the-secret-at-all-0123";
  EXPECT_EQ(deliver(forged).status, 403);
  EXPECT_EQ(deliver(chat(channel_, "viewer1", "after the forgery")).status, 200);
  EXPECT_EQ(service().buffered_sentiments(session_), 121u);
}

TEST_P(StreamWebhookHotPathTest, ABodyLargerThanTheArenaBlockIsIngested) {
  // ~40 KB of chat text: past the arena's first 32 KB block, under the 64 KiB body limit.
  std::string text;
  while (text.size() < 40000) text += "KEKW that was so good ";
  ASSERT_EQ(deliver(chat(channel_, "longwinded", text)).status, 200);
  EXPECT_EQ(service().buffered_sentiments(session_), 1u);
}

TEST_P(StreamWebhookHotPathTest, EventShapesTheValidatorRefusesStayRefused) {
  // The event is moved aside while the generated validator runs: only an object may be; anything
  // else still reaches the validator (400), and the subscription is still validated in full.
  const std::string good_event =
      R"({"broadcaster_user_id":")" + channel_ + R"(","chatter_user_id":"9","message":{"text":"hi"}})";
  for (const std::string& body : {
           R"({"subscription":)" + subscription_json() + R"(,"event":"not an object"})",
           R"({"subscription":)" + subscription_json() + R"(,"event":[1,2,3]})",
           R"({"subscription":)" + subscription_json() + R"(,"event":17})",
           R"({"subscription":)" + subscription_json(std::string(200, 't')) + R"(,"event":)" + good_event + "}",
           R"({"subscription":{"id":"x","type":"channel.chat.message"},"event":)" + good_event + "}",  // no version
           R"({"event":)" + good_event + "}",
       }) {
    EXPECT_EQ(signed_raw(body).status, 400) << body;
  }
  EXPECT_EQ(service().buffered_sentiments(session_), 0u);
  EXPECT_EQ(service().tracked_viewers(session_), 0u);
  // The same event in a valid body is ingested.
  EXPECT_EQ(signed_raw(R"({"subscription":)" + subscription_json() + R"(,"event":)" + good_event + "}").status, 200);
  EXPECT_EQ(service().buffered_sentiments(session_), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamWebhookHotPathTest, ::testing::Values(BackendSet::kEmbedded),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::streamtest
