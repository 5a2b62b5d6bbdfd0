#pragma once
// The one path every API call takes, over HTTP or WebSocket: parse the JSON
// body, find the route, authenticate the bearer token, check x-permissions
// against roles and session states, run the handler, and turn every failure
// into a status and a message. Never throws.
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "core/metrics.hpp"
#include "core/task.hpp"
#include "platform/access_token.hpp"
#include "platform/route_table.hpp"
#include "platform/session_states.hpp"

namespace onair::platform {

struct ApiCall {
  std::string path;
  std::string_view body;  // JSON text; empty means {}
  // The body already parsed (a socket frame carries it inside its own JSON); when set, `body`
  // is ignored and the value is handed to the route as is (moved from).
  boost::json::value* parsed_body = nullptr;
  // Exactly one of: a raw bearer token (HTTP), or claims verified earlier (a socket).
  std::string_view bearer_token;
  const AccessClaims* verified = nullptr;
  std::string request_id;
  std::string_view transport = "http";  // metrics label; a string literal (remembered by address)
};

class ApiDispatcher {
 public:
  using Clock = std::function<std::int64_t()>;  // seconds since the epoch
  ApiDispatcher(const RouteTable& routes, const TokenSigner& signer, SessionStates& states, Clock clock);

  Task<ApiResult> dispatch(ApiCall call);
  // Verifies a bearer token (throws ApiError 401); used by the socket handshake.
  AccessClaims authenticate(std::string_view token) const;

 private:
  // The metric series of one call, resolved once per route, status and transport.
  void count(const Route* route, int status, std::string_view transport, double seconds);

  const RouteTable& routes_;
  const TokenSigner& signer_;
  SessionStates& states_;
  Clock clock_;
  std::uint64_t id_ = 0;  // unique per dispatcher, for the per-thread series cache
  std::mutex series_mutex_;
  std::map<std::tuple<const Route*, int, std::string_view>, Metrics::Series*> request_counts_;
  std::map<const Route*, Metrics::Histogram*> request_latency_;
};

// {"status": 404, "error": "...", "requestId": "..."}
ApiResult error_result(int status, std::string_view message, std::string_view request_id);

}  // namespace onair::platform
