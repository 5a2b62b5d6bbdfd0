#include "voice/voice_outbox.hpp"

#include <boost/json.hpp>

#include "core/logging.hpp"

namespace onair::voice {

Task<void> send_outbox(VoiceOutbox outbox, platform::SessionStates& states, platform::ClientEventHub& hub,
                       infra::MessageBus& bus) {
  for (auto& change : outbox.states) {
    if (change.set) {
      co_await states.set(change.session_id, "voice", change.state);
    } else if (change.state.empty()) {
      co_await states.clear_service(change.session_id, "voice");
    } else {
      co_await states.clear(change.session_id, "voice", change.state);
    }
  }
  for (auto& [session, json] : outbox.client_events) co_await hub.push(session, json);
  for (auto& [topic, json] : outbox.bus_events) {
    std::string room_id;
    const bool logged = spdlog::should_log(spdlog::level::info);  // the parse below is only for the log line
    if (logged) {
      boost::system::error_code ec;
      auto parsed = boost::json::parse(json, ec);
      if (!ec && parsed.is_object()) {
        if (const auto* r = parsed.as_object().if_contains("roomId"); r && r->is_string()) room_id = r->as_string();
      }
    }
    co_await bus.publish(topic, json);
    if (logged) log::info("event published", {{"topic", topic}, {"roomId", room_id}});
  }
}

}  // namespace onair::voice
