#pragma once
// Service events between services and nodes. Backends: InProcessBus and
// RabbitBus (topic exchange, a durable queue per subscription, publisher
// confirms, reconnect + resubscribe). Topic patterns follow AMQP: `*` matches
// one dot-separated word, `#` zero or more.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"

namespace onair::infra {

struct BusMessage {
  std::string topic;
  std::string body;  // JSON text
};

// Runs on the bus's executor. The message is acknowledged when the handler
// returns; if it throws, the message is redelivered (RabbitMQ) or dropped
// with an error log (in-process).
using BusHandler = std::function<Task<void>(BusMessage)>;

struct Subscription {
  // Durable queue name, e.g. "showtime.voice-events". Empty: a private queue
  // for this node only, deleted when the node goes (fan-out to every node).
  std::string queue;
  std::vector<std::string> bindings;
};

class MessageBus {
 public:
  virtual ~MessageBus() = default;
  virtual std::string_view backend_name() const = 0;
  // Completes once the message is safe: confirmed by the broker (RabbitBus,
  // persistent delivery) or queued to the local subscribers (InProcessBus).
  // While the broker is unreachable the message waits in an outbox and the
  // task completes after reconnect and confirm.
  virtual Task<void> publish(std::string topic, std::string body) = 0;
  virtual void subscribe(Subscription subscription, BusHandler handler) = 0;
  // False only when a publish of `topic` is certain to reach nobody (the in-process bus
  // with no matching subscription), so a publisher may skip building the event. A broker
  // bus always says true: consumers elsewhere are unknown.
  virtual bool has_subscribers(std::string_view /*topic*/) const { return true; }
  // Waits until every publish so far is confirmed (graceful shutdown).
  virtual Task<void> flush() = 0;
  virtual Task<bool> ping() = 0;
  // Stops consuming and closes connections; pending handlers finish first.
  virtual void stop() = 0;
};

// AMQP topic matching, shared by the in-process bus and tests.
bool topic_matches(std::string_view pattern, std::string_view topic);

}  // namespace onair::infra
