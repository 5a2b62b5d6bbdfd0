// YouTube end to end against tools/fake-platforms (issue 5): link through the fake's Google OAuth (PKCE),
// the channel goes live, a signed WebSub delivery makes onair's live check start a detected session,
// the chat poller reads a burst (emotes and emoji, Super Chats and Stickers, new members, a milestone, a
// gifting) honouring pollingIntervalMillis and the configured floor, a pulse of the right shape reaches
// the bus and showtime (real-derived members, a hype train), viewer counts reach the peak, and the end
// of the stream ends the session and its tracking map. Also: the live check's rules (uploads, replays,
// a disabled chat), a manual start that finds the broadcast, and the privacy canaries through the poller.
#include <thread>

#include "showtime/service/showtime_service.hpp"
#include "stream/security/webhook_signature.hpp"
#include "stream/service/youtube_chat_poller.hpp"
#include "stream/service/youtube_feed.hpp"
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

class StreamYouTubeTest : public TwitchFakeTest {
 protected:
  // The fake's chat cadence and onair's floor, in ms (the floor is the schema's minimum-friendly 250).
  static constexpr std::int64_t kChatInterval = 400;
  static constexpr std::int64_t kFloor = 250;

  void start_youtube(const Env& extra = {}) {
    Env env{{"STREAM_YOUTUBE_CHAT_MIN_POLL_INTERVAL_MS", std::to_string(kFloor)},
            {"STREAM_YOUTUBE_LIVE_CHECK_INTERVAL_SECONDS", "10"}};
    for (const auto& [k, v] : extra) env[k] = v;
    start_with_fake(env);
    set_chat_interval(kChatInterval);
  }

  void set_chat_interval(std::int64_t ms) {
    fake_->control("POST", "/_control/config", json::object{{"google", json::object{{"polling_interval_ms", ms}}}});
  }

  // Links the test's channel and makes sure the fake hub delivers its feed to onair: the
  // WebhookSubscriptionManager subscribes on link (verified asynchronously); when it has not, the test
  // subscribes the way it would (derived hub.secret, onair expecting the verification).
  std::string link_and_subscribe(const std::string& account) {
    const auto link = link_youtube(account);
    EXPECT_EQ(s(link, "platformChannelId"), youtube_channel_);
    const auto topic = stream::youtube_topic_of(youtube_channel_);
    const auto callback = public_base() + "/stream/webhook/youtube";
    auto active = [&] {
      auto subs = fake_->control("GET", "/_control/websub/subscriptions").as_object().at("data").as_array();
      for (const auto& sub : subs) {
        const auto* on = sub.as_object().if_contains("active");
        if (s(sub, "topic") == topic && s(sub, "callback") == callback && on && on->is_bool() && on->as_bool()) {
          return true;
        }
      }
      return false;
    };
    for (int i = 0; i < 40 && !active(); ++i) std::this_thread::sleep_for(50ms);
    if (!active()) {
      run(service().expect_websub_verification("subscribe", topic));
      const auto secret = stream::security::derive_websub_secret(kWebSubToken, topic);
      const auto form = "hub.mode=subscribe&hub.verify=sync&hub.lease_seconds=432000&hub.topic=" +
                        stream::PlatformHttp::url_encode(topic) +
                        "&hub.callback=" + stream::PlatformHttp::url_encode(callback) + "&hub.secret=" + secret;
      auto reply = fake_->request("POST", "/subscribe", form, {{"Content-Type", "application/x-www-form-urlencoded"}});
      EXPECT_EQ(reply.status, 204) << reply.body;
    }
    EXPECT_TRUE(active()) << "the fake hub has no verified subscription of the channel's feed";
    return s(link, "linkId");
  }

  json::value go_live(json::object extra = {}) {
    json::object body{{"channel_id", youtube_channel_}, {"live", true}};
    for (auto& [k, v] : extra) body[k] = v;
    return fake_->control("POST", "/_control/youtube/live", body);
  }

