#include "showtime/service/audience_tick_worker.hpp"

#include "core/logging.hpp"
#include "showtime/service/showtime_service.hpp"

namespace onair::showtime {

AudienceTickWorker::AudienceTickWorker(platform::ServiceContext& context, ShowtimeService& service)
    : context_(context), service_(service), clock_(context.executor, "audience tick") {}

AudienceTickWorker::~AudienceTickWorker() { stop(); }

void AudienceTickWorker::start() {
  auto round = [this]() -> Task<void> { co_await run_once(); };
  clock_.start(std::chrono::seconds(service_.config().audience_tick_interval_seconds), round);
}

void AudienceTickWorker::stop() { clock_.stop(); }

Task<std::vector<std::string>> AudienceTickWorker::run_once() {
  auto ticked = co_await service_.tick_all();
  co_await service_.flush_growth(false);
  co_return ticked;
}

}  // namespace onair::showtime
