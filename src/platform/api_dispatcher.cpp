#include "platform/api_dispatcher.hpp"

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <exception>
#include <optional>

#include "core/errors.hpp"
#include "core/json_writer.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "platform/permissions.hpp"

namespace onair::platform {
namespace json = boost::json;

namespace {
std::string route_label(const Route* route) { return route == nullptr ? "unmatched" : route->spec.path; }
}  // namespace

ApiResult error_result(int status, std::string_view message, std::string_view request_id) {
  JsonWriter w(96 + message.size());
  w.begin_object().plain_key("status").value(status).plain_key("error").value(message);
  if (!request_id.empty()) w.plain_key("requestId").value(request_id);
  w.end_object();
  return ApiResult::from_text(status, w.take());
}

ApiDispatcher::ApiDispatcher(const RouteTable& routes, const TokenSigner& signer, SessionStates& states, Clock clock)
    : routes_(routes), signer_(signer), states_(states), clock_(std::move(clock)) {
  static std::atomic<std::uint64_t> last_id{0};
  id_ = ++last_id;
}

AccessClaims ApiDispatcher::authenticate(std::string_view token) const {
  if (token.empty()) throw unauthorized("missing bearer token");
  return signer_.verify(token, clock_());
}

// One coroutine for the whole call: each nested one (a step per function) cost a frame and a
// resumption on every call.
Task<ApiResult> ApiDispatcher::dispatch(ApiCall call) {
  const auto started = std::chrono::steady_clock::now();
  const Route* route = nullptr;
  ApiResult result;
  try {
    route = routes_.find(call.path);
    if (route == nullptr) throw not_found("no API route " + call.path);

    // Authentication before the body is looked at: an anonymous caller learns nothing.
    // A socket's claims were verified at its handshake and are only read here; an HTTP call's are
    // this call's own and move into its CallContext.
    std::optional<AccessClaims> own;
    if (!call.verified) own = authenticate(call.bearer_token);
    const AccessClaims& claims = call.verified ? *call.verified : *own;
    if (call.verified && claims.expires_at <= clock_())
      throw unauthorized("access token expired; reconnect with a new one");
    SessionStateMap states;
    if (needs_session_states(route->spec)) {
      if (auto now = states_.try_get_now(claims.session_id)) {
        states = std::move(*now);
      } else {
        states = co_await states_.get(claims.session_id);
      }
    }
    auto decision = check_permission(route->spec, claims.roles, states);
    if (!decision.allowed) throw forbidden(decision.reason);

    // A body parsed here lives in an arena inside this call's frame: its strings and members
    // cost no allocations of their own, and it goes away with the call (the generated handlers
    // copy what they need into their request models first thing).
    unsigned char scratch[1024];
    json::monotonic_resource arena(scratch, sizeof scratch);
    auto body = [&] {
      if (call.parsed_body != nullptr) return json::value(std::move(*call.parsed_body));
      if (call.body.empty()) return json::value(json::object{});
      boost::system::error_code ec;
      json::parse_options options;
      options.max_depth = 64;
      auto parsed = json::parse(call.body, ec, &arena, options);
      if (ec) throw bad_request("body is not valid JSON: " + ec.message());
      return parsed;
    }();
    CallContext caller = own ? CallContext{std::move(own->account_id), std::move(own->session_id),
                                           std::move(own->roles), call.request_id}
                             : CallContext{claims.account_id, claims.session_id, claims.roles, call.request_id};
    result = co_await route->handler(body, caller);
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
  // Most calls repeat a few (route, status, transport) triples: each thread remembers the last
  // ones it resolved, so a call takes no lock and no map walk.
  struct Resolved {
    std::uint64_t dispatcher;  // id_: never reused, unlike an address
    const Route* route;
    int status;
    const char* transport;  // the label's literal: compared by address
    Metrics::Series* requests;
    Metrics::Histogram* latency;
  };
  constexpr std::size_t kRemembered = 16;
  thread_local std::array<Resolved, kRemembered> remembered{};
  thread_local std::size_t next_slot = 0;
  for (const auto& r : remembered) {
    if (r.dispatcher == id_ && r.route == route && r.status == status && r.transport == transport.data()) {
      r.requests->add();
      r.latency->observe(seconds);
      return;
    }
  }
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
  remembered[next_slot++ % kRemembered] = Resolved{id_, route, status, transport.data(), requests, latency};
  requests->add();
  latency->observe(seconds);
}

}  // namespace onair::platform
