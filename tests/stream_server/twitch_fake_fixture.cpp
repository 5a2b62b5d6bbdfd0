#include "stream_server/twitch_fake_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <thread>

#include "stream/service/upkeep_store.hpp"

namespace onair::streamtest {

namespace {

std::string s(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

}  // namespace

std::string query_value(const std::string& url, const std::string& key) {
  const auto q = url.find('?');
  if (q == std::string::npos) return {};
  std::string_view rest(url);
  rest.remove_prefix(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key)
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

void TwitchFakeTest::SetUp() {
  StreamServerTest::SetUp();
  if (::testing::Test::IsSkipped()) return;
  fake_ = std::make_unique<FakePlatformsProcess>();
  // Twitch user ids are decimal strings.
  streamer_id_ = std::to_string(600000000ULL + std::stoull(random_hex(4), nullptr, 16) % 300000000ULL);
  streamer_login_ = "streamer_" + random_hex(4);
  youtube_channel_ = "UC" + random_hex(11);
  json::object twitch{{"users", json::array{json::object{{"id", streamer_id_},
                                                         {"login", streamer_login_},
                                                         {"display_name", "Streamer " + streamer_login_}}}},
                      {"authorize_as", streamer_id_}};
  json::object google{{"channels", json::array{json::object{{"id", youtube_channel_},
                                                            {"title", "Channel " + youtube_channel_},
                                                            {"customUrl", "@" + streamer_login_}}}},
                      {"authorize_as", youtube_channel_}};
  fake_->control("POST", "/_control/reset", json::object{{"twitch", twitch}, {"google", google}});
}

void TwitchFakeTest::TearDown() {
  if (!nodes_.empty()) {
    for (const auto& id : links_made_) {
      try {
        run(service().store().delete_link(id));
        run(service().upkeep_store().forget_link(id));
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup of link " << id << ": " << e.what();
      }
    }
  }
  StreamServerTest::TearDown();
  fake_.reset();
}

void TwitchFakeTest::start_with_fake(const Env& extra) {
  onair_port_ = free_port();
  const auto base = fake_->base_url();
  Env env{{"STREAM_TWITCH_CLIENT_ID", kFakeTwitchClientId},
          {"STREAM_TWITCH_CLIENT_SECRET", kFakeTwitchClientSecret},
          {"STREAM_TWITCH_AUTH_BASE_URL", base},
          {"STREAM_TWITCH_API_BASE_URL", base},
          {"STREAM_YOUTUBE_CLIENT_ID", kFakeGoogleClientId},
          {"STREAM_YOUTUBE_CLIENT_SECRET", "fake-google-client-secret"},
          {"STREAM_YOUTUBE_AUTH_BASE_URL", base},
          {"STREAM_YOUTUBE_TOKEN_BASE_URL", base},
          {"STREAM_YOUTUBE_API_BASE_URL", base},
          {"STREAM_WEBSUB_HUB_URL", base},
          {"STREAM_YOUTUBE_WEBHOOK_TOKEN", kWebSubToken},
          {"STREAM_PUBLIC_BASE_URL", public_base()},
          // The upkeep timers stay idle: tests call run_once().
          {"STREAM_TOKEN_REFRESH_CHECK_INTERVAL_SECONDS", "3600"},
          {"STREAM_WEBHOOK_SUBSCRIPTION_CHECK_INTERVAL_SECONDS", "86400"},
          {"STREAM_TWITCH_VIEWER_POLL_INTERVAL_SECONDS", "3600"}};
  for (const auto& [k, v] : extra) env[k] = v;
  const auto port = onair_port_;
  start_stream(env, [port](app::ServerSettings& settings) { settings.http.port = port; });
  ASSERT_EQ(this->port(), onair_port_);
}

namespace {
// The redirect's Location after the fake "approved" the consent.
std::string approve(FakePlatformsProcess& fake, const std::string& authorize_url) {
  const auto base = fake.base_url();
  if (authorize_url.rfind(base, 0) != 0) throw std::runtime_error("authorize URL not on the fake: " + authorize_url);
  auto reply = fake.request("GET", authorize_url.substr(base.size()));
  if (reply.status != 302) throw std::runtime_error("authorize answered " + std::to_string(reply.status) + reply.body);
  return reply.header("location");
}
}  // namespace

json::value TwitchFakeTest::link_twitch(const std::string& account) {
  const auto user = account_token(account);
  auto link = call("/stream/platform/link", json::object{{"platform", "twitch"}}, user);
  if (link.status != 200) throw std::runtime_error("link: " + link.body);
  const auto location = approve(*fake_, s(link.json(), "authorizeUrl"));
  EXPECT_EQ(query_value(location, "state"), s(link.json(), "state"));
  const json::object body{{"state", query_value(location, "state")}, {"code", query_value(location, "code")}};
  auto done = call("/stream/platform/callback", body, user);
  if (done.status != 200) throw std::runtime_error("callback: " + done.body);
  links_made_.push_back(s(done.json(), "linkId"));
  return done.json();
}

json::value TwitchFakeTest::link_youtube(const std::string& account) {
  const auto user = account_token(account);
  auto link = call("/stream/platform/link", json::object{{"platform", "youtube"}}, user);
  if (link.status != 200) throw std::runtime_error("link: " + link.body);
  const auto location = approve(*fake_, s(link.json(), "authorizeUrl"));
  const json::object body{{"state", query_value(location, "state")}, {"code", query_value(location, "code")}};
  auto done = call("/stream/platform/callback", body, user);
  if (done.status != 200) throw std::runtime_error("callback: " + done.body);
  links_made_.push_back(s(done.json(), "linkId"));
  return done.json();
}

json::array TwitchFakeTest::fake_subscriptions() {
  auto all = fake_->control("GET", "/_control/twitch/subscriptions").as_object().at("data").as_array();
  json::array mine;
  for (auto& sub : all) {
    const auto& condition = sub.as_object().at("condition").as_object();
    for (const auto& [k, v] : condition) {
      if (v.is_string() && v.as_string() == streamer_id_) {
        mine.push_back(sub);
        break;
      }
    }
  }
  return mine;
}

json::array TwitchFakeTest::wait_enabled(std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json::array subs;
  while (std::chrono::steady_clock::now() < deadline) {
    subs = fake_subscriptions();
    std::size_t enabled = 0;
    for (const auto& sub : subs) enabled += s(sub, "status") == "enabled";
    if (subs.size() == n && enabled == n) return subs;
    std::this_thread::sleep_for(50ms);
  }
  ADD_FAILURE() << "the fake does not hold " << n << " enabled subscriptions: " << json::serialize(subs);
  return subs;
}

json::array TwitchFakeTest::fake_requests(const std::string& path_prefix, std::int64_t since) {
  std::string target = "/_control/requests?since=" + std::to_string(since);
  if (!path_prefix.empty()) target += "&path_prefix=" + path_prefix;
  return fake_->control("GET", target).as_object().at("requests").as_array();
}

std::int64_t TwitchFakeTest::fake_last_seq() {
  return fake_->control("GET", "/_control/requests?since=0").as_object().at("last_seq").to_number<std::int64_t>();
}

json::value TwitchFakeTest::notify(json::object body, int status) {
  auto out = fake_->control("POST", "/_control/twitch/notify", body);
  for (const auto& sent : out.as_object().at("sent").as_array()) {
    const auto* got = sent.as_object().if_contains("status");
    EXPECT_TRUE(got && got->is_int64() && got->as_int64() == status) << json::serialize(sent);
  }
  return out;
}

std::string TwitchFakeTest::fake_app_token() {
  auto issued = fake_->control("POST", "/_control/tokens/issue", json::object{{"platform", "twitch"}});
  return s(issued, "access_token");
}

std::vector<std::string> TwitchFakeTest::fake_tokens() {
  auto state = fake_->control("GET", "/_control/state");
  std::vector<std::string> out;
  const auto& twitch = state.as_object().at("twitch").as_object();
  for (const auto& t : twitch.at("tokens").as_array()) out.push_back(s(t, "access_token"));
  for (const auto& t : twitch.at("refresh_tokens").as_array()) out.push_back(s(t, "refresh_token"));
  return out;
}

std::string TwitchFakeTest::everything_outside(const std::string& logs) { return everything_outside_service(logs); }

}  // namespace onair::streamtest
