#include "stream/service/workers.hpp"

#include "stream/service/stream_service.hpp"

namespace onair::stream {

PeriodicWorker::PeriodicWorker(platform::ServiceContext& context, std::string name, std::chrono::seconds interval)
    : interval_(interval), clock_(context.executor, std::move(name)) {}

void PeriodicWorker::start() {
  auto each = [this]() -> Task<void> { co_await round(); };
  clock_.start(interval_, each);
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
