#include "support/test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <deque>
#include <stdexcept>

namespace onair::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Slack on top of a stream's own timeout before the client gives up waiting.
constexpr auto kSlack = std::chrono::seconds(2);

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

tcp::endpoint loopback(std::uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

// Runs handlers until `done()` or `deadline`; true when done.
template <class Done>
bool run_until(asio::io_context& io, Done done, Clock::time_point deadline) {
  while (!done()) {
    const auto now = Clock::now();
    if (now >= deadline) return false;
    if (io.stopped()) io.restart();
    if (io.run_one_for(deadline - now) == 0 && io.stopped()) return done();  // no work left
  }
  return true;
}

// After a close: runs the handlers that the cancellation made ready, so none
// runs later with dangling captures. Handlers still waiting are destroyed,
// never invoked, with the io_context.
void drain(asio::io_context& io) {
  io.restart();
  while (io.poll() > 0) {
  }
}

std::string describe(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timeout";
  if (ec == http::error::end_of_stream || ec == asio::error::eof) return "end of stream";
  return ec.message();
}

bool is_closed_error(const beast::error_code& ec) {
  return ec && ec != beast::error::timeout && ec != asio::error::operation_aborted;
}

std::string connect_stream(asio::io_context& io, beast::tcp_stream& stream, std::uint16_t port,
                           std::chrono::milliseconds timeout) {
  beast::error_code result;
  bool done = false;
  stream.expires_after(timeout);
  stream.async_connect(loopback(port), [&](beast::error_code ec) {
    result = ec;
    done = true;
  });
  if (!run_until(io, [&] { return done; }, Clock::now() + timeout + kSlack)) {
    stream.close();
    drain(io);
    return "connect timed out";
  }
  stream.expires_never();
  return result ? describe(result) : std::string();
}

http::request<http::string_body> make_request(const std::string& method, std::string target, std::string body,
                                              const Headers& headers, bool keep_alive) {
  http::request<http::string_body> req;
  const auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    req.method_string(method);
  } else {
    req.method(verb);
  }
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(keep_alive);
  const bool has_body = !body.empty() || method == "POST" || method == "PUT";
  req.body() = std::move(body);
  if (has_body) req.prepare_payload();
  for (const auto& [name, value] : headers) req.set(name, value);
  return req;
}

void fill(HttpReply& reply, const http::response<http::string_body>& res) {
  reply.status = static_cast<int>(res.result_int());
  for (const auto& field : res) reply.headers.emplace_back(lowercase(field.name_string()), field.value());
  reply.body = res.body();
}

// Reads one response from `stream`; bounded by the stream's expiry.
HttpReply read_reply(asio::io_context& io, beast::tcp_stream& stream, beast::flat_buffer& buffer,
                     std::chrono::milliseconds timeout) {
  HttpReply reply;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  bool done = false;
  stream.expires_after(timeout);
  http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      reply.error = describe(ec);
    } else {
      fill(reply, parser.get());
    }
    done = true;
  });
  if (!run_until(io, [&] { return done; }, Clock::now() + timeout + kSlack)) {
    stream.close();
    drain(io);
    reply.error = "client deadline";
  }
  return reply;
}

// Writes `req` and reads the answer. A failed write still reads: the server
// may have answered (413) before it stopped reading.
HttpReply exchange(asio::io_context& io, beast::tcp_stream& stream, beast::flat_buffer& buffer,
                   http::request<http::string_body>& req, std::chrono::milliseconds timeout) {
  bool done = false;
  beast::error_code write_error;
  stream.expires_after(timeout);
  http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
    write_error = ec;
    done = true;
  });
  if (!run_until(io, [&] { return done; }, Clock::now() + timeout + kSlack)) {
    stream.close();
    drain(io);
    HttpReply reply;
    reply.error = "client deadline while writing";
    return reply;
  }
  auto reply = read_reply(io, stream, buffer, timeout);
  if (reply.status == 0 && write_error) reply.error += " (write: " + describe(write_error) + ")";
  return reply;
}

const json::value* member(const json::value& v, std::string_view key) {
  return v.is_object() ? v.as_object().if_contains(key) : nullptr;
}

bool member_is(const json::value& v, std::string_view key, std::string_view expected) {
  const auto* m = member(v, key);
  return m && m->is_string() && m->as_string() == expected;
}

}  // namespace

// ---------------------------------------------------------------- HttpReply

std::string HttpReply::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return {};
}

json::value HttpReply::json() const {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  return ec ? json::value() : v;
}

// ----------------------------------------------------------- HttpConnection

struct HttpConnection::Impl {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
};

HttpConnection::HttpConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  if (auto error = connect_stream(impl_->io, impl_->stream, port, kClientTimeout); !error.empty()) {
    throw std::runtime_error("cannot connect to port " + std::to_string(port) + ": " + error);
  }
}

HttpConnection::~HttpConnection() {
  beast::error_code ec;
  impl_->stream.socket().close(ec);
  drain(impl_->io);
}

