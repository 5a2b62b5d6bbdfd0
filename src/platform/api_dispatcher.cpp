#include "platform/api_dispatcher.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <exception>

#include "core/errors.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "platform/permissions.hpp"

namespace onair::platform {
namespace json = boost::json;

namespace {
std::string route_label(const Route* route) { return route == nullptr ? "unmatched" : route->spec.path; }
}  // namespace

ApiResult error_result(int status, std::string_view message, std::string_view request_id) {
  json::object body{{"status", status}, {"error", message}};
  if (!request_id.empty()) body["requestId"] = request_id;
  return ApiResult{status, std::move(body)};
}

ApiDispatcher::ApiDispatcher(const RouteTable& routes, const TokenSigner& signer, SessionStates& states, Clock clock)
    : routes_(routes), signer_(signer), states_(states), clock_(std::move(clock)) {}

AccessClaims ApiDispatcher::authenticate(std::string_view token) const {
  if (token.empty()) throw unauthorized("missing bearer token");
  return signer_.verify(token, clock_());
}

Task<ApiResult> ApiDispatcher::run(const ApiCall& call, const Route*& matched) {
  const Route* route = routes_.find(call.path);
  if (route == nullptr) throw not_found("no API route " + call.path);
  matched = route;

  // Authentication before the body is looked at: an anonymous caller learns nothing.
  AccessClaims claims = call.verified ? *call.verified : authenticate(call.bearer_token);
  if (call.verified && claims.expires_at <= clock_())
    throw unauthorized("access token expired; reconnect with a new one");
  SessionStateMap states;
  if (needs_session_states(route->spec)) states = co_await states_.get(claims.session_id);
  auto decision = check_permission(route->spec, claims.roles, states);
  if (!decision.allowed) throw forbidden(decision.reason);

  json::value body;
  if (call.parsed_body != nullptr) {
    body = std::move(*call.parsed_body);
  } else if (call.body.empty()) {
    body = json::object{};
  } else {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    body = json::parse(call.body, ec, {}, options);
    if (ec) throw bad_request("body is not valid JSON: " + ec.message());
  }
  CallContext caller{claims.account_id, claims.session_id, claims.roles, call.request_id};
  co_return co_await route->handler(body, caller);
}

Task<ApiResult> ApiDispatcher::dispatch(ApiCall call) {
  const auto started = std::chrono::steady_clock::now();
  const Route* route = nullptr;
  ApiResult result;
  try {
    result = co_await run(call, route);
  } catch (const ApiError& e) {
    result = error_result(e.status(), e.what(), call.request_id);
  } catch (const InfraError& e) {
    log::error("backend failure during request",
               {{"requestId", call.request_id}, {"route", route_label(route)}, {"error", e.what()}});
    metrics().increment("onair_backend_errors_total", {{"backend", e.backend()}});
    result = error_result(503, "a backend is unavailable; retry later", call.request_id);
  } catch (const std::exception& e) {
    log::error("request failed", {{"requestId", call.request_id}, {"route", route_label(route)}, {"error", e.what()}});
    result = error_result(500, "internal error", call.request_id);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  count(route, result.status, call.transport, seconds);
  co_return result;
}

void ApiDispatcher::count(const Route* route, int status, std::string_view transport, double seconds) {
  Metrics::Series* requests = nullptr;
  Metrics::Histogram* latency = nullptr;
  {
    std::lock_guard lock(series_mutex_);
    auto& counted = request_counts_[{route, status, transport}];
    if (counted == nullptr) {
      counted = &metrics().counter(
          "onair_api_requests_total",
          {{"route", route_label(route)}, {"status", std::to_string(status)}, {"transport", std::string(transport)}});
    }
    auto& timed = request_latency_[route];
    if (timed == nullptr) {
      timed = &metrics().histogram("onair_api_request_duration_seconds", {{"route", route_label(route)}});
    }
    requests = counted;
    latency = timed;
  }
  requests->add();
  latency->observe(seconds);
}

}  // namespace onair::platform
