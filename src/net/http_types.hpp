#pragma once
// Plain request/response values exchanged between the HTTP server and the
// application; no Beast types leak out of src/net.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/task.hpp"

namespace onair::net {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path without the query
  std::string query;   // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string remote_address;

  // Value of the first header named `lowercase_name`, or empty.
  std::string_view header(std::string_view lowercase_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One accepted WebSocket connection.
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  // The next text message, or nullopt once the socket closed (either side).
  virtual Task<std::optional<std::string>> read() = 0;
  // Queues a text message; callable from any thread. Dropped after close. A
  // client that lets too much pile up is disconnected (slow consumer).
  virtual void send(std::string text) = 0;
  // Sends a close frame (code 1000 normal, 1008 policy, 1001 going away) and ends the socket.
  virtual void close(int code, std::string reason) = 0;
};

}  // namespace onair::net
