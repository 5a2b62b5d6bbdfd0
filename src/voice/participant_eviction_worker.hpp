#pragma once
// ParticipantEvictionWorker (seed 004): every
// VOICE_PARTICIPANT_EVICTION_CHECK_INTERVAL_SECONDS, sweeps every room for
// participants whose heartbeats stopped, consent requests past their deadline
// and empty rooms past their grace period. A distributed lock makes one node
// sweep at a time when several onair instances share the state store.
#include "core/task.hpp"
#include "gen/voice/configuration.hpp"
#include "platform/periodic_task.hpp"
#include "platform/service.hpp"

namespace onair::voice {

class VoiceService;
class RoomStore;

class ParticipantEvictionWorker {
 public:
  ParticipantEvictionWorker(platform::ServiceContext& context, VoiceService& service, RoomStore& rooms,
                            const gen::voice::VoiceConfiguration& config);
  ~ParticipantEvictionWorker();
  void start();
  void stop();
  // One sweep (if this node gets the lock); returns whether it swept.
  Task<bool> sweep_once();

 private:
  platform::ServiceContext& context_;
  VoiceService& service_;
  RoomStore& rooms_;
  const gen::voice::VoiceConfiguration& config_;
  platform::PeriodicTask clock_;
};

}  // namespace onair::voice