  json::value chat(json::array messages) {
    const json::object body{{"channel_id", youtube_channel_}, {"messages", std::move(messages)}};
    return fake_->control("POST", "/_control/youtube/chat", body);
  }

  // A feed delivery of the channel (default: its live broadcast); every delivery onair answered 204.
  json::value publish(json::object extra = {}) {
    json::object body{{"channel_id", youtube_channel_}};
    for (auto& [k, v] : extra) body[k] = v;
    auto out = fake_->control("POST", "/_control/websub/publish", body);
    for (const auto& sent : out.as_object().at("sent").as_array())
      EXPECT_EQ(n(sent, "status"), 204) << json::serialize(sent);
    return out;
  }

  // session.started events of one link (the servers set's bus is shared with other tests).
  std::size_t started_for(const std::string& link_id) {
    std::size_t count = 0;
    for (const auto& e : bus().of("stream.platform.session.started")) count += s(e, "linkId") == link_id;
    return count;
  }

  // The chat polls onair made since `since`.
  json::array chat_polls(std::int64_t since = 0) { return fake_requests("/youtube/v3/liveChat/messages", since); }

  // Waits until the session's buffer holds `count` entries.
  bool wait_buffered(const std::string& session, std::size_t count, std::chrono::milliseconds timeout = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (service().buffered_sentiments(session).value_or(0) >= count) return true;
      std::this_thread::sleep_for(25ms);
    }
    return false;
  }

  json::value status(const std::string& session, const std::string& token) {
    auto reply = call("/stream/session/status", json::object{{"platformSessionId", session}}, token);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json();
  }

  // Polls the status until `key` equals `value`.
  bool wait_status(const std::string& session, const std::string& token, std::string_view key, std::int64_t value) {
    for (int i = 0; i < 200; ++i) {
      if (n(status(session, token), key) == value) return true;
      std::this_thread::sleep_for(25ms);
    }
    return false;
  }

  static json::object text(const std::string& author, const std::string& message, json::object roles = {}) {
    json::object a{{"channel_id", author}, {"display_name", "Viewer " + author}};
    for (auto& [k, v] : roles) a[k] = v;
    return {{"type", "textMessageEvent"}, {"text", message}, {"author", a}};
  }
  static json::object event(const std::string& type, const std::string& author, json::object fields = {}) {
    json::object e{{"type", type}, {"author", json::object{{"channel_id", author}, {"display_name", "Fan " + author}}}};
    for (auto& [k, v] : fields) e[k] = v;
    return e;
  }
  static std::string viewer(int i) { return "UCviewer" + std::to_string(100000 + i) + "abcdefghij"; }
};

