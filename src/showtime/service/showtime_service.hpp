#pragma once
// The showtime service (issue 4, SHOWTIME.md): streaming sessions watched by
// simulated audiences, hype trains, followers, careers, and the game-session
// -> voice-room orchestration. The rules are the engine's (showtime/engine)
// and LiveSession's; this class owns the live sessions of this node, stores
// records (ShowtimeStore), checkpoints pools (CheckpointStore), and sends what
// changed (ShowtimeOutbox).
//
// Ownership across nodes: a live session is held by the node holding its lock
// `showtime:session:<id>`, extended on every tick. Another node takes it over
// from its checkpoint once the lock expired. Calls that change a session owned
// by another node are queued for it (SessionInputs) and answered from its
// latest checkpoint.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gen/showtime/configuration.hpp"
#include "gen/showtime/routes.hpp"
#include "platform/service.hpp"
#include "platform/service_life.hpp"
#include "showtime/service/checkpoint_store.hpp"
#include "showtime/service/growth_debouncer.hpp"
#include "showtime/service/live_session.hpp"
#include "showtime/service/session_inputs.hpp"
#include "showtime/service/showtime_outbox.hpp"
#include "showtime/service/showtime_store.hpp"
#include "showtime/service/showtime_views.hpp"
#include "showtime/service/voice_rooms.hpp"

namespace onair::showtime {

class AudienceTickWorker;
class CareerProgressionWorker;

class ShowtimeService final : public platform::Service, public gs::ShowtimeApi {
 public:
  using Caller = platform::CallContext;

  ShowtimeService(platform::ServiceContext& context, gs::ShowtimeConfiguration config);
  ~ShowtimeService() override;

  std::string_view name() const override { return "showtime"; }
  void register_routes(platform::RouteTable& routes) override;
  Task<void> start() override;
  Task<void> stop() override;

  Task<gs::ShowtimeSessionResponse> start_session(gs::StartSessionRequest r, const Caller& c) override;
  Task<gs::ShowtimeSessionResponse> end_session(gs::EndSessionRequest r, const Caller& c) override;
  Task<gs::ShowtimeSessionResponse> pause_session(gs::PauseSessionRequest r, const Caller& c) override;
  Task<gs::ShowtimeSessionResponse> resume_session(gs::ResumeSessionRequest r, const Caller& c) override;
  Task<gs::ShowtimeSessionResponse> get_session(gs::GetSessionRequest r, const Caller& c) override;
  Task<gs::ListSessionsResponse> list_sessions(gs::ListSessionsRequest r, const Caller& c) override;
  Task<gs::AudienceSnapshotResponse> get_audience_snapshot(gs::GetAudienceSnapshotRequest r, const Caller& c) override;
  Task<gs::AudienceFollowersResponse> get_audience_followers(gs::GetAudienceFollowersRequest r,
                                                             const Caller& c) override;
  Task<gs::InjectAudienceEventResponse> inject_audience_event(gs::InjectAudienceEventRequest r,
                                                              const Caller& c) override;
  Task<gs::ContentTagsResponse> set_content_tags(gs::SetContentTagsRequest r, const Caller& c) override;
  Task<gs::HypeStatusResponse> get_hype_status(gs::GetHypeStatusRequest r, const Caller& c) override;
  Task<gs::HypeStatusResponse> inject_hype_event(gs::InjectHypeEventRequest r, const Caller& c) override;
  Task<gs::CareerResponse> get_career(gs::GetCareerRequest r, const Caller& c) override;
  Task<gs::MilestonesResponse> get_milestones(gs::GetMilestonesRequest r, const Caller& c) override;
  Task<gs::RecordGrowthResponse> record_growth(gs::RecordGrowthRequest r, const Caller& c) override;
  Task<gs::SessionVoiceRoomResponse> create_session_voice_room(gs::CreateSessionVoiceRoomRequest r,
                                                               const Caller& c) override;
  Task<gen::common::EmptyResponse> delete_session_voice_room(gs::DeleteSessionVoiceRoomRequest r,
                                                             const Caller& c) override;
  Task<gs::CleanupResponse> cleanup_by_character(gs::CleanupByCharacterRequest r, const Caller& c) override;
  Task<gs::CleanupResponse> cleanup_by_game_service(gs::CleanupByGameServiceRequest r, const Caller& c) override;

  // --- used by the workers, the event handlers and tests ------------------
  // One tick of every live session this node owns or can take over; returns the ids ticked.
  Task<std::vector<std::string>> tick_all();
  // Applies the career contribution of every ended session not applied yet; returns how many.
  Task<std::size_t> process_ended_sessions();
  // Publishes debounced growth events that are due (all with `force`).
  Task<void> flush_growth(bool force);
  // Checkpoints every session this node holds (shutdown, tests).
  Task<void> checkpoint_all();
  // state_hash of a session's pool as this node holds it (nullopt when not held here).
  std::optional<std::uint64_t> held_state_hash(const std::string& session_id);
  bool holds(const std::string& session_id);
  AudienceTickWorker& tick_worker() { return *tick_worker_; }
  CareerProgressionWorker& career_worker() { return *career_worker_; }
  const gs::ShowtimeConfiguration& config() const noexcept { return config_; }

