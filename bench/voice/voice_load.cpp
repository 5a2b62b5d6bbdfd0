// Load generator for bench/voice/run.sh: drives a running onair with many
// connections, each with its own session token, and prints one figure.
//   voice_load join-leave-http PORT SECRET CONNECTIONS SECONDS   → pairs/s
//   voice_load join-leave-ws   PORT SECRET CONNECTIONS SECONDS   → pairs/s
//   voice_load relay-ws        PORT SECRET WINDOW SECONDS        → relayed messages/s
//   voice_load get-http        PORT -      CONNECTIONS SECONDS   → GET / requests/s (the nginx peer,
//                                                                   driven the same way)
// One thread that busy-polls (see main); run it pinned to a CPU other than the server's.
//
// Lean on purpose, like wrk: requests and frames are built once per connection,
// answers are read with a minimal HTTP / WebSocket frame reader (status line and
// Content-Length; frame header and the "response" marker), so that the load
// generator is not what limits the figure. Every answer's status is still checked:
// a call that is not 200 stops the run with the answer.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "platform/access_token.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
  std::uint16_t port;
  std::string secret;
  Clock::time_point until;
  std::uint64_t count = 0;
};

std::string token_for(const Run& run, const std::string& session) {
  onair::platform::TokenSigner signer(run.secret);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return signer.mint({"bench-" + session.substr(0, 8), session, {"user"}, now, now + 3600});
}

std::string join_body(const std::string& room) {
  return R"({"roomId":")" + room + R"(","sipEndpoint":{"sdpOffer":""}})";
}
std::string room_body(const std::string& room) { return R"({"roomId":")" + room + R"("})"; }

std::string http_post(const std::string& path, const std::string& token, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A masked client text frame (RFC 6455 §5.3; the key's value is the client's choice).
std::string ws_frame(std::string_view payload) {
  static const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  std::string out;
  out.push_back(static_cast<char>(0x81));
  const auto n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  }
  out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  return out;
}

// Bytes read from a socket, consumed from the front.
struct Inbox {
  std::string data;
  std::size_t start = 0;
  std::string_view view() const { return std::string_view(data).substr(start); }
  void consume(std::size_t n) {
    start += n;
    if (start == data.size()) data.clear(), start = 0;
  }
  asio::awaitable<void> fill(tcp::socket& socket) {
    if (start > 0) data.erase(0, start), start = 0;
    char chunk[16384];
    const auto n = co_await socket.async_read_some(asio::buffer(chunk), asio::use_awaitable);
    data.append(chunk, n);
  }
};

// Reads one HTTP response; returns its status (the body is skipped, or kept in `body`).
asio::awaitable<int> read_http_response(tcp::socket& socket, Inbox& in, std::string* body = nullptr) {
  for (;;) {
    const auto text = in.view();
    const auto end = text.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      const int status = std::stoi(std::string(text.substr(9, 3)));
      std::size_t length = 0;
      const auto head = text.substr(0, end);
      for (std::string_view name : {"Content-Length: ", "content-length: "}) {
        if (auto at = head.find(name); at != std::string_view::npos) {
          length = std::stoul(std::string(head.substr(at + name.size(), 12)));
          break;
        }
      }
      if (text.size() >= end + 4 + length) {
        if (body) *body = std::string(text.substr(end + 4, length));
        in.consume(end + 4 + length);
        co_return status;
      }
    }
    co_await in.fill(socket);
  }
}

// Reads one server frame (unmasked); returns its payload.
asio::awaitable<std::string> read_frame(tcp::socket& socket, Inbox& in) {
  for (;;) {
    const auto text = in.view();
    if (text.size() >= 2) {
      std::size_t length = static_cast<unsigned char>(text[1]) & 0x7f;
      std::size_t pos = 2;
      if (length == 126 && text.size() >= 4) {
        length =
            (static_cast<std::size_t>(static_cast<unsigned char>(text[2])) << 8) | static_cast<unsigned char>(text[3]);
        pos = 4;
      } else if (length == 127) {
        throw std::runtime_error("unexpectedly large frame");
      }
      if ((length < 126 || pos == 4) && text.size() >= pos + length) {
        std::string payload(text.substr(pos, length));
        in.consume(pos + length);
        co_return payload;
      }
    }
    co_await in.fill(socket);
  }
}

asio::awaitable<void> http_client(Run& run) {
  const auto session = onair::new_uuid(), room = onair::new_uuid();
  const auto token = token_for(run, session);
  const auto join = http_post("/voice/room/join", token, join_body(room));
  const auto leave = http_post("/voice/room/leave", token, room_body(room));
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), run.port), asio::use_awaitable);
  socket.set_option(tcp::no_delay(true));
  Inbox in;
  auto call = [&](const std::string& request) -> asio::awaitable<void> {
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    std::string body;
    const int status = co_await read_http_response(socket, in, &body);
    if (status != 200) throw std::runtime_error("answered " + std::to_string(status) + ": " + body);
  };
  while (Clock::now() < run.until) {
    co_await call(join);
    co_await call(leave);
    ++run.count;
  }
}

// The peer's scenario: GET / on keep-alive connections, one request at a time, answers checked.
asio::awaitable<void> get_client(Run& run) {
  const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), run.port), asio::use_awaitable);
  socket.set_option(tcp::no_delay(true));
  Inbox in;
  while (Clock::now() < run.until) {
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    const int status = co_await read_http_response(socket, in);
    if (status != 200) throw std::runtime_error("GET / answered " + std::to_string(status));
    ++run.count;
  }
}

