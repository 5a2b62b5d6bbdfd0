// The server's WebSocket over a real loopback socket, driven by a raw client so that every byte
// is the test's choice: the handshake's answers, ping/pong, fragments, the close handshake in both
// directions, protocol errors, frames sent right behind the upgrade, idle pings and timeouts, and a
// slow consumer.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "net/http_server.hpp"
#include "net/websocket_frames.hpp"

namespace onair::net {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// One server frame as the client reads it.
struct Frame {
  unsigned opcode = 0;
  std::string payload;
  std::uint16_t close_code() const {
    return payload.size() >= 2 ? static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                            static_cast<unsigned char>(payload[1]))
                               : 0;
  }
};

std::string masked(unsigned first_byte, std::string_view payload) {
  const unsigned char key[4] = {0xa1, 0x02, 0x7e, 0x44};
  std::string out;
  out.push_back(static_cast<char>(first_byte));
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(0x80 | payload.size()));
  } else {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xff));
  }
  out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) out.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  return out;
}

class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  // A write the server refused midway (it answered and closed) is not an error here: the test reads the answer.
  void write(std::string_view bytes) {
    boost::system::error_code ignored;
    asio::write(socket_, asio::buffer(bytes), ignored);
  }
  // The HTTP answer to an upgrade request (up to the blank line).
  std::string handshake(std::string_view extra_headers = "", std::string_view version = "13",
                        std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==", std::string_view trailing = "") {
    write("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: " +
          std::string(version) + "\r\nSec-WebSocket-Key: " + std::string(key) + "\r\n" + std::string(extra_headers) +
          "\r\n" + std::string(trailing));
    for (;;) {
      if (auto end = in_.find("\r\n\r\n"); end != std::string::npos) {
        auto head = in_.substr(0, end + 4);
        in_.erase(0, end + 4);
        return head;
      }
      if (!fill(3s)) return in_;
    }
  }
  // The head of the next HTTP answer (up to the blank line), or what came before the end.
  std::string handshake_answer() {
    for (;;) {
      if (auto end = in_.find("\r\n\r\n"); end != std::string::npos) {
        auto head = in_.substr(0, end + 4);
        in_.erase(0, end + 4);
        return head;
      }
      if (!fill(3s)) return in_;
    }
  }
  // The next frame, or nullopt when the connection ended (or nothing came in `wait`).
  std::optional<Frame> frame(std::chrono::milliseconds wait = 3000ms) {
    for (;;) {
      if (in_.size() >= 2) {
        std::size_t n = static_cast<unsigned char>(in_[1]) & 0x7f, pos = 2;
        if (n == 126 && in_.size() >= 4) {
          n = (static_cast<std::size_t>(static_cast<unsigned char>(in_[2])) << 8) | static_cast<unsigned char>(in_[3]);
          pos = 4;
        }
        if ((n < 126 || pos == 4) && in_.size() >= pos + n) {
          Frame f{static_cast<unsigned>(in_[0] & 0x0f), in_.substr(pos, n)};
          in_.erase(0, pos + n);
          return f;
        }
      }
      if (!fill(wait)) return std::nullopt;
    }
  }
  // True when the server closed the TCP connection within `wait`.
  bool ended(std::chrono::milliseconds wait = 5000ms) {
    while (fill(wait)) {
    }
    return eof_;
  }

 private:
  bool fill(std::chrono::milliseconds wait) {
    if (eof_) return false;
    socket_.non_blocking(true);
    const auto until = std::chrono::steady_clock::now() + wait;
    char chunk[65536];
    while (std::chrono::steady_clock::now() < until) {
      boost::system::error_code ec;
      const auto n = socket_.read_some(asio::buffer(chunk), ec);
      if (!ec) {
        in_.append(chunk, n);
        return true;
      }
      if (ec != asio::error::would_block) {
        eof_ = true;
        return false;
      }
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }

  asio::io_context io_;
  tcp::socket socket_;
  std::string in_;
  bool eof_ = false;
};

