#pragma once
// What a service (voice, stream, showtime, sample) gets from the server and
// what it gives back. The app builds one ServiceContext, creates the enabled
// services, registers their routes, starts them, and stops them in reverse.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/blocking.hpp"
#include "core/task.hpp"
#include "infra/distributed_lock.hpp"
#include "infra/message_bus.hpp"
#include "infra/sql_database.hpp"
#include "infra/state_store.hpp"
#include "platform/client_events.hpp"
#include "platform/raw_http.hpp"
#include "platform/route_table.hpp"
#include "platform/session_states.hpp"

namespace onair::platform {

// Called when the last socket of a session on this node disconnects.
using SessionClosedListener = std::function<Task<void>(std::string session_id)>;

struct ServiceContext {
  boost::asio::any_io_executor executor;
  infra::StateStore& state;
  infra::SqlDatabase& sql;
  infra::MessageBus& bus;
  infra::DistributedLock& lock;
  SessionStates& session_states;
  ClientEventHub& client_events;
  std::function<std::optional<std::string>(std::string_view)> env;  // configuration source
  std::string node_id;                                              // unique per running onair process
  std::vector<SessionClosedListener>* session_closed_listeners = nullptr;
};

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  virtual void register_routes(RouteTable& routes) = 0;
  // Raw HTTP endpoints (webhooks; platform/raw_http.hpp). Called right after register_routes.
  virtual void register_raw_http(RawHttpRoutes&) {}
  // Migrations, subscriptions, workers. Called once, after register_routes.
  virtual Task<void> start() { co_return; }
  // Stop workers; in-flight requests have drained by then.
  virtual Task<void> stop() { co_return; }
};

}  // namespace onair::platform
