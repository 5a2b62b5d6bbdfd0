#pragma once
// Per-session permission states (e.g. voice: in_room), kept in the state
// store so that every node sees them. Services set and clear them; the API
// dispatcher reads them for endpoints whose x-permissions name a state. A
// session may hold several states of one service at once.
#include <string>

#include "core/task.hpp"
#include "infra/state_store.hpp"
#include "platform/permissions.hpp"

namespace onair::platform {

class SessionStates {
 public:
  explicit SessionStates(infra::StateStore& store, infra::Ttl ttl = std::chrono::hours(24));

  Task<SessionStateMap> get(std::string session_id);
  // Adds `state` to the session's states of `service`.
  Task<void> set(std::string session_id, std::string service, std::string state);
  // Removes one state; the service's other states stay.
  Task<void> clear(std::string session_id, std::string service, std::string state);
  // Removes every state of `service`.
  Task<void> clear_service(std::string session_id, std::string service);
  Task<void> clear_all(std::string session_id);

 private:
  template <class Change>
  Task<void> update(const std::string& session_id, Change change);

  infra::StateStore& store_;
  infra::Ttl ttl_;
};

}  // namespace onair::platform
