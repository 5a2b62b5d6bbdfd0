#pragma once
// Small synchronous HTTP/1.1 and WebSocket clients for tests that talk to a
// running onair over loopback. Beast stays inside test_client.cpp. Every call
// is bounded by a timeout, and a server's misbehaviour (no answer, closed
// connection) is reported in the result rather than thrown, so tests can
// assert on it.
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onair::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;
inline constexpr std::chrono::milliseconds kClientTimeout{5000};

struct HttpReply {
  int status = 0;       // 0: no response (see error)
  Headers headers;      // names lowercased
  std::string body;
  std::string error;    // why there is no response: "timeout", "end of stream", ...

  // First value of the header, or empty.
  std::string header(std::string_view lowercase_name) const;
  // The body as JSON; a null value when it is not JSON.
  boost::json::value json() const;
};

// One request on a new connection (Connection: close). `target` is sent as
// given, without normalisation.
HttpReply http_request(std::uint16_t port, std::string method, std::string target, std::string body = {},
                       Headers headers = {}, std::chrono::milliseconds timeout = kClientTimeout);

// A keep-alive connection: several requests in sequence over one socket.
class HttpConnection {
 public:
  // Throws std::runtime_error when it cannot connect.
  explicit HttpConnection(std::uint16_t port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  HttpReply request(std::string method, std::string target, std::string body = {}, Headers headers = {},
                    std::chrono::milliseconds timeout = kClientTimeout);
  // True when the server closes the connection within `timeout` (false when
  // it stays open, or sends unexpected bytes).
  bool closed_by_server_within(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A plain TCP connection, for requests no HTTP library would send.
class RawConnection {
 public:
  // Throws std::runtime_error when it cannot connect.
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // False when the bytes could not be written (the server closed the connection).
  bool send(std::string_view bytes);

  struct Received {
    std::string data;     // everything that came back
    bool closed = false;  // the server closed (or reset) the connection
  };
  // Reads until the server closes the connection or `timeout` passes.
  Received read_until_close(std::chrono::milliseconds timeout);
  // Reads one HTTP response (head and Content-Length body), keeping the connection.
  HttpReply read_response(std::chrono::milliseconds timeout = kClientTimeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends `bytes` on a new connection; returns what came back until the server closed it.
RawConnection::Received raw_exchange(std::uint16_t port, std::string_view bytes,
                                     std::chrono::milliseconds timeout = kClientTimeout);
// Status code of the response starting `raw` ("HTTP/1.1 400 ..."), or 0.
int status_of(std::string_view raw);
// True when nothing accepts TCP connections on 127.0.0.1:port.
bool connection_refused(std::uint16_t port);

// A WebSocket client. Frames received while waiting for something else are
// kept in order for the next receive().
class TestSocket {
 public:
  using Predicate = std::function<bool(const boost::json::value&)>;

  // Upgrades ws://127.0.0.1:port<target>; throws std::runtime_error when the
  // upgrade fails (the message has the HTTP status).
  static std::unique_ptr<TestSocket> connect(std::uint16_t port, Headers headers = {},
                                             std::string target = "/connect");
  // connect() and authenticate with {"token": ...}; throws unless a welcome frame comes back.
  static std::unique_ptr<TestSocket> open(std::uint16_t port, const std::string& token);

  ~TestSocket();
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  // False when the text could not be sent (socket closed).
  bool send(std::string text);
  // The next text frame, or nullopt after `timeout` or once the socket closed.
  std::optional<std::string> receive(std::chrono::milliseconds timeout = kClientTimeout);
  // The first frame (parsed as JSON) that satisfies `predicate`; frames that
  // do not are dropped (and kept in history()).
  std::optional<boost::json::value> wait_for(const Predicate& predicate,
                                             std::chrono::milliseconds timeout = kClientTimeout);
  // The next frame whose "type" is `type`.
  std::optional<boost::json::value> wait_for_type(std::string_view type,
                                                  std::chrono::milliseconds timeout = kClientTimeout);
  // The next {"type":"event"} whose event.eventName is `event_name`.
  std::optional<boost::json::value> wait_for_event(std::string_view event_name,
                                                   std::chrono::milliseconds timeout = kClientTimeout);
  // Sends {"id", "path", "body"} and waits for {"type":"response","id":id}.
  std::optional<boost::json::value> call(std::int64_t id, std::string path, boost::json::value body,
                                         std::chrono::milliseconds timeout = kClientTimeout);
  // True when the server closes the socket within `timeout` (frames that
  // arrive meanwhile are kept).
  bool wait_closed(std::chrono::milliseconds timeout = kClientTimeout);
  bool closed() const;
  // Close code of the server's close frame; 0 when none was received.
  int close_code() const;
  // The welcome frame, after open().
  const boost::json::value& welcome() const;
  // Every frame received so far, for failure messages.
  std::string history() const;

 private:
  TestSocket();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::testing