TEST_P(StreamYouTubeTest, LiveDetectionChatPollingPulseBlendingAndEnd) {
  start_youtube({{"SHOWTIME_SERVICE_ENABLED", "true"},
                 {"SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS", "60"},
                 {"SHOWTIME_CAREER_WORKER_INTERVAL_SECONDS", "3600"},
                 {"SHOWTIME_HYPE_TRAIN_TRIGGER_THRESHOLD", "5"}});
  const auto account = new_uuid();
  const auto user = account_token(account);
  const auto link_id = link_and_subscribe(account);

  const json::object start{{"streamerType", "account"}, {"streamerId", account}, {"gameServiceId", new_uuid()}};
  auto started = call("/showtime/session/start", start, account_token(account, "developer"));
  ASSERT_EQ(started.status, 200) << started.body;
  const auto showtime_session = s(started.json(), "showtimeSessionId");

  // Live, with chat from before onair knew: that backlog is skipped.
  const auto live = go_live({{"concurrent_viewers", 42}});
  const auto video = s(live, "video_id");
  const auto chat_id = s(live, "live_chat_id");
  chat(json::array{text(viewer(99), "this was said before the session started")});
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(started_for(link_id), 0u);
  publish();
  const auto began = bus().wait_for("stream.platform.session.started", "linkId", link_id);
  ASSERT_TRUE(began) << "the WebSub delivery started no session";
  EXPECT_EQ(s(*began, "platform"), "youtube");
  EXPECT_EQ(s(*began, "origin"), "detected");
  const auto session = s(*began, "platformSessionId");
  EXPECT_EQ(n(status(session, user), "currentViewerCount"), 42);
  EXPECT_TRUE(service().youtube_poller().watches(session));
  ASSERT_EQ(call("/stream/session/associate",
                 json::object{{"platformSessionId", session}, {"inGameSessionId", showtime_session}}, user)
                .status,
            200);

  // The burst: chat with emotes and emoji from eight viewers and a moderator, paid and membership events,
  // and one item without sentiment (a deletion).
  json::array burst;
  for (int i = 0; i < 8; ++i) burst.push_back(text(viewer(i), "LETS GOOOO 🔥🔥🔥 PogChamp what a play!!!"));
  burst.push_back(text(viewer(20), "HYPE 🎉🎉 KEKW", {{"moderator", true}}));
  burst.push_back(event("superChatEvent", viewer(30),
                        {{"amount_micros", 20000000}, {"currency", "USD"}, {"tier", 5}, {"text", "take my money 💸"}}));
  burst.push_back(
      event("superChatEvent", viewer(31), {{"amount_micros", 1500000000}, {"currency", "JPY"}, {"tier", 4}}));
  burst.push_back(event("superStickerEvent", viewer(32), {{"amount_micros", 5000000}, {"currency", "USD"}}));
  burst.push_back(event("newSponsorEvent", viewer(40), {{"member_level", "Crew"}}));
  burst.push_back(event("newSponsorEvent", viewer(41), {{"member_level", "Crew"}}));
  burst.push_back(event("memberMilestoneChatEvent", viewer(42), {{"member_month", 12}, {"text", "a year already"}}));
  burst.push_back(event("membershipGiftingEvent", viewer(43), {{"count", 5}}));
  burst.push_back(event("messageDeletedEvent", viewer(20), {{"deleted_message_id", "LCC.gone"}}));
  constexpr std::size_t kEntries = 16;  // everything but the deletion
  chat(std::move(burst));
  ASSERT_TRUE(wait_buffered(session, kEntries)) << "buffered: " << service().buffered_sentiments(session).value_or(0);
  // Tracked: the moderator and the three members (one-line chatters and one-off payers stay anonymous).
  EXPECT_EQ(service().tracked_viewers(session), std::optional<std::size_t>(4));

  ASSERT_EQ(publish_pulses(), 1u);
  auto pulse = bus().wait_for("stream.audience.pulse", "platformSessionId", session);
  ASSERT_TRUE(pulse);
  EXPECT_EQ(s(*pulse, "streamSessionId"), showtime_session);
  EXPECT_EQ(n(*pulse, "approximateViewerCount"), 42);
  const auto& entries = pulse->as_object().at("sentiments").as_array();
  EXPECT_EQ(entries.size(), kEntries) << "the backlog line or the deletion was ingested, or a line was lost";
  std::map<std::string, int> types;
  std::size_t excited = 0;
  for (const auto& e : entries) {
    const auto intensity = e.as_object().at("intensity").to_number<double>();
    EXPECT_GE(intensity, 0.0);
    EXPECT_LE(intensity, 1.0);
    excited += s(e, "category") == "excited";
    if (auto type = s(e, "viewerType"); !type.empty()) {
      ++types[type];
      EXPECT_FALSE(s(e, "trackingId").empty());
    }
  }
  EXPECT_EQ(types["moderator"], 1);
  EXPECT_EQ(types["subscriber"], 3);
  EXPECT_GE(excited, 8u) << json::serialize(entries);

  // Showtime: real-derived members and a hype train.
  auto& showtime = dynamic_cast<showtime::ShowtimeService&>(*nodes_.at(0)->server().service("showtime"));
  const json::object snap{{"showtimeSessionId", showtime_session}};
  std::int64_t real = 0;
  for (int i = 0; i < 50 && real == 0; ++i) {
    auto admin = call("/showtime/audience/snapshot", snap, account_token(new_uuid(), "admin"));
    ASSERT_EQ(admin.status, 200) << admin.body;
    real = admin.json().as_object().at("realDerivedCount").to_number<std::int64_t>();
    if (real == 0) std::this_thread::sleep_for(50ms);
  }
  EXPECT_GT(real, 0) << "no real-derived members after the pulse";
  run(showtime.tick_all());
  EXPECT_TRUE(bus().wait_for("showtime.hype.started", "showtimeSessionId", showtime_session))
      << "the YouTube burst started no hype train";

  // The cadence: never faster than pollingIntervalMillis, and never faster than the floor when YouTube asks
  // for less. Counts in a window the test measures (a slow machine only makes them smaller).
  auto window_polls = [&](std::chrono::milliseconds window) {
    const auto since = fake_last_seq();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(window);
    const auto polls = chat_polls(since);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    return std::pair{polls, elapsed};
  };
  {
    const auto [polls, elapsed] = window_polls(2000ms);
    EXPECT_GE(polls.size(), 2u) << "the poller stopped polling";
    EXPECT_LE(static_cast<std::int64_t>(polls.size()), elapsed.count() / kChatInterval + 1)
        << polls.size() << " polls in " << elapsed.count() << " ms at pollingIntervalMillis " << kChatInterval;
    for (const auto& p : polls) {
      const auto target = "/x?" + s(p, "query");
      EXPECT_EQ(query_value(target, "liveChatId"), chat_id);
      EXPECT_EQ(query_value(target, "part"), "snippet,authorDetails");
      EXPECT_FALSE(query_value(target, "pageToken").empty()) << "a poll after the first without the page token";
    }
  }
  set_chat_interval(50);
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * kChatInterval));  // the poller hears of it
  {
    const auto [polls, elapsed] = window_polls(2000ms);
    EXPECT_GE(polls.size(), 2u);
    EXPECT_LE(static_cast<std::int64_t>(polls.size()), elapsed.count() / kFloor + 1)
        << polls.size() << " polls in " << elapsed.count() << " ms below the floor " << kFloor;
  }
  set_chat_interval(kChatInterval);

  // Viewer counts through later deliveries' live checks: current and peak.
  go_live({{"concurrent_viewers", 120}});
  publish();
  EXPECT_EQ(n(status(session, user), "currentViewerCount"), 120);
  go_live({{"concurrent_viewers", 80}});
  publish();
  const auto now = status(session, user);
  EXPECT_EQ(n(now, "currentViewerCount"), 80);
  EXPECT_EQ(n(now, "peakViewerCount"), 120);

  // The end: the chat answers offlineAt, the session ends, the tracking map and the loop are gone.
  fake_->control("POST", "/_control/youtube/live", json::object{{"channel_id", youtube_channel_}, {"live", false}});
  auto ended = bus().wait_for("stream.platform.session.ended", "platformSessionId", session, 15s);
  ASSERT_TRUE(ended) << "the end of the stream did not end the session";
  EXPECT_EQ(s(*ended, "reason"), "stream_offline");
  EXPECT_EQ(n(*ended, "peakViewerCount"), 120);
  EXPECT_EQ(n(*ended, "pulsesPublished"), 1);
  EXPECT_FALSE(service().tracked_viewers(session).has_value());
  EXPECT_FALSE(service().youtube_poller().watches(session));
  const auto after = fake_last_seq();
  std::this_thread::sleep_for(std::chrono::milliseconds(3 * kChatInterval));
  EXPECT_TRUE(chat_polls(after).empty()) << "polling went on after the session ended";
  EXPECT_EQ(s(status(session, user), "state"), "ended");
  (void)video;
}

