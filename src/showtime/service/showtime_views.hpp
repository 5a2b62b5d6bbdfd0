#pragma once
// API answers built from records and live sessions. Admin-only fields
// (isRealDerived, trackingId, realDerivedCount, seed, targetSize) are filled
// only when `admin` is true: for every other caller they stay absent. Pure.
#include <cstdint>
#include <optional>
#include <string>

#include "showtime/service/live_session.hpp"

namespace onair::showtime {

struct ViewClock {
  std::int64_t now_ms = 0;
  std::int64_t tick_ms = 5000;
};

std::string format_ms(std::int64_t ms);
std::string member_uuid(MemberId id);

gs::AudienceMetrics audience_metrics(const LiveSession& s, bool admin, const ViewClock& clock);
std::optional<gs::HypeTrainStatus> hype_train_status(const LiveSession& s, const ViewClock& clock);
// A session as the API shows it: live figures when `live` is given, else the record's (final) ones.
gs::ShowtimeSessionResponse session_response(const SessionRecord& r, const LiveSession* live, bool admin,
                                             const ViewClock& clock);
gs::AudienceSnapshotResponse audience_snapshot(const LiveSession& s, std::size_t top_members, bool admin,
                                               std::int64_t follower_count, const ViewClock& clock);
gs::HypeStatusResponse hype_status_response(const LiveSession& s, const ShowtimeEngineConfig& config,
                                            const ViewClock& clock);
std::vector<gs::PersonalityCount> personality_mix(const LiveSession& s);
std::vector<gs::TagCount> interest_mix(const LiveSession& s);

}  // namespace onair::showtime
