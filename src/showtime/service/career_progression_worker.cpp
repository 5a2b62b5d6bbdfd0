#include "showtime/service/career_progression_worker.hpp"

#include "core/logging.hpp"
#include "showtime/service/showtime_service.hpp"

namespace onair::showtime {

CareerProgressionWorker::CareerProgressionWorker(platform::ServiceContext& context, ShowtimeService& service)
    : context_(context), service_(service), clock_(context.executor, "career progression") {}

CareerProgressionWorker::~CareerProgressionWorker() { stop(); }

void CareerProgressionWorker::start() {
  auto round = [this]() -> Task<void> { co_await run_once(); };
  clock_.start(std::chrono::seconds(service_.config().career_worker_interval_seconds), round);
}

void CareerProgressionWorker::stop() { clock_.stop(); }

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

}  // namespace onair::showtime
