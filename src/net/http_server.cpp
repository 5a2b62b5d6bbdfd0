#include "net/http_server.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <optional>
#include <stdexcept>

#include "core/logging.hpp"
#include "net/detail/fast_request_parser.hpp"
#include "net/detail/request_parser.hpp"
#include "net/detail/server_state.hpp"

namespace onair::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;

// Characters of a path that need no decoding (RFC 3986 pchar without '%', plus '/').
constexpr auto kPlainPathChar = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (char c : std::string_view("-._~!$&'()*+,;=:@/")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();
bool is_plain_path_char(char c) { return kPlainPathChar[static_cast<unsigned char>(c)]; }

// Fills path and query from the target; false when it is not a valid origin-form.
bool split_target(HttpRequest& request) {
  const auto& target = request.target;
  if (!target.empty() && target[0] == '/' && std::all_of(target.begin(), target.end(), is_plain_path_char)) {
    request.path = target;  // the common case: nothing to decode, no query
    return true;
  }
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return false;
  request.path = parsed->path();
  request.query = parsed->encoded_query();
  return true;
}

bool has_line_break(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n') return true;
  }
  return false;
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// The status line and headers of `r`, ready to go out ahead of its body in
// one gathered write. Written by hand: Beast's generic serializer was the
// largest user-space cost of a small response.
std::string response_head(const HttpResponse& r, unsigned version, bool keep_alive) {
  std::string head;
  head.reserve(192);
  head.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ", 9);
  if (r.status == 200) {
    head.append("200 OK", 6);
  } else {
    append_number(head, static_cast<std::size_t>(r.status));
    head.push_back(' ');
    head.append(http::obsolete_reason(static_cast<http::status>(r.status)));
  }
  constexpr std::string_view kServer = "\r\nServer: onair\r\n";
  head.append(kServer);
  if (!r.content_type.empty() && !has_line_break(r.content_type)) {
    head.append("Content-Type: ", 14).append(r.content_type).append("\r\n", 2);
  }
  for (const auto& [name, value] : r.headers) {
    // Handler-made headers: a line break would let a value forge more headers.
    if (has_line_break(name) || has_line_break(value)) continue;
    head.append(name).append(": ", 2).append(value).append("\r\n", 2);
  }
  head.append("Content-Length: ", 16);
  append_number(head, r.body.size());
  head.append("\r\n", 2);
  if (!keep_alive && version != 10) head.append("Connection: close\r\n");
  if (keep_alive && version == 10) head.append("Connection: keep-alive\r\n");
  head.append("\r\n", 2);
  return head;
}

HttpResponse plain_error(int status, std::string_view message) {
  return HttpResponse{status,
                      "application/json",
                      R"({"status":)" + std::to_string(status) + R"(,"error":")" + json_escape(message) + "\"}",
                      {}};
}

using Clock = std::chrono::steady_clock;

// steady_clock from CLOCK_MONOTONIC_COARSE: same epoch, a few ms behind, a
// fraction of the cost. Deadlines of seconds need no better.
Clock::time_point coarse_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return Clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

// One request as read, from whichever parser read it.
struct IncomingRequest {
  HttpRequest request;
  int version = 11;
  bool keep_alive = true;
  bool websocket_upgrade = false;
};

// One HTTP/1.1 keep-alive connection. Reads are parsed in place (the fast
// parser, else Beast's) and responses are written with one gathered send;
// timeouts come from a watchdog timer that checks a deadline field, so a
// request costs no timer operations (Beast's tcp_stream re-arms a timer for
// every read and write).

