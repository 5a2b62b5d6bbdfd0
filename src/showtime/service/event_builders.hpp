#pragma once
// Bus events and client events of the showtime service, built from records
// and live sessions (models of showtime-events.yaml and
// showtime-client-events.yaml). No event says whether a member is
// real-derived. Pure apart from fresh event ids.
#include <functional>
#include <optional>
#include <string>

#include "showtime/service/live_session.hpp"
#include "showtime/service/showtime_outbox.hpp"
#include "showtime/service/showtime_views.hpp"

namespace onair::showtime {

struct EventCodes {
  std::string milestone_collection;
  std::string hype_collection;
  std::string world_first_collection;
};

std::string session_started_event(const SessionRecord& r, std::int64_t audience_size,
                                  const std::vector<std::string>& tags);
std::string session_status_client_event(const SessionRecord& r, std::optional<gs::ShowtimeSessionStatus> previous,
                                        std::int64_t audience_size);
std::string session_paused_event(const SessionRecord& r, std::int64_t audience_size,
                                 const std::optional<std::string>& reason);
std::string session_resumed_event(const SessionRecord& r, std::int64_t audience_size, std::int64_t paused_seconds);
std::string session_ended_event(const SessionRecord& r, std::int64_t hype_train_count);

// What one tick (or a session end) of a live session tells the world: hype
// events (bus + client), the audience push, showtime.audience.changed.
// `new_train_id` is called for a train that starts.
void add_hype_events(LiveSession& s, const std::vector<HypeEvent>& events, const EventCodes& codes,
                     const ViewClock& clock, const std::function<std::string()>& new_train_id, ShowtimeOutbox& out);
// showtime.tip.generated for `amount` whole tips of this session's audience.
void add_tip_event(const LiveSession& s, std::uint64_t amount, const std::string& currency_code, ShowtimeOutbox& out);
void add_audience_push(LiveSession& s, const std::optional<AudienceChange>& change, std::uint32_t previous_size,
                       const ViewClock& clock, ShowtimeOutbox& out);

// A milestone, for the bus and for the streamer's socket.
std::string milestone_event(const SessionRecord* session, const StreamerRef& streamer, const gs::MilestoneRecord& m,
                            const EventCodes& codes, std::optional<std::int64_t> hype_level = std::nullopt,
                            std::optional<std::string> hype_train_id = std::nullopt,
                            std::optional<gs::HistoryScope> scope = std::nullopt);
std::string milestone_client_event(const gs::MilestoneRecord& m, std::optional<gs::CareerPhase> previous_phase,
                                   std::optional<std::int64_t> hype_level = std::nullopt);

}  // namespace onair::showtime
