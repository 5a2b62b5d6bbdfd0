#pragma once
// A worker's clock: calls `round` after `first_delay`, then every `interval`,
// on the given executor until stop() or destruction. A round that throws is
// logged under the task's name and the next round still runs. Workers keep
// their logic in a run_once() that tests call directly.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/task.hpp"

namespace onair::platform {

class PeriodicTask {
 public:
  using Duration = std::chrono::steady_clock::duration;

  PeriodicTask(boost::asio::any_io_executor executor, std::string name);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start(Duration first_delay, Duration interval, std::function<Task<void>()> round);
  void start(Duration interval, std::function<Task<void>()> round) { start(interval, interval, std::move(round)); }
  // Callable from any thread; a round in progress finishes.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace onair::platform
