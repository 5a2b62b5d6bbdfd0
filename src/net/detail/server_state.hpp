#pragma once
// Internal to src/net: the state an HttpServer shares with its connections.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <memory>
#include <mutex>

#include "net/http_server.hpp"

namespace onair::net {

// Anything the server may have to close at shutdown. Both calls are made from
// any thread; implementations post onto their own strand.
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes now if no request is in flight; otherwise after its response.
  virtual void close_when_idle() = 0;
  virtual void close_now() = 0;
};

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(boost::asio::io_context& io_context, HttpServerOptions opts, HttpHandlers h)
      : io(io_context), options(std::move(opts)), handlers(std::move(h)), acceptor(io_context) {}

  std::uint64_t add(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mutex);
    connections.emplace(++next_id, connection);
    return next_id;
  }
  void remove(std::uint64_t id) {
    std::lock_guard lock(mutex);
    connections.erase(id);
  }
  std::vector<std::shared_ptr<Connection>> snapshot() {
    std::lock_guard lock(mutex);
    std::vector<std::shared_ptr<Connection>> out;
    for (auto& [id, weak] : connections) {
      if (auto c = weak.lock()) out.push_back(std::move(c));
    }
    return out;
  }

  boost::asio::io_context& io;
  HttpServerOptions options;
  HttpHandlers handlers;
  boost::asio::ip::tcp::acceptor acceptor;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> websockets{0};
  mutable std::mutex mutex;
  std::uint64_t next_id = 0;
  std::map<std::uint64_t, std::weak_ptr<Connection>> connections;
};

// Takes over an upgraded connection: answers the WebSocket handshake and runs
// the application's handler for it. `early_bytes`: what the client sent after
// its upgrade request (read along with it).
Task<void> run_websocket(std::shared_ptr<HttpServer::State> state, boost::asio::ip::tcp::socket socket,
                         std::string early_bytes, HttpRequest request);

}  // namespace onair::net