TEST_P(StreamYouTubeTest, LiveCheckRulesUploadsReplaysAndADisabledChat) {
  start_youtube();
  const auto account = new_uuid();
  const auto user = account_token(account);
  const auto link_id = link_and_subscribe(account);

  // An upload while offline starts nothing.
  auto upload = fake_->control("POST", "/_control/youtube/video", json::object{{"channel_id", youtube_channel_}});
  publish({{"video_id", s(upload, "video_id")}});
  EXPECT_EQ(started_for(link_id), 0u);

  const auto live = go_live({{"concurrent_viewers", 7}});
  const auto video = s(live, "video_id");
  const auto first = publish();
  auto began = bus().wait_for("stream.platform.session.started", "linkId", link_id);
  ASSERT_TRUE(began);
  const auto session = s(*began, "platformSessionId");

  // A replayed delivery (same body, same signature) causes no second live check. (First the poller's own
  // first live check, which comes before its first chat poll.)
  for (int i = 0; i < 200 && chat_polls().empty(); ++i) std::this_thread::sleep_for(25ms);
  ASSERT_FALSE(chat_polls().empty());
  const auto before = fake_last_seq();
  const auto& sent = first.as_object().at("sent").as_array().at(0);
  publish({{"body", sent.as_object().at("body")}});
  EXPECT_TRUE(fake_requests("/youtube/v3/videos", before).empty()) << "a replay was checked again";

  // An upload announced while live leaves the session alone.
  auto upload2 = fake_->control("POST", "/_control/youtube/video", json::object{{"channel_id", youtube_channel_}});
  publish({{"video_id", s(upload2, "video_id")}});
  EXPECT_EQ(s(status(session, user), "state"), "active");
  EXPECT_EQ(started_for(link_id), 1u);

  // The chat is disabled: after the 403 liveChatDisabled the poller stops reading it.
  go_live({{"chat_enabled", false}});
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    for (const auto& p : chat_polls(before)) refused |= n(p, "status") == 403;
    if (!refused) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(refused) << "no poll met the disabled chat";
  const auto quiet = fake_last_seq();
  std::this_thread::sleep_for(std::chrono::milliseconds(4 * kChatInterval));
  EXPECT_TRUE(chat_polls(quiet).empty()) << "the poller kept polling a disabled chat";
  EXPECT_EQ(s(status(session, user), "state"), "active");

  // The broadcast ends; with no chat to tell, the delivery's live check ends the session (synchronously).
  fake_->control("POST", "/_control/youtube/live", json::object{{"channel_id", youtube_channel_}, {"live", false}});
  publish({{"video_id", video}});
  const auto final_status = status(session, user);
  EXPECT_EQ(s(final_status, "state"), "ended");
  EXPECT_EQ(s(final_status, "endReason"), "stream_offline");
  EXPECT_EQ(n(final_status, "peakViewerCount"), 7);
  EXPECT_FALSE(service().tracked_viewers(session).has_value());

  // Live again: an entry naming another channel than its topic's, and a forged delivery, change nothing.
  const auto relive = go_live({{"concurrent_viewers", 3}});
  const auto quiet_videos = fake_last_seq();
  const auto foreign =
      "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns:yt=\"http://www.youtube.com/xml/schemas/2015\" "
      "xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>yt:video:" +
      s(relive, "video_id") + "</id><yt:videoId>" + s(relive, "video_id") +
      "</yt:videoId><yt:channelId>UCsomeoneElse0123456789ab" +
      "</yt:channelId><updated>2026-01-01T00:00:00+00:00</updated></entry></feed>\n";
  publish({{"body", foreign}});
  auto forged = fake_->control("POST", "/_control/websub/publish",
                               json::object{{"channel_id", youtube_channel_}, {"forge_signature", true}});
  for (const auto& d : forged.as_object().at("sent").as_array()) EXPECT_EQ(n(d, "status"), 403);
  EXPECT_TRUE(fake_requests("/youtube/v3/videos", quiet_videos).empty());
  EXPECT_EQ(started_for(link_id), 1u);
  // A genuine delivery starts the next session.
  publish();
  for (int i = 0; i < 400 && started_for(link_id) < 2; ++i) std::this_thread::sleep_for(25ms);
  EXPECT_EQ(started_for(link_id), 2u);
}

