#pragma once
// What a showtime change must tell the world, collected while the change is
// computed and sent after it was stored: client events to the streamer's
// WebSocket session, then service events on the bus.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/task.hpp"
#include "infra/message_bus.hpp"
#include "platform/client_events.hpp"

namespace onair::showtime {

struct ShowtimeOutbox {
  std::vector<std::pair<std::string, std::string>> client_events;  // session id, event JSON
  std::vector<std::pair<std::string, std::string>> bus_events;     // topic, event JSON

  void push(const std::optional<std::string>& session, std::string json) {
    if (session && !session->empty()) client_events.emplace_back(*session, std::move(json));
  }
  void publish(std::string topic, std::string json) { bus_events.emplace_back(std::move(topic), std::move(json)); }
  void append(ShowtimeOutbox other) {
    for (auto& e : other.client_events) client_events.push_back(std::move(e));
    for (auto& e : other.bus_events) bus_events.push_back(std::move(e));
  }
  bool empty() const noexcept { return client_events.empty() && bus_events.empty(); }
};

// Sends an outbox; every bus event is logged at info ("event published", topic).
Task<void> send_outbox(ShowtimeOutbox outbox, platform::ClientEventHub& hub, infra::MessageBus& bus);

}  // namespace onair::showtime