HttpReply HttpConnection::request(std::string method, std::string target, std::string body, Headers headers,
                                  std::chrono::milliseconds timeout) {
  auto req = make_request(method, std::move(target), std::move(body), headers, true);
  return exchange(impl_->io, impl_->stream, impl_->buffer, req, timeout);
}

bool HttpConnection::closed_by_server_within(std::chrono::milliseconds timeout) {
  if (impl_->buffer.size() > 0) return false;  // unread bytes: not a clean close
  char byte = 0;
  bool done = false;
  beast::error_code result;
  std::size_t n = 0;
  impl_->stream.expires_after(timeout);
  impl_->stream.async_read_some(asio::buffer(&byte, 1), [&](beast::error_code ec, std::size_t got) {
    result = ec;
    n = got;
    done = true;
  });
  if (!run_until(impl_->io, [&] { return done; }, Clock::now() + timeout + kSlack)) {
    impl_->stream.close();
    drain(impl_->io);
    return false;
  }
  return n == 0 && is_closed_error(result);
}

// ------------------------------------------------------------ RawConnection

struct RawConnection::Impl {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
};

RawConnection::RawConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  if (auto error = connect_stream(impl_->io, impl_->stream, port, kClientTimeout); !error.empty()) {
    throw std::runtime_error("cannot connect to port " + std::to_string(port) + ": " + error);
  }
}

RawConnection::~RawConnection() {
  beast::error_code ec;
  impl_->stream.socket().close(ec);
  drain(impl_->io);
}

bool RawConnection::send(std::string_view bytes) {
  bool done = false;
  beast::error_code result;
  impl_->stream.expires_after(kClientTimeout);
  asio::async_write(impl_->stream, asio::buffer(bytes.data(), bytes.size()), [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!run_until(impl_->io, [&] { return done; }, Clock::now() + kClientTimeout + kSlack)) {
    impl_->stream.close();
    drain(impl_->io);
    return false;
  }
  return !result;
}

RawConnection::Received RawConnection::read_until_close(std::chrono::milliseconds timeout) {
  Received out;
  out.data = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.consume(impl_->buffer.size());
  const auto deadline = Clock::now() + timeout;
  impl_->stream.expires_at(deadline);
  char chunk[4096];
  for (;;) {
    bool done = false;
    beast::error_code result;
    std::size_t n = 0;
    impl_->stream.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t got) {
      result = ec;
      n = got;
      done = true;
    });
    if (!run_until(impl_->io, [&] { return done; }, deadline + kSlack)) {
      impl_->stream.close();
      drain(impl_->io);
      break;
    }
    out.data.append(chunk, n);
    if (result) {
      out.closed = is_closed_error(result);
      break;
    }
  }
  return out;
}

HttpReply RawConnection::read_response(std::chrono::milliseconds timeout) {
  return read_reply(impl_->io, impl_->stream, impl_->buffer, timeout);
}

RawConnection::Received raw_exchange(std::uint16_t port, std::string_view bytes, std::chrono::milliseconds timeout) {
  RawConnection connection(port);
  connection.send(bytes);
  return connection.read_until_close(timeout);
}

int status_of(std::string_view raw) {
  // "HTTP/1.1 400 Bad Request"
  if (raw.substr(0, 5) != "HTTP/" || raw.size() < 12) return 0;
  auto space = raw.find(' ');
  if (space == std::string_view::npos || space + 4 > raw.size()) return 0;
  int status = 0;
  for (std::size_t i = space + 1; i < space + 4; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(raw[i]))) return 0;
    status = status * 10 + (raw[i] - '0');
  }
  return status;
}

HttpReply http_request(std::uint16_t port, std::string method, std::string target, std::string body, Headers headers,
                       std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  if (auto error = connect_stream(io, stream, port, timeout); !error.empty()) {
    HttpReply reply;
    reply.error = "connect: " + error;
    return reply;
  }
  auto req = make_request(method, std::move(target), std::move(body), headers, false);
  auto reply = exchange(io, stream, buffer, req, timeout);
  beast::error_code ec;
  stream.socket().close(ec);
  drain(io);
  return reply;
}

bool connection_refused(std::uint16_t port) {
  asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(loopback(port), ec);
  return ec == asio::error::connection_refused;
}

// --------------------------------------------------------------- TestSocket

struct TestSocket::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  std::deque<std::string> inbox;
  std::vector<std::string> history;
  bool reading = false;
  bool closed = false;
  int close_code = 0;
  std::string close_error;
  json::value welcome;

  void start_read() {
    reading = true;
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      reading = false;
      if (ec) {
        closed = true;
        close_error = ec.message();
        if (ec == websocket::error::closed) close_code = static_cast<int>(ws.reason().code);
        return;
      }
      inbox.push_back(beast::buffers_to_string(buffer.data()));
      history.push_back(inbox.back());
      buffer.consume(buffer.size());
    });
  }

  // Keeps one read pending until a frame arrives, the socket closes or `deadline`.
  void pump(Clock::time_point deadline) {
    while (inbox.empty() && !closed) {
      if (!reading) start_read();
      const auto now = Clock::now();
      if (now >= deadline) return;
      if (io.stopped()) io.restart();
      io.run_one_for(deadline - now);
    }
  }
};

