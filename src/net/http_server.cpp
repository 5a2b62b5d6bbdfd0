#include "net/http_server.hpp"

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
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <stdexcept>

#include "core/logging.hpp"
#include "net/detail/server_state.hpp"

namespace onair::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Fills `out` from a parsed Beast request; false when the target is not a valid origin-form.
bool convert(const http::request<http::string_body>& req, const std::string& remote_address, HttpRequest& out) {
  auto parsed = boost::urls::parse_origin_form(req.target());
  if (!parsed) return false;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.path = parsed->path();
  out.query = parsed->encoded_query();
  for (const auto& field : req) out.headers.emplace_back(lowercase(field.name_string()), field.value());
  out.body = req.body();
  out.remote_address = remote_address;
  return true;
}

http::response<http::string_body> to_beast(const HttpResponse& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "onair");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  res.body() = r.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

HttpResponse plain_error(int status, std::string_view message) {
  return HttpResponse{status,
                      "application/json",
                      R"({"status":)" + std::to_string(status) + R"(,"error":")" + json_escape(message) + "\"}",
                      {}};
}

class HttpConnection final : public Connection, public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(std::shared_ptr<HttpServer::State> state, tcp::socket socket)
      : state_(std::move(state)), stream_(std::move(socket)) {
    // Once per connection: getpeername per request was a measurable syscall.
    boost::system::error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }
  ~HttpConnection() override { state_->remove(id_); }

  void set_id(std::uint64_t id) { id_ = id; }

  void close_when_idle() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->shutdown_socket();
    });
  }
  void close_now() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->shutdown_socket(); });
  }

  Task<void> run() {
    auto self = shared_from_this();
    const auto& options = state_->options;
    beast::flat_buffer buffer;
    for (;;) {
      if (buffer.size() == 0) {
        // Waiting for the next request: the idle timeout applies.
        stream_.expires_after(options.idle_timeout);
        auto [ec, n] = co_await stream_.async_read_some(buffer.prepare(4096), kTuple);
        if (ec) break;
        buffer.commit(n);
      }
      busy_ = true;
      stream_.expires_after(options.request_timeout);
      http::request_parser<http::string_body> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(options.body_limit);
      auto [hec, hn] = co_await http::async_read_header(stream_, buffer, parser, kTuple);
      if (!hec && parser.get()[http::field::expect] == "100-continue" && !parser.is_done()) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        co_await asio::async_write(stream_.socket(), asio::buffer(kContinue), kTuple);
      }
      boost::system::error_code ec = hec;
      if (!ec && !parser.is_done())
        std::tie(ec, std::ignore) = co_await http::async_read(stream_, buffer, parser, kTuple);
      if (ec) {
        if (ec == http::error::body_limit) {
          co_await write_and_close(plain_error(413, "request body exceeds the limit"));
        } else if (ec == http::error::header_limit) {
          co_await write_and_close(plain_error(431, "request header too large"));
        } else if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
                   ec != asio::error::operation_aborted && ec != asio::error::connection_reset &&
                   ec != asio::error::eof) {
          co_await write_and_close(plain_error(400, "malformed HTTP request"));
        }
        break;
      }
      auto req = parser.release();
      HttpRequest request;
      if (!convert(req, remote_address_, request)) {
        co_await write_and_close(plain_error(400, "malformed request target"));
        break;
      }
      if (beast::websocket::is_upgrade(req)) {
        if (state_->handlers.is_websocket_path && state_->handlers.is_websocket_path(request.path)) {
          stream_.expires_never();
          state_->remove(id_);
          co_await run_websocket(state_, std::move(stream_), std::move(req), std::move(request));
          co_return;
        }
        co_await write_and_close(plain_error(404, "no WebSocket endpoint at " + request.path));
        break;
      }
      HttpResponse response;
      try {
        response = co_await state_->handlers.on_request(std::move(request));
      } catch (const std::exception& e) {
        log::error("HTTP handler threw", {{"error", e.what()}});
        response = plain_error(500, "internal error");
      }
      const bool keep_alive = req.keep_alive() && !state_->draining;
      auto res = to_beast(response, req.version(), keep_alive);
      // The response is written under the request's deadline (set above): one timer change less per request.
      auto [wec, wn] = co_await http::async_write(stream_, res, kTuple);
      busy_ = false;
      if (wec || !keep_alive) break;
    }
    shutdown_socket();
  }

 private:
  Task<void> write_and_close(HttpResponse response) {
    auto res = to_beast(response, 11, false);
    stream_.expires_after(state_->options.request_timeout);
    co_await http::async_write(stream_, res, kTuple);
    busy_ = false;
  }

  void shutdown_socket() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  std::shared_ptr<HttpServer::State> state_;
  beast::tcp_stream stream_;
  std::string remote_address_;
  std::uint64_t id_ = 0;
  bool busy_ = false;
};

Task<void> accept_loop(std::shared_ptr<HttpServer::State> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(asio::make_strand(state->io), kTuple);
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
    auto executor = socket.get_executor();
    auto connection = std::make_shared<HttpConnection>(state, std::move(socket));
    connection->set_id(state->add(connection));
    asio::co_spawn(executor, connection->run(), asio::detached);
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