TEST_P(StreamYouTubeTest, ManualStartFindsTheLiveBroadcastAndReadsItsChat) {
  start_youtube();
  const auto account = new_uuid();
  const auto user = account_token(account);
  const auto link_id = s(link_youtube(account), "linkId");
  go_live({{"concurrent_viewers", 11}});
  chat(json::array{text(viewer(1), "from before the start")});
  std::this_thread::sleep_for(30ms);
  auto started = call("/stream/session/start", json::object{{"linkId", link_id}}, user);
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(s(started.json(), "origin"), "manual");
  const auto session = s(started.json(), "platformSessionId");
  // The first live check finds the broadcast (liveBroadcasts.list) and its viewers.
  EXPECT_TRUE(wait_status(session, user, "currentViewerCount", 11));
  chat(json::array{text(viewer(2), "GG 😂😂 LUL"), text(viewer(3), "love this stream <3")});
  ASSERT_TRUE(wait_buffered(session, 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * kChatInterval));
  EXPECT_EQ(service().buffered_sentiments(session), std::optional<std::size_t>(2)) << "the backlog was ingested";
  EXPECT_FALSE(fake_requests("/youtube/v3/liveBroadcasts").empty());
  auto stopped = call("/stream/session/stop", json::object{{"platformSessionId", session}}, user);
  EXPECT_EQ(s(stopped.json(), "state"), "ended");
  EXPECT_FALSE(service().youtube_poller().watches(session));
}

