#pragma once
// The API routes of all enabled services, keyed by path. Generated code
// (gen/<svc>/routes.*) fills it from each <svc>-api.yaml; the HTTP and
// WebSocket front ends dispatch through it after checking permissions.
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/task.hpp"

namespace onair::platform {

// One entry of an endpoint's x-permissions: the role may call it while the
// caller's session holds every listed state (service -> state).
struct PermissionRule {
  std::string role;
  std::vector<std::pair<std::string, std::string>> states;
};

struct RouteSpec {
  std::string service;       // "sample"
  std::string path;          // "/sample/echo"
  std::string operation_id;  // "echo"
  // Empty: service-internal (only the `service` role may call it).
  std::vector<PermissionRule> permissions;
};

// Who is calling: from the verified bearer token.
struct CallContext {
  std::string account_id;  // token `sub`
  std::string session_id;  // token `sid`
  std::vector<std::string> roles;
  std::string request_id;
};

// A handler's answer: HTTP status and JSON body. Errors are thrown as ApiError.
// The body travels as text: generated handlers write it straight from the response
// model (write_json), and both transports send it as it is.
struct ApiResult {
  int status = 200;
  std::string json = "{}";

  ApiResult() = default;
  ApiResult(int status_code, const boost::json::value& body);  // serialises `body`
  static ApiResult from_text(int status_code, std::string json_text);
  // The body parsed (tests, in-process callers that read it).
  boost::json::value body() const;
};

using RouteHandler = std::function<Task<ApiResult>(const boost::json::value& body, const CallContext& caller)>;

struct Route {
  RouteSpec spec;
  RouteHandler handler;
};

class RouteTable {
 public:
  // Throws std::logic_error when the path is already registered.
  void add(RouteSpec spec, RouteHandler handler);
  const Route* find(std::string_view path) const;
  std::vector<const Route*> all() const;

 private:
  std::map<std::string, Route, std::less<>> routes_;
};

}  // namespace onair::platform