  // --- bus events -----------------------------------------------------------
  Task<void> on_game_session_created(gs::GameSessionCreatedEvent e);
  Task<void> on_game_session_ended(gs::GameSessionEndedEvent e);
  Task<void> on_pulse(gs::SentimentPulse pulse);
  Task<void> on_platform_session_started(gs::StreamPlatformSessionStartedEvent e);
  Task<void> on_voice_room_deleted(std::string room_id);
  Task<void> on_voice_participants(std::string room_id, std::int64_t count);
  Task<void> on_session_ended_event(std::string session_id);

 private:
  struct Slot {
    std::mutex mutex;
    std::unique_ptr<LiveSession> live;
  };
  using SlotPtr = std::shared_ptr<Slot>;
  // A session's state for a call: held here (slot), or a read-only copy from its checkpoint.
  struct View {
    SlotPtr slot;
    std::unique_ptr<LiveSession> copy;
    LiveSession& live() { return slot ? *slot->live : *copy; }
  };

  Task<SessionRecord> require_session(const std::string& id);
  // The slot of a session held here, taking it over when its lock is free; null when another node holds it.
  Task<SlotPtr> acquire(const SessionRecord& record);
  SlotPtr held(const std::string& id);
  Task<std::unique_ptr<LiveSession>> load_copy(const SessionRecord& record);
  Task<View> view(const SessionRecord& record);
  Task<void> release(const std::string& id);
  // After each tick round: disengaged members move between the game service's sessions held here.
  void migrate_held_sessions();
  Task<void> save_checkpoint(const std::string& id, std::string checkpoint);
  std::shared_ptr<const AudienceContext> audience_context(const std::string& game_service_id);

  // A change to a session: applied here when held, else queued for its owner
  // and previewed on a checkpoint copy. `apply` runs under the slot's mutex.
  using Change = std::function<void(LiveSession&)>;
  Task<std::unique_ptr<LiveSession>> change_session(const SessionRecord& record, SessionInput input,
                                                    const Change& apply);
  void apply_input(LiveSession& s, const SessionInput& input);

  Task<std::optional<gs::ShowtimeSessionResponse>> tick_one(const SessionRecord& record);
  Task<gs::ShowtimeSessionResponse> finish_session(SessionRecord record, gs::ShowtimeSessionEndReason reason,
                                                   bool admin);
  Task<gs::ShowtimeSessionResponse> change_status(const std::string& id, gs::ShowtimeSessionStatus to,
                                                  std::optional<std::string> reason, bool admin);
  Task<SessionRecord> begin_session(gs::StartSessionRequest r, std::optional<std::string> caller_session,
                                    bool auto_started);

  // Careers.
  using CareerFn = std::function<CareerUpdate(CareerState&)>;
  struct CareerContext {
    std::optional<std::string> session_id;
    std::optional<std::string> game_service_id;
    std::optional<std::string> streamer_session_id;
    std::string growth_reason_prefix;
  };
  struct CareerResult {
    CareerRow row;
    CareerUpdate update;
    std::vector<gs::MilestoneRecord> milestones;
  };
  Task<CareerResult> apply_career(const StreamerRef& streamer, const CareerFn& fn, const CareerContext& ctx,
                                  ShowtimeOutbox& out, std::vector<MilestoneRow> extra = {});
  // Takes `name` for this call alone (a fresh owner token: other coroutines of this node wait too);
  // returns the token to release it with, nullopt when it stayed busy.
  Task<std::optional<std::string>> lock_with_retry(const std::string& name);
  Task<void> apply_session_end_to_career(const std::string& session_id);

  // Voice rooms.
  Task<gs::SessionVoiceRoomResponse> ensure_voice_room(std::optional<std::string> showtime_session_id,
                                                       std::optional<std::string> game_session_id,
                                                       std::optional<std::int64_t> max_participants);
  Task<bool> drop_voice_room(const VoiceMapping& mapping);

  Task<void> send(ShowtimeOutbox out);
  ViewClock clock() const;
  std::int64_t now_ms() const;
  std::chrono::milliseconds lock_ttl() const;

  platform::ServiceContext& context_;
  gs::ShowtimeConfiguration config_;
  ShowtimeEngineConfig engine_;
  ShowtimeStore store_;
  CheckpointStore checkpoints_;
  SessionInputs inputs_;
  std::unique_ptr<VoiceRooms> voice_;
  const platform::RouteTable* routes_ = nullptr;
  std::mutex growth_mutex_;
  GrowthDebouncer growth_;

  std::mutex mutex_;  // guards slots_ and contexts_
  std::map<std::string, SlotPtr> slots_;
  std::map<std::string, std::shared_ptr<const AudienceContext>> contexts_;

  std::unique_ptr<AudienceTickWorker> tick_worker_;
  std::unique_ptr<CareerProgressionWorker> career_worker_;
  // Ended at the start of stop(): bus handlers and ticks enter it (refused from then on) and stop() waits
  // for those inside before its last checkpoints and lock releases; nothing is taken over after that (an
  // acquire still under way gives its lock back), so the next node neither waits out a lock nor loses
  // a write to this one.
  std::shared_ptr<platform::ServiceLife> life_ = std::make_shared<platform::ServiceLife>();
};

bool is_admin(const platform::CallContext& caller);

}  // namespace onair::showtime
