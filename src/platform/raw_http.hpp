#pragma once
// Raw HTTP endpoints of services: exact method + path -> a handler that sees the
// request as received (raw body bytes, lowercased headers, raw query string) and
// answers any status, content type and body. For callers that are not onair
// clients: the platforms' webhooks (signatures over the raw body, text/plain
// challenges, GET verifications). No bearer token is checked: the handler
// authenticates the request itself. HttpFront consults these before the JSON API
// and the static files; the server's body limit still applies (413 earlier).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/task.hpp"

namespace onair::platform {

struct RawHttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string path;                                          // percent-decoded, without the query
  std::string query;                                         // raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string request_id;

  // Value of the first header named `lowercase_name`, or empty.
  std::string_view header(std::string_view lowercase_name) const;
  // Percent-decoded value of the first query parameter `name` ('+' is a space), or nullopt.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct RawHttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using RawHttpHandler = std::function<Task<RawHttpResponse>(RawHttpRequest)>;

class RawHttpRoutes {
 public:
  // Throws std::logic_error when method + path is already registered.
  void add(std::string method, std::string path, RawHttpHandler handler);
  const RawHttpHandler* find(std::string_view method, std::string_view path) const;
  // Whether any method is registered for `path` (a wrong method then answers 405).
  bool has_path(std::string_view path) const;
  std::vector<std::string> methods_of(std::string_view path) const;
  bool empty() const noexcept { return handlers_.empty(); }

 private:
  std::map<std::pair<std::string, std::string>, RawHttpHandler, std::less<>> handlers_;
};

}  // namespace onair::platform
