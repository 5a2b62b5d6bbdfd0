#pragma once
// What the one port answers over plain HTTP: the services' raw HTTP endpoints
// (exact method + path, e.g. webhooks), the JSON API (POST /<svc>/...), health,
// readiness, metrics, the OpenAPI document and the static web files.
#include <functional>
#include <string>

#include "app/static_files.hpp"
#include "core/task.hpp"
#include "net/http_types.hpp"
#include "platform/api_dispatcher.hpp"
#include "platform/raw_http.hpp"

namespace onair::app {

struct ReadinessCheck {
  std::string name;  // "state", "sql", "bus"
  std::function<Task<bool>()> ping;
};

class HttpFront {
 public:
  HttpFront(platform::ApiDispatcher& dispatcher, StaticFiles static_files, std::string openapi_json,
            std::vector<ReadinessCheck> readiness, const platform::RawHttpRoutes* raw_routes = nullptr);

  Task<net::HttpResponse> handle(net::HttpRequest request);
  // Set when the server is shutting down: /readyz answers 503.
  void set_draining() { draining_ = true; }

 private:
  // A POST to the API: the call for the dispatcher (it reads `request`, which must outlive it),
  // and the response to its result.
  static platform::ApiCall api_call(const net::HttpRequest& request, const std::string& request_id);
  static net::HttpResponse api_response(platform::ApiResult result);
  Task<net::HttpResponse> readiness();
  Task<net::HttpResponse> raw(net::HttpRequest& request, const platform::RawHttpHandler& handler,
                              const std::string& request_id);

  platform::ApiDispatcher& dispatcher_;
  StaticFiles static_files_;
  std::string openapi_json_;
  std::vector<ReadinessCheck> readiness_;
  const platform::RawHttpRoutes* raw_routes_;
  bool draining_ = false;
};

}  // namespace onair::app
