// The WebSocket side of the server: an upgraded connection becomes a
// WebSocketChannel handed to the application's handler.
//
// Framing is ws::FrameReader / ws::append_frame (websocket_frames.hpp) over the
// plain TCP socket. Messages sent while a handler runs are gathered and go out
// in one write when it yields (a call's response and the events it caused are
// usually one send), and a watchdog timer does the idle pings and timeouts, so
// a message costs no timer operations. (Beast's websocket::stream wrote every
// message on its own and was most of a socket call's cost: docs/decisions.md.)
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <cstring>

#include "core/logging.hpp"
#include "net/detail/server_state.hpp"
#include "net/websocket_frames.hpp"

namespace onair::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

using Clock = std::chrono::steady_clock;
// How long the peer has to answer our close frame before the socket is dropped.
constexpr auto kCloseHandshakeTimeout = std::chrono::seconds(3);

bool has_token(std::string_view list, std::string_view token) {
  for (const auto& item : boost::beast::http::token_list(list)) {
    if (boost::beast::iequals(item, token)) return true;
  }
  return false;
}

class WebSocketConnection final : public WebSocketChannel,
                                  public Connection,
                                  public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(std::shared_ptr<HttpServer::State> state, tcp::socket socket, std::string_view early_bytes)
      : state_(std::move(state)),
        socket_(std::move(socket)),
        watchdog_(socket_.get_executor()),
        reader_(state_->options.websocket_max_message) {
    ++state_->websockets;
    // Frames a client sent right behind its upgrade request.
    if (!early_bytes.empty()) {
      auto space = in_.prepare(early_bytes.size());
      std::memcpy(space.data(), early_bytes.data(), early_bytes.size());
      in_.commit(early_bytes.size());
    }
  }
  ~WebSocketConnection() override {
    --state_->websockets;
    state_->remove(id_);
  }

  void set_id(std::uint64_t id) { id_ = id; }

  // Answers the opening handshake; false (after an error response) when it is not a valid one.
  Task<bool> accept(const HttpRequest& upgrade) {
    const auto key = upgrade.header("sec-websocket-key");
    std::string answer;
    bool ok = false;
    if (upgrade.header("sec-websocket-version") != "13") {
      answer =
          "HTTP/1.1 426 Upgrade Required\r\nServer: onair\r\nSec-WebSocket-Version: 13\r\n"
          "Content-Length: 0\r\nConnection: close\r\n\r\n";
    } else if (!ws::valid_client_key(key) || !has_token(upgrade.header("connection"), "upgrade")) {
      answer = "HTTP/1.1 400 Bad Request\r\nServer: onair\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    } else {
      answer =
          "HTTP/1.1 101 Switching Protocols\r\nServer: onair\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: " +
          ws::accept_key(key) + "\r\n\r\n";
      ok = true;
    }
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(answer), kTuple);
    if (ec || !ok) {
      drop();
      co_return false;
    }
    last_heard_ = Clock::now();
    auto self = shared_from_this();
    asio::co_spawn(
        socket_.get_executor(), [self]() -> Task<void> { co_await self->watch(); }, asio::detached);
    co_return true;
  }

  Task<std::optional<std::string>> read() override {
    for (;;) {
      if (dropped_ || peer_closed_) co_return std::nullopt;
      const auto* data = static_cast<const char*>(in_.data().data());
      auto event = reader_.next(std::string_view(data, in_.size()));
      in_.consume(event.consumed);
      using Kind = ws::Event::Kind;
      switch (event.kind) {
        case Kind::message:
          if (close_sent_) continue;  // after our close frame, data is ignored (RFC 6455 §1.4)
          co_return std::move(event.payload);
        case Kind::ping:
          if (!close_sent_) {
            ws::append_frame(out_, ws::Opcode::pong, event.payload);
            schedule_flush();
          }
          continue;
        case Kind::pong:
          continue;
        case Kind::close:
          peer_closed_ = true;
          if (close_sent_) {
            drop();  // our close answered: done
          } else {
            // Echo the peer's code, then end once it is written.
            start_close(event.code == 1005 ? ws::close_code::normal : event.code, {}, true);
          }
          co_return std::nullopt;
        case Kind::fail:
          // "Fail the WebSocket connection" (RFC 6455 §7.1.7): the close frame, then the end.
          fail_ = true;
          start_close(event.code, {}, false);
          co_return std::nullopt;
        case Kind::need_more:
          if (event.consumed > 0) continue;  // a fragment was taken
          break;
      }
      auto [ec, n] = co_await socket_.async_read_some(in_.prepare(16 * 1024), kTuple);
      if (ec) {
        drop();
        co_return std::nullopt;
      }
      in_.commit(n);
      last_heard_ = Clock::now();
      ping_sent_ = false;
    }
  }

  void send(std::string text) override {
    on_executor([text = std::move(text)](WebSocketConnection& self) { self.enqueue(text); });
  }

  void close(int code, std::string reason) override {
    on_executor([code, reason = std::move(reason)](WebSocketConnection& self) {
      self.start_close(static_cast<std::uint16_t>(code), reason, true);
    });
  }

  // After the handler: closes (unless closed already) and reads on until the peer's close
  // frame, the end of the stream or the close deadline, so that the close handshake
  // completes cleanly even though nobody reads the channel any more.
  Task<void> finish() {
    auto self = shared_from_this();
    start_close(ws::close_code::normal, {}, true);
    while (co_await read()) {
    }
  }

  void close_when_idle() override { close(ws::close_code::going_away, "server shutting down"); }
  void close_now() override {
    on_executor([](WebSocketConnection& self) { self.drop(); });
  }

 private:
  // Runs `f` on the connection's executor: at once when called there, else posted. A call
  // waits its turn behind posted ones still pending, so one caller's sends and closes keep
  // their order.
  template <class F>
  void on_executor(F f) {
    if (posted_.load(std::memory_order_acquire) == 0 && on_own_executor()) {
      f(*this);
      return;
    }
    posted_.fetch_add(1, std::memory_order_acq_rel);
    asio::post(socket_.get_executor(), [self = shared_from_this(), f = std::move(f)]() mutable {
      f(*self);
      self->posted_.fetch_sub(1, std::memory_order_acq_rel);
    });
  }

  bool on_own_executor() {
    const auto executor = socket_.get_executor();
    if (const auto* strand = executor.target<asio::strand<asio::io_context::executor_type>>()) {
      return strand->running_in_this_thread();
    }
    if (const auto* plain = executor.target<asio::io_context::executor_type>()) return plain->running_in_this_thread();
    return false;
  }

  // On the executor.
  void enqueue(const std::string& text) {
    if (dropped_ || close_sent_) return;
    if (queued_ >= state_->options.websocket_max_queued) {
      log::warn("closing a WebSocket that stopped reading (slow consumer)");
      start_close(ws::close_code::policy, "too many unread messages", false);
      return;
    }
    ws::append_frame(out_, ws::Opcode::text, text);
    ++queued_;
    schedule_flush();
  }

  // The write starts once the current handler yields, so what it sends goes out together.
  void schedule_flush() {
    if (writing_ || flush_scheduled_) return;
    flush_scheduled_ = true;
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->flush_scheduled_ = false;
      self->flush();
    });
  }

  void flush() {
    if (writing_ || dropped_ || out_.empty()) return;
    writing_ = true;
    sending_.swap(out_);
    out_.clear();
    queued_ = 0;
    asio::async_write(socket_, asio::buffer(sending_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->written(ec); });
  }

  void written(boost::system::error_code ec) {
    writing_ = false;
    sending_.clear();
    if (ec) {
      drop();
      return;
    }
    if (!out_.empty()) {
      flush();
      return;
    }
    if (close_sent_ && peer_closed_) {
      drop();  // both close frames are through
    } else if (close_sent_ && fail_) {
      // No answer is due: end our side now. The socket itself goes at the close deadline, so
      // that unread bytes of the peer's cannot turn into a reset before it read our close frame.
      boost::system::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  // Queues our close frame (after what is queued when `flush_queue`, else in place of it);
  // the socket ends when the peer answers, or after kCloseHandshakeTimeout.
  void start_close(std::uint16_t code, std::string_view reason, bool flush_queue) {
    if (dropped_ || close_sent_) return;
    if (!flush_queue) out_.clear();
    ws::append_close(out_, code, reason);
    close_sent_ = true;
    close_deadline_ = Clock::now() + kCloseHandshakeTimeout;
    watchdog_.cancel();  // re-arms for the close deadline
    flush();
  }

  void drop() {
    if (dropped_) return;
    dropped_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    watchdog_.cancel();
  }

  // Pings a peer silent for half the idle timeout, drops one silent for all of it, and ends
  // a close handshake the peer does not finish.
  Task<void> watch() {
    auto self = shared_from_this();
    const auto idle = state_->options.idle_timeout;
    const auto period = std::max<Clock::duration>(std::chrono::milliseconds(100), idle / 4);
    while (!dropped_) {
      const auto now = Clock::now();
      if (close_sent_) {
        if (now >= close_deadline_) {
          drop();
          break;
        }
      } else if (now - last_heard_ >= idle) {
        drop();
        break;
      } else if (now - last_heard_ >= idle / 2 && !ping_sent_) {
        ping_sent_ = true;
        ws::append_frame(out_, ws::Opcode::ping, {});
        flush();
      }
      watchdog_.expires_at(close_sent_ ? std::min(close_deadline_, now + period) : now + period);
      auto [ec] = co_await watchdog_.async_wait(kTuple);
      (void)ec;  // cancelled: look again (a close started, or the socket went away)
    }
  }

  std::shared_ptr<HttpServer::State> state_;
  tcp::socket socket_;
  asio::steady_timer watchdog_;
  ws::FrameReader reader_;
  boost::beast::flat_buffer in_;  // received, not yet read
  std::string out_;               // frames queued for the next write
  std::string sending_;           // frames being written
  std::size_t queued_ = 0;        // messages in out_
  std::atomic<int> posted_{0};    // calls hopping onto the executor (on_executor)
  bool writing_ = false;
  bool flush_scheduled_ = false;
  bool close_sent_ = false;
  bool peer_closed_ = false;
  bool dropped_ = false;
  bool ping_sent_ = false;
  bool fail_ = false;  // the peer broke the protocol: no close handshake
  Clock::time_point last_heard_{};
  Clock::time_point close_deadline_{};
  std::uint64_t id_ = 0;
};

}  // namespace

Task<void> run_websocket(std::shared_ptr<HttpServer::State> state, tcp::socket socket, std::string early_bytes,
                         HttpRequest request) {
  auto connection = std::make_shared<WebSocketConnection>(state, std::move(socket), early_bytes);
  connection->set_id(state->add(connection));
  if (!co_await connection->accept(request)) co_return;
  try {
    co_await state->handlers.on_websocket(connection, std::move(request));
  } catch (const std::exception& e) {
    log::error("WebSocket handler threw", {{"error", e.what()}});
  }
  co_await connection->finish();
}

}  // namespace onair::net