class HttpConnection final : public Connection, public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(std::shared_ptr<HttpServer::State> state, tcp::socket socket)
      : state_(std::move(state)), socket_(std::move(socket)), watchdog_(socket_.get_executor()) {
    // Once per connection: getpeername per request was a measurable syscall.
    boost::system::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }
  ~HttpConnection() override { state_->remove(id_); }

  void set_id(std::uint64_t id) { id_ = id; }

  void close_when_idle() override {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->shutdown_socket();
    });
  }
  void close_now() override {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->shutdown_socket(); });
  }

  Task<void> run() {
    auto self = shared_from_this();
    deadline_ = coarse_now() + state_->options.idle_timeout;
    auto watch = [self]() -> Task<void> { co_await self->watch(); };
    asio::co_spawn(socket_.get_executor(), watch, asio::detached);
    co_await serve();
    watchdog_.cancel();
  }

 private:
  enum class ReadResult { message, closed, failed };

  Task<void> serve() {
    beast::flat_buffer buffer;
    for (;;) {
      IncomingRequest incoming;
      boost::system::error_code ec;
      const auto outcome = co_await read_message(buffer, incoming, ec);
      if (outcome == ReadResult::closed) break;
      if (outcome == ReadResult::failed) {
        if (ec == http::error::body_limit) {
          co_await write_and_close(plain_error(413, "request body exceeds the limit"));
        } else if (ec == http::error::header_limit) {
          co_await write_and_close(plain_error(431, "request header too large"));
        } else {
          co_await write_and_close(plain_error(400, "malformed HTTP request"));
        }
        break;
      }
      HttpRequest& request = incoming.request;
      request.remote_address = remote_address_;
      if (!split_target(request)) {
        co_await write_and_close(plain_error(400, "malformed request target"));
        break;
      }
      const bool keep_alive = incoming.keep_alive && !state_->draining;
      const int version = incoming.version;
      if (incoming.websocket_upgrade) {
        if (state_->handlers.is_websocket_path && state_->handlers.is_websocket_path(request.path)) {
          deadline_ = Clock::time_point::max();
          watchdog_.cancel();
          state_->remove(id_);
          std::string early(static_cast<const char*>(buffer.data().data()), buffer.size());
          co_await run_websocket(state_, std::move(socket_), std::move(early), std::move(request));
          co_return;
        }
        co_await write_and_close(plain_error(404, "no WebSocket endpoint at " + request.path));
        break;
      }
      // A slow handler is not a slow client: no deadline while it runs.
      deadline_ = Clock::time_point::max();
      HttpResponse response;
      try {
        response = co_await state_->handlers.on_request(std::move(request));
      } catch (const std::exception& e) {
        log::error("HTTP handler threw", {{"error", e.what()}});
        response = plain_error(500, "internal error");
      }
      const bool written = co_await write(response, static_cast<unsigned>(version), keep_alive);
      busy_ = false;
      if (!written || !keep_alive) break;
    }
    shutdown_socket();
  }

  // Reads one whole request into `incoming`: the fast parser's common case, or Beast's
  // parser for anything else (detail/fast_request_parser.hpp). The idle timeout applies
  // until its first byte, then the request timeout.
  Task<ReadResult> read_message(beast::flat_buffer& buffer, IncomingRequest& incoming, boost::system::error_code& ec) {
    const auto& options = state_->options;
    bool continue_sent = false;
    int fast_tries = 0;
    std::size_t header_bytes = 0;  // consumed by Beast before its header was done
    std::optional<detail::RequestParser> slow;
    if (buffer.size() > 0) {
      start_request(options.request_timeout);  // pipelined: the next request is already here
    } else {
      deadline_ = coarse_now() + options.idle_timeout;
    }
    for (;;) {
      if (buffer.size() > 0 && !slow) {
        const std::string_view bytes(static_cast<const char*>(buffer.data().data()), buffer.size());
        const auto fast = detail::parse_request_fast(bytes, kHeaderLimit, options.body_limit, incoming.request);
        if (fast.outcome == detail::FastParse::Outcome::done) {
          buffer.consume(fast.consumed);
          incoming.version = fast.version;
          incoming.keep_alive = fast.keep_alive;
          incoming.websocket_upgrade = detail::is_websocket_upgrade(incoming.request, fast.version, fast.upgrade);
          co_return ReadResult::message;
        }
        if (fast.outcome == detail::FastParse::Outcome::too_large) {
          ec = http::error::header_limit;
          co_return ReadResult::failed;
        }
        // A request that trickles in is not scanned from its start again and again: after a few
        // reads it goes to Beast's incremental parser, like everything the fast one leaves.
        if (fast.outcome == detail::FastParse::Outcome::unsupported || ++fast_tries > 3) {
          slow.emplace();
          slow->header_limit(kHeaderLimit);
          slow->body_limit(options.body_limit);
          slow->eager(true);
        }
      }
      if (buffer.size() > 0 && slow) {
        auto& parser = *slow;
        const auto used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        // Beast checks its header limit per put, so fields it consumed along the way escape it:
        // the header's bytes are counted here, across puts.
        if (!parser.is_header_done()) {
          header_bytes += used;
          if (header_bytes + buffer.size() >= kHeaderLimit) {
            ec = http::error::header_limit;
            co_return ReadResult::failed;
          }
        }
        if (ec == http::error::need_more) {
          ec = {};
        } else if (ec) {
          co_return ReadResult::failed;
        }
        if (parser.is_done()) {
          incoming.request = std::move(parser.request());
          incoming.version = parser.version();
          incoming.keep_alive = parser.keep_alive();
          incoming.websocket_upgrade = parser.is_websocket_upgrade();
          co_return ReadResult::message;
        }
        if (parser.is_header_done() && !continue_sent && parser.expects_continue()) {
          continue_sent = true;
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          auto [wec, wn] = co_await asio::async_write(socket_, asio::buffer(kContinue), kTuple);
          if (wec) co_return ReadResult::closed;
        }
        if (used > 0 && buffer.size() > 0) continue;
      }
      const std::size_t room =
          std::max<std::size_t>(4096, std::min<std::size_t>(buffer.capacity() - buffer.size(), 65536));
      auto [rec, n] = co_await socket_.async_read_some(buffer.prepare(room), kTuple);
      if (rec) {
        // A client hanging up between requests, or a timeout, is a normal end.
        ec = rec;
        co_return ReadResult::closed;
      }
      buffer.commit(n);
      if (!busy_) start_request(options.request_timeout);
    }
  }

  void start_request(std::chrono::seconds timeout) {
    busy_ = true;
    deadline_ = coarse_now() + timeout;
  }

  Task<bool> write(const HttpResponse& response, unsigned version, bool keep_alive) {
    deadline_ = coarse_now() + state_->options.request_timeout;
    const auto head = response_head(response, version, keep_alive);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(response.body)};
    auto [ec, n] = co_await asio::async_write(socket_, buffers, kTuple);
    co_return !ec;
  }

  // Answers a request that ends the connection (a limit, a malformed request), then closes
  // gracefully: our side first, then what the client still sends is read and dropped for a
  // moment, so that closing with unread bytes (a reset) cannot destroy the answer before the
  // client read it.
  Task<void> write_and_close(HttpResponse response) {
    const bool written = co_await write(response, 11, false);
    busy_ = false;
    if (!written) co_return;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    deadline_ = coarse_now() + std::chrono::seconds(1);  // the watchdog closes it after this
    std::array<char, 4096> drain{};
    for (;;) {
      auto [rec, n] = co_await socket_.async_read_some(asio::buffer(drain), kTuple);
      if (rec) break;  // the client closed too, or the watchdog did
    }
  }

  // Closes the socket once the deadline passes. The deadline moves with every
  // request without touching the timer, so the timer wakes at least every
  // quarter of the shorter timeout to look: a connection overstays by at most that.
  Task<void> watch() {
    const auto& o = state_->options;
    const auto period = std::max<Clock::duration>(std::chrono::milliseconds(100),
                                                  std::min<Clock::duration>(o.request_timeout, o.idle_timeout) / 4);
    for (;;) {
      if (!socket_.is_open()) co_return;  // served out, or handed to the WebSocket side
      const auto now = coarse_now();
      const auto deadline = deadline_;
      if (deadline <= now) {
        shutdown_socket();
        co_return;
      }
      watchdog_.expires_at(deadline - now < period ? deadline : now + period);
      auto [ec] = co_await watchdog_.async_wait(kTuple);
      if (ec) co_return;
    }
  }

  void shutdown_socket() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  std::shared_ptr<HttpServer::State> state_;
  tcp::socket socket_;
  asio::steady_timer watchdog_;
  Clock::time_point deadline_{};
  std::string remote_address_;
  std::uint64_t id_ = 0;
  bool busy_ = false;
};