TEST_P(StreamYouTubeTest, AnExpiredTokenIsRefreshedAndPollingGoesOn) {
  start_youtube();
  const auto account = new_uuid();
  const auto link_id = link_and_subscribe(account);
  go_live();
  publish();
  auto began = bus().wait_for("stream.platform.session.started", "linkId", link_id);
  ASSERT_TRUE(began);
  const auto session = s(*began, "platformSessionId");
  chat(json::array{text(viewer(1), "first PogChamp")});
  ASSERT_TRUE(wait_buffered(session, 1));
  const auto seq = fake_last_seq();
  fake_->control("POST", "/_control/tokens/expire",
                 json::object{{"platform", "google"}, {"channel_id", youtube_channel_}});
  chat(json::array{text(viewer(2), "second PogChamp")});
  ASSERT_TRUE(wait_buffered(session, 2)) << "polling did not recover from the 401";
  bool unauthorized = false;
  for (const auto& p : chat_polls(seq)) unauthorized |= n(p, "status") == 401;
  EXPECT_TRUE(unauthorized) << "no poll met the expired token";
  bool refreshed = false;
  for (const auto& r : fake_requests("/token", seq)) {
    refreshed |= s(r, "body").find("grant_type=refresh_token") != std::string::npos && n(r, "status") == 200;
  }
  EXPECT_TRUE(refreshed) << "no refresh_token grant after the 401";
}

