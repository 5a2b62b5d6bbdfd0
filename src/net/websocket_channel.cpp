// The WebSocket side of the server: an upgraded connection becomes a
// WebSocketChannel handed to the application's handler.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <optional>

#include "core/logging.hpp"
#include "net/detail/server_state.hpp"

namespace onair::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

class WebSocketConnection final : public WebSocketChannel,
                                  public Connection,
                                  public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(std::shared_ptr<HttpServer::State> state, beast::tcp_stream stream)
      : state_(std::move(state)), ws_(std::move(stream)) {
    ++state_->websockets;
  }
  ~WebSocketConnection() override {
    --state_->websockets;
    state_->remove(id_);
  }

  Task<bool> accept(const beast::http::request<beast::http::string_body>& upgrade) {
    const auto& options = state_->options;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options.request_timeout;
    // Pings after half the idle time; a peer silent for the whole idle time is dropped.
    timeouts.idle_timeout = options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(options.websocket_max_message);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "onair"); }));
    auto [ec] = co_await ws_.async_accept(upgrade, kTuple);
    if (ec) closed_ = true;
    co_return !ec;
  }

  void set_id(std::uint64_t id) { id_ = id; }

  Task<std::optional<std::string>> read() override {
    if (closed_) co_return std::nullopt;
    auto [ec, n] = co_await ws_.async_read(buffer_, kTuple);
    if (ec) {
      closed_ = true;
      co_return std::nullopt;
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    co_return text;
  }

  void send(std::string text) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->closed_ || self->pending_close_) return;
      if (self->queue_.size() >= self->state_->options.websocket_max_queued) {
        log::warn("closing a WebSocket that stopped reading (slow consumer)");
        self->close_on_strand(websocket::close_code::policy_error, "too many unread messages", false);
        return;
      }
      self->queue_.push_back(std::move(text));
      if (!self->writing_) {
        self->writing_ = true;
        asio::co_spawn(self->ws_.get_executor(), self->write_queue(), asio::detached);
      }
    });
  }

  void close(int code, std::string reason) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)] {
      self->close_on_strand(static_cast<websocket::close_code>(code), reason);
    });
  }

  void close_when_idle() override { close(websocket::close_code::going_away, "server shutting down"); }
  void close_now() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->closed_ = true;
      beast::get_lowest_layer(self->ws_).close();
    });
  }

 private:
  // The front message stays in the queue while it is being written: only this
  // coroutine pops, and nothing else removes the front while writing_.
  Task<void> write_queue() {
    auto self = shared_from_this();
    while (!queue_.empty() && !closed_) {
      ws_.text(true);
      auto [ec, n] = co_await ws_.async_write(asio::buffer(queue_.front()), kTuple);
      queue_.pop_front();
      if (ec) {
        closed_ = true;
        break;
      }
    }
    writing_ = false;
    if (pending_close_ && !closed_) start_close();
  }

  // Sends the close frame after the queued messages (`flush`), or after the
  // one being written only (a slow consumer's backlog is dropped).
  void close_on_strand(websocket::close_code code, const std::string& reason, bool flush = true) {
    if (closed_ || pending_close_) return;
    pending_close_ = websocket::close_reason(code, reason);
    if (!flush && !queue_.empty()) queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
    if (!writing_) start_close();
  }

  void start_close() {
    closed_ = true;
    queue_.clear();
    websocket::close_reason why = *pending_close_;
    asio::co_spawn(
        ws_.get_executor(),
        [self = shared_from_this(), why]() -> Task<void> {
          auto [ec] = co_await self->ws_.async_close(why, kTuple);
          if (ec) beast::get_lowest_layer(self->ws_).close();
        },
        asio::detached);
  }

  std::shared_ptr<HttpServer::State> state_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closed_ = false;
  std::optional<websocket::close_reason> pending_close_;  // close requested, waiting for the queue
  std::uint64_t id_ = 0;
};

}  // namespace

Task<void> run_websocket(std::shared_ptr<HttpServer::State> state, beast::tcp_stream stream,
                         beast::http::request<beast::http::string_body> upgrade, HttpRequest request) {
  auto connection = std::make_shared<WebSocketConnection>(state, std::move(stream));
  connection->set_id(state->add(connection));
  if (!co_await connection->accept(upgrade)) co_return;
  try {
    co_await state->handlers.on_websocket(connection, std::move(request));
  } catch (const std::exception& e) {
    log::error("WebSocket handler threw", {{"error", e.what()}});
  }
  connection->close(static_cast<int>(websocket::close_code::normal), "");
}

}  // namespace onair::net