Task<void> accept_loop(std::shared_ptr<HttpServer::State> state) {
  for (;;) {
    // One io thread: the io_context already serialises everything, a strand would only cost.
    const asio::any_io_executor executor = state->options.single_threaded_io
                                               ? asio::any_io_executor(state->io.get_executor())
                                               : asio::any_io_executor(asio::make_strand(state->io));
    auto [ec, socket] = co_await state->acceptor.async_accept(executor, kTuple);
    if (ec) {
      if (!state->acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors and the like: back off instead of spinning.
      log::warn("accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(state->io, std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (state->draining) continue;  // socket closes as it goes out of scope
    socket.set_option(tcp::no_delay(true), ec);
    // The connection's coroutine runs on the socket's own strand, the one its
    // close_when_idle()/close_now() and WebSocket sends post to.
    auto connection = std::make_shared<HttpConnection>(state, std::move(socket));
    connection->set_id(state->add(connection));
    auto run = [connection]() -> Task<void> { co_await connection->run(); };
    asio::co_spawn(executor, run, asio::detached);
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options, HttpHandlers handlers)
    : state_(std::make_shared<State>(io, std::move(options), std::move(handlers))) {}

HttpServer::~HttpServer() {
  boost::system::error_code ec;
  state_->acceptor.close(ec);
}

void HttpServer::start() {
  const auto& o = state_->options;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(o.address, ec);
  if (ec) throw std::runtime_error("invalid bind address " + o.address);
  tcp::endpoint endpoint(address, o.port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + o.address + ":" + std::to_string(o.port) + ": " + ec.message());
  }
  asio::co_spawn(acceptor.get_executor(), accept_loop(state_), asio::detached);
}

std::uint16_t HttpServer::port() const {
  boost::system::error_code ec;
  auto endpoint = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections.size();
}

std::size_t HttpServer::open_websockets() const { return state_->websockets; }

Task<void> HttpServer::shutdown(std::chrono::milliseconds drain) {
  auto state = state_;
  state->draining = true;
  asio::post(state->acceptor.get_executor(), [state] {
    boost::system::error_code ec;
    state->acceptor.close(ec);
  });
  for (auto& c : state->snapshot()) c->close_when_idle();
  const auto deadline = std::chrono::steady_clock::now() + drain;
  asio::steady_timer tick(state->io);
  bool forced = false;
  for (;;) {
    if (open_connections() == 0) break;
    if (!forced && std::chrono::steady_clock::now() >= deadline) {
      for (auto& c : state->snapshot()) c->close_now();
      forced = true;
    }
    tick.expires_after(std::chrono::milliseconds(20));
    co_await tick.async_wait(kTuple);
    if (forced && std::chrono::steady_clock::now() >= deadline + std::chrono::seconds(2)) break;
  }
}

}  // namespace onair::net
