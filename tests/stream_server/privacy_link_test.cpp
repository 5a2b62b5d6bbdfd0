// The privacy proof (canaries through every webhook, then nowhere outside the service's memory),
// platform session endpoints and their cleanup, custom links, and OAuth linking against a tiny
// in-test fake of the Twitch token and Helix endpoints (tools/fake-platforms is not used here).
#include <atomic>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "core/time.hpp"
#include "stream/security/webhook_signature.hpp"
#include "stream/service/workers.hpp"
#include "stream_server/stream_fixture.hpp"

namespace onair::streamtest {
namespace {

using servertest::BackendSet;
namespace asio = boost::asio;

std::string s(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

// A one-thread HTTP/1.1 server answering the Twitch OAuth token and Helix users endpoints.
class FakeTwitch {
 public:
  explicit FakeTwitch(std::string user_id)
      : user_id_(std::move(user_id)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeTwitch() {
    stop_ = true;
    try {
      asio::ip::tcp::socket poke(io_);
      poke.connect(acceptor_.local_endpoint());
    } catch (...) {
    }
    thread_.join();
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::string user_id_;

 private:
  void serve() {
    while (!stop_) {
      asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      asio::streambuf buf;
      asio::read_until(socket, buf, "\r\n\r\n", ec);
      if (ec) continue;
      std::string head(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
      const auto end = head.find("\r\n\r\n") + 4;
      std::size_t length = 0;
      auto lower = head;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (auto p = lower.find("content-length:"); p != std::string::npos) length = std::stoul(head.substr(p + 15));
      std::string body = head.substr(end);
      if (body.size() < length) {
        std::string rest(length - body.size(), '\0');
        asio::read(socket, asio::buffer(rest), ec);
        body += rest;
      }
      const auto line = head.substr(0, head.find("\r\n"));
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(line + "\n" + body);
      }
      int status = 404;
      std::string answer = "{}";
      if (line.find("POST /oauth2/token") == 0) {
        if (body.find("code=good-code") != std::string::npos) {
          status = 200;
          answer =
              R"({"access_token":"ACCESS-CANARY-123","refresh_token":"REFRESH-CANARY-456","expires_in":14400,"scope":["user:read:chat"],"token_type":"bearer"})";
        } else {
          status = 400;
          answer = R"({"status":400,"message":"Invalid authorization code"})";
        }
      } else if (line.find("GET /helix/users") == 0) {
        status = lower.find("authorization: bearer access-canary-123") != std::string::npos ? 200 : 401;
        answer = R"({"data":[{"id":")" + user_id_ + R"(","login":"streamer_login","display_name":"Streamer"}]})";
      }
      const auto response = "HTTP/1.1 " + std::to_string(status) +
                            " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(answer.size()) +
                            "\r\nConnection: close\r\n\r\n" + answer;
      asio::write(socket, asio::buffer(response), ec);
    }
  }
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

class StreamPrivacyTest : public StreamServerTest {};

TEST_P(StreamPrivacyTest, CanariesNeverLeaveTheService) {
  LogCapture logs;
  start_stream({{"ONAIR_LOG_LEVEL", "trace"}});
  const auto account = new_uuid();
  const auto user = account_token(account);
  const auto channel = "7" + random_hex(5);
  const auto link = twitch_link(account, channel);
  const auto tag = random_hex(6);
  const std::vector<std::string> canaries = {"CanaryUserId" + tag,    "canary_login_" + tag, "CanaryName" + tag,
                                             "CanaryText" + tag,      "CanaryRaider" + tag,  "CanaryViewer" + tag,
                                             "CanaryCustomText" + tag};
  ASSERT_EQ(deliver(notification("stream.online", channel, {})).status, 200);
  ASSERT_TRUE(bus().wait_for("stream.platform.session.started", "linkId", link.link_id));
  for (int i = 0; i < 8; ++i) {
    json::object event{{"chatter_user_id", canaries[0]},
                       {"chatter_user_login", canaries[1]},
                       {"chatter_user_name", canaries[2]},
                       {"message_id", new_uuid()},
                       {"message", json::object{{"text", canaries[3] + " PogChamp"}}},
                       {"badges", json::array{json::object{{"set_id", "vip"}, {"id", "1"}, {"info", ""}}}}};
    ASSERT_EQ(deliver(notification("channel.chat.message", channel, event)).status, 200);
  }
  json::object identity{{"user_id", canaries[0]}, {"user_login", canaries[1]}, {"user_name", canaries[2]}};
  auto with = [&](json::object extra) {
    auto e = identity;
    for (auto& [k, v] : extra) e[k] = v;
    return e;
  };
  ASSERT_EQ(deliver(notification("channel.subscribe", channel, with({{"tier", "1000"}}))).status, 200);
  ASSERT_EQ(deliver(notification("channel.subscription.message", channel,
                                 with({{"cumulative_months", 7}, {"message", json::object{{"text", canaries[3]}}}})))
                .status,
            200);
  ASSERT_EQ(deliver(notification("channel.cheer", channel, with({{"bits", 100}, {"message", canaries[3]}}))).status,
            200);
  ASSERT_EQ(deliver(notification("channel.follow", channel, identity)).status, 200);
  ASSERT_EQ(deliver(notification("channel.raid", channel,
                                 {{"from_broadcaster_user_id", canaries[4]},
                                  {"from_broadcaster_user_login", canaries[4]},
                                  {"from_broadcaster_user_name", canaries[4]},
                                  {"viewers", 50}}))
                .status,
            200);
  // A duplicate and a forged delivery carrying canaries too.
  auto forged = notification("channel.chat.message", channel, identity);
  forged.secret = "wrong-secret-wrong-secret";
  EXPECT_EQ(deliver(forged).status, 403);

  // Custom platform: link, go live, chat with canaries.
  auto custom =
      call("/stream/platform/link",
           json::object{{"platform", "custom"}, {"customRtmpUrl", "rtmp://ingest.example/app/STREAMKEY" + tag}}, user);
  ASSERT_EQ(custom.status, 200) << custom.body;
  const auto custom_link = s(custom.json().at("link"), "linkId");
  const auto secret = s(custom.json(), "webhookSecret");
  ASSERT_EQ(secret.size(), 64u);
  EXPECT_EQ(s(custom.json().at("link"), "maskedRtmpUrl"), "rtmp://ingest.example/app/****");
  auto custom_delivery = [&](json::object body) {
    const auto text = json::serialize(body);
    const auto id = random_hex(8);
    const auto ts = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    auto reply = testing::http_request(
        port(), "POST", "/stream/webhook/custom", text,
        {{"X-Onair-Link-Id", custom_link},
         {"X-Onair-Delivery-Id", id},
         {"X-Onair-Timestamp", ts},
         {"X-Onair-Signature", stream::security::sign_custom_webhook(secret, custom_link, id, ts, text)}});
    seen(reply.body);
    return reply.status;
  };
  ASSERT_EQ(custom_delivery({{"type", "stream_online"}}), 204);
  ASSERT_EQ(custom_delivery({{"type", "viewer_count"}, {"amount", 321}}), 204);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(custom_delivery({{"type", "chat_message"},
                               {"viewerId", canaries[5]},
                               {"text", canaries[6]},
                               {"viewerRoles", json::array{"moderator"}}}),
              204);
  }
  ASSERT_EQ(publish_pulses(), 2u);
  // Admin and status views.
  const auto dev = account_token(new_uuid(), "developer");
  for (const auto& p : bus().wait_count("stream.audience.pulse", 2)) {
    call("/stream/admin/pulse/latest", json::object{{"platformSessionId", s(p, "platformSessionId")}}, dev);
  }
  call("/stream/admin/sentiment/test", json::object{{"messages", json::array{canaries[3]}}}, dev);
  call("/stream/session/list", json::object{}, user);
  call("/stream/platform/list", json::object{}, user);
  ASSERT_EQ(deliver(notification("stream.offline", channel, {})).status, 200);
  ASSERT_EQ(custom_delivery({{"type", "stream_offline"}}), 204);
  ASSERT_EQ(bus().wait_count("stream.platform.session.ended", 2).size(), 2u);

  // Collect everything that left the service.
  const std::string everything = everything_outside_service(logs.text());
  for (const auto& canary : canaries) EXPECT_EQ(everything.find(canary), std::string::npos) << canary;
  // The stream key and the custom webhook secret are not readable anywhere either.
  EXPECT_EQ(everything.find("STREAMKEY" + tag), std::string::npos);
  // The canaries did go through the pipeline: pulses with tracked viewers were published.
  EXPECT_NE(everything.find("\"viewerType\":\"vip\""), std::string::npos);
  EXPECT_NE(everything.find("\"viewerType\":\"moderator\""), std::string::npos);
  EXPECT_NE(everything.find("onair_stream_webhook_deliveries_total"), std::string::npos);
}

TEST_P(StreamPrivacyTest, SessionEndpointsAndCleanup) {
  start_stream();
  const auto account = new_uuid();
  const auto user = account_token(account);
  auto custom =
      call("/stream/platform/link", json::object{{"platform", "custom"}, {"customRtmpUrl", "rtmp://h/app/key"}}, user);
  ASSERT_EQ(custom.status, 200);
  const auto link = s(custom.json().at("link"), "linkId");
  auto started = call("/stream/session/start", json::object{{"linkId", link}}, user);
  ASSERT_EQ(started.status, 200) << started.body;
  const auto session = s(started.json(), "platformSessionId");
  EXPECT_EQ(s(started.json(), "origin"), "manual");
  EXPECT_EQ(call("/stream/session/start", json::object{{"linkId", link}}, user).status, 409);
  // Another account sees nothing.
  const auto other = account_token(new_uuid());
  EXPECT_EQ(call("/stream/session/status", json::object{{"platformSessionId", session}}, other).status, 404);
  EXPECT_EQ(call("/stream/session/list", json::object{{"accountId", account}}, other).status, 403);
  const auto game = new_uuid();
  auto associated =
      call("/stream/session/associate", json::object{{"platformSessionId", session}, {"inGameSessionId", game}}, user);
  ASSERT_EQ(associated.status, 200);
  EXPECT_EQ(s(associated.json(), "inGameSessionId"), game);
  auto by_link = call("/stream/session/status", json::object{{"linkId", link}}, user);
  ASSERT_EQ(by_link.status, 200);
  EXPECT_EQ(s(by_link.json(), "platformSessionId"), session);
  EXPECT_EQ(call("/stream/session/status", json::object{}, user).status, 400);
  auto list = call("/stream/session/list", json::object{{"activeOnly", true}}, user);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("sessions").as_array().size(), 1u);
  auto stopped = call("/stream/session/stop", json::object{{"platformSessionId", session}}, user);
  ASSERT_EQ(stopped.status, 200);
  EXPECT_EQ(s(stopped.json(), "state"), "ended");
  EXPECT_EQ(s(stopped.json(), "endReason"), "manual");
  auto again = call("/stream/session/stop", json::object{{"platformSessionId", session}}, user);
  EXPECT_EQ(again.status, 200);
  auto ended = bus().wait_for("stream.platform.session.ended", "platformSessionId", session);
  ASSERT_TRUE(ended);
  EXPECT_EQ(s(*ended, "inGameSessionId"), game);
  EXPECT_EQ(bus().of("stream.platform.session.ended").size(), 1u);
  EXPECT_EQ(call("/stream/session/associate",
                 json::object{{"platformSessionId", session}, {"inGameSessionId", nullptr}}, user)
                .status,
            404);

  // Cleanup: a fresh ended record stays; one ended long ago is purged.
  EXPECT_EQ(run(service().cleanup_worker().run_once()), 0);
  run(service().store().sql().execute("UPDATE stream_sessions SET ended_ms = 1000 WHERE session_id = ?", {session}));
  EXPECT_EQ(run(service().cleanup_worker().run_once()), 1);
  EXPECT_EQ(call("/stream/session/status", json::object{{"platformSessionId", session}}, user).status, 404);

  // Unlink ends nothing more, deletes the link, publishes unlinked.
  ASSERT_EQ(call("/stream/platform/unlink", json::object{{"linkId", link}}, user).status, 200);
  auto unlinked = bus().wait_for("stream.platform.unlinked", "linkId", link);
  ASSERT_TRUE(unlinked);
  EXPECT_EQ(s(*unlinked, "reason"), "unlinked");
  EXPECT_TRUE(call("/stream/platform/list", json::object{}, user).json().at("links").as_array().empty());
}

TEST_P(StreamPrivacyTest, TwitchLinkingStoresSealedTokensAndRefusesASecondAccount) {
  FakeTwitch fake("5" + random_hex(5));
  start_stream({{"STREAM_TWITCH_CLIENT_ID", "test-client"},
                {"STREAM_TWITCH_CLIENT_SECRET", "test-client-secret"},
                {"STREAM_TWITCH_AUTH_BASE_URL", fake.base()},
                {"STREAM_TWITCH_API_BASE_URL", fake.base()},
                {"STREAM_OAUTH_REDIRECT_URI", "https://onair.example/stream-link.html"}});
  const auto account = new_uuid();
  const auto user = account_token(account);
  auto link = call("/stream/platform/link", json::object{{"platform", "twitch"}}, user);
  ASSERT_EQ(link.status, 200) << link.body;
  const auto state = s(link.json(), "state");
  const auto url = s(link.json(), "authorizeUrl");
  EXPECT_EQ(url.rfind(fake.base() + "/oauth2/authorize?", 0), 0u) << url;
  EXPECT_NE(url.find("state=" + state), std::string::npos);
  EXPECT_NE(url.find("client_id=test-client"), std::string::npos);
  // Another account cannot use the state; a bad code is refused.
  EXPECT_EQ(call("/stream/platform/callback", json::object{{"state", state}, {"code", "good-code"}},
                 account_token(new_uuid()))
                .status,
            404);
  auto refused = call("/stream/platform/callback", json::object{{"state", state}, {"code", "bad-code"}}, user);
  EXPECT_EQ(refused.status, 400);
  // The state was single use.
  EXPECT_EQ(call("/stream/platform/callback", json::object{{"state", state}, {"code", "good-code"}}, user).status, 404);

  auto link2 = call("/stream/platform/link", json::object{{"platform", "twitch"}}, user);
  auto done =
      call("/stream/platform/callback", json::object{{"state", s(link2.json(), "state")}, {"code", "good-code"}}, user);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(s(done.json(), "platformChannelId"), fake.user_id_);
  EXPECT_EQ(s(done.json(), "status"), "active");
  EXPECT_EQ(done.body.find("CANARY"), std::string::npos);
  ASSERT_TRUE(bus().wait_for("stream.platform.linked", "linkId", s(done.json(), "linkId")));
  // The tokens are sealed in SQL and open with the key and the row's associated data.
  auto stored = run(service().store().link(s(done.json(), "linkId")));
  ASSERT_TRUE(stored && stored->access_token && stored->refresh_token);
  EXPECT_EQ(stored->access_token->find("ACCESS-CANARY"), std::string::npos);
  EXPECT_EQ(service().cipher().open(*stored->access_token,
                                    stream::security::token_associated_data(stored->link_id, "access_token")),
            std::optional<std::string>("ACCESS-CANARY-123"));
  EXPECT_EQ(service().cipher().open(*stored->refresh_token,
                                    stream::security::token_associated_data(stored->link_id, "refresh_token")),
            std::optional<std::string>("REFRESH-CANARY-456"));
  auto listed = call("/stream/platform/list", json::object{}, user);
  EXPECT_EQ(listed.body.find("CANARY"), std::string::npos);
  EXPECT_EQ(listed.json().at("links").as_array().size(), 1u);
  // Linking again: 400 for the same account; the same Twitch account for another onair account: 409.
  EXPECT_EQ(call("/stream/platform/link", json::object{{"platform", "twitch"}}, user).status, 400);
  const auto other = account_token(new_uuid());
  auto link3 = call("/stream/platform/link", json::object{{"platform", "twitch"}}, other);
  ASSERT_EQ(link3.status, 200);
  EXPECT_EQ(
      call("/stream/platform/callback", json::object{{"state", s(link3.json(), "state")}, {"code", "good-code"}}, other)
          .status,
      409);
}

TEST_P(StreamPrivacyTest, NoKeyOutsideDevelopmentModeRefusesToStoreSecrets) {
  start_stream({{"STREAM_TOKEN_ENCRYPTION_KEY", ""}});
  auto reply =
      call("/stream/platform/link", json::object{{"platform", "custom"}, {"customRtmpUrl", "rtmp://h/app/key"}},
           account_token(new_uuid()));
  EXPECT_EQ(reply.status, 503);
}

TEST_P(StreamPrivacyTest, YouTubeVerificationOnlyForPendingTopics) {
  start_stream();
  const auto topic = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UC" + random_hex(8);
  auto target = [&](const std::string& t) {
    return "/stream/webhook/youtube?hub.mode=subscribe&hub.topic=" + stream::PlatformHttp::url_encode(t) +
           "&hub.challenge=ch4llenge&hub.lease_seconds=432000";
  };
  EXPECT_EQ(testing::http_request(port(), "GET", target(topic)).status, 404);
  run(service().expect_websub_verification("subscribe", topic));
  auto ok = testing::http_request(port(), "GET", target(topic));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "ch4llenge");
  EXPECT_EQ(testing::http_request(port(), "GET", target(topic)).status, 404);  // single use
  // Deliveries: signature with the topic's derived secret.
  const std::string feed = "<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>";
  const auto secret = stream::security::derive_websub_secret("stream-tests-websub-master-token", topic);
  const auto sig = stream::security::sign_websub(secret, feed, stream::security::WebSubAlgorithm::sha1);
  const auto link_header = "<https://pubsubhubbub.appspot.com>; rel=hub, <" + topic + ">; rel=self";
  EXPECT_EQ(testing::http_request(port(), "POST", "/stream/webhook/youtube", feed,
                                  {{"Link", link_header}, {"X-Hub-Signature", sig}})
                .status,
            204);
  EXPECT_EQ(testing::http_request(port(), "POST", "/stream/webhook/youtube", feed,
                                  {{"Link", link_header}, {"X-Hub-Signature", "sha1=" + std::string(40, '0')}})
                .status,
            403);
}

INSTANTIATE_TEST_SUITE_P(Backends, StreamPrivacyTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::streamtest
