// Graceful shutdown: stop() closes idle keep-alive connections and tells
// WebSocket clients it is going away (1001), finishes well before the drain
// deadline when nothing is in flight, and leaves the port closed.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>

#include "server/server_fixture.hpp"

namespace onair::servertest {
namespace {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using testing::HttpConnection;
using testing::TestSocket;

class ShutdownTest : public ServerTest {};

TEST_P(ShutdownTest, StopClosesIdleConnectionsAndSocketsPromptly) {
  // The drain limit is 5 s: finishing far sooner shows nothing waited for it.
  auto& node = start({.tweak = [](app::ServerSettings& s) { s.drain = 5s; }, .env = {}});
  const auto port = node.port();
  HttpConnection idle(port);
  ASSERT_EQ(idle.request("GET", "/healthz").status, 200);
  auto socket = TestSocket::open(port, token(new_session()));
  auto reply = socket->call(1, "/sample/echo", json::object{{"message", "before stop"}});
  ASSERT_TRUE(reply) << socket->history();

  const auto started = Clock::now();
  auto stopped = std::async(std::launch::async, [&node] {
    node.stop();
    return Clock::now();
  });
  // The socket is told the server is going away (this also answers the close handshake).
  EXPECT_TRUE(socket->wait_closed(5s)) << socket->history();
  EXPECT_EQ(socket->close_code(), 1001) << socket->history();
  EXPECT_TRUE(idle.closed_by_server_within(5s));
  ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready) << "stop() did not return";
  const double took = std::chrono::duration<double>(stopped.get() - started).count();
  EXPECT_LT(took, 2.5) << "stop() waited for the drain deadline";

  EXPECT_TRUE(testing::connection_refused(port));
  EXPECT_EQ(testing::http_request(port, "GET", "/healthz", {}, {}, 1s).status, 0);
  // Stopping twice is harmless.
  node.stop();
}

TEST_P(ShutdownTest, StopWithNothingOpenIsQuickAndFreesThePort) {
  auto& node = start();
  const auto port = node.port();
  ASSERT_EQ(testing::http_request(port, "GET", "/healthz").status, 200);
  const auto started = Clock::now();
  node.stop();
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - started).count(), 2.0);
  EXPECT_TRUE(testing::connection_refused(port));
}

INSTANTIATE_TEST_SUITE_P(Backends, ShutdownTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         backend_set_name);

}  // namespace
}  // namespace onair::servertest