TEST_P(StreamYouTubeTest, CanariesFromYouTubeChatNeverLeaveTheService) {
  LogCapture logs;
  // Live checks far apart: the session must end through the chat's 403, not a live check.
  start_youtube({{"ONAIR_LOG_LEVEL", "trace"}, {"STREAM_YOUTUBE_LIVE_CHECK_INTERVAL_SECONDS", "3600"}});
  const auto account = new_uuid();
  const auto user = account_token(account);
  const auto link_id = link_and_subscribe(account);
  const auto tag = random_hex(6);
  const std::vector<std::string> canaries = {"UCcanaryAuthor" + tag, "CanaryYtName" + tag, "CanaryYtText" + tag,
                                             "CanaryYtComment" + tag, "CanaryYtLevel" + tag};
  const auto live = go_live({{"concurrent_viewers", 5}});
  publish();
  auto began = bus().wait_for("stream.platform.session.started", "linkId", link_id);
  ASSERT_TRUE(began);
  const auto session = s(*began, "platformSessionId");
  const json::object author{
      {"channel_id", canaries[0]}, {"display_name", canaries[1]}, {"moderator", true}, {"sponsor", true}};
  auto with_author = [&](json::object m) {
    m["author"] = author;
    return m;
  };
  json::array messages;
  for (int i = 0; i < 6; ++i) messages.push_back(with_author({{"text", canaries[2] + " PogChamp 🔥"}}));
  messages.push_back(with_author(
      {{"type", "superChatEvent"}, {"text", canaries[3]}, {"amount_micros", 2000000}, {"currency", "USD"}}));
  messages.push_back(with_author({{"type", "newSponsorEvent"}, {"member_level", canaries[4]}}));
  messages.push_back(with_author({{"type", "memberMilestoneChatEvent"},
                                  {"text", canaries[3]},
                                  {"member_month", 3},
                                  {"member_level", canaries[4]}}));
  messages.push_back(with_author({{"type", "membershipGiftingEvent"}, {"count", 2}, {"member_level", canaries[4]}}));
  chat(std::move(messages));
  ASSERT_TRUE(wait_buffered(session, 10));
  EXPECT_EQ(service().tracked_viewers(session), std::optional<std::size_t>(1));
  ASSERT_EQ(publish_pulses(), 1u);
  ASSERT_TRUE(bus().wait_for("stream.audience.pulse", "platformSessionId", session));
  const auto dev = account_token(new_uuid(), "developer");
  call("/stream/admin/pulse/latest", json::object{{"platformSessionId", session}}, dev);
  call("/stream/session/list", json::object{}, user);
  call("/stream/platform/list", json::object{}, user);
  status(session, user);

  // The end through 403 liveChatEnded: the poller waits long, the test reads the chat to its end first (so
  // the fake reports offlineAt to the test), and onair's next poll is refused.
  const auto config_seq = fake_last_seq();
  set_chat_interval(4000);
  for (int i = 0; i < 100 && chat_polls(config_seq).empty(); ++i) std::this_thread::sleep_for(20ms);
  ASSERT_FALSE(chat_polls(config_seq).empty());
  fake_->control("POST", "/_control/youtube/live", json::object{{"channel_id", youtube_channel_}, {"live", false}});
  auto issued = fake_->control("POST", "/_control/tokens/issue",
                               json::object{{"platform", "google"}, {"channel_id", youtube_channel_}});
  auto own = fake_->request("GET", "/youtube/v3/liveChat/messages?part=snippet&liveChatId=" + s(live, "live_chat_id"),
                            {}, {{"Authorization", "Bearer " + s(issued, "access_token")}});
  ASSERT_EQ(own.status, 200) << own.body;
  ASSERT_NE(own.body.find("offlineAt"), std::string::npos);
  auto ended = bus().wait_for("stream.platform.session.ended", "platformSessionId", session, 15s);
  ASSERT_TRUE(ended);
  EXPECT_EQ(s(*ended, "reason"), "stream_offline");
  bool refused = false;
  for (const auto& p : chat_polls(config_seq)) refused |= n(p, "status") == 403;
  EXPECT_TRUE(refused) << "the session did not end through liveChatEnded";

  auto everything = everything_outside(logs.text());
  for (const auto& canary : canaries) EXPECT_EQ(everything.find(canary), std::string::npos) << canary;
  // Nor the Google tokens the fake issued to onair.
  const auto state = fake_->control("GET", "/_control/state");
  for (const auto& t : state.as_object().at("google").as_object().at("tokens").as_array()) {
    const auto token = s(t, "access_token");
    if (token != s(issued, "access_token")) {
      EXPECT_EQ(everything.find(token), std::string::npos) << "access token";
    }
  }
  for (const auto& t : state.as_object().at("google").as_object().at("refresh_tokens").as_array()) {
    EXPECT_EQ(everything.find(s(t, "refresh_token")), std::string::npos) << "refresh token";
  }
  // The canaries did go through: a tracked moderator in the pulse, chat items counted.
  EXPECT_NE(everything.find("\"viewerType\":\"moderator\""), std::string::npos);
  EXPECT_NE(everything.find("onair_stream_youtube_chat_items_total"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamYouTubeTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::streamtest
