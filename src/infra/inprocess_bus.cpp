#include "infra/inprocess_bus.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/logging.hpp"

namespace onair::infra {
namespace {

// A waiting coroutine's completion, callable from any thread: resumes it on
// its own executor, which is kept busy (outstanding work) until then.
using Completion = std::function<void()>;

template <class Handler>
Completion make_completion(Handler handler, const boost::asio::any_io_executor& fallback) {
  auto work = boost::asio::prefer(boost::asio::get_associated_executor(handler, fallback),
                                  boost::asio::execution::outstanding_work.tracked);
  auto shared = std::make_shared<Handler>(std::move(handler));
  return [shared, work]() { boost::asio::post(work, [shared]() { std::move (*shared)(); }); };
}

}  // namespace

struct InProcessBus::State {
  struct Consumer {
    std::shared_ptr<const BusHandler> handler;
  };
  struct Queue {
    std::string name;  // empty: private to its one subscriber
    std::vector<std::string> bindings;
    std::vector<Consumer> consumers;
    std::size_t next = 0;  // round-robin position among consumers
  };

  explicit State(boost::asio::any_io_executor ex) : executor(std::move(ex)) {}

  boost::asio::any_io_executor executor;
  std::mutex mutex;  // guards everything below
  std::vector<Queue> queues;
  std::size_t running = 0;  // handlers delivered and not yet finished
  std::vector<Completion> flush_waiters;
  bool stopped = false;

  // Called with the mutex held; the caller runs the returned completions after unlocking.
  std::vector<Completion> take_flush_waiters_if_idle() {
    if (running != 0) return {};
    return std::exchange(flush_waiters, {});
  }

  static Task<void> run_handler(std::shared_ptr<State> state, std::shared_ptr<const BusHandler> handler,
                                BusMessage message);
};

InProcessBus::InProcessBus(boost::asio::any_io_executor executor)
    : state_(std::make_shared<State>(std::move(executor))) {}

InProcessBus::~InProcessBus() { stop(); }

Task<void> InProcessBus::publish(std::string topic, std::string body) {
  std::vector<std::shared_ptr<const BusHandler>> targets;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) throw InfraError("inprocess", "bus stopped");
    for (State::Queue& queue : state_->queues) {
      if (queue.consumers.empty()) continue;
      bool matched = false;
      for (const std::string& binding : queue.bindings) {
        if (topic_matches(binding, topic)) {
          matched = true;
          break;
        }
      }
      if (!matched) continue;
      targets.push_back(queue.consumers[queue.next % queue.consumers.size()].handler);
      queue.next = (queue.next + 1) % queue.consumers.size();
    }
    state_->running += targets.size();
  }
  for (auto& handler : targets) {
    // post, then co_spawn on the executor's thread: publish() may run on any thread.
    boost::asio::post(state_->executor, [state = state_, handler = std::move(handler), topic, body]() mutable {
      boost::asio::co_spawn(
          state->executor, State::run_handler(state, std::move(handler), BusMessage{std::move(topic), std::move(body)}),
          boost::asio::detached);
    });
  }
  co_return;
}

bool InProcessBus::has_subscribers(std::string_view topic) const {
  std::lock_guard lock(state_->mutex);
  for (const State::Queue& queue : state_->queues) {
    if (queue.consumers.empty()) continue;
    for (const std::string& binding : queue.bindings) {
      if (topic_matches(binding, topic)) return true;
    }
  }
  return false;
}

void InProcessBus::subscribe(Subscription subscription, BusHandler handler) {
  auto shared_handler = std::make_shared<const BusHandler>(std::move(handler));
  std::lock_guard lock(state_->mutex);
  if (!subscription.queue.empty()) {
    for (State::Queue& queue : state_->queues) {
      if (queue.name != subscription.queue) continue;
      // Bindings belong to the queue: a second subscriber adds its own.
      for (std::string& binding : subscription.bindings) {
        bool known = false;
        for (const std::string& existing : queue.bindings) known = known || existing == binding;
        if (!known) queue.bindings.push_back(std::move(binding));
      }
      queue.consumers.push_back({std::move(shared_handler)});
      return;
    }
  }
  state_->queues.push_back(
      State::Queue{std::move(subscription.queue), std::move(subscription.bindings), {{std::move(shared_handler)}}, 0});
}

Task<void> InProcessBus::flush() {
  co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
      [this](auto handler) {
        Completion done = make_completion(std::move(handler), state_->executor);
        std::vector<Completion> ready;
        {
          std::lock_guard lock(state_->mutex);
          state_->flush_waiters.push_back(std::move(done));
          ready = state_->take_flush_waiters_if_idle();
        }
        for (auto& complete : ready) complete();
      },
      boost::asio::use_awaitable);
}

Task<bool> InProcessBus::ping() { co_return true; }

void InProcessBus::stop() {
  std::lock_guard lock(state_->mutex);
  state_->stopped = true;
  state_->queues.clear();
}

Task<void> InProcessBus::State::run_handler(std::shared_ptr<State> state, std::shared_ptr<const BusHandler> handler,
                                            BusMessage message) {
  const std::string topic = message.topic;
  try {
    co_await (*handler)(std::move(message));
  } catch (const std::exception& e) {
    log::error("bus handler failed; message dropped",
               {{"backend", "inprocess"}, {"topic", topic}, {"error", e.what()}});
  } catch (...) {
    log::error("bus handler failed; message dropped", {{"backend", "inprocess"}, {"topic", topic}});
  }
  std::vector<Completion> ready;
  {
    std::lock_guard lock(state->mutex);
    --state->running;
    ready = state->take_flush_waiters_if_idle();
  }
  for (auto& complete : ready) complete();
}

}  // namespace onair::infra
