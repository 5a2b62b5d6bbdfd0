// Real audiences blend into showtime (issue 5): a live Twitch session associated with a showtime
// session turns signed chat and subs into a pulse, and showtime takes the pulse's entries in as
// real-derived members (visible to admins only) that feed the hype train; offline ends the tracking.
#include <thread>

#include "showtime/service/showtime_service.hpp"
#include "stream_server/stream_fixture.hpp"

namespace onair::streamtest {
namespace {

using servertest::BackendSet;

std::string s(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

class StreamBlendingTest : public StreamServerTest {};

TEST_P(StreamBlendingTest, ChatBecomesRealDerivedMembersAndAHypeTrain) {
  start_stream({{"SHOWTIME_SERVICE_ENABLED", "true"},
                {"SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS", "60"},
                {"SHOWTIME_CAREER_WORKER_INTERVAL_SECONDS", "3600"},
                {"SHOWTIME_HYPE_TRAIN_TRIGGER_THRESHOLD", "5"}});
  const auto account = new_uuid();
  const auto channel = "4" + random_hex(5);
  twitch_link(account, channel);
  const auto user = account_token(account);

  const json::object start{{"streamerType", "account"}, {"streamerId", account}, {"gameServiceId", new_uuid()}};
  auto started = call("/showtime/session/start", start, account_token(account, "developer"));
  ASSERT_EQ(started.status, 200) << started.body;
  const auto showtime_session = s(started.json(), "showtimeSessionId");

  ASSERT_EQ(deliver(notification("stream.online", channel, {{"id", "1"}, {"type", "live"}})).status, 200);
  const auto live = bus().wait_count("stream.platform.session.started", 1);
  ASSERT_EQ(live.size(), 1u);
  const auto platform_session = s(live.at(0), "platformSessionId");
  auto associated =
      call("/stream/session/associate",
           json::object{{"platformSessionId", platform_session}, {"inGameSessionId", showtime_session}}, user);
  ASSERT_EQ(associated.status, 200) << associated.body;

  // A burst of hype in chat, from different viewers, and a sub (a tracked viewer).
  for (int i = 0; i < 12; ++i) {
    ASSERT_EQ(deliver(chat(channel, "viewer-" + std::to_string(i), "PogChamp PogChamp LETS GOOOO !!!")).status, 200);
  }
  ASSERT_EQ(deliver(notification("channel.subscribe", channel,
                                 {{"user_id", "sub-1"},
                                  {"user_login", "sub_one"},
                                  {"user_name", "Sub_One"},
                                  {"tier", "1000"},
                                  {"is_gift", false}}))
                .status,
            200);
  ASSERT_EQ(publish_pulses(), 1u);
  auto pulse = bus().wait_for("stream.audience.pulse", "platformSessionId", platform_session);
  ASSERT_TRUE(pulse);
  EXPECT_EQ(s(*pulse, "streamSessionId"), showtime_session);

  // Showtime applies the pulse (it holds the session) and ticks.
  auto& showtime = dynamic_cast<showtime::ShowtimeService&>(*nodes_.at(0)->server().service("showtime"));
  const json::object snap{{"showtimeSessionId", showtime_session}};
  std::int64_t real = 0;
  for (int i = 0; i < 50 && real == 0; ++i) {
    auto admin = call("/showtime/audience/snapshot", snap, account_token(new_uuid(), "admin"));
    ASSERT_EQ(admin.status, 200) << admin.body;
    real = admin.json().as_object().at("realDerivedCount").to_number<std::int64_t>();
    if (real == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(real, 0) << "no real-derived members after the pulse";
  auto dev = call("/showtime/audience/snapshot", snap, account_token(new_uuid(), "developer"));
  EXPECT_EQ(dev.json().as_object().if_contains("realDerivedCount"), nullptr) << "the seam shows to a developer";
  run(showtime.tick_all());
  EXPECT_TRUE(bus().wait_for("showtime.hype.started", "showtimeSessionId", showtime_session))
      << "the chat burst started no hype train";

  // Offline: the session ends and its tracking map is gone.
  ASSERT_EQ(deliver(notification("stream.offline", channel, {})).status, 200);
  ASSERT_TRUE(bus().wait_for("stream.platform.session.ended", "platformSessionId", platform_session));
  EXPECT_FALSE(service().tracked_viewers(platform_session).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamBlendingTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::streamtest
