#pragma once
// The showtime service over a running onair (tests/server's ServerTest) on
// both backend sets: nodes with showtime and voice enabled (workers idle: the
// tests drive them with run_once()), HTTP helpers per role, a recorder of the
// showtime.# / voice.# events on a node's bus, and a streamer socket that keeps
// its client events. Bus and client events are checked against their schemas.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "server/server_fixture.hpp"
#include "showtime/service/showtime_service.hpp"
#include "support/test_client.hpp"

namespace onair::showtimetest {

namespace json = boost::json;
using servertest::BackendSet;
using testing::HttpReply;
using namespace std::chrono_literals;
using Env = std::map<std::string, std::string, std::less<>>;

json::value at(const json::value& v, std::string_view key);
std::string str(const json::value& v, std::string_view key);
std::int64_t num(const json::value& v, std::string_view key, std::int64_t fallback = -1);
bool has(const json::value& v, std::string_view key);

// Bus events of one node (private queue: with RabbitMQ it sees every node's).
class EventLog {
 public:
  struct Event {
    std::string topic;
    json::value body;
  };
  explicit EventLog(infra::MessageBus& bus);
  ~EventLog();
  // Waits for the first event of `topic` whose `key` is `value`.
  std::optional<json::value> wait_for(std::string_view topic, std::string_view key, const std::string& value,
                                      std::chrono::milliseconds timeout = 10s);
  std::size_t count(std::string_view topic, std::string_view key, const std::string& value) const;
  std::vector<std::string> violations() const;
  struct State;

 private:
  std::shared_ptr<State> state_;
  // Runs the probe publishes and outlives them: RabbitBus's publisher thread
  // still holds an executor of it for a moment after a publish resumed.
  boost::asio::io_context io_;
};

// A WebSocket session that receives the streamer's client events.
class Socket {
 public:
  Socket(std::uint16_t port, std::string session, const std::string& token);
  const std::string& session() const { return session_; }
  std::optional<json::object> take(std::string_view name, std::chrono::milliseconds timeout = 5s);
  std::vector<std::string> violations() const { return violations_; }

 private:
  std::string session_;
  std::unique_ptr<testing::TestSocket> socket_;
  std::deque<json::object> inbox_;
  std::vector<std::string> violations_;
};

class ShowtimeServerTest : public servertest::ServerTest {
 protected:
  void TearDown() override;

  servertest::TestNode& start_showtime(const Env& env = {});
  showtime::ShowtimeService& service(std::size_t node = 0);
  EventLog& events(std::size_t node = 0);
  std::uint16_t port(std::size_t node = 0) const { return nodes_.at(node)->port(); }

  // Runs a task of node `node`'s services on its io threads and waits for it.
  template <class T>
  T run(std::size_t node, Task<T> task) {
    return boost::asio::co_spawn(nodes_.at(node)->server().executor(), std::move(task), boost::asio::use_future).get();
  }
  std::vector<std::string> tick(std::size_t node = 0);

  static std::string role_token(const std::string& role);
  static HttpReply call(std::uint16_t port, const std::string& path, const json::value& body,
                        const std::string& role = "developer");
  // Starts a session for a fresh streamer; returns the response body.
  json::value start_session(std::uint16_t port, json::object extra = {});
  Socket& open_socket(std::uint16_t port);

  std::string game_service_ = new_uuid();
  std::vector<std::unique_ptr<Socket>> sockets_;

 private:
  std::map<std::size_t, std::unique_ptr<EventLog>> logs_;
};

}  // namespace onair::showtimetest
