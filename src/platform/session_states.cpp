#include "platform/session_states.hpp"

#include <boost/json.hpp>
#include <mutex>
#include <unordered_map>

#include "core/errors.hpp"

namespace onair::platform {
namespace json = boost::json;
namespace {

std::string key_of(const std::string& session_id) { return "session-states:" + session_id; }

SessionStateMap parse(const std::string& text) {
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

// Most sessions hold one of a handful of state sets, so the same few texts are decoded
// over and over (every join, leave and state-gated call): remember their decoding.
SessionStateMap decode(const std::string& text) {
  static std::mutex mutex;
  static std::unordered_map<std::string, SessionStateMap> known;
  constexpr std::size_t kKnownLimit = 256;  // cleared whole when reached
  {
    std::lock_guard lock(mutex);
    if (auto it = known.find(text); it != known.end()) return it->second;
  }
  auto states = parse(text);
  std::lock_guard lock(mutex);
  if (known.size() >= kKnownLimit) known.clear();
  known.emplace(text, states);
  return states;
}

void append_json_string(std::string& out, std::string_view text) {
  out += json::serialize(json::string_view(text.data(), text.size()));
}

std::string encode(const SessionStateMap& states) {
  std::string out = "{";
  for (const auto& [service, set] : states) {
    if (out.size() > 1) out += ',';
    append_json_string(out, service);
    out += ":[";
    bool first = true;
    for (const auto& state : set) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, state);
    }
    out += ']';
  }
  out += '}';
  return out;
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
