#include "platform/session_states.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"

namespace onair::platform {
namespace json = boost::json;
namespace {

std::string key_of(const std::string& session_id) { return "session-states:" + session_id; }

SessionStateMap decode(const std::string& text) {
  SessionStateMap out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [service, list] : v.as_object()) {
    if (!list.is_array()) continue;
    for (const auto& state : list.as_array()) {
      if (state.is_string()) out[std::string(service)].emplace(state.as_string());
    }
  }
  return out;
}

std::string encode(const SessionStateMap& states) {
  json::object o;
  for (const auto& [service, set] : states) {
    json::array list;
    for (const auto& state : set) list.emplace_back(state);
    o[service] = std::move(list);
  }
  return json::serialize(o);
}

}  // namespace

SessionStates::SessionStates(infra::StateStore& store, infra::Ttl ttl) : store_(store), ttl_(ttl) {}

Task<SessionStateMap> SessionStates::get(std::string session_id) {
  if (session_id.empty()) co_return SessionStateMap{};
  auto stored = co_await store_.get(key_of(session_id));
  co_return stored ? decode(stored->data) : SessionStateMap{};
}

// Read-modify-write with optimistic concurrency: retried when another writer
// changed the same session in between.
template <class Change>
Task<void> SessionStates::update(const std::string& session_id, Change change) {
  const auto key = key_of(session_id);
  for (int attempt = 0; attempt < 32; ++attempt) {
    auto stored = co_await store_.get(key);
    auto states = stored ? decode(stored->data) : SessionStateMap{};
    if (!change(states)) co_return;
    const std::uint64_t expected = stored ? stored->version : 0;
    if (states.empty()) {
      if (!stored) co_return;
      // Write the empty map with a short life rather than delete: a delete
      // would not be conditional on the version.
      if (co_await store_.set_if_version(key, "{}", expected, std::chrono::seconds(1))) co_return;
      continue;
    }
    if (co_await store_.set_if_version(key, encode(states), expected, ttl_)) co_return;
  }
  throw InfraError(std::string(store_.backend_name()), "session state update kept conflicting");
}

Task<void> SessionStates::set(std::string session_id, std::string service, std::string state) {
  if (session_id.empty()) co_return;
  co_await update(session_id, [&](SessionStateMap& states) { return states[service].insert(state).second; });
}

Task<void> SessionStates::clear(std::string session_id, std::string service, std::string state) {
  if (session_id.empty()) co_return;
  co_await update(session_id, [&](SessionStateMap& states) {
    auto it = states.find(service);
    if (it == states.end() || it->second.erase(state) == 0) return false;
    if (it->second.empty()) states.erase(it);
    return true;
  });
}

Task<void> SessionStates::clear_service(std::string session_id, std::string service) {
  if (session_id.empty()) co_return;
  co_await update(session_id, [&](SessionStateMap& states) { return states.erase(service) > 0; });
}

Task<void> SessionStates::clear_all(std::string session_id) {
  if (session_id.empty()) co_return;
  co_await store_.remove(key_of(session_id));
}

}  // namespace onair::platform
