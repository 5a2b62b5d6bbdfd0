#include "voice/voice_outbox.hpp"

#include <boost/json.hpp>

#include "core/logging.hpp"

namespace onair::voice {

Task<void> send_outbox(VoiceOutbox outbox, platform::SessionStates& states, platform::ClientEventHub& hub,
                       infra::MessageBus& bus) {
  if (!outbox.states.empty()) {
    using Kind = platform::SessionStates::Change::Kind;
    std::vector<platform::SessionStates::Change> changes;
    changes.reserve(outbox.states.size());
    for (auto& change : outbox.states) {
      const auto kind = change.set ? Kind::set : change.state.empty() ? Kind::clear_service : Kind::clear;
      changes.push_back({kind, std::move(change.session_id), "voice", std::move(change.state)});
    }
    // In process: no coroutine (most joins and leaves on one node).
    if (!states.try_apply_now(changes)) co_await states.apply(std::move(changes));
  }
  if (!outbox.client_events.empty()) {
    auto elsewhere = hub.deliver_here(std::move(outbox.client_events));
    if (!elsewhere.empty()) co_await hub.push_elsewhere(std::move(elsewhere));
  }
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
