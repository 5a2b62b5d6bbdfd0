#include "voice/participant_eviction_worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "voice/room_store.hpp"
#include "voice/voice_service.hpp"

namespace onair::voice {
namespace asio = boost::asio;
namespace {
constexpr std::string_view kLockName = "voice:participant-eviction";
}

ParticipantEvictionWorker::ParticipantEvictionWorker(platform::ServiceContext& context, VoiceService& service,
                                                     RoomStore& rooms, const gen::voice::VoiceConfiguration& config)
    : context_(context), service_(service), rooms_(rooms), config_(config) {}

ParticipantEvictionWorker::~ParticipantEvictionWorker() { stop(); }

void ParticipantEvictionWorker::start() {
  timer_ = std::make_shared<asio::steady_timer>(context_.executor);
  asio::co_spawn(context_.executor, run(alive_), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("participant eviction worker ended", {{"error", ex.what()}});
    }
  });
}

void ParticipantEvictionWorker::stop() {
  *alive_ = false;
  if (timer_) timer_->cancel();
}

Task<bool> ParticipantEvictionWorker::sweep_once() {
  const auto ttl = std::chrono::seconds(config_.lock_timeout_seconds);
  if (!co_await context_.lock.try_acquire(std::string(kLockName), context_.node_id, ttl)) co_return false;
  std::vector<std::string> room_ids;
  try {
    room_ids = co_await rooms_.room_ids();
  } catch (const std::exception& e) {
    log::warn("listing rooms failed", {{"error", e.what()}});
  }
  for (const auto& room_id : room_ids) {
    try {
      co_await service_.sweep_room(room_id);
    } catch (const std::exception& e) {
      log::warn("room sweep failed", {{"roomId", room_id}, {"error", e.what()}});
    }
  }
  co_await context_.lock.release(std::string(kLockName), context_.node_id);
  co_return true;
}

Task<void> ParticipantEvictionWorker::run(std::shared_ptr<bool> alive) {
  auto timer = timer_;
  auto delay = std::chrono::seconds(config_.eviction_worker_initial_delay_seconds);
  while (*alive) {
    timer->expires_after(delay);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!*alive) break;
    try {
      co_await sweep_once();
    } catch (const std::exception& e) {
      log::warn("eviction sweep failed", {{"error", e.what()}});
    }
    delay = std::chrono::seconds(config_.participant_eviction_check_interval_seconds);
  }
}

}  // namespace onair::voice
