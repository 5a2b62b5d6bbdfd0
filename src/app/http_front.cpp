#include "app/http_front.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>

#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"

namespace onair::app {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kReadinessTimeout = std::chrono::seconds(2);

net::HttpResponse json_response(int status, const json::value& body) {
  return {status, "application/json", json::serialize(body), {}};
}

// A caller's X-Request-Id is kept when it is short and plain; otherwise a new one.
std::string request_id_for(const net::HttpRequest& request) {
  auto given = request.header("x-request-id");
  const bool usable = !given.empty() && given.size() <= 64 && std::all_of(given.begin(), given.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  return usable ? std::string(given) : new_request_id();
}

}  // namespace

HttpFront::HttpFront(platform::ApiDispatcher& dispatcher, StaticFiles static_files, std::string openapi_json,
                     std::vector<ReadinessCheck> readiness, const platform::RawHttpRoutes* raw_routes)
    : dispatcher_(dispatcher),
      static_files_(std::move(static_files)),
      openapi_json_(std::move(openapi_json)),
      readiness_(std::move(readiness)),
      raw_routes_(raw_routes && !raw_routes->empty() ? raw_routes : nullptr) {}

Task<net::HttpResponse> HttpFront::handle(net::HttpRequest request) {
  const bool debug = spdlog::should_log(spdlog::level::debug);
  const auto started = debug ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  const auto request_id = request_id_for(request);
  net::HttpResponse response;
  const platform::RawHttpHandler* raw_handler = raw_routes_ ? raw_routes_->find(request.method, request.path) : nullptr;
  if (raw_handler) {
    response = co_await raw(request, *raw_handler, request_id);
  } else if (raw_routes_ && raw_routes_->has_path(request.path)) {
    response = json_response(405, json::object{{"status", 405}, {"error", "method not allowed"}});
    std::string allow;
    for (const auto& m : raw_routes_->methods_of(request.path)) allow += (allow.empty() ? "" : ", ") + m;
    response.headers.emplace_back("allow", std::move(allow));
  } else if (request.method == "POST") {
    // The call's steps are plain functions around the dispatcher: no coroutine of their own.
    // (Named locals around co_await: the g++ 12 pitfall of docs/decisions.md.)
    auto call = api_call(request, request_id);
    auto result = co_await dispatcher_.dispatch(std::move(call));
    response = api_response(std::move(result));
  } else if (request.method == "GET") {
    if (request.path == "/healthz") {
      response = json_response(200, json::object{{"status", "ok"}});
    } else if (request.path == "/readyz") {
      response = co_await readiness();
    } else if (request.path == "/metrics") {
      response = {200, "text/plain; version=0.0.4; charset=utf-8", metrics().render(), {}};
    } else if (request.path == "/openapi.json") {
      response = {200, "application/json", openapi_json_, {}};
    } else {
      response = static_files_.serve(request.path);
    }
  } else {
    response = json_response(405, json::object{{"status", 405}, {"error", "method not allowed; the API is POST-only"}});
    response.headers.emplace_back("allow", "GET, POST");
  }
  response.headers.emplace_back("x-request-id", request_id);
  if (debug) {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log::debug("http", {{"requestId", request_id},
                        {"method", request.method},
                        {"path", request.path},
                        {"status", std::to_string(response.status)},
                        {"ms", std::to_string(ms)}});
  }
  co_return response;
}

platform::ApiCall HttpFront::api_call(const net::HttpRequest& request, const std::string& request_id) {
  // The Content-Type is not checked: the body must parse as JSON whatever it
  // says (curl -d sends form-urlencoded). Bearer auth already forces a CORS
  // preflight, so lenience here opens no cross-site request path.
  auto authorization = request.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view token;
  if (authorization.substr(0, kBearer.size()) == kBearer) token = authorization.substr(kBearer.size());
  platform::ApiCall call;
  call.path = request.path;
  call.body = request.body;
  call.bearer_token = token;
  call.request_id = request_id;
  return call;
}

net::HttpResponse HttpFront::api_response(platform::ApiResult result) {
  net::HttpResponse response{result.status, "application/json", std::move(result.json), {}};
  if (result.status == 401) response.headers.emplace_back("www-authenticate", "Bearer");
  return response;
}

Task<net::HttpResponse> HttpFront::raw(net::HttpRequest& request, const platform::RawHttpHandler& handler,
                                       const std::string& request_id) {
  platform::RawHttpRequest raw_request;
  raw_request.method = std::move(request.method);
  raw_request.path = request.path;
  raw_request.query = std::move(request.query);
  raw_request.headers = std::move(request.headers);
  raw_request.body = std::move(request.body);
  raw_request.request_id = request_id;
  request.method = raw_request.method;
  net::HttpResponse response;
  try {
    auto answer = co_await handler(std::move(raw_request));
    response = {answer.status, std::move(answer.content_type), std::move(answer.body), std::move(answer.headers)};
  } catch (const std::exception&) {
    // Never the exception text: it could carry request content.
    log::error("raw HTTP handler failed", {{"path", request.path}, {"requestId", request_id}});
    response =
        json_response(500, json::object{{"status", 500}, {"error", "internal error"}, {"requestId", request_id}});
  }
  co_return response;
}

Task<net::HttpResponse> HttpFront::readiness() {
  json::object checks;
  bool ready = !draining_;
  auto executor = co_await asio::this_coro::executor;
  for (const auto& check : readiness_) {
    asio::steady_timer timeout(executor, kReadinessTimeout);
    bool ok = false;
    try {
      auto outcome = co_await (check.ping() || timeout.async_wait(asio::use_awaitable));
      ok = outcome.index() == 0 && std::get<0>(outcome);
    } catch (const std::exception&) {
      ok = false;
    }
    checks[check.name] = ok ? "ok" : "unavailable";
    ready = ready && ok;
  }
  if (draining_) checks["server"] = "shutting down";
  co_return json_response(ready ? 200 : 503,
                          json::object{{"status", ready ? "ready" : "not ready"}, {"checks", checks}});
}

}  // namespace onair::app
