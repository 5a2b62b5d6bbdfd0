// What the listener does with hostile or broken clients: limits (413, 431),
// malformed requests (400), slow and idle connections (timeouts), random
// bytes, and the normal keep-alive / pipelining / 100-continue paths.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <thread>

#include "server/server_fixture.hpp"

namespace onair::servertest {
namespace {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using testing::http_request;
using testing::HttpConnection;
using testing::raw_exchange;
using testing::RawConnection;
using testing::status_of;

class RobustnessTest : public ServerTest {};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

TEST_P(RobustnessTest, BodyOverTheLimitIs413) {
  auto& node = start({.tweak = [](app::ServerSettings& s) { s.http.body_limit = 1024; }, .env = {}});
  const auto bearer = token(new_session());
  // Under the limit: reaches the API (which rejects the too-long message, not the size).
  auto small = post_raw(node.port(), "/sample/echo", R"({"message":")" + std::string(900, 'a') + "\"}", bearer);
  EXPECT_EQ(small.status, 400) << small.body;
  EXPECT_NE(error_of(small).find("body.message"), std::string::npos);

  // Declared too large: refused before the body is read.
  {
    RawConnection raw(node.port());
    ASSERT_TRUE(raw.send("POST /sample/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n"));
    auto reply = raw.read_response();
    EXPECT_EQ(reply.status, 413) << reply.error;
    EXPECT_TRUE(raw.read_until_close(3s).closed);
  }
  // Sent whole by an ordinary client.
  auto big = post_raw(node.port(), "/sample/echo", R"({"message":")" + std::string(4096, 'a') + "\"}", bearer);
  EXPECT_EQ(big.status, 413) << big.error;
  // Chunked, so the size is only known while reading.
  {
    RawConnection raw(node.port());
    std::string chunked = "POST /sample/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunked += "200\r\n" + std::string(0x200, 'a') + "\r\n";
    raw.send(chunked);
    auto reply = raw.read_response();
    EXPECT_EQ(reply.status, 413) << reply.error;
  }
  // The server is fine afterwards.
  EXPECT_EQ(http_request(node.port(), "GET", "/healthz").status, 200);
}

TEST_P(RobustnessTest, HeaderTooLargeIs431) {
  auto& node = start();
  auto reply = http_request(node.port(), "GET", "/healthz", {}, {{"X-Padding", std::string(20 * 1024, 'p')}});
  EXPECT_EQ(reply.status, 431) << reply.error;
  // Many small headers add up the same way.
  testing::Headers many;
  for (int i = 0; i < 400; ++i) many.emplace_back("X-H" + std::to_string(i), std::string(60, 'v'));
  auto many_reply = http_request(node.port(), "GET", "/healthz", {}, many);
  EXPECT_EQ(many_reply.status, 431) << many_reply.error;
  EXPECT_EQ(http_request(node.port(), "GET", "/healthz").status, 200);
}

