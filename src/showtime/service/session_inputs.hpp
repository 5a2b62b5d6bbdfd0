#pragma once
// Changes to a session held by another node (set-tags, injected sentiments,
// game events, hype input, pulses), queued in the state store under
// `showtime:inputs:<sessionId>` for the owner, which drains the queue before
// each tick. The body is the request as received (generated model JSON).
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "infra/state_store.hpp"

namespace onair::showtime {

struct SessionInput {
  std::string kind;  // "audience", "tags", "hype", "pulse"
  boost::json::value body;
};

class SessionInputs {
 public:
  explicit SessionInputs(infra::StateStore& state);
  Task<void> push(const std::string& session_id, const SessionInput& input);
  // Takes every queued input, oldest first.
  Task<std::vector<SessionInput>> drain(const std::string& session_id);
  Task<void> clear(const std::string& session_id);

 private:
  infra::StateStore& state_;
};

}  // namespace onair::showtime
