#pragma once
// The stream service against tools/fake-platforms (a child process): onair listens on a port picked
// before it starts, so STREAM_PUBLIC_BASE_URL can name it and the fake's EventSub and WebSub calls reach
// its webhooks. Every Twitch / Google host points at the fake; the upkeep workers' own timers stay idle
// (tests call run_once()). Each test gets its own streamer ids (the servers set shares one MariaDB, whose
// unique (platform, channel) index outlives a test).
#include <memory>
#include <string>
#include <vector>

#include "stream_server/fake_platforms_process.hpp"
#include "stream_server/stream_fixture.hpp"

namespace onair::streamtest {

inline constexpr const char* kFakeTwitchClientId = "fake-twitch-client-id";
inline constexpr const char* kFakeTwitchClientSecret = "fake-twitch-client-secret";
inline constexpr const char* kFakeGoogleClientId = "fake-google-client-id.apps.googleusercontent.com";
inline constexpr const char* kWebSubToken = "stream-tests-websub-master-token";

class TwitchFakeTest : public StreamServerTest {
 protected:
  void SetUp() override;
  // Deletes the links this test made (the servers set's MariaDB outlives the test; a link left active with
  // tokens would be refreshed and swept by later tests' workers).
  void TearDown() override;

  // Starts onair (stream, plus `extra` settings) pointed at the fake.
  void start_with_fake(const Env& extra = {});
  std::string public_base() const { return "http://127.0.0.1:" + std::to_string(onair_port_); }

  // The whole OAuth dance: /stream/platform/link -> GET the authorize URL on the fake (it approves and
  // redirects with code + state) -> /stream/platform/callback. Returns the link detail.
  json::value link_twitch(const std::string& account);
  json::value link_youtube(const std::string& account);

  // The fake's EventSub subscriptions (with their secrets), and the ones of our streamer.
  json::array fake_subscriptions();
  // Waits until the streamer has `n` subscriptions, all `enabled` (verification done); returns them.
  json::array wait_enabled(std::size_t n, std::chrono::milliseconds timeout = 10s);
  // Requests onair made to the fake since `since` (a seq), optionally under a path prefix.
  json::array fake_requests(const std::string& path_prefix = {}, std::int64_t since = 0);
  std::int64_t fake_last_seq();
  // POST /_control/twitch/notify; fails the test unless every delivery got `status`.
  json::value notify(json::object body, int status = 200);
  // A Helix app token of the fake (for calls the test makes as "someone else").
  std::string fake_app_token();
  // Tokens the fake issued (access and refresh, for the leak checks).
  std::vector<std::string> fake_tokens();

  // Everything that left the service: bus messages, state store, every SQL table, /metrics, the replies
  // the test saw, and `logs`.
  std::string everything_outside(const std::string& logs);

  std::vector<std::string> links_made_;
  std::unique_ptr<FakePlatformsProcess> fake_;
  std::string streamer_id_;
  std::string streamer_login_;
  std::string youtube_channel_;
  std::uint16_t onair_port_ = 0;
};

// The value of `key` in the query of `url` (percent-decoded), or "".
std::string query_value(const std::string& url, const std::string& key);

}  // namespace onair::streamtest
