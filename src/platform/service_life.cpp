#include "platform/service_life.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace onair::platform {

ServiceLife::Entry::Entry(ServiceLife& life) : life_(&life) {
  life_->inside_.fetch_add(1);
  admitted_ = life_->alive_.load();
}

ServiceLife::Entry::~Entry() { life_->inside_.fetch_sub(1); }

Task<bool> ServiceLife::drained(std::chrono::milliseconds limit) const {
  // Polled: work inside runs on the same executors and needs them to finish; a few ms are nothing at stop.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (inside_.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(2));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  co_return true;
}

}  // namespace onair::platform
