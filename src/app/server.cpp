#include "app/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "app/connect_endpoint.hpp"
#include "app/http_front.hpp"
#include "app/service_registry.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "gen/openapi.hpp"
#include "platform/api_dispatcher.hpp"

namespace onair::app {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

struct OnairServer::Impl {
  Impl(ServerSettings s, core::EnvLookup e) : settings(std::move(s)), env(std::move(e)), work(io.get_executor()) {}

  // Runs `task` on the io threads and waits for it from this (non-io) thread.
  template <class T>
  T run_sync(Task<T> task) {
    return asio::co_spawn(io, std::move(task), asio::use_future).get();
  }

  ServerSettings settings;
  core::EnvLookup env;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::thread> threads;
  std::string node_id = new_uuid();

  std::unique_ptr<Backends> backends;
  std::unique_ptr<platform::TokenSigner> signer;
  std::unique_ptr<platform::SessionStates> session_states;
  std::unique_ptr<platform::ClientEventHub> hub;
  std::vector<platform::SessionClosedListener> session_closed;
  std::unique_ptr<platform::ServiceContext> context;
  platform::RouteTable routes;
  platform::RawHttpRoutes raw_routes;
  std::vector<std::unique_ptr<platform::Service>> services;
  std::unique_ptr<platform::ApiDispatcher> dispatcher;
  std::unique_ptr<HttpFront> front;
  std::unique_ptr<ConnectEndpoint> connect;
  std::unique_ptr<net::HttpServer> http;
  bool started = false;
  bool stopped = false;
};

OnairServer::OnairServer(ServerSettings settings, core::EnvLookup env)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(env))) {}

OnairServer::~OnairServer() { stop(); }

void OnairServer::start() {
  auto& s = *impl_;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, s.settings.io_threads); ++i) {
    s.threads.emplace_back([&io = s.io] { io.run(); });
  }
  try {
    s.backends = std::make_unique<Backends>(s.settings.backends, s.io.get_executor());
    s.signer = std::make_unique<platform::TokenSigner>(s.settings.jwt_secret);
    s.session_states = std::make_unique<platform::SessionStates>(s.backends->state());
    s.hub = std::make_unique<platform::ClientEventHub>(&s.backends->bus(), s.node_id);
    s.context.reset(new platform::ServiceContext{s.io.get_executor(), s.backends->state(), s.backends->sql(),
                                                 s.backends->bus(), s.backends->lock(), *s.session_states, *s.hub,
                                                 s.env, s.node_id, &s.session_closed});
    for (const auto& name : known_services()) {
      auto it = s.settings.services_enabled.find(name);
      if (it == s.settings.services_enabled.end() || !it->second) continue;
      auto service = make_service(name, *s.context);
      service->register_routes(s.routes);
      service->register_raw_http(s.raw_routes);
      s.services.push_back(std::move(service));
    }
    for (auto& service : s.services) s.run_sync(service->start());
    s.hub->start();

    s.dispatcher = std::make_unique<platform::ApiDispatcher>(s.routes, *s.signer, *s.session_states, [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    });
    auto* backends = s.backends.get();
    std::vector<ReadinessCheck> readiness{
        {"state", [backends] { return backends->state().ping(); }},
        {"sql", [backends] { return backends->sql().ping(); }},
        {"bus", [backends] { return backends->bus().ping(); }},
    };
    s.front = std::make_unique<HttpFront>(*s.dispatcher, StaticFiles(s.settings.web_root),
                                          std::string(gen::merged_openapi_json()), std::move(readiness), &s.raw_routes);
    ConnectOptions connect_options;
    connect_options.handshake_timeout = s.settings.http.request_timeout;
    s.connect = std::make_unique<ConnectEndpoint>(*s.dispatcher, *s.hub, s.session_closed, connect_options);
    net::HttpHandlers handlers;
    handlers.on_request = [front = s.front.get()](net::HttpRequest r) { return front->handle(std::move(r)); };
    handlers.is_websocket_path = [](std::string_view path) { return path == "/connect"; };
    handlers.on_websocket = [connect = s.connect.get()](std::shared_ptr<net::WebSocketChannel> c, net::HttpRequest r) {
      return connect->run(c, std::move(r));
    };
    auto http_options = s.settings.http;
    // Derived here, not in the settings: the thread count may be changed after they are read.
    http_options.single_threaded_io = s.settings.io_threads <= 1;
    s.http = std::make_unique<net::HttpServer>(s.io, std::move(http_options), std::move(handlers));
    s.http->start();
    s.started = true;
  } catch (...) {
    stop();
    throw;
  }
  metrics().describe("onair_api_requests_total", "counter", "API calls by route, status and transport");
  metrics().describe("onair_api_request_duration_seconds", "histogram", "API call latency by route");
  metrics().describe("onair_websocket_sessions_total", "counter", "WebSocket sessions accepted");
  metrics().describe("onair_backend_errors_total", "counter", "Backend failures seen by requests, by backend");
  log::info("onair listening", {{"address", s.settings.http.address},
                                {"port", std::to_string(port())},
                                {"node", s.node_id},
                                {"state", s.backends->state().backend_name()},
                                {"sql", s.backends->sql().backend_name()},
                                {"bus", s.backends->bus().backend_name()}});
}

std::uint16_t OnairServer::port() const { return impl_->http ? impl_->http->port() : 0; }

std::vector<std::string> OnairServer::running_services() const {
  std::vector<std::string> out;
  for (const auto& service : impl_->services) out.emplace_back(service->name());
  return out;
}

infra::MessageBus& OnairServer::bus() {
  if (!impl_->backends) throw std::logic_error("OnairServer::bus() before start()");
  return impl_->backends->bus();
}

platform::Service* OnairServer::service(std::string_view name) {
  for (auto& s : impl_->services) {
    if (s->name() == name) return s.get();
  }
  return nullptr;
}

boost::asio::any_io_executor OnairServer::executor() { return impl_->io.get_executor(); }

void OnairServer::stop() {
  auto& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  if (s.front) s.front->set_draining();
  if (s.http) {
    log::info("shutting down: draining connections", {{"drainMs", std::to_string(s.settings.drain.count())}});
    s.run_sync(s.http->shutdown(s.settings.drain));
  }
  for (auto it = s.services.rbegin(); it != s.services.rend(); ++it) {
    try {
      s.run_sync((*it)->stop());
    } catch (const std::exception& e) {
      log::error("service stop failed", {{"service", (*it)->name()}, {"error", e.what()}});
    }
  }
  if (s.backends) {
    try {
      // Bounded: a broker that stays down must not hold the process forever.
      auto flushed = s.run_sync([](infra::MessageBus& bus, std::chrono::milliseconds limit) -> Task<bool> {
        asio::steady_timer timer(co_await asio::this_coro::executor, limit);
        auto r = co_await (bus.flush() || timer.async_wait(asio::use_awaitable));
        co_return r.index() == 0;
      }(s.backends->bus(), std::max(s.settings.drain, std::chrono::milliseconds(1000))));
      if (!flushed) log::warn("bus flush timed out; unconfirmed events may be lost");
    } catch (const std::exception& e) {
      log::error("bus flush failed", {{"error", e.what()}});
    }
    s.backends->close();
  }
  s.work.reset();
  s.io.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  log::info("onair stopped");
}

}  // namespace onair::app
