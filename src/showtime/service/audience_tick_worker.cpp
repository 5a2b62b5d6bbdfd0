#include "showtime/service/audience_tick_worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "showtime/service/showtime_service.hpp"

namespace onair::showtime {
namespace asio = boost::asio;

AudienceTickWorker::AudienceTickWorker(platform::ServiceContext& context, ShowtimeService& service)
    : context_(context), service_(service) {}

AudienceTickWorker::~AudienceTickWorker() { stop(); }

void AudienceTickWorker::start() {
  timer_ = std::make_shared<asio::steady_timer>(context_.executor);
  auto body = run(alive_);
  asio::co_spawn(context_.executor, std::move(body), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("audience tick worker ended", {{"error", ex.what()}});
    }
  });
}

void AudienceTickWorker::stop() {
  *alive_ = false;
  if (timer_) timer_->cancel();
}

Task<std::vector<std::string>> AudienceTickWorker::run_once() {
  auto ticked = co_await service_.tick_all();
  co_await service_.flush_growth(false);
  co_return ticked;
}

Task<void> AudienceTickWorker::run(std::shared_ptr<bool> alive) {
  auto timer = timer_;
  const auto interval = std::chrono::seconds(service_.config().audience_tick_interval_seconds);
  while (*alive) {
    timer->expires_after(interval);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!*alive) break;
    try {
      co_await run_once();
    } catch (const std::exception& e) {
      log::warn("audience tick failed", {{"error", e.what()}});
    }
  }
}

}  // namespace onair::showtime