TEST_P(RobustnessTest, GarbageRequestIs400AndClosed) {
  auto& node = start();
  for (const char* garbage :
       {"THIS IS NOT HTTP\r\n\r\n", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n", "GET /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        "GET healthz HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    SCOPED_TRACE(garbage);
    auto raw = raw_exchange(node.port(), garbage, 3s);
    EXPECT_EQ(status_of(raw.data), 400) << raw.data;
    EXPECT_TRUE(raw.closed);
  }
  EXPECT_EQ(http_request(node.port(), "GET", "/healthz").status, 200);
}

TEST_P(RobustnessTest, IncompleteRequestIsClosedAfterTheRequestTimeout) {
  auto& node = start({.tweak =
                          [](app::ServerSettings& s) {
                            s.http.request_timeout = 1s;
                            s.http.idle_timeout = 30s;
                          },
                      .env = {}});
  {
    // Headers never finished.
    RawConnection raw(node.port());
    const auto started = Clock::now();
    ASSERT_TRUE(raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
    auto got = raw.read_until_close(5s);
    EXPECT_TRUE(got.closed);
    EXPECT_GE(seconds_since(started), 0.8);
    EXPECT_LT(seconds_since(started), 3.0);
  }
  {
    // Body never finished.
    RawConnection raw(node.port());
    const auto started = Clock::now();
    ASSERT_TRUE(raw.send("POST /sample/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"mess"));
    auto got = raw.read_until_close(5s);
    EXPECT_TRUE(got.closed);
    EXPECT_LT(seconds_since(started), 3.0);
  }
  {
    // Slowloris: a byte at a time keeps no connection alive past the timeout.
    RawConnection raw(node.port());
    const auto started = Clock::now();
    const std::string header = "GET /healthz HTTP/1.1\r\nX-Slow: " + std::string(200, 's');
    bool refused = false;
    for (char c : header) {
      if (!raw.send(std::string_view(&c, 1))) {
        refused = true;
        break;
      }
      if (seconds_since(started) > 4) break;
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(refused) << "the connection stayed open while trickling";
    EXPECT_LT(seconds_since(started), 3.0);
  }
}

TEST_P(RobustnessTest, IdleKeepAliveIsClosedAfterTheIdleTimeout) {
  auto& node = start({.tweak =
                          [](app::ServerSettings& s) {
                            s.http.idle_timeout = 1s;
                            s.http.request_timeout = 10s;
                          },
                      .env = {}});
  HttpConnection connection(node.port());
  ASSERT_EQ(connection.request("GET", "/healthz").status, 200);
  const auto started = Clock::now();
  EXPECT_TRUE(connection.closed_by_server_within(4s));
  EXPECT_GE(seconds_since(started), 0.7);
  EXPECT_LT(seconds_since(started), 3.0);

  // A connection that never sends a byte is idle too.
  RawConnection silent(node.port());
  const auto silent_started = Clock::now();
  EXPECT_TRUE(silent.read_until_close(4s).closed);
  EXPECT_LT(seconds_since(silent_started), 3.0);
}

TEST_P(RobustnessTest, RandomBytesOnManyConnectionsLeaveTheServerAnswering) {
  auto& node = start({.tweak = [](app::ServerSettings& s) { s.http.request_timeout = 2s; }, .env = {}});
  std::mt19937 random(20240601);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 40; ++i) {
    std::string noise;
    // Some look like the start of a request, to get past the request line.
    if (i % 4 == 1) noise = "GET / HTTP/1.1\r\n";
    if (i % 4 == 2) noise = "POST /sample/echo HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
    if (i % 4 == 3) noise = "GET /connect HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    const int size = 64 + static_cast<int>(random() % 4096);
    for (int b = 0; b < size; ++b) noise.push_back(static_cast<char>(byte(random)));
    auto connection = std::make_unique<RawConnection>(node.port());
    connection->send(noise);
    connections.push_back(std::move(connection));
  }
  // While they are open, and after they are gone, the server answers.
  EXPECT_EQ(http_request(node.port(), "GET", "/healthz").status, 200);
  connections.clear();
  EXPECT_EQ(http_request(node.port(), "GET", "/healthz").status, 200);
  auto echo = post(node.port(), "/sample/echo", json::object{{"message", "still here"}}, token(new_session()));
  EXPECT_EQ(echo.status, 200) << echo.body;
}

TEST_P(RobustnessTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto& node = start();
  HttpConnection connection(node.port());
  const auto bearer = token(new_session());
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    auto health = connection.request("GET", "/healthz");
    EXPECT_EQ(health.status, 200) << health.error;
    EXPECT_NE(health.header("connection"), "close");
    auto echo = connection.request("POST", "/sample/echo", json::serialize(json::object{{"message", "k"}}),
                                   {{"Authorization", "Bearer " + bearer}, {"Content-Type", "application/json"}});
    EXPECT_EQ(echo.status, 200) << echo.error << echo.body;
    // An error answer keeps the connection too.
    auto invalid = connection.request("POST", "/sample/echo", "{}", {{"Authorization", "Bearer " + bearer}});
    EXPECT_EQ(invalid.status, 400) << invalid.error;
    auto page = connection.request("GET", "/index.html");
    EXPECT_EQ(page.status, 200) << page.error;
  }
  // Connection: close is honoured.
  auto last = connection.request("GET", "/healthz", {}, {{"Connection", "close"}});
  EXPECT_EQ(last.status, 200);
  EXPECT_TRUE(connection.closed_by_server_within(3s));
}

TEST_P(RobustnessTest, PipelinedRequestsAreAnsweredInOrder) {
  auto& node = start();
  RawConnection raw(node.port());
  ASSERT_TRUE(
      raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = raw.read_response();
  auto second = raw.read_response();
  auto third = raw.read_response();
  EXPECT_EQ(first.status, 200) << first.error;
  EXPECT_EQ(first.json().at("status"), "ok");
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_EQ(second.body, "console.log('onair');");
  EXPECT_EQ(third.status, 404) << third.error;
}

TEST_P(RobustnessTest, ExpectContinueIsHonoured) {
  auto& node = start();
  RawConnection raw(node.port());
  const std::string body = R"({"message":"continued"})";
  ASSERT_TRUE(raw.send("POST /sample/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token(new_session()) +
                       "\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  auto interim = raw.read_response();
  EXPECT_EQ(interim.status, 100) << interim.error;
  ASSERT_TRUE(raw.send(body));
  auto reply = raw.read_response();
  EXPECT_EQ(reply.status, 200) << reply.error << reply.body;
  EXPECT_EQ(reply.json().at("message"), "continued");
}

INSTANTIATE_TEST_SUITE_P(Backends, RobustnessTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         backend_set_name);

}  // namespace
}  // namespace onair::servertest
