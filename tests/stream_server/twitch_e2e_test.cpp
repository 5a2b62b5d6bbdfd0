// Twitch end to end against tools/fake-platforms (issue 5, "What it must show"): link through the fake's
// OAuth (authorize -> redirect with code + state -> callback), the 8 EventSub subscriptions verified by the
// fake against onair's callback, stream.online from the fake starts the session, a burst of signed chat /
// sub / resub / cheer / raid notifications becomes one stream.audience.pulse with the right shape and
// counts, the associated showtime session gets real-derived members and a hype train, Helix viewer counts
// reach the session's peak, stream.offline ends it and the tracking map is gone. Canary viewer ids, names
// and chat text, and every token the fake issued, appear nowhere outside the service's memory.
#include <set>
#include <thread>

#include "showtime/service/showtime_service.hpp"
#include "stream/service/twitch_viewer_poller.hpp"
#include "stream/service/upkeep_store.hpp"
#include "stream_server/twitch_fake_fixture.hpp"

namespace onair::streamtest {
namespace {

using servertest::BackendSet;

std::string s(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

std::int64_t n(const json::value& v, std::string_view key) {
  if (!v.is_object()) return -1;
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_number() ? m->to_number<std::int64_t>() : -1;
}

class TwitchEndToEndTest : public TwitchFakeTest {};

TEST_P(TwitchEndToEndTest, LinkGoLiveBurstPulseBlendViewersOffline) {
  LogCapture logs;
  start_with_fake({{"ONAIR_LOG_LEVEL", "trace"},
                   {"SHOWTIME_SERVICE_ENABLED", "true"},
                   {"SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS", "60"},
                   {"SHOWTIME_CAREER_WORKER_INTERVAL_SECONDS", "3600"},
                   {"SHOWTIME_HYPE_TRAIN_TRIGGER_THRESHOLD", "5"}});
  const auto account = new_uuid();
  const auto user = account_token(account);

  // 1. Link through the fake's OAuth.
  const auto detail = link_twitch(account);
  const auto link_id = s(detail, "linkId");
  EXPECT_EQ(s(detail, "platformChannelId"), streamer_id_);
  EXPECT_EQ(s(detail, "platformLogin"), streamer_login_);
  EXPECT_EQ(s(detail, "status"), "active");
  ASSERT_TRUE(bus().wait_for("stream.platform.linked", "linkId", link_id));

  // 2. The fake holds the 8 subscriptions, verified against onair's callback.
  const auto subs = wait_enabled(8);
  ASSERT_EQ(subs.size(), 8u);
  std::map<std::string, json::value> by_type;
  for (const auto& sub : subs) {
    EXPECT_EQ(s(sub.at("transport"), "callback"), public_base() + "/stream/webhook/twitch");
    EXPECT_EQ(s(sub, "secret"), kTwitchSecret);
    EXPECT_EQ(s(sub, "client_id"), kFakeTwitchClientId);
    by_type[s(sub, "type")] = sub;
  }
  const std::set<std::string> expected = {
      "stream.online", "stream.offline", "channel.chat.message", "channel.subscribe", "channel.subscription.message",
      "channel.cheer", "channel.raid",   "channel.follow"};
  std::set<std::string> types;
  for (const auto& [type, sub] : by_type) types.insert(type);
  EXPECT_EQ(types, expected);
  EXPECT_EQ(s(by_type["channel.follow"], "version"), "2");
  EXPECT_EQ(s(by_type["channel.follow"].at("condition"), "moderator_user_id"), streamer_id_);
  EXPECT_EQ(s(by_type["channel.chat.message"].at("condition"), "user_id"), streamer_id_);
  EXPECT_EQ(s(by_type["channel.raid"].at("condition"), "to_broadcaster_user_id"), streamer_id_);
  // onair recorded their ids.
  const auto records = run(service().upkeep_store().of_link(link_id));
  ASSERT_EQ(records.size(), 8u);
  for (const auto& r : records) {
    ASSERT_TRUE(by_type.count(r.kind)) << r.kind;
    EXPECT_EQ(r.external_id.value_or(""), s(by_type[r.kind], "id"));
  }

  // 3. A showtime session to blend into; the streamer goes live (the fake sends stream.online).
  const json::object start{{"streamerType", "account"}, {"streamerId", account}, {"gameServiceId", new_uuid()}};
  auto started = call("/showtime/session/start", start, account_token(account, "developer"));
  ASSERT_EQ(started.status, 200) << started.body;
  const auto showtime_session = s(started.json(), "showtimeSessionId");
  fake_->control("POST", "/_control/twitch/stream",
                 json::object{{"user_id", streamer_id_}, {"live", true}, {"viewer_count", 1200}, {"notify", true}});
  auto live = bus().wait_for("stream.platform.session.started", "linkId", link_id);
  ASSERT_TRUE(live);
  EXPECT_EQ(s(*live, "origin"), "detected");
  const auto platform_session = s(*live, "platformSessionId");
  auto associated =
      call("/stream/session/associate",
           json::object{{"platformSessionId", platform_session}, {"inGameSessionId", showtime_session}}, user);
  ASSERT_EQ(associated.status, 200) << associated.body;

  // 4. Helix viewers (the link's user token).
  EXPECT_EQ(run(service().viewer_poller().run_once()), 1u);

  // 5. A burst of signed notifications from the fake, with canaries for ids, names and text.
  const auto tag = random_hex(5);
  const std::vector<std::string> canaries = {"CanaryChatter" + tag, "CanaryChatText" + tag, "CanarySub" + tag,
                                             "CanaryResub" + tag,   "CanaryCheerer" + tag,  "CanaryRaider" + tag};
  constexpr int kChats = 12;
  for (int i = 0; i < kChats; ++i) {
    notify({{"subscription_type", "channel.chat.message"},
            {"broadcaster_user_id", streamer_id_},
            {"user", canaries[0] + "x" + std::to_string(i)},
            {"text", "PogChamp PogChamp LETS GOOOO !!! " + canaries[1]}});
  }
  notify({{"subscription_type", "channel.subscribe"}, {"broadcaster_user_id", streamer_id_}, {"user", canaries[2]}});
  notify({{"subscription_type", "channel.subscription.message"},
          {"broadcaster_user_id", streamer_id_},
          {"user", canaries[3]},
          {"months", 7},
          {"text", "seven months " + canaries[1]}});
  notify({{"subscription_type", "channel.cheer"},
          {"broadcaster_user_id", streamer_id_},
          {"user", canaries[4]},
          {"bits", 500},
          {"text", "Cheer500 " + canaries[1]}});
  notify({{"subscription_type", "channel.raid"},
          {"broadcaster_user_id", streamer_id_},
          {"from", canaries[5]},
          {"viewers", 120}});
  // Twitch retries a delivery with the same message id: the copy is acknowledged (204) and dropped.
  const auto replay = fake_->control("POST", "/_control/twitch/notify",
                                     json::object{{"subscription_type", "channel.chat.message"},
                                                  {"broadcaster_user_id", streamer_id_},
                                                  {"text", "PogChamp"},
                                                  {"repeat", 2}});
  const auto& copies = replay.as_object().at("sent").as_array();
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(n(copies[0], "status"), 200);
  EXPECT_EQ(n(copies[1], "status"), 204);
  constexpr std::size_t kEntries = kChats + 4 + 1;  // chats, sub, resub, cheer, raid, the replayed line once

  // 6. One pulse with every entry, anonymous but for the tracked roles.
  ASSERT_EQ(publish_pulses(), 1u);
  auto pulse = bus().wait_for("stream.audience.pulse", "platformSessionId", platform_session);
  ASSERT_TRUE(pulse);
  EXPECT_EQ(s(*pulse, "streamSessionId"), showtime_session);
  EXPECT_EQ(n(*pulse, "approximateViewerCount"), 1200);
  EXPECT_EQ(n(*pulse, "intervalSeconds"), 300);
  const auto& entries = pulse->as_object().at("sentiments").as_array();
  EXPECT_EQ(entries.size(), kEntries);
  std::map<std::string, int> roles;
  std::set<std::string> tracking_ids;
  for (const auto& e : entries) {
    const auto& o = e.as_object();
    const auto intensity = o.at("intensity").to_number<double>();
    EXPECT_GE(intensity, 0.0);
    EXPECT_LE(intensity, 1.0);
    EXPECT_FALSE(s(e, "category").empty());
    for (const auto& [k, v] : o) {
      EXPECT_TRUE(k == "category" || k == "intensity" || k == "trackingId" || k == "viewerType") << k;
    }
    if (o.contains("viewerType")) {
      ++roles[s(e, "viewerType")];
      EXPECT_TRUE(is_uuid(s(e, "trackingId")));
      tracking_ids.insert(s(e, "trackingId"));
    }
  }
  EXPECT_EQ(roles["raid_leader"], 1);
  EXPECT_EQ(roles["subscriber"], 2);  // the sub and the resub (7 months: a subscriber outranks a returner)
  EXPECT_EQ(tracking_ids.size(), 3u);
  EXPECT_EQ(service().tracked_viewers(platform_session), std::optional<std::size_t>(3));

  // 7. Showtime took the entries in as real-derived members and the burst started a hype train.
  auto& showtime = dynamic_cast<showtime::ShowtimeService&>(*nodes_.at(0)->server().service("showtime"));
  const json::object snap{{"showtimeSessionId", showtime_session}};
  std::int64_t real = 0;
  for (int i = 0; i < 100 && real == 0; ++i) {
    auto admin = call("/showtime/audience/snapshot", snap, account_token(new_uuid(), "admin"));
    ASSERT_EQ(admin.status, 200) << admin.body;
    real = n(admin.json(), "realDerivedCount");
    if (real <= 0) std::this_thread::sleep_for(50ms);
  }
  EXPECT_GT(real, 0) << "no real-derived members after the pulse";
  run(showtime.tick_all());
  EXPECT_TRUE(bus().wait_for("showtime.hype.started", "showtimeSessionId", showtime_session))
      << "the burst started no hype train";

  // 8. Viewer counts from Helix: the peak is kept.
  fake_->control("POST", "/_control/twitch/stream", json::object{{"user_id", streamer_id_}, {"viewer_count", 2500}});
  EXPECT_EQ(run(service().viewer_poller().run_once()), 1u);
  fake_->control("POST", "/_control/twitch/stream", json::object{{"user_id", streamer_id_}, {"viewer_count", 1800}});
  EXPECT_EQ(run(service().viewer_poller().run_once()), 1u);
  auto status = call("/stream/session/status", json::object{{"platformSessionId", platform_session}}, user);
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(n(status.json(), "currentViewerCount"), 1800);
  EXPECT_EQ(n(status.json(), "peakViewerCount"), 2500);
  EXPECT_EQ(n(status.json(), "trackedViewerCount"), 3);

  // 9. stream.offline from the fake ends the session; the tracking map is gone.
  fake_->control("POST", "/_control/twitch/stream",
                 json::object{{"user_id", streamer_id_}, {"live", false}, {"notify", true}});
  auto ended = bus().wait_for("stream.platform.session.ended", "platformSessionId", platform_session);
  ASSERT_TRUE(ended);
  EXPECT_EQ(s(*ended, "reason"), "stream_offline");
  EXPECT_EQ(n(*ended, "peakViewerCount"), 2500);
  EXPECT_EQ(n(*ended, "pulsesPublished"), 1);
  EXPECT_EQ(s(*ended, "inGameSessionId"), showtime_session);
  EXPECT_FALSE(service().tracked_viewers(platform_session).has_value());
  EXPECT_EQ(run(service().viewer_poller().run_once()), 0u);  // nothing held any more

  // 10. Nothing about the audience, and no token, left the service.
  const auto everything = everything_outside(logs.text());
  for (const auto& canary : canaries) {
    EXPECT_EQ(everything.find(canary), std::string::npos) << canary;
    auto login = canary;  // the fake derives logins in lowercase
    for (auto& c : login) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(everything.find(login), std::string::npos) << login;
  }
  const auto tokens = fake_tokens();
  EXPECT_GE(tokens.size(), 3u);  // the user's access and refresh token, the app token
  for (const auto& token : tokens) {
    ASSERT_FALSE(token.empty());
    EXPECT_EQ(everything.find(token), std::string::npos) << "a platform token is readable outside the service";
  }
  EXPECT_EQ(everything.find(kFakeTwitchClientSecret), std::string::npos);
  EXPECT_EQ(everything.find(kTwitchSecret), std::string::npos);
  // The pipeline did run: the pulse with tracked roles is on the bus.
  EXPECT_NE(everything.find("\"viewerType\":\"raid_leader\""), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, TwitchEndToEndTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::streamtest
