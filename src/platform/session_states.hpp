#pragma once
// Per-session permission states (e.g. voice: in_room). Services set and clear
// them; the API dispatcher reads them for endpoints whose x-permissions name a
// state. A session may hold several states of one service at once.
//
// Kept in the state store (`session-states:<sid>`, JSON) when that store is
// shared by several nodes; with the embedded memory store, which no other node
// sees, they are kept as typed maps in this object instead: no JSON on every
// join, leave and state-gated call (bench/voice). Both expire `ttl` after the
// last write.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/task.hpp"
#include "infra/state_store.hpp"
#include "platform/permissions.hpp"

namespace onair::platform {

class SessionStates {
 public:
  enum class Keeping { automatic, in_store, in_process };
  // automatic: in_process for the memory backend, in_store for every other.
  explicit SessionStates(infra::StateStore& store, infra::Ttl ttl = std::chrono::hours(24),
                         Keeping keeping = Keeping::automatic);
  bool in_process() const { return in_process_; }

  Task<SessionStateMap> get(std::string session_id);
  // The states at once when they are kept in process; nullopt when they must be read from the
  // store (then use get). Lets a hot caller skip a coroutine when no I/O is involved.
  std::optional<SessionStateMap> try_get_now(const std::string& session_id);
  // Adds `state` to the session's states of `service`.
  Task<void> set(std::string session_id, std::string service, std::string state);
  // Removes one state; the service's other states stay.
  Task<void> clear(std::string session_id, std::string service, std::string state);
  // Removes every state of `service`.
  Task<void> clear_service(std::string session_id, std::string service);
  Task<void> clear_all(std::string session_id);

  // Several changes in order, as one call (one lock when kept in process).
  struct Change {
    enum class Kind { set, clear, clear_service };
    Kind kind = Kind::set;
    std::string session_id;
    std::string service;
    std::string state;  // empty for clear_service
  };
  Task<void> apply(std::vector<Change> changes);
  // Applies `changes` at once and returns true when the states are kept in process; false (and
  // nothing done) when they live in the store (then use apply).
  bool try_apply_now(std::vector<Change>& changes);

 private:
  // `change` edits the map and says whether it changed anything.
  template <class Edit>
  Task<void> update(const std::string& session_id, Edit change);
  template <class Edit>
  void update_in_process(const std::string& session_id, Edit& change);

  infra::StateStore& store_;  // passed by argument
  infra::Ttl ttl_;
  bool in_process_ = false;

  // Kept in process (in_process_ only); guarded by local_mutex_.
  using Clock = std::chrono::steady_clock;
  struct Local {
    SessionStateMap states;  // never empty
    Clock::time_point expires_at;
  };
  void drop_expired(Clock::time_point now);
  std::mutex local_mutex_;
  std::unordered_map<std::string, Local> local_;
  std::size_t writes_since_sweep_ = 0;
};

}  // namespace onair::platform
