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

SessionStates::SessionStates(infra::StateStore& store, infra::Ttl ttl, Keeping keeping)
    : store_(store),
      ttl_(ttl),
      in_process_(keeping == Keeping::in_process ||
                  (keeping == Keeping::automatic && store.backend_name() == "memory")) {}

std::optional<SessionStateMap> SessionStates::try_get_now(const std::string& session_id) {
  if (!in_process_) return std::nullopt;
  if (session_id.empty()) return SessionStateMap{};
  std::lock_guard lock(local_mutex_);
  auto it = local_.find(session_id);
  if (it == local_.end() || it->second.expires_at <= Clock::now()) return SessionStateMap{};
  return it->second.states;
}

Task<SessionStateMap> SessionStates::get(std::string session_id) {
  if (session_id.empty()) co_return SessionStateMap{};
  if (auto now = try_get_now(session_id)) co_return std::move(*now);
  auto stored = co_await store_.get(key_of(session_id));
  co_return stored ? decode(stored->data) : SessionStateMap{};
}

// Read-modify-write with optimistic concurrency: retried when another writer
// changed the same session in between.
template <class Edit>
Task<void> SessionStates::update(const std::string& session_id, Edit change) {
  if (in_process_) {
    update_in_process(session_id, change);
    co_return;
  }
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

template <class Edit>
void SessionStates::update_in_process(const std::string& session_id, Edit& change) {
  const auto now = Clock::now();
  std::lock_guard lock(local_mutex_);
  // Sessions that went away without clearing their states must not pile up: every so
  // many writes, the expired ones go.
  if (++writes_since_sweep_ >= 4096) drop_expired(now);
  auto it = local_.find(session_id);
  if (it != local_.end() && it->second.expires_at <= now) {
    local_.erase(it);
    it = local_.end();
  }
  if (it == local_.end()) {
    SessionStateMap states;
    if (!change(states) || states.empty()) return;
    local_.emplace(session_id, Local{std::move(states), now + ttl_});
    return;
  }
  if (!change(it->second.states)) return;
  if (it->second.states.empty()) {
    local_.erase(it);
  } else {
    it->second.expires_at = now + ttl_;
  }
}

void SessionStates::drop_expired(Clock::time_point now) {
  writes_since_sweep_ = 0;
  std::erase_if(local_, [now](const auto& entry) { return entry.second.expires_at <= now; });
}

namespace {
// The map edits behind set / clear / clear_service; true when the map changed.
bool add_state(SessionStateMap& states, const std::string& service, const std::string& state) {
  return states[service].insert(state).second;
}
bool remove_state(SessionStateMap& states, const std::string& service, const std::string& state) {
  auto it = states.find(service);
  if (it == states.end() || it->second.erase(state) == 0) return false;
  if (it->second.empty()) states.erase(it);
  return true;
}
bool remove_service(SessionStateMap& states, const std::string& service) { return states.erase(service) > 0; }
}  // namespace

namespace {
// The map edit of one change; true when the map changed.
bool edit(const SessionStates::Change& c, SessionStateMap& states) {
  switch (c.kind) {
    case SessionStates::Change::Kind::set:
      return add_state(states, c.service, c.state);
    case SessionStates::Change::Kind::clear:
      return remove_state(states, c.service, c.state);
    case SessionStates::Change::Kind::clear_service:
      break;
  }
  return remove_service(states, c.service);
}
}  // namespace

bool SessionStates::try_apply_now(std::vector<Change>& changes) {
  if (!in_process_) return false;
  for (auto& c : changes) {
    if (c.session_id.empty()) continue;
    auto one = [&c](SessionStateMap& states) { return edit(c, states); };
    update_in_process(c.session_id, one);
  }
  return true;
}

Task<void> SessionStates::apply(std::vector<Change> changes) {
  if (try_apply_now(changes)) co_return;
  for (auto& c : changes) {
    if (c.session_id.empty()) continue;
    co_await update(c.session_id, [&c](SessionStateMap& states) { return edit(c, states); });
  }
}

Task<void> SessionStates::set(std::string session_id, std::string service, std::string state) {
  if (session_id.empty()) co_return;
  co_await update(session_id, [&](SessionStateMap& states) { return add_state(states, service, state); });
}

Task<void> SessionStates::clear(std::string session_id, std::string service, std::string state) {
  if (session_id.empty()) co_return;
  co_await update(session_id, [&](SessionStateMap& states) { return remove_state(states, service, state); });
}

Task<void> SessionStates::clear_service(std::string session_id, std::string service) {
  if (session_id.empty()) co_return;
  co_await update(session_id, [&](SessionStateMap& states) { return remove_service(states, service); });
}

Task<void> SessionStates::clear_all(std::string session_id) {
  if (session_id.empty()) co_return;
  if (in_process_) {
    std::lock_guard lock(local_mutex_);
    local_.erase(session_id);
    co_return;
  }
  co_await store_.remove(key_of(session_id));
}

}  // namespace onair::platform
