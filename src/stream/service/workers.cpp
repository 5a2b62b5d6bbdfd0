#include "stream/service/workers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "stream/service/stream_service.hpp"

namespace onair::stream {
namespace asio = boost::asio;

PeriodicWorker::PeriodicWorker(platform::ServiceContext& context, std::string name, std::chrono::seconds interval)
    : context_(context), name_(std::move(name)), interval_(interval) {}

PeriodicWorker::~PeriodicWorker() { stop(); }

void PeriodicWorker::start() {
  timer_ = std::make_shared<asio::steady_timer>(context_.executor);
  auto body = run(alive_, timer_);
  asio::co_spawn(context_.executor, std::move(body), [name = name_](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("stream worker ended", {{"worker", name}, {"error", ex.what()}});
    }
  });
}

void PeriodicWorker::stop() {
  *alive_ = false;
  if (timer_) timer_->cancel();
}

Task<void> PeriodicWorker::run(std::shared_ptr<bool> alive, std::shared_ptr<asio::steady_timer> timer) {
  while (*alive) {
    timer->expires_after(interval_);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!*alive) break;
    try {
      co_await round();
    } catch (const std::exception& e) {
      log::warn("stream worker round failed", {{"worker", name_}, {"error", e.what()}});
    }
  }
}

SentimentBatchPublisher::SentimentBatchPublisher(platform::ServiceContext& context, StreamService& service)
    : PeriodicWorker(context, "SentimentBatchPublisher",
                     std::chrono::seconds(service.config().sentiment_pulse_interval_seconds)),
      service_(service) {}

Task<std::size_t> SentimentBatchPublisher::run_once() { co_return co_await service_.publish_pulses(); }

Task<void> SentimentBatchPublisher::round() { (void)co_await run_once(); }

SessionCleanupWorker::SessionCleanupWorker(platform::ServiceContext& context, StreamService& service)
    : PeriodicWorker(context, "SessionCleanupWorker",
                     std::chrono::seconds(service.config().session_cleanup_interval_seconds)),
      service_(service) {}

Task<std::int64_t> SessionCleanupWorker::run_once() { co_return co_await service_.purge_ended_sessions(); }

Task<void> SessionCleanupWorker::round() { (void)co_await run_once(); }

}  // namespace onair::stream
