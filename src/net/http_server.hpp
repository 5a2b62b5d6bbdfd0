#pragma once
// HTTP/1.1 and WebSocket on one port (Boost.Beast, coroutines). Each
// connection runs on its own strand over the io_context's threads (on the
// io_context itself when it has one thread). Beast stays inside
// src/net/*.cpp so that including this header is cheap.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/task.hpp"
#include "net/http_types.hpp"

namespace boost::asio {
class io_context;
}

namespace onair::net {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  std::size_t body_limit = 1 << 20;
  std::chrono::seconds request_timeout{10};  // a started request must arrive whole within this
  std::chrono::seconds idle_timeout{60};     // idle keep-alive / WebSocket without pong
  std::size_t websocket_max_message = 256 * 1024;
  std::size_t websocket_max_queued = 4096;  // messages queued to one slow client
  // True when exactly one thread runs the io_context: connections then need no
  // strand. Set by whoever knows the thread count (OnairServer::start).
  bool single_threaded_io = false;
};

struct HttpHandlers {
  // Must not throw (a throw becomes a 500).
  std::function<Task<HttpResponse>(HttpRequest)> on_request;
  // Upgrade requests for other paths get 404.
  std::function<bool(std::string_view path)> is_websocket_path;
  std::function<Task<void>(std::shared_ptr<WebSocketChannel>, HttpRequest)> on_websocket;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, HttpHandlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; throws std::runtime_error naming the address.
  void start();
  std::uint16_t port() const;
  // Graceful stop: no new connections, idle ones closed, requests in flight
  // finish (their connections then close) for up to `drain`, then the rest
  // are closed. Completes when every connection is gone.
  Task<void> shutdown(std::chrono::milliseconds drain);

  std::size_t open_connections() const;
  std::size_t open_websockets() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace onair::net
