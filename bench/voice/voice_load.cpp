// Load generator for bench/voice/run.sh: drives a running onair with many
// connections, each with its own session token, and prints one figure.
//   voice_load join-leave-http PORT SECRET CONNECTIONS SECONDS   → pairs/s
//   voice_load join-leave-ws   PORT SECRET CONNECTIONS SECONDS   → pairs/s
//   voice_load relay-ws        PORT SECRET WINDOW SECONDS        → relayed messages/s
// One thread; run it pinned to a CPU other than the server's.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>

#include "core/ids.hpp"
#include "platform/access_token.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

const std::string kJoin = "/voice/room/join";
const std::string kLeave = "/voice/room/leave";

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
  return json::serialize(json::object{{"roomId", room}, {"sipEndpoint", json::object{{"sdpOffer", ""}}}});
}
std::string room_body(const std::string& room) { return json::serialize(json::object{{"roomId", room}}); }

asio::awaitable<void> http_client(Run& run) {
  const auto session = onair::new_uuid(), room = onair::new_uuid();
  const auto auth = "Bearer " + token_for(run, session);
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), run.port), asio::use_awaitable);
  beast::flat_buffer buffer;
  auto post = [&](const char* path, std::string body) -> asio::awaitable<void> {
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, auth);
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    co_await http::async_write(stream, req, asio::use_awaitable);
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, asio::use_awaitable);
    if (res.result_int() != 200)
      throw std::runtime_error(std::string(path) + " answered " + std::to_string(res.result_int()) + ": " + res.body());
  };
  while (Clock::now() < run.until) {
    co_await post("/voice/room/join", join_body(room));
    co_await post("/voice/room/leave", room_body(room));
    ++run.count;
  }
}

struct Socket {
  explicit Socket(asio::any_io_executor ex) : ws(ex) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::uint64_t next_id = 1;

  asio::awaitable<void> open(const Run& run, const std::string& session) {
    co_await beast::get_lowest_layer(ws).async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), run.port),
                                                       asio::use_awaitable);
    const std::string host = "127.0.0.1", target = "/connect";
    co_await ws.async_handshake(host, target, asio::use_awaitable);
    // Locals before co_await: g++ 12 mishandles brace-initialised temporaries in co_await expressions.
    json::object hello;
    hello["token"] = token_for(run, session);
    std::string hello_text = json::serialize(hello);
    co_await send(std::move(hello_text));
    co_await read();  // welcome
  }
  asio::awaitable<void> send(std::string text) { co_await ws.async_write(asio::buffer(text), asio::use_awaitable); }
  asio::awaitable<json::object> read() {
    buffer.consume(buffer.size());
    co_await ws.async_read(buffer, asio::use_awaitable);
    co_return json::parse(beast::buffers_to_string(buffer.data())).as_object();
  }
  // Sends a call and reads frames until its response (events in between are skipped).
  asio::awaitable<void> call(const std::string& path, json::value body) {
    const auto id = next_id++;
    json::object message;
    message["id"] = id;
    message["path"] = path;
    message["body"] = std::move(body);
    std::string text = json::serialize(message);
    co_await send(std::move(text));
    for (;;) {
      auto frame = co_await read();
      if (frame["type"] == "response" && frame["id"] == id) {
        if (frame["status"] != 200) throw std::runtime_error(path + " answered " + json::serialize(frame));
        co_return;
      }
    }
  }
};

asio::awaitable<void> ws_client(Run& run) {
  const auto session = onair::new_uuid(), room = onair::new_uuid();
  Socket s(co_await asio::this_coro::executor);
  co_await s.open(run, session);
  while (Clock::now() < run.until) {
    {
      auto body = json::parse(join_body(room));
      co_await s.call(kJoin, std::move(body));
    }
    {
      auto body = json::parse(room_body(room));
      co_await s.call(kLeave, std::move(body));
    }
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
  auto join = json::parse(join_body(room));
  co_await a.call(kJoin, join);
  co_await b.call(kJoin, join);
  const auto candidate = json::serialize(json::object{
      {"id", 0},
      {"path", "/voice/peer/ice-candidate"},
      {"body", json::object{{"roomId", room},
                            {"targetSessionId", b_session},
                            {"iceCandidates", json::array{"candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host"}}}}});
  bool done = false;
  // Receiver: counts voice.peer.updated events until the sender is done.
  asio::co_spawn(
      ex,
      [&]() -> asio::awaitable<void> {
        while (!done) {
          auto frame = co_await b.read();
          if (frame["type"] == "event") ++run.count;
        }
      },
      [](std::exception_ptr) {});  // ends when the socket closes
  int in_flight = 0;
  while (Clock::now() < run.until) {
    while (in_flight < window) {
      co_await a.send(candidate);
      ++in_flight;
    }
    auto frame = co_await a.read();
    if (frame["type"] == "response") --in_flight;
  }
  done = true;
  beast::get_lowest_layer(b.ws).close();
  beast::get_lowest_layer(a.ws).close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: voice_load join-leave-http|join-leave-ws|relay-ws PORT SECRET N SECONDS\n";
    return 2;
  }
  const std::string mode = argv[1];
  const int n = std::stoi(argv[4]);
  Run run{static_cast<std::uint16_t>(std::stoi(argv[2])), argv[3],
          Clock::now() + std::chrono::seconds(std::stoi(argv[5]))};
  asio::io_context io;
  std::exception_ptr failure;
  auto on_done = [&](std::exception_ptr e) {
    if (e && !failure) failure = e;
  };
  const auto started = Clock::now();
  if (mode == "relay-ws") {
    asio::co_spawn(io, relay(run, n), on_done);
  } else {
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(io, mode == "join-leave-ws" ? ws_client(run) : http_client(run), on_done);
    }
  }
  io.run_for(std::chrono::seconds(std::stoi(argv[5]) + 10));
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
