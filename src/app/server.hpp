#pragma once
// One running onair: io threads, backends, the enabled services, and the
// HTTP/WebSocket port. Used by `onair serve` and by the integration tests,
// which start it on port 0 with the backends they want.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "app/backends.hpp"
#include "core/config_support.hpp"
#include "net/http_server.hpp"
#include "platform/service.hpp"

namespace onair::app {

struct ServerSettings {
  net::HttpServerOptions http;
  BackendChoice backends;
  std::size_t io_threads = 1;
  std::string jwt_secret;  // never empty here: the dev default is chosen before
  std::string web_root = "web";
  std::chrono::milliseconds drain{10000};
  std::map<std::string, bool> services_enabled;  // "voice" -> true, ...
};

class OnairServer {
 public:
  // `env` feeds the services' own configuration schemas.
  OnairServer(ServerSettings settings, core::EnvLookup env);
  ~OnairServer();  // stop()
  OnairServer(const OnairServer&) = delete;
  OnairServer& operator=(const OnairServer&) = delete;

  // Opens backends, starts services and io threads, listens. Throws on failure
  // (bad backend URL, port in use) after cleaning up.
  void start();
  std::uint16_t port() const;
  // Graceful shutdown: stop accepting, drain requests, stop services, flush the bus, close stores.
  void stop();
  std::vector<std::string> running_services() const;
  // The node's message bus (after start()), e.g. for tests that watch service events.
  infra::MessageBus& bus();
  // A running service by name (nullptr when not enabled), and the io executor
  // its coroutines run on: tests drive workers (e.g. run_once()) through them.
  platform::Service* service(std::string_view name);
  boost::asio::any_io_executor executor();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::app
