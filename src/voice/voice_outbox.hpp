#pragma once
// What a room change must tell the world, collected while the change is
// computed and sent only after it was stored: session states first (so a
// client that reacts to an event already has the permission it needs), then
// client events, then service events on the bus.
#include <string>
#include <utility>
#include <vector>

#include "core/task.hpp"
#include "infra/message_bus.hpp"
#include "platform/client_events.hpp"
#include "platform/session_states.hpp"

namespace onair::voice {

struct VoiceOutbox {
  struct StateChange {
    std::string session_id;
    std::string state;  // "in_room", "ringing", "consent_pending"; empty with clear: every voice state
    bool set = true;
  };
  std::vector<StateChange> states;
  std::vector<std::pair<std::string, std::string>> client_events;  // session id, event JSON
  std::vector<std::pair<std::string, std::string>> bus_events;     // topic, event JSON

  void set_state(std::string session, std::string state) {
    states.push_back({std::move(session), std::move(state), true});
  }
  void clear_state(std::string session, std::string state) {
    states.push_back({std::move(session), std::move(state), false});
  }
  void clear_voice(std::string session) { states.push_back({std::move(session), {}, false}); }
  void push(std::string session, std::string json) { client_events.emplace_back(std::move(session), std::move(json)); }
  void push_all(const std::vector<std::string>& sessions, const std::string& json) {
    for (const auto& s : sessions) push(s, json);
  }
  void publish(std::string topic, std::string json) { bus_events.emplace_back(std::move(topic), std::move(json)); }
  void clear() { *this = VoiceOutbox{}; }
};

// Sends an outbox. Every bus event is also logged at info ("event published",
// topic, roomId) so operators and tests can follow the flow without a broker.
Task<void> send_outbox(VoiceOutbox outbox, platform::SessionStates& states, platform::ClientEventHub& hub,
                       infra::MessageBus& bus);

}  // namespace onair::voice
