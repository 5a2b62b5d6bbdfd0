#pragma once
// The durable records of the stream service in SQL (SQLite or MariaDB), migrations of
// component "stream": platform links (secrets only sealed by the TokenCipher) and platform
// sessions (counts only). No audience data is ever written here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "gen/stream/models.hpp"
#include "infra/sql_database.hpp"

namespace onair::stream {

namespace gst = gen::stream;

struct LinkRecord {
  std::string link_id;
  std::string account_id;
  gst::StreamPlatform platform = gst::StreamPlatform::custom;
  std::optional<std::string> channel_id;  // the streamer's own broadcaster / channel id
  std::optional<std::string> login;
  std::optional<std::string> display_name;
  std::vector<std::string> scopes;
  gst::PlatformLinkStatus status = gst::PlatformLinkStatus::active;
  std::optional<std::string> access_token;   // sealed
  std::optional<std::string> refresh_token;  // sealed
  std::optional<std::string> token_expires_at;
  std::int64_t token_expires_ms = 0;
  std::optional<std::string> webhook_secret;  // sealed
  std::optional<std::string> rtmp_url;        // sealed
  std::optional<std::string> masked_rtmp_url;
  std::string linked_at;
  std::int64_t linked_ms = 0;
};

struct SessionRecord {
  std::string session_id;
  std::string link_id;
  std::string account_id;
  gst::StreamPlatform platform = gst::StreamPlatform::custom;
  std::optional<std::string> channel_id;
  gst::PlatformSessionState state = gst::PlatformSessionState::active;
  gst::PlatformSessionOrigin origin = gst::PlatformSessionOrigin::manual;
  std::optional<std::string> in_game_session_id;
  std::string started_at;
  std::int64_t started_ms = 0;
  std::optional<std::string> ended_at;
  std::int64_t ended_ms = 0;
  std::optional<gst::PlatformSessionEndReason> end_reason;
  std::optional<std::int64_t> current_viewers;
  std::int64_t peak_viewers = 0;
  std::int64_t pulses_published = 0;
  std::optional<std::string> last_pulse_at;
};

class StreamStore {
 public:
  explicit StreamStore(infra::SqlDatabase& sql) : sql_(sql) {}
  Task<void> migrate();
  infra::SqlDatabase& sql() noexcept { return sql_; }

  // Links.
  Task<void> insert_link(const LinkRecord& r);
  Task<void> update_link(const LinkRecord& r);
  Task<std::optional<LinkRecord>> link(const std::string& link_id);
  Task<std::optional<LinkRecord>> link_by_channel(gst::StreamPlatform platform, const std::string& channel_id);
  Task<std::vector<LinkRecord>> links_of(const std::string& account_id);
  Task<bool> delete_link(const std::string& link_id);
  // Active links of a platform (the upkeep workers' sweeps).
  Task<std::vector<LinkRecord>> active_links(gst::StreamPlatform platform);
  // A refresh's compare-and-set: stores the new sealed tokens of an active link only while its sealed
  // refresh token is still `expected_refresh` (another refresher, on any node, may have won); false otherwise.
  Task<bool> replace_tokens(const std::string& link_id, const std::string& expected_refresh, const std::string& access,
                            const std::string& refresh, std::int64_t expires_ms,
                            const std::optional<std::string>& expires_at);

  // Sessions.
  // False (and nothing written) when `r` is active and its link already has an active session:
  // the database holds at most one per link (a unique column), whichever node asks.
  Task<bool> insert_session(const SessionRecord& r);
  Task<std::optional<SessionRecord>> session(const std::string& session_id);
  Task<std::optional<SessionRecord>> active_session_of_link(const std::string& link_id);
  Task<std::vector<SessionRecord>> sessions_of(const std::string& account_id, bool active_only, std::int64_t limit);
  // Marks an active session ended; false when it was not active (another call ended it).
  Task<bool> finish_session(const std::string& session_id, const std::string& ended_at, std::int64_t ended_ms,
                            gst::PlatformSessionEndReason reason);
  Task<void> record_pulse(const std::string& session_id, const std::string& at);
  Task<void> record_viewers(const std::string& session_id, std::int64_t viewers);
  Task<bool> set_association(const std::string& session_id, const std::optional<std::string>& in_game_session_id);
  // Ended sessions that ended before `cutoff_ms` are deleted; returns how many.
  Task<std::int64_t> purge_ended_before(std::int64_t cutoff_ms);

 private:
  Task<std::vector<LinkRecord>> select_links(std::string where, std::vector<infra::SqlValue> params);
  Task<std::vector<SessionRecord>> select_sessions(std::string where, std::vector<infra::SqlValue> params);
  infra::SqlDatabase& sql_;
};

}  // namespace onair::stream
