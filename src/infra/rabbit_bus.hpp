#pragma once
// The RabbitMQ message bus (rabbitmq-c). Events go to one durable topic
// exchange as persistent messages; each Subscription is a durable queue bound
// with its patterns (an empty queue name: a server-named exclusive queue of
// this node). rabbitmq-c connections are not thread-safe, so two threads own
// one connection each:
//  - the publisher thread sends the outbox with publisher confirms; publish()
//    resumes only after the broker's ack. A nack or a lost connection keeps
//    the message in the outbox; it is re-sent after reconnect (at least once).
//  - the consumer thread declares and binds the queues, consumes with a
//    prefetch limit and manual acks, and hands each delivery to the executor
//    as a co_spawned handler; the ack (or reject with requeue when the handler
//    threw, after a short pause) is sent back on the consumer thread.
// Both threads reconnect with backoff (100 ms doubling to 2 s); the consumer
// re-declares its queues and bindings and restarts its consumers.
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "infra/message_bus.hpp"

namespace onair::infra {

class RabbitBus final : public MessageBus {
 public:
  // url: amqp://user:pass@host:port/vhost (vhost URL-encoded, "%2f" for "/").
  // Throws InfraError("rabbitmq", ...) for a URL it cannot use. Connects in
  // the background: construction never waits for the broker.
  RabbitBus(std::string url, boost::asio::any_io_executor executor, std::string exchange = "onair.events");
  ~RabbitBus() override;  // stop()
  RabbitBus(const RabbitBus&) = delete;
  RabbitBus& operator=(const RabbitBus&) = delete;

  std::string_view backend_name() const override { return "rabbitmq"; }
  // Thread-safe. Completes on the caller's executor after the broker's confirm.
  Task<void> publish(std::string topic, std::string body) override;
  // Thread-safe; may be called before or after the broker is reachable.
  void subscribe(Subscription subscription, BusHandler handler) override;
  // Waits until every message published before the call is confirmed.
  Task<void> flush() override;
  // Whether the publisher connection is up.
  Task<bool> ping() override;
  // Joins both threads and closes the connections. Unacknowledged deliveries
  // go back to their queues; publishes still unconfirmed fail with InfraError.
  // Handlers already running finish on the executor, their acks are dropped.
  void stop() override;

 private:
  struct Impl;  // the threads' shared state (allocated by this, shared with running handlers)
  std::shared_ptr<Impl> impl_;
};

}  // namespace onair::infra
