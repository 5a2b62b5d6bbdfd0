#pragma once
// The durable records of the showtime service in the SQL database (SQLite or
// MariaDB): sessions, followers, careers, milestones, session <-> voice room
// mappings, and audience checkpoints on the embedded defaults. Migrations of
// component "showtime". Every query is SQL both dialects accept.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "infra/sql_database.hpp"
#include "showtime/service/showtime_records.hpp"

namespace onair::showtime {

struct SessionFilter {
  std::optional<std::string> game_service_id;
  std::optional<StreamerRef> streamer;
  std::optional<gs::ShowtimeSessionStatus> status;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;
};

class ShowtimeStore {
 public:
  explicit ShowtimeStore(infra::SqlDatabase& sql);

  Task<void> migrate();

  // Sessions.
  Task<void> insert_session(const SessionRecord& r);
  Task<void> update_session(const SessionRecord& r);
  Task<std::optional<SessionRecord>> session(const std::string& id);
  Task<Page<SessionRecord>> list_sessions(const SessionFilter& filter, std::int64_t page, std::int64_t page_size);
  // Active and paused sessions (all, or of one streamer / game session / game service).
  Task<std::vector<SessionRecord>> live_sessions();
  Task<std::vector<SessionRecord>> live_sessions_of(const StreamerRef& streamer);
  Task<std::vector<SessionRecord>> live_sessions_of_game_session(const std::string& game_session_id);
  Task<std::vector<SessionRecord>> sessions_of_game_service(const std::string& game_service_id);
  Task<std::vector<SessionRecord>> live_sessions_with_voice_room(const std::string& voice_room_id);
  // Ended sessions whose career contribution is not applied yet.
  Task<std::vector<SessionRecord>> unprocessed_sessions();
  Task<std::int64_t> delete_sessions_of_game_service(const std::string& game_service_id);

  // Followers.
  Task<std::int64_t> follower_count(const StreamerRef& streamer);
  Task<void> add_followers(const std::vector<FollowerRecord>& followers);
  Task<Page<FollowerRecord>> followers(const StreamerRef& streamer, const std::optional<std::string>& game_service_id,
                                       std::int64_t page, std::int64_t page_size);
  Task<std::int64_t> archive_followers(const StreamerRef& streamer);
  Task<std::int64_t> delete_followers_of_game_service(const std::string& game_service_id);

  // Careers and milestones.
  Task<std::optional<CareerRow>> career(const StreamerRef& streamer);
  // Writes the career and appends the milestones in one transaction.
  Task<void> save_career(const CareerRow& row, bool exists, const std::vector<MilestoneRow>& milestones);
  Task<Page<MilestoneRow>> milestones(const StreamerRef& streamer, const std::optional<gs::MilestoneKind>& kind,
                                      std::int64_t page, std::int64_t page_size);
  Task<bool> archive_career(const StreamerRef& streamer);

  // Voice room mappings.
  Task<std::optional<VoiceMapping>> voice_of_session(const std::string& showtime_session_id);
  Task<std::optional<VoiceMapping>> voice_of_game_session(const std::string& game_session_id);
  Task<void> add_voice_mapping(const VoiceMapping& m);
  Task<std::int64_t> remove_voice_mapping(const std::string& voice_room_id);

  // Audience checkpoints (used when the state store is not Redis).
  Task<void> put_checkpoint(const std::string& session_id, const std::string& data);
  Task<std::optional<std::string>> checkpoint(const std::string& session_id);
  Task<void> remove_checkpoint(const std::string& session_id);

 private:
  Task<std::vector<SessionRecord>> select_sessions(std::string where, std::vector<infra::SqlValue> params);
  infra::SqlDatabase& sql_;
};

}  // namespace onair::showtime
