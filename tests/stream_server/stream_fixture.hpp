#pragma once
// The stream service over a running onair (tests/server's ServerTest) on both backend sets:
// a node with stream enabled (workers idle: tests call run_once()), signed Twitch EventSub and
// custom deliveries built with the security helpers, a recorder of every bus message of the
// node (checked against the stream event schemas), and a capture of the server's log output.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "server/server_fixture.hpp"
#include "stream/service/stream_service.hpp"
#include "support/test_client.hpp"

namespace onair::streamtest {

namespace json = boost::json;
using testing::HttpReply;
using namespace std::chrono_literals;
using Env = std::map<std::string, std::string, std::less<>>;

inline constexpr const char* kTwitchSecret = "stream-tests-eventsub-secret-0123456789";
inline constexpr const char* kTokenKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// Every bus message one node sees (private queue bound to "#").
class BusRecorder {
 public:
  struct Message {
    std::string topic;
    std::string body;
  };
  explicit BusRecorder(infra::MessageBus& bus);
  std::vector<json::value> of(std::string_view topic) const;
  // The messages of `topic` once there are at least `n` (RabbitMQ delivers after the call returns),
  // or what there is when the timeout passes.
  std::vector<json::value> wait_count(std::string_view topic, std::size_t n,
                                      std::chrono::milliseconds timeout = 10s) const;
  std::optional<json::value> wait_for(std::string_view topic, std::string_view key, const std::string& value,
                                      std::chrono::milliseconds timeout = 10s) const;
  std::vector<Message> all() const;
  std::vector<std::string> violations() const;
  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Lines the server logged while it is alive (all levels).
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  std::string text() const;
  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

class StreamServerTest : public servertest::ServerTest {
 protected:
  void TearDown() override;

  // `tweak` adjusts the server settings (e.g. a fixed port the fake platforms can call back).
  servertest::TestNode& start_stream(const Env& env = {}, std::function<void(app::ServerSettings&)> tweak = {});
  stream::StreamService& service(std::size_t node = 0);
  BusRecorder& bus(std::size_t node = 0);
  std::uint16_t port(std::size_t node = 0) const { return nodes_.at(node)->port(); }

  template <class T>
  T run(Task<T> task, std::size_t node = 0) {
    return boost::asio::co_spawn(nodes_.at(node)->server().executor(), std::move(task), boost::asio::use_future).get();
  }

  // A bearer token of `account` (a uuid) with `role`.
  static std::string account_token(const std::string& account, const std::string& role = "user");
  HttpReply call(const std::string& path, const json::value& body, const std::string& token);
  // Every reply the test received, for the privacy check; `seen` may be called from several threads.
  std::vector<std::string> replies_seen;
  void seen(const std::string& reply_body) {
    std::lock_guard lock(replies_mutex_);
    replies_seen.push_back(reply_body);
  }
  std::mutex replies_mutex_;

  // A twitch link of `account` for broadcaster `channel`, written straight into the store.
  stream::LinkRecord twitch_link(const std::string& account, const std::string& channel);

  // A signed EventSub delivery.
  struct Delivery {
    std::string message_type = "notification";
    std::string subscription_type;
    json::object event;
    json::object condition;
    std::optional<std::string> challenge;
    std::optional<std::string> status;
    std::string message_id = new_uuid();
    std::string timestamp;  // empty: now
    std::string secret = kTwitchSecret;
    std::string signature;  // empty: computed
  };
  HttpReply deliver(const Delivery& d);
  HttpReply deliver_raw(const std::string& body, const testing::Headers& headers);
  Delivery notification(const std::string& type, const std::string& broadcaster, json::object event);
  Delivery chat(const std::string& broadcaster, const std::string& user_id, const std::string& text,
                json::array badges = {});

  std::size_t publish_pulses(std::size_t node = 0);
  // Bus, state store, SQL tables, /metrics, replies seen and `logs` as one text (privacy checks).
  std::string everything_outside_service(const std::string& logs);

  std::map<std::size_t, std::unique_ptr<BusRecorder>> recorders_;
};

}  // namespace onair::streamtest
