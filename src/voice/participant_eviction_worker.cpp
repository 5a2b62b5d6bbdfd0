#include "voice/participant_eviction_worker.hpp"

#include "core/logging.hpp"
#include "voice/room_store.hpp"
#include "voice/voice_service.hpp"

namespace onair::voice {
namespace {
constexpr std::string_view kLockName = "voice:participant-eviction";
}

ParticipantEvictionWorker::ParticipantEvictionWorker(platform::ServiceContext& context, VoiceService& service,
                                                     RoomStore& rooms, const gen::voice::VoiceConfiguration& config)
    : context_(context),
      service_(service),
      rooms_(rooms),
      config_(config),
      clock_(context.executor, "participant eviction") {}

ParticipantEvictionWorker::~ParticipantEvictionWorker() { stop(); }

void ParticipantEvictionWorker::start() {
  auto round = [this]() -> Task<void> { co_await sweep_once(); };
  clock_.start(std::chrono::seconds(config_.eviction_worker_initial_delay_seconds),
               std::chrono::seconds(config_.participant_eviction_check_interval_seconds), round);
}

void ParticipantEvictionWorker::stop() { clock_.stop(); }

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

}  // namespace onair::voice
