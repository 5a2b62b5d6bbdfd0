#include "platform/client_events.hpp"

#include "core/ids.hpp"

namespace onair::platform {
namespace {
constexpr std::string_view kTopicPrefix = "client.session.";
constexpr std::string_view kAccountTopicPrefix = "client.account.";

void erase_handle(ClientEventHub::SinkMap& sinks, const std::string& key, std::uint64_t handle) {
  auto [first, last] = sinks.equal_range(key);
  for (auto it = first; it != last; ++it) {
    if (it->second.first == handle) {
      sinks.erase(it);
      return;
    }
  }
}
}  // namespace

ClientEventHub::ClientEventHub(infra::MessageBus* bus, std::string node_id)
    : bus_(bus), node_id_(node_id.empty() ? new_uuid() : std::move(node_id)) {}

bool ClientEventHub::distributed() const { return bus_ != nullptr && bus_->backend_name() != "inprocess"; }

void ClientEventHub::start() {
  if (!distributed()) return;
  // A private queue per node: every node sees every event and keeps those of
  // its own sessions.
  bus_->subscribe(infra::Subscription{{}, {std::string(kTopicPrefix) + "#", std::string(kAccountTopicPrefix) + "#"}},
                  [this](infra::BusMessage message) -> Task<void> {
                    if (message.topic.starts_with(kAccountTopicPrefix)) {
                      // client.account.<origin node>.<account id>: the origin delivered to its own sockets.
                      const auto rest = std::string_view(message.topic).substr(kAccountTopicPrefix.size());
                      const auto dot = rest.find('.');
                      if (dot == std::string_view::npos || rest.substr(0, dot) == node_id_) co_return;
                      deliver_from(account_sinks_, std::string(rest.substr(dot + 1)), message.body);
                    } else if (message.topic.starts_with(kTopicPrefix)) {
                      deliver_locally(message.topic.substr(kTopicPrefix.size()), message.body);
                    }
                    co_return;
                  });
}

std::uint64_t ClientEventHub::attach(const std::string& session_id, Sink sink, std::string account_id) {
  std::lock_guard lock(mutex_);
  const auto handle = next_handle_++;
  if (!account_id.empty()) {
    account_of_handle_.emplace(handle, account_id);
    account_sinks_.emplace(std::move(account_id), std::make_pair(handle, sink));
  }
  sinks_.emplace(session_id, std::make_pair(handle, std::move(sink)));
  return handle;
}

void ClientEventHub::detach(const std::string& session_id, std::uint64_t handle) {
  std::lock_guard lock(mutex_);
  erase_handle(sinks_, session_id, handle);
  if (auto it = account_of_handle_.find(handle); it != account_of_handle_.end()) {
    erase_handle(account_sinks_, it->second, handle);
    account_of_handle_.erase(it);
  }
}

bool ClientEventHub::is_connected_here(const std::string& session_id) const {
  std::lock_guard lock(mutex_);
  return sinks_.count(session_id) > 0;
}

std::size_t ClientEventHub::connected_sessions() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto it = sinks_.begin(); it != sinks_.end(); it = sinks_.upper_bound(it->first)) ++n;
  return n;
}

bool ClientEventHub::deliver_locally(const std::string& session_id, const std::string& event_json) const {
  return deliver_from(sinks_, session_id, event_json);
}

bool ClientEventHub::deliver_from(const SinkMap& sinks, const std::string& key, const std::string& event_json) const {
  std::vector<Sink> targets;
  {
    std::lock_guard lock(mutex_);
    auto [first, last] = sinks.equal_range(key);
    for (auto it = first; it != last; ++it) targets.push_back(it->second.second);
  }
  for (const auto& sink : targets) sink(event_json);
  return !targets.empty();
}

Task<void> ClientEventHub::push_to_account(std::string account_id, std::string event_json) {
  // Here at once (not through the broker); the other nodes get it under this node's id, which this
  // node's own queue skips.
  deliver_from(account_sinks_, account_id, event_json);
  if (!distributed()) co_return;
  co_await bus_->publish(std::string(kAccountTopicPrefix) + node_id_ + "." + account_id, std::move(event_json));
}

Task<void> ClientEventHub::push(std::string session_id, std::string event_json) {
  if (deliver_locally(session_id, event_json)) co_return;
  if (!distributed()) co_return;
  co_await bus_->publish(std::string(kTopicPrefix) + session_id, std::move(event_json));
}

ClientEventHub::Events ClientEventHub::deliver_here(Events events) {
  const bool remote = distributed();
  Events rest;
  for (auto& event : events) {
    if (!deliver_locally(event.first, event.second) && remote) rest.push_back(std::move(event));
  }
  return rest;
}

Task<void> ClientEventHub::push_elsewhere(Events events) {
  for (auto& [session_id, event_json] : events) {
    co_await bus_->publish(std::string(kTopicPrefix) + session_id, std::move(event_json));
  }
}

Task<void> ClientEventHub::push_all(Events events) {
  auto rest = deliver_here(std::move(events));
  if (!rest.empty()) co_await push_elsewhere(std::move(rest));
}

Task<void> ClientEventHub::push_many(const std::vector<std::string>& session_ids, std::string event_json) {
  for (const auto& id : session_ids) co_await push(id, event_json);
}

}  // namespace onair::platform
