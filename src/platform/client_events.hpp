#pragma once
// Pushes client events (server → WebSocket client) to a session, wherever the
// session's socket is connected. Sessions connected to this node receive them
// directly; for others the event goes out on the bus under
// `client.session.<sessionId>`, and every node delivers what it holds
// (with the in-process bus there are no other nodes, so nothing is sent).
// Events for an account (every socket of every session of it, on any node) are
// delivered here and go out under `client.account.<originNode>.<accountId>`
// (the origin skips its own): used where no session is at hand, such as a
// platform webhook changing a streamer's link.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/task.hpp"
#include "infra/message_bus.hpp"

namespace onair::platform {

class ClientEventHub {
 public:
  // Receives the event's JSON text; must not block (the socket queues it).
  using Sink = std::function<void(const std::string& event_json)>;
  // Sinks by session or account id, each with its attach() handle.
  using SinkMap = std::multimap<std::string, std::pair<std::uint64_t, Sink>>;

  // `bus` may be null (tests, single node without a bus). `node_id` names this node in account
  // events (empty: a fresh id).
  explicit ClientEventHub(infra::MessageBus* bus, std::string node_id = {});
  ClientEventHub(const ClientEventHub&) = delete;
  ClientEventHub& operator=(const ClientEventHub&) = delete;

  // Subscribes this node to the cross-node fan-out (only with a distributed bus).
  void start();

  // A connected socket of `session_id` (of `account_id`, when known); returns a handle for detach().
  std::uint64_t attach(const std::string& session_id, Sink sink, std::string account_id = {});
  void detach(const std::string& session_id, std::uint64_t handle);
  bool is_connected_here(const std::string& session_id) const;
  // False when a push to the session is certain to reach nobody (no socket here and no
  // other nodes), so the caller may skip building the event.
  bool may_reach(const std::string& session_id) const { return distributed() || is_connected_here(session_id); }
  std::size_t connected_sessions() const;

  // `event_json` is a serialised client event model (it has eventName).
  Task<void> push(std::string session_id, std::string event_json);
  // Same event to several sessions.
  Task<void> push_many(const std::vector<std::string>& session_ids, std::string event_json);
  // Each (session id, event JSON) in order, as one call.
  using Events = std::vector<std::pair<std::string, std::string>>;
  Task<void> push_all(Events events);
  // The first half of push_all, without a coroutine: delivers to this node's sockets and returns
  // what must still go to other nodes (empty when there are none); hand that to push_elsewhere.
  Events deliver_here(Events events);
  Task<void> push_elsewhere(Events events);
  // To every socket of the account's sessions, on every node.
  Task<void> push_to_account(std::string account_id, std::string event_json);

 private:
  // True when delivered to at least one local socket.
  bool deliver_locally(const std::string& session_id, const std::string& event_json) const;
  // Calls every sink under `key` (outside the lock); true when there was one.
  bool deliver_from(const SinkMap& sinks, const std::string& key, const std::string& event_json) const;
  bool distributed() const;

  infra::MessageBus* bus_;
  const std::string node_id_;
  mutable std::mutex mutex_;
  std::uint64_t next_handle_ = 1;
  SinkMap sinks_;          // by session id
  SinkMap account_sinks_;  // the same sockets by account id
  std::map<std::uint64_t, std::string> account_of_handle_;
};

}  // namespace onair::platform