// A server whose /ws handler echoes each message; "twice" answers with two messages, "close"
// makes the server close with 1000 "bye", "flood N" sends N messages at once.
class WebSocketConnectionTest : public ::testing::Test {
 protected:
  void start(HttpServerOptions options = {}) {
    options.port = 0;
    options.single_threaded_io = true;
    HttpHandlers handlers;
    handlers.on_request = [](HttpRequest) -> Task<HttpResponse> { co_return HttpResponse{}; };
    handlers.is_websocket_path = [](std::string_view path) { return path == "/ws"; };
    handlers.on_websocket = [this](std::shared_ptr<WebSocketChannel> channel, HttpRequest) -> Task<void> {
      while (auto message = co_await channel->read()) {
        received_ += *message + "|";
        if (*message == "twice") {
          channel->send("one");
          channel->send("two");
        } else if (*message == "close") {
          channel->close(1000, "bye");
        } else if (message->rfind("flood ", 0) == 0) {
          const int n = std::stoi(message->substr(6));
          for (int i = 0; i < n; ++i) channel->send(std::string(1000, 'f'));
        } else {
          channel->send(*message);
        }
      }
      ended_ = true;
    };
    server_ = std::make_unique<HttpServer>(io_, options, std::move(handlers));
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return server_->port(); }

  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::string received_;
  std::atomic<bool> ended_{false};
};

TEST_F(WebSocketConnectionTest, HandshakeAnswersWithTheAcceptKey) {
  start();
  RawClient c(port());
  const auto head = c.handshake();
  EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos) << head;
  c.write(masked(0x81, "hello"));
  auto echo = c.frame();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->opcode, 1u);
  EXPECT_EQ(echo->payload, "hello");
}

TEST_F(WebSocketConnectionTest, WrongVersionGets426AndBadKey400) {
  start();
  RawClient old_version(port());
  auto head = old_version.handshake("", "8");
  EXPECT_EQ(head.rfind("HTTP/1.1 426", 0), 0u) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Version: 13"), std::string::npos) << head;
  EXPECT_TRUE(old_version.ended());
  RawClient bad_key(port());
  head = bad_key.handshake("", "13", "short==");
  EXPECT_EQ(head.rfind("HTTP/1.1 400", 0), 0u) << head;
  EXPECT_TRUE(bad_key.ended());
}

TEST_F(WebSocketConnectionTest, FramesSentRightBehindTheUpgradeAreRead) {
  start();
  RawClient c(port());
  c.handshake("", "13", "dGhlIHNhbXBsZSBub25jZQ==", masked(0x81, "early"));
  auto echo = c.frame();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "early");
}

TEST_F(WebSocketConnectionTest, PingIsAnsweredAndFragmentsJoin) {
  start();
  RawClient c(port());
  c.handshake();
  c.write(masked(0x89, "are you there"));
  auto pong = c.frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, 10u);
  EXPECT_EQ(pong->payload, "are you there");
  c.write(masked(0x01, "frag") + masked(0x89, "") + masked(0x80, "mented"));
  auto first = c.frame();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->opcode, 10u);  // the ping between the fragments
  auto echo = c.frame();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "fragmented");
}

TEST_F(WebSocketConnectionTest, MessagesSentTogetherArriveInOrder) {
  start();
  RawClient c(port());
  c.handshake();
  c.write(masked(0x81, "twice") + masked(0x81, "third"));
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    auto f = c.frame();
    ASSERT_TRUE(f) << i;
    got.push_back(f->payload);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two", "third"}));
}

TEST_F(WebSocketConnectionTest, ClientCloseIsEchoedThenTheConnectionEnds) {
  start();
  RawClient c(port());
  c.handshake();
  c.write(masked(0x88, std::string("\x0f\xa0", 2) + "done"));  // 4000
  auto close = c.frame();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 8u);
  EXPECT_EQ(close->close_code(), 4000);
  EXPECT_TRUE(c.ended());
  for (int i = 0; i < 100 && !ended_; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(ended_) << "the handler's read did not end";
}

TEST_F(WebSocketConnectionTest, ServerCloseWaitsForTheAnswerAndIgnoresDataMeanwhile) {
  start();
  RawClient c(port());
  c.handshake();
  c.write(masked(0x81, "close"));
  auto close = c.frame();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 8u);
  EXPECT_EQ(close->close_code(), 1000);
  EXPECT_EQ(close->payload.substr(2), "bye");
  c.write(masked(0x81, "after close"));  // ignored
  c.write(masked(0x88, std::string("\x03\xe8", 2)));
  EXPECT_TRUE(c.ended());
  EXPECT_EQ(received_.find("after close"), std::string::npos) << received_;
}