struct Socket {
  explicit Socket(asio::any_io_executor ex) : socket(ex) {}
  tcp::socket socket;
  Inbox in;

  asio::awaitable<void> open(const Run& run, const std::string& session) {
    co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), run.port), asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    const std::string upgrade =
        "GET /connect HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
        token_for(run, session) + "\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(upgrade), asio::use_awaitable);
    const int status = co_await read_http_response(socket, in);
    if (status != 101) throw std::runtime_error("upgrade answered " + std::to_string(status));
    const auto welcome = co_await read_frame(socket, in);
    if (welcome.find(R"("type":"welcome")") == std::string::npos) throw std::runtime_error("no welcome: " + welcome);
  }
  asio::awaitable<void> send(const std::string& frame) {
    co_await asio::async_write(socket, asio::buffer(frame), asio::use_awaitable);
  }
  // Reads frames until a response; events in between are skipped. Throws unless it is a 200.
  asio::awaitable<void> until_response() {
    for (;;) {
      const auto frame = co_await read_frame(socket, in);
      if (frame.find(R"("type":"response")") == std::string::npos) continue;
      if (frame.find(R"("status":200)") == std::string::npos) throw std::runtime_error("answered " + frame);
      co_return;
    }
  }
};

std::string call_frame(int id, std::string_view path, const std::string& body) {
  return ws_frame(R"({"id":)" + std::to_string(id) + R"(,"path":")" + std::string(path) + R"(","body":)" + body + "}");
}

asio::awaitable<void> ws_client(Run& run) {
  const auto session = onair::new_uuid(), room = onair::new_uuid();
  Socket s(co_await asio::this_coro::executor);
  co_await s.open(run, session);
  const auto join = call_frame(1, "/voice/room/join", join_body(room));
  const auto leave = call_frame(2, "/voice/room/leave", room_body(room));
  while (Clock::now() < run.until) {
    co_await s.send(join);
    co_await s.until_response();
    co_await s.send(leave);
    co_await s.until_response();
    ++run.count;
  }
}

// A sends ICE candidates to B with `window` calls in flight; B counts the relayed events.
asio::awaitable<void> relay(Run& run, int window) {
  auto ex = co_await asio::this_coro::executor;
  const auto a_session = onair::new_uuid(), b_session = onair::new_uuid(), room = onair::new_uuid();
  Socket a(ex), b(ex);
  co_await a.open(run, a_session);
  co_await b.open(run, b_session);
  const auto join = call_frame(1, "/voice/room/join", join_body(room));
  co_await a.send(join);
  co_await a.until_response();
  co_await b.send(join);
  co_await b.until_response();
  const auto candidate =
      call_frame(3, "/voice/peer/ice-candidate",
                 R"({"roomId":")" + room + R"(","targetSessionId":")" + b_session +
                     R"(","iceCandidates":["candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host"]})");
  bool done = false;
  // Receiver: counts voice.peer.updated events until the sender is done.
  asio::co_spawn(
      ex,
      [&]() -> asio::awaitable<void> {
        while (!done) {
          const auto frame = co_await read_frame(b.socket, b.in);
          if (frame.find(R"("type":"event")") != std::string::npos) ++run.count;
        }
      },
      [](std::exception_ptr) {});  // ends when the socket closes
  int in_flight = 0;
  while (Clock::now() < run.until) {
    while (in_flight < window) {
      co_await a.send(candidate);
      ++in_flight;
    }
    const auto frame = co_await read_frame(a.socket, a.in);
    if (frame.find(R"("type":"response")") != std::string::npos) --in_flight;
  }
  done = true;
  boost::system::error_code ec;
  b.socket.close(ec);
  a.socket.close(ec);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: voice_load join-leave-http|join-leave-ws|relay-ws|get-http PORT SECRET N SECONDS\n";
    return 2;
  }
  const std::string mode = argv[1];
  const int n = std::stoi(argv[4]);
  Run run{static_cast<std::uint16_t>(std::stoi(argv[2])), argv[3],
          Clock::now() + std::chrono::seconds(std::stoi(argv[5]))};
  asio::io_context io(1);
  std::exception_ptr failure;
  auto on_done = [&](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  const auto started = Clock::now();
  if (mode == "relay-ws") {
    asio::co_spawn(io, relay(run, n), on_done);
  } else if (mode == "join-leave-ws" || mode == "join-leave-http" || mode == "get-http") {
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(io,
                     mode == "join-leave-ws" ? ws_client(run)
                     : mode == "get-http"    ? get_client(run)
                                             : http_client(run),
                     on_done);
    }
  } else {
    std::cerr << "voice_load: unknown mode " << mode << "\n";
    return 2;
  }
  // Busy-polls (VOICE_LOAD_SLEEP=1: sleeps in epoll instead): a generator that sleeps between answers
  // makes every answer pay the wake-up of its vCPU through the hypervisor, charged to the server's
  // send, and more so the more idle the generator is (so the slower server), as bench/webhook found.
  const auto give_up = Clock::now() + std::chrono::seconds(std::stoi(argv[5]) + 10);
  const char* sleep_env = std::getenv("VOICE_LOAD_SLEEP");
  if (sleep_env != nullptr && std::string(sleep_env) == "1") {
    io.run_until(give_up);
  } else {
    while (!io.stopped() && Clock::now() < give_up) io.poll();
  }
  // Work stops at `until`; the figure is per configured second.
  const double seconds = std::chrono::duration<double>(run.until - started).count();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::cerr << "voice_load: " << e.what() << "\n";
      return 1;
    }
  }
  std::cout << static_cast<double>(run.count) / seconds << "\n";
  return 0;
}
