#pragma once
// The durable records of the showtime service (rows of showtime_store) and the
// JSON form of a streamer's career state. Plain data: no I/O.
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gen/showtime/models.hpp"
#include "showtime/engine/career.hpp"
#include "showtime/engine/types.hpp"

namespace onair::showtime {

namespace gs = gen::showtime;

// A streamer: an opaque entity (type + id).
struct StreamerRef {
  std::string type;
  std::string id;
  friend bool operator==(const StreamerRef&, const StreamerRef&) = default;
};

// Figures of a session fixed when it ended (kept as JSON in the session row).
struct SessionFinal {
  gs::AudienceMetrics audience;
  std::vector<gs::ContentTag> content_tags;
  std::int64_t followers_gained = 0;
  std::int64_t distinct_content_tags = 0;
  std::int64_t world_first_count = 0;
  std::int64_t duration_seconds = 0;
  boost::json::value to_json() const;
  static SessionFinal from_json(const boost::json::value& v);
};

struct SessionRecord {
  std::string id;
  StreamerRef streamer;
  std::string game_service_id;
  std::optional<std::string> game_session_id;
  gs::ShowtimeSessionStatus status = gs::ShowtimeSessionStatus::active;
  gs::CareerPhase career_phase = gs::CareerPhase::unknown;
  std::string started_at;
  std::int64_t started_ms = 0;
  std::optional<std::string> paused_at;
  std::int64_t paused_ms = 0;
  std::optional<std::string> ended_at;
  std::optional<gs::ShowtimeSessionEndReason> end_reason;
  std::optional<std::string> platform_session_id;
  std::optional<std::string> voice_room_id;
  std::optional<std::string> streamer_session_id;
  std::uint64_t seed = 0;
  std::int64_t target_size = 0;
  std::int64_t hype_trains_completed = 0;
  std::int64_t peak_hype_level = 0;
  std::optional<SessionFinal> final_figures;  // set once ended
  bool career_processed = false;              // the career worker has applied the session end
  bool auto_started = false;

  bool live() const noexcept { return status != gs::ShowtimeSessionStatus::ended; }
};

struct FollowerRecord {
  std::string follower_id;
  StreamerRef streamer;
  std::string game_service_id;
  std::string personality_type;
  std::vector<std::string> interest_tags;
  std::string first_followed_at;
  std::int64_t first_followed_ms = 0;
  std::optional<std::string> last_watched_at;
  std::int64_t total_watch_time_seconds = 0;
  std::int64_t sessions_watched = 0;
  double average_engagement = 0.0;
  bool real_derived = false;
  std::string showtime_session_id;  // session it was converted in
};

struct MilestoneRow {
  std::string milestone_id;
  StreamerRef streamer;
  gs::MilestoneRecord record;
  std::int64_t reached_ms = 0;
};

struct CareerRow {
  StreamerRef streamer;
  CareerState state;
  std::optional<std::string> first_stream_at;
  std::optional<std::string> last_stream_at;
};

struct VoiceMapping {
  std::string voice_room_id;
  std::optional<std::string> showtime_session_id;
  std::optional<std::string> game_session_id;
  std::string created_at;
};

boost::json::value career_to_json(const CareerState& state);
CareerState career_from_json(const boost::json::value& v);

// The generated enums share the engine's order.
gs::CareerPhase to_gen(CareerPhase phase) noexcept;
CareerPhase from_gen(gs::CareerPhase phase) noexcept;
gs::GrowthKey to_gen(GrowthKey key) noexcept;
GrowthKey from_gen(gs::GrowthKey key) noexcept;
gs::GrowthDomain to_gen(GrowthDomain domain) noexcept;
gs::SentimentCategory to_gen(Sentiment s) noexcept;
Sentiment from_gen(gs::SentimentCategory s) noexcept;

}  // namespace onair::showtime
