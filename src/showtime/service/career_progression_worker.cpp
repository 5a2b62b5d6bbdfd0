#include "showtime/service/career_progression_worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "showtime/service/showtime_service.hpp"

namespace onair::showtime {
namespace asio = boost::asio;

CareerProgressionWorker::CareerProgressionWorker(platform::ServiceContext& context, ShowtimeService& service)
    : context_(context), service_(service) {}

CareerProgressionWorker::~CareerProgressionWorker() { stop(); }

void CareerProgressionWorker::start() {
  timer_ = std::make_shared<asio::steady_timer>(context_.executor);
  auto body = run(alive_);
  asio::co_spawn(context_.executor, std::move(body), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("career progression worker ended", {{"error", ex.what()}});
    }
  });
}

void CareerProgressionWorker::stop() {
  *alive_ = false;
  if (timer_) timer_->cancel();
}

Task<bool> CareerProgressionWorker::run_once() {
  const auto ttl = std::chrono::seconds(service_.config().distributed_lock_timeout_seconds);
  if (!co_await context_.lock.try_acquire(kLockName, context_.node_id, ttl)) co_return false;
  try {
    co_await service_.process_ended_sessions();
    co_await service_.flush_growth(false);
  } catch (const std::exception& e) {
    log::warn("career progression failed", {{"error", e.what()}});
  }
  co_await context_.lock.release(kLockName, context_.node_id);
  co_return true;
}

Task<void> CareerProgressionWorker::run(std::shared_ptr<bool> alive) {
  auto timer = timer_;
  const auto interval = std::chrono::seconds(service_.config().career_worker_interval_seconds);
  while (*alive) {
    timer->expires_after(interval);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!*alive) break;
    co_await run_once();
  }
}

}  // namespace onair::showtime
