#pragma once
// The voice service: rooms, participants, P2P signaling relay, heartbeats and
// the broadcast consent flow (seed 004). The rules live in the pure parts
// (room_rules, broadcast_consent); this class loads and stores rooms, applies
// the rules and sends what they decided (voice_outbox).
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "gen/voice/configuration.hpp"
#include "gen/voice/routes.hpp"
#include "platform/service.hpp"
#include "voice/room_store.hpp"
#include "voice/voice_outbox.hpp"

namespace onair::voice {

class ParticipantEvictionWorker;

class VoiceService final : public platform::Service, public gen::voice::VoiceApi {
 public:
  VoiceService(platform::ServiceContext& context, gen::voice::VoiceConfiguration config);
  ~VoiceService() override;

  std::string_view name() const override { return "voice"; }
  void register_routes(platform::RouteTable& routes) override;
  Task<void> start() override;
  Task<void> stop() override;

  using Caller = platform::CallContext;
  Task<gen::voice::VoiceRoomResponse> create_voice_room(gen::voice::CreateVoiceRoomRequest r, const Caller& c) override;
  Task<gen::voice::VoiceRoomResponse> get_voice_room(gen::voice::GetVoiceRoomRequest r, const Caller& c) override;
  Task<gen::voice::JoinVoiceRoomResponse> join_voice_room(gen::voice::JoinVoiceRoomRequest r, const Caller& c) override;
  Task<gen::common::EmptyResponse> leave_voice_room(gen::voice::LeaveVoiceRoomRequest r, const Caller& c) override;
  Task<gen::common::EmptyResponse> delete_voice_room(gen::voice::DeleteVoiceRoomRequest r, const Caller& c) override;
  Task<gen::common::EmptyResponse> peer_heartbeat(gen::voice::PeerHeartbeatRequest r, const Caller& c) override;
  Task<gen::common::EmptyResponse> offer_peer(gen::voice::OfferPeerRequest r, const Caller& c) override;
  Task<gen::common::EmptyResponse> answer_peer(gen::voice::AnswerPeerRequest r, const Caller& c) override;
  Task<gen::common::EmptyResponse> send_ice_candidate(gen::voice::IceCandidateRequest r, const Caller& c) override;
  Task<gen::voice::BroadcastConsentStatus> request_broadcast_consent(gen::voice::BroadcastConsentRequest r,
                                                                     const Caller& c) override;
  Task<gen::voice::BroadcastConsentStatus> respond_broadcast_consent(gen::voice::BroadcastConsentResponse r,
                                                                     const Caller& c) override;
  Task<gen::voice::BroadcastConsentStatus> stop_broadcast(gen::voice::StopBroadcastConsentRequest r,
                                                          const Caller& c) override;
  Task<gen::voice::BroadcastConsentStatus> get_broadcast_status(gen::voice::BroadcastStatusRequest r,
                                                                const Caller& c) override;
  Task<gen::voice::BroadcastConsentStatus> confirm_broadcast_started(gen::voice::BroadcastStatusRequest r,
                                                                     const Caller& c) override;

  // One sweep of the eviction worker over one room: stale participants,
  // consent timeouts, empty-room deletion. Public for the worker and tests.
  Task<void> sweep_room(const std::string& room_id);
  // A session's last socket closed: it leaves its room.
  Task<void> session_closed(const std::string& session_id);

 private:
  using ConsentInput = std::function<Outcome(BroadcastConsent&, const RoomRecord&)>;
  Task<RoomSnapshot> change_consent(const std::string& room_id, const std::string& actor, const ConsentInput& input);
  Task<void> remove_participant(const std::string& room_id, const std::string& session_id, bool evicted);
  Task<void> delete_room(const std::string& room_id, gen::voice::VoiceRoomDeletedReason reason);
  Task<void> leave_previous_room(const std::string& session_id, const std::string& except_room);
  Task<RoomSnapshot> require_room(const std::string& room_id);
  Task<void> send(VoiceOutbox outbox);
  // Whether an event would reach anyone: building event JSON nobody receives was a large
  // share of a join or leave on a single node (bench/voice). The info log counts as a reader.
  bool reaches(const std::string& session_id) const;
  bool heard(std::string_view topic) const;
  void arm_consent_timer(const std::string& room_id, TimeMs deadline_ms);

  std::int64_t now_ms() const;
  RoomLimits limits() const;

  platform::ServiceContext& context_;
  gen::voice::VoiceConfiguration config_;
  std::unique_ptr<RoomStore> rooms_;
  std::vector<std::string> stun_servers_;
  std::unique_ptr<ParticipantEvictionWorker> worker_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace onair::voice
