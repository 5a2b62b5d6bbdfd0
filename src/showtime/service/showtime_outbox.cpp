#include "showtime/service/showtime_outbox.hpp"

#include "core/logging.hpp"

namespace onair::showtime {

Task<void> send_outbox(ShowtimeOutbox outbox, platform::ClientEventHub& hub, infra::MessageBus& bus) {
  for (auto& [session, json] : outbox.client_events) co_await hub.push(session, json);
  for (auto& [topic, json] : outbox.bus_events) {
    co_await bus.publish(topic, json);
    log::info("event published", {{"topic", topic}});
  }
}

}  // namespace onair::showtime
