#include "platform/periodic_task.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"

namespace onair::platform {
namespace asio = boost::asio;

// Shared with the running loop, which may outlive the PeriodicTask by one wake-up.
struct PeriodicTask::State {
  State(asio::any_io_executor ex, std::string n) : executor(std::move(ex)), timer(executor), name(std::move(n)) {}
  asio::any_io_executor executor;
  asio::steady_timer timer;
  std::string name;
  std::atomic<bool> alive{true};
};

PeriodicTask::PeriodicTask(asio::any_io_executor executor, std::string name)
    : state_(std::make_shared<State>(std::move(executor), std::move(name))) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start(Duration first_delay, Duration interval, std::function<Task<void>()> round) {
  auto loop = [state = state_, first_delay, interval, round = std::move(round)]() -> Task<void> {
    auto delay = first_delay;
    while (state->alive) {
      state->timer.expires_after(delay);
      co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!state->alive) break;
      try {
        co_await round();
      } catch (const std::exception& e) {
        log::warn("worker round failed", {{"worker", state->name}, {"error", e.what()}});
      }
      delay = interval;
    }
  };
  asio::co_spawn(state_->executor, std::move(loop), asio::detached);
}

void PeriodicTask::stop() {
  state_->alive = false;
  // The timer belongs to the executor's threads: cancel it there.
  asio::post(state_->executor, [state = state_] { state->timer.cancel(); });
}

}  // namespace onair::platform
