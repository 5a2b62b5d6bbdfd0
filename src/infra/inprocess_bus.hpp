#pragma once
// The embedded message bus: subscriptions in this process only. Same
// semantics as RabbitBus where it matters: every queue whose bindings match
// gets one copy; several subscribers of one named queue compete (round-robin);
// an empty queue name is a private queue per subscriber. Handlers run as
// coroutines on the executor, never inline in publish(); a handler that throws
// is logged and its message dropped.
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "infra/message_bus.hpp"

namespace onair::infra {

class InProcessBus final : public MessageBus {
 public:
  explicit InProcessBus(boost::asio::any_io_executor executor);
  ~InProcessBus() override;
  InProcessBus(const InProcessBus&) = delete;
  InProcessBus& operator=(const InProcessBus&) = delete;

  std::string_view backend_name() const override { return "inprocess"; }
  // Thread-safe. Completes once the message is queued to the matching subscribers.
  Task<void> publish(std::string topic, std::string body) override;
  void subscribe(Subscription subscription, BusHandler handler) override;
  bool has_subscribers(std::string_view topic) const override;
  // Waits until every handler delivered so far has finished.
  Task<void> flush() override;
  Task<bool> ping() override;
  // Stops delivering new messages; handlers already delivered still run.
  void stop() override;

 private:
  struct State;  // shared with the running handlers (allocated by this)
  std::shared_ptr<State> state_;
};

}  // namespace onair::infra