TestSocket::TestSocket() : impl_(std::make_unique<Impl>()) {}

TestSocket::~TestSocket() {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
  drain(impl_->io);
}

std::unique_ptr<TestSocket> TestSocket::connect(std::uint16_t port, Headers headers, std::string target) {
  std::unique_ptr<TestSocket> socket(new TestSocket());
  auto& s = *socket->impl_;
  if (auto error = connect_stream(s.io, beast::get_lowest_layer(s.ws), port, kClientTimeout); !error.empty()) {
    throw std::runtime_error("cannot connect to port " + std::to_string(port) + ": " + error);
  }
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kClientTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  s.ws.set_option(timeouts);
  s.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  s.ws.read_message_max(64u << 20);
  websocket::response_type response;
  bool done = false;
  beast::error_code result;
  s.ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), target, [&](beast::error_code ec) {
    result = ec;
    done = true;
  });
  if (!run_until(s.io, [&] { return done; }, Clock::now() + kClientTimeout + kSlack)) {
    beast::error_code ignored;
    beast::get_lowest_layer(s.ws).socket().close(ignored);
    drain(s.io);  // the handler refers to locals of this frame
    throw std::runtime_error("WebSocket upgrade timed out");
  }
  if (result) {
    throw std::runtime_error("WebSocket upgrade failed: " + result.message() + " (HTTP " +
                             std::to_string(response.result_int()) + ")");
  }
  return socket;
}

std::unique_ptr<TestSocket> TestSocket::open(std::uint16_t port, const std::string& token) {
  auto socket = connect(port);
  const json::object hello{{"token", token}};
  if (!socket->send(json::serialize(hello))) throw std::runtime_error("could not send the token frame");
  auto welcome = socket->wait_for_type("welcome");
  if (!welcome) throw std::runtime_error("no welcome frame; received: " + socket->history());
  socket->impl_->welcome = *welcome;
  return socket;
}

bool TestSocket::send(std::string text) {
  auto& s = *impl_;
  if (s.closed) return false;
  auto message = std::make_shared<std::string>(std::move(text));
  bool done = false;
  beast::error_code result;
  s.ws.text(true);
  s.ws.async_write(asio::buffer(*message), [&, message](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!run_until(s.io, [&] { return done; }, Clock::now() + kClientTimeout)) {
    beast::get_lowest_layer(s.ws).socket().close(result);
    drain(s.io);
    return false;
  }
  return !result;
}

std::optional<std::string> TestSocket::receive(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  s.pump(Clock::now() + timeout);
  if (s.inbox.empty()) return std::nullopt;
  auto frame = std::move(s.inbox.front());
  s.inbox.pop_front();
  return frame;
}

std::optional<json::value> TestSocket::wait_for(const Predicate& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto now = Clock::now();
    const auto left = now >= deadline ? std::chrono::milliseconds(0)
                                      : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    auto frame = receive(left);
    if (!frame) return std::nullopt;
    boost::system::error_code ec;
    auto value = json::parse(*frame, ec);
    if (!ec && predicate(value)) return value;
  }
}

std::optional<json::value> TestSocket::wait_for_type(std::string_view type, std::chrono::milliseconds timeout) {
  return wait_for([type](const json::value& v) { return member_is(v, "type", type); }, timeout);
}

std::optional<json::value> TestSocket::wait_for_event(std::string_view event_name, std::chrono::milliseconds timeout) {
  return wait_for(
      [event_name](const json::value& v) {
        const auto* event = member(v, "event");
        return member_is(v, "type", "event") && event && member_is(*event, "eventName", event_name);
      },
      timeout);
}

std::optional<json::value> TestSocket::call(std::int64_t id, std::string path, json::value body,
                                            std::chrono::milliseconds timeout) {
  const json::object frame{{"id", id}, {"path", path}, {"body", std::move(body)}};
  if (!send(json::serialize(frame))) return std::nullopt;
  return wait_for(
      [id](const json::value& v) {
        const auto* got = member(v, "id");
        return member_is(v, "type", "response") && got && got->is_int64() && got->as_int64() == id;
      },
      timeout);
}

bool TestSocket::wait_closed(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  const auto deadline = Clock::now() + timeout;
  while (!s.closed) {
    if (!s.reading) s.start_read();
    const auto now = Clock::now();
    if (now >= deadline) break;
    if (s.io.stopped()) s.io.restart();
    s.io.run_one_for(deadline - now);
  }
  return s.closed;
}

bool TestSocket::closed() const { return impl_->closed; }

int TestSocket::close_code() const { return impl_->close_code; }

const json::value& TestSocket::welcome() const { return impl_->welcome; }

std::string TestSocket::history() const {
  std::string out;
  for (const auto& frame : impl_->history) out += frame + "\n";
  if (impl_->closed) out += "(closed: " + impl_->close_error + ", code " + std::to_string(impl_->close_code) + ")\n";
  return out.empty() ? std::string("(nothing)") : out;
}

}  // namespace onair::testing