TEST_F(WebSocketConnectionTest, ProtocolErrorsCloseWithTheirCode) {
  start();
  const std::vector<std::pair<std::string, std::uint16_t>> cases{
      {std::string("\x81\x05hello", 7), 1002},  // unmasked
      {masked(0x81, "\xc3\x28"), 1007},         // not UTF-8
      {masked(0x83, "x"), 1002},                // reserved opcode
  };
  for (const auto& [bytes, code] : cases) {
    RawClient c(port());
    c.handshake();
    c.write(bytes);
    auto close = c.frame();
    ASSERT_TRUE(close) << code;
    EXPECT_EQ(close->opcode, 8u);
    EXPECT_EQ(close->close_code(), code);
    EXPECT_TRUE(c.ended()) << code;
  }
}

TEST_F(WebSocketConnectionTest, TooBigMessageCloses1009WithoutWaitingForIt) {
  HttpServerOptions options;
  options.websocket_max_message = 1024;
  start(options);
  RawClient c(port());
  c.handshake();
  // Only the header of a 60 kB message: refused at once.
  c.write(masked(0x81, std::string(60000, 'm')).substr(0, 8));
  auto close = c.frame();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->close_code(), 1009);
}

TEST_F(WebSocketConnectionTest, SilentPeerIsPingedThenDropped) {
  HttpServerOptions options;
  options.idle_timeout = 1s;
  start(options);
  RawClient c(port());
  c.handshake();
  auto ping = c.frame(2000ms);
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->opcode, 9u);
  EXPECT_TRUE(c.ended(3000ms));  // never answered
}

TEST_F(WebSocketConnectionTest, PeerThatAnswersPingsStays) {
  HttpServerOptions options;
  options.idle_timeout = 1s;
  start(options);
  RawClient c(port());
  c.handshake();
  const auto until = std::chrono::steady_clock::now() + 2500ms;
  while (std::chrono::steady_clock::now() < until) {
    auto f = c.frame(300ms);
    if (f && f->opcode == 9) c.write(masked(0x8a, f->payload));
  }
  c.write(masked(0x81, "still here"));
  std::optional<Frame> echo;
  while ((echo = c.frame()) && echo->opcode == 9) c.write(masked(0x8a, echo->payload));
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "still here");
}

TEST_F(WebSocketConnectionTest, SlowConsumerIsClosedWithPolicy) {
  HttpServerOptions options;
  options.websocket_max_queued = 50;
  start(options);
  RawClient c(port());
  c.handshake();
  c.write(masked(0x81, "flood 200"));  // 200 messages in one handler run: past 50 queued
  std::optional<Frame> last;
  while (auto f = c.frame()) {
    last = f;
    if (f->opcode == 8) break;
  }
  ASSERT_TRUE(last);
  EXPECT_EQ(last->opcode, 8u);
  EXPECT_EQ(last->close_code(), 1008);
}

// The HTTP side of the same server: a header section past the limit is refused (431) however its
// bytes arrive (Beast's own check is per read, so fields it consumed along the way escaped it).
TEST_F(WebSocketConnectionTest, HttpHeaderLimitHoldsHoweverTheBytesArrive) {
  start();
  std::string request = "GET /x HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 400; ++i) request += "X-H" + std::to_string(i) + ": " + std::string(60, 'v') + "\r\n";
  request += "\r\n";
  for (std::size_t piece : {500u, 1000u, 4096u, 8192u, 16384u, 20000u, 65536u}) {
    RawClient c(port());
    for (std::size_t at = 0; at < request.size(); at += piece) {
      c.write(std::string_view(request).substr(at, piece));
      std::this_thread::sleep_for(1ms);  // separate reads on the server
    }
    const auto head = c.handshake_answer();
    EXPECT_EQ(head.rfind("HTTP/1.1 431", 0), 0u) << "pieces of " << piece << ": " << head;
  }
  // Just under the limit passes.
  RawClient ok(port());
  std::string small = "GET /x HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) small += "X-H" + std::to_string(i) + ": " + std::string(60, 'v') + "\r\n";
  ok.write(small + "\r\n");
  EXPECT_EQ(ok.handshake_answer().rfind("HTTP/1.1 200", 0), 0u);
}

}  // namespace
}  // namespace onair::net
