#include "showtime/service/showtime_store.hpp"

#include <boost/json.hpp>

#include "core/ids.hpp"
#include "infra/sql_row.hpp"

namespace onair::showtime {
namespace json = boost::json;
using infra::SqlValue;
using namespace infra::sql_row;  // NOLINT: opt, text, str_at, int_at, ...

namespace {

constexpr const char* kSessionColumns =
    "session_id, streamer_type, streamer_id, game_service_id, game_session_id, status, career_phase, started_at, "
    "started_ms, paused_at, paused_ms, ended_at, end_reason, platform_session_id, voice_room_id, streamer_session_id, "
    "seed, target_size, hype_trains_completed, peak_hype_level, final_json, career_processed, auto_started";

std::vector<infra::Migration> migrations() {
  return {
      {1,
       "showtime tables",
       {
           "CREATE TABLE showtime_sessions (session_id VARCHAR(36) PRIMARY KEY, streamer_type VARCHAR(32) NOT NULL, "
           "streamer_id VARCHAR(128) NOT NULL, game_service_id VARCHAR(36) NOT NULL, game_session_id VARCHAR(36), "
           "status VARCHAR(16) NOT NULL, career_phase VARCHAR(16) NOT NULL, started_at VARCHAR(40) NOT NULL, "
           "started_ms BIGINT NOT NULL, paused_at VARCHAR(40), paused_ms BIGINT NOT NULL, ended_at VARCHAR(40), "
           "end_reason VARCHAR(32), platform_session_id VARCHAR(36), voice_room_id VARCHAR(36), "
           "streamer_session_id VARCHAR(36), seed BIGINT NOT NULL, target_size BIGINT NOT NULL, "
           "hype_trains_completed BIGINT NOT NULL, peak_hype_level BIGINT NOT NULL, final_json TEXT, "
           "career_processed BIGINT NOT NULL, auto_started BIGINT NOT NULL)",
           "CREATE INDEX showtime_sessions_streamer ON showtime_sessions (streamer_type, streamer_id)",
           "CREATE INDEX showtime_sessions_game_service ON showtime_sessions (game_service_id)",
           "CREATE INDEX showtime_sessions_status ON showtime_sessions (status)",
           "CREATE INDEX showtime_sessions_game_session ON showtime_sessions (game_session_id)",
           "CREATE TABLE showtime_followers (streamer_type VARCHAR(32) NOT NULL, streamer_id VARCHAR(128) NOT NULL, "
           "follower_id VARCHAR(36) NOT NULL, game_service_id VARCHAR(36) NOT NULL, personality_type VARCHAR(64) NOT "
           "NULL, interest_tags TEXT NOT NULL, first_followed_at VARCHAR(40) NOT NULL, first_followed_ms BIGINT NOT "
           "NULL, last_watched_at VARCHAR(40), total_watch_seconds BIGINT NOT NULL, sessions_watched BIGINT NOT NULL, "
           "average_engagement DOUBLE NOT NULL, real_derived BIGINT NOT NULL, showtime_session_id VARCHAR(36) NOT "
           "NULL, archived BIGINT NOT NULL, PRIMARY KEY (streamer_type, streamer_id, follower_id))",
           "CREATE INDEX showtime_followers_game_service ON showtime_followers (game_service_id)",
           "CREATE TABLE showtime_careers (streamer_type VARCHAR(32) NOT NULL, streamer_id VARCHAR(128) NOT NULL, "
           "state_json TEXT NOT NULL, first_stream_at VARCHAR(40), last_stream_at VARCHAR(40), archived BIGINT NOT "
           "NULL, PRIMARY KEY (streamer_type, streamer_id))",
           "CREATE TABLE showtime_milestones (milestone_id VARCHAR(36) PRIMARY KEY, streamer_type VARCHAR(32) NOT "
           "NULL, streamer_id VARCHAR(128) NOT NULL, code VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL, value "
           "BIGINT NOT NULL, career_phase VARCHAR(16) NOT NULL, reached_at VARCHAR(40) NOT NULL, reached_ms BIGINT "
           "NOT NULL, showtime_session_id VARCHAR(36), game_service_id VARCHAR(36))",
           "CREATE INDEX showtime_milestones_streamer ON showtime_milestones (streamer_type, streamer_id)",
           "CREATE TABLE showtime_voice_rooms (voice_room_id VARCHAR(36) PRIMARY KEY, showtime_session_id "
           "VARCHAR(36), game_session_id VARCHAR(36), created_at VARCHAR(40) NOT NULL)",
           "CREATE INDEX showtime_voice_rooms_session ON showtime_voice_rooms (showtime_session_id)",
           "CREATE INDEX showtime_voice_rooms_game_session ON showtime_voice_rooms (game_session_id)",
           "CREATE TABLE showtime_checkpoints (session_id VARCHAR(36) PRIMARY KEY, data LONGTEXT NOT NULL)",
       }},
  };
}

std::vector<SqlValue> session_values(const SessionRecord& r) {
  return {r.id,
          r.streamer.type,
          r.streamer.id,
          r.game_service_id,
          opt(r.game_session_id),
          text(gs::to_string(r.status)),
          text(gs::to_string(r.career_phase)),
          r.started_at,
          r.started_ms,
          opt(r.paused_at),
          r.paused_ms,
          opt(r.ended_at),
          r.end_reason ? text(gs::to_string(*r.end_reason)) : SqlValue(nullptr),
          opt(r.platform_session_id),
          opt(r.voice_room_id),
          opt(r.streamer_session_id),
          static_cast<std::int64_t>(r.seed),
          r.target_size,
          r.hype_trains_completed,
          r.peak_hype_level,
          r.final_figures ? SqlValue(json::serialize(r.final_figures->to_json())) : SqlValue(nullptr),
          std::int64_t{r.career_processed ? 1 : 0},
          std::int64_t{r.auto_started ? 1 : 0}};
}

SessionRecord session_from_row(const std::vector<SqlValue>& row) {
  SessionRecord r;
  r.id = str_at(row, 0);
  r.streamer = {str_at(row, 1), str_at(row, 2)};
  r.game_service_id = str_at(row, 3);
  r.game_session_id = opt_at(row, 4);
  r.status = gs::parse_showtime_session_status(str_at(row, 5)).value_or(gs::ShowtimeSessionStatus::ended);
  r.career_phase = gs::parse_career_phase(str_at(row, 6)).value_or(gs::CareerPhase::unknown);
  r.started_at = str_at(row, 7);
  r.started_ms = int_at(row, 8);
  r.paused_at = opt_at(row, 9);
  r.paused_ms = int_at(row, 10);
  r.ended_at = opt_at(row, 11);
  if (auto reason = opt_at(row, 12)) r.end_reason = gs::parse_showtime_session_end_reason(*reason);
  r.platform_session_id = opt_at(row, 13);
  r.voice_room_id = opt_at(row, 14);
  r.streamer_session_id = opt_at(row, 15);
  r.seed = static_cast<std::uint64_t>(int_at(row, 16));
  r.target_size = int_at(row, 17);
  r.hype_trains_completed = int_at(row, 18);
  r.peak_hype_level = int_at(row, 19);
  if (auto f = opt_at(row, 20)) r.final_figures = SessionFinal::from_json(json::parse(*f));
  r.career_processed = int_at(row, 21) != 0;
  r.auto_started = int_at(row, 22) != 0;
  return r;
}

template <class... A>
std::vector<SqlValue> args(A&&... a) {
  std::vector<SqlValue> v;
  (v.emplace_back(std::forward<A>(a)), ...);
  return v;
}

std::int64_t offset_of(std::int64_t page, std::int64_t page_size) { return (page - 1) * page_size; }

}  // namespace

ShowtimeStore::ShowtimeStore(infra::SqlDatabase& sql) : sql_(sql) {}

Task<void> ShowtimeStore::migrate() { co_await sql_.migrate("showtime", migrations()); }

// ------------------------------------------------------------------ sessions

Task<void> ShowtimeStore::insert_session(const SessionRecord& r) {
  std::string sql = std::string("INSERT INTO showtime_sessions (") + kSessionColumns +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  co_await sql_.execute(std::move(sql), session_values(r));
}

Task<void> ShowtimeStore::update_session(const SessionRecord& r) {
  auto values = session_values(r);
  std::vector<SqlValue> params(values.begin() + 1, values.end());
  params.push_back(r.id);
  std::string sql =
      "UPDATE showtime_sessions SET streamer_type = ?, streamer_id = ?, game_service_id = ?, game_session_id = ?, "
      "status = ?, career_phase = ?, started_at = ?, started_ms = ?, paused_at = ?, paused_ms = ?, ended_at = ?, "
      "end_reason = ?, platform_session_id = ?, voice_room_id = ?, streamer_session_id = ?, seed = ?, target_size = "
      "?, hype_trains_completed = ?, peak_hype_level = ?, final_json = ?, career_processed = ?, auto_started = ? "
      "WHERE session_id = ?";
  co_await sql_.execute(std::move(sql), std::move(params));
}

Task<std::vector<SessionRecord>> ShowtimeStore::select_sessions(std::string where, std::vector<SqlValue> params) {
  std::string sql = std::string("SELECT ") + kSessionColumns + " FROM showtime_sessions " + where;
  auto result = co_await sql_.execute(std::move(sql), std::move(params));
  std::vector<SessionRecord> out;
  for (const auto& row : result.rows) out.push_back(session_from_row(row));
  co_return out;
}

Task<std::optional<SessionRecord>> ShowtimeStore::session(const std::string& id) {
  auto rows = co_await select_sessions("WHERE session_id = ?", args(id));
  std::optional<SessionRecord> out;
  if (!rows.empty()) out = std::move(rows.front());
  co_return out;
}

Task<Page<SessionRecord>> ShowtimeStore::list_sessions(const SessionFilter& filter, std::int64_t page,
                                                       std::int64_t page_size) {
  std::string where = "WHERE 1 = 1";
  std::vector<SqlValue> params;
  if (filter.game_service_id) {
    where += " AND game_service_id = ?";
    params.emplace_back(*filter.game_service_id);
  }
  if (filter.streamer) {
    where += " AND streamer_type = ? AND streamer_id = ?";
    params.emplace_back(filter.streamer->type);
    params.emplace_back(filter.streamer->id);
  }
  if (filter.status) {
    where += " AND status = ?";
    params.emplace_back(std::string(gs::to_string(*filter.status)));
  }
  auto count = co_await sql_.execute("SELECT COUNT(*) FROM showtime_sessions " + where, params);
  Page<SessionRecord> out;
  out.total = count.rows.empty() ? 0 : int_at(count.rows[0], 0);
  where += " ORDER BY started_ms DESC, session_id DESC LIMIT ? OFFSET ?";
  params.emplace_back(page_size);
  params.emplace_back(offset_of(page, page_size));
  out.items = co_await select_sessions(std::move(where), std::move(params));
  co_return out;
}

Task<std::vector<SessionRecord>> ShowtimeStore::live_sessions() {
  co_return co_await select_sessions("WHERE status <> 'ended' ORDER BY started_ms", args());
}

Task<std::vector<SessionRecord>> ShowtimeStore::live_sessions_of(const StreamerRef& streamer) {
  co_return co_await select_sessions("WHERE status <> 'ended' AND streamer_type = ? AND streamer_id = ?",
                                     args(streamer.type, streamer.id));
}

Task<std::vector<SessionRecord>> ShowtimeStore::live_sessions_of_game_session(const std::string& game_session_id) {
  co_return co_await select_sessions("WHERE status <> 'ended' AND game_session_id = ?", args(game_session_id));
}

Task<std::vector<SessionRecord>> ShowtimeStore::sessions_of_game_service(const std::string& game_service_id) {
  co_return co_await select_sessions("WHERE game_service_id = ?", args(game_service_id));
}

Task<std::vector<SessionRecord>> ShowtimeStore::live_sessions_with_voice_room(const std::string& voice_room_id) {
  co_return co_await select_sessions("WHERE status <> 'ended' AND voice_room_id = ?", args(voice_room_id));
}

Task<std::vector<SessionRecord>> ShowtimeStore::unprocessed_sessions() {
  co_return co_await select_sessions("WHERE status = 'ended' AND career_processed = 0 ORDER BY started_ms", args());
}

Task<std::int64_t> ShowtimeStore::delete_sessions_of_game_service(const std::string& game_service_id) {
  std::vector<infra::SqlStatement> statements{
      {"DELETE FROM showtime_checkpoints WHERE session_id IN (SELECT session_id FROM showtime_sessions WHERE "
       "game_service_id = ?)",
       {game_service_id}},
      {"DELETE FROM showtime_sessions WHERE game_service_id = ?", {game_service_id}},
  };
  auto results = co_await sql_.transaction(std::move(statements));
  co_return static_cast<std::int64_t>(results.back().affected_rows);
}

// ----------------------------------------------------------------- followers

Task<std::int64_t> ShowtimeStore::follower_count(const StreamerRef& streamer) {
  auto r = co_await sql_.execute(
      "SELECT COUNT(*) FROM showtime_followers WHERE streamer_type = ? AND streamer_id = ? AND archived = 0",
      args(streamer.type, streamer.id));
  co_return r.rows.empty() ? 0 : int_at(r.rows[0], 0);
}

Task<void> ShowtimeStore::add_followers(const std::vector<FollowerRecord>& followers) {
  if (followers.empty()) co_return;
  std::vector<infra::SqlStatement> statements;
  for (const auto& f : followers) {
    json::array tags;
    for (const auto& t : f.interest_tags) tags.push_back(json::string(t));
    // A member already following (an archived record) is replaced by the new bond.
    statements.push_back(
        {"DELETE FROM showtime_followers WHERE streamer_type = ? AND streamer_id = ? AND "
         "follower_id = ?",
         {f.streamer.type, f.streamer.id, f.follower_id}});
    statements.push_back(
        {"INSERT INTO showtime_followers (streamer_type, streamer_id, follower_id, game_service_id, personality_type, "
         "interest_tags, first_followed_at, first_followed_ms, last_watched_at, total_watch_seconds, "
         "sessions_watched, average_engagement, real_derived, showtime_session_id, archived) VALUES (?, ?, ?, ?, ?, "
         "?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
         {f.streamer.type, f.streamer.id, f.follower_id, f.game_service_id, f.personality_type, json::serialize(tags),
          f.first_followed_at, f.first_followed_ms, opt(f.last_watched_at), f.total_watch_time_seconds,
          f.sessions_watched, f.average_engagement, std::int64_t{f.real_derived ? 1 : 0}, f.showtime_session_id}});
  }
  co_await sql_.transaction(std::move(statements));
}

Task<Page<FollowerRecord>> ShowtimeStore::followers(const StreamerRef& streamer,
                                                    const std::optional<std::string>& game_service_id,
                                                    std::int64_t page, std::int64_t page_size) {
  std::string where = "WHERE streamer_type = ? AND streamer_id = ? AND archived = 0";
  std::vector<SqlValue> params{streamer.type, streamer.id};
  if (game_service_id) {
    where += " AND game_service_id = ?";
    params.emplace_back(*game_service_id);
  }
  auto count = co_await sql_.execute("SELECT COUNT(*) FROM showtime_followers " + where, params);
  Page<FollowerRecord> out;
  out.total = count.rows.empty() ? 0 : int_at(count.rows[0], 0);
  params.emplace_back(page_size);
  params.emplace_back(offset_of(page, page_size));
  auto rows = co_await sql_.execute(
      "SELECT follower_id, game_service_id, personality_type, interest_tags, first_followed_at, first_followed_ms, "
      "last_watched_at, total_watch_seconds, sessions_watched, average_engagement, real_derived, showtime_session_id "
      "FROM showtime_followers " +
          where + " ORDER BY first_followed_ms DESC, follower_id LIMIT ? OFFSET ?",
      std::move(params));
  for (const auto& row : rows.rows) {
    FollowerRecord f;
    f.follower_id = str_at(row, 0);
    f.streamer = streamer;
    f.game_service_id = str_at(row, 1);
    f.personality_type = str_at(row, 2);
    const auto tags = json::parse(str_at(row, 3));  // named: a range-for over a temporary's member dangles
    for (const auto& t : tags.as_array()) f.interest_tags.emplace_back(t.as_string());
    f.first_followed_at = str_at(row, 4);
    f.first_followed_ms = int_at(row, 5);
    f.last_watched_at = opt_at(row, 6);
    f.total_watch_time_seconds = int_at(row, 7);
    f.sessions_watched = int_at(row, 8);
    f.average_engagement = double_at(row, 9);
    f.real_derived = int_at(row, 10) != 0;
    f.showtime_session_id = str_at(row, 11);
    out.items.push_back(std::move(f));
  }
  co_return out;
}

Task<std::int64_t> ShowtimeStore::archive_followers(const StreamerRef& streamer) {
  auto r = co_await sql_.execute(
      "UPDATE showtime_followers SET archived = 1 WHERE streamer_type = ? AND streamer_id = ? AND archived = 0",
      args(streamer.type, streamer.id));
  co_return static_cast<std::int64_t>(r.affected_rows);
}

Task<std::int64_t> ShowtimeStore::delete_followers_of_game_service(const std::string& game_service_id) {
  auto r = co_await sql_.execute("DELETE FROM showtime_followers WHERE game_service_id = ?", args(game_service_id));
  co_return static_cast<std::int64_t>(r.affected_rows);
}

// ---------------------------------------------------------------- careers

Task<std::optional<CareerRow>> ShowtimeStore::career(const StreamerRef& streamer) {
  auto r = co_await sql_.execute(
      "SELECT state_json, first_stream_at, last_stream_at FROM showtime_careers WHERE streamer_type = ? AND "
      "streamer_id = ? AND archived = 0",
      args(streamer.type, streamer.id));
  if (r.rows.empty()) co_return std::nullopt;
  CareerRow row;
  row.streamer = streamer;
  row.state = career_from_json(json::parse(str_at(r.rows[0], 0)));
  row.first_stream_at = opt_at(r.rows[0], 1);
  row.last_stream_at = opt_at(r.rows[0], 2);
  co_return row;
}

Task<void> ShowtimeStore::save_career(const CareerRow& row, bool exists, const std::vector<MilestoneRow>& milestones) {
  std::vector<infra::SqlStatement> statements;
  const auto state = json::serialize(career_to_json(row.state));
  if (exists) {
    statements.push_back(
        {"UPDATE showtime_careers SET state_json = ?, first_stream_at = ?, last_stream_at = ? WHERE "
         "streamer_type = ? AND streamer_id = ? AND archived = 0",
         {state, opt(row.first_stream_at), opt(row.last_stream_at), row.streamer.type, row.streamer.id}});
  } else {
    // An archived career (cleanup) is replaced by the new one.
    statements.push_back({"DELETE FROM showtime_careers WHERE streamer_type = ? AND streamer_id = ?",
                          {row.streamer.type, row.streamer.id}});
    statements.push_back(
        {"INSERT INTO showtime_careers (streamer_type, streamer_id, state_json, first_stream_at, "
         "last_stream_at, archived) VALUES (?, ?, ?, ?, ?, 0)",
         {row.streamer.type, row.streamer.id, state, opt(row.first_stream_at), opt(row.last_stream_at)}});
  }
  for (const auto& m : milestones) {
    statements.push_back(
        {"INSERT INTO showtime_milestones (milestone_id, streamer_type, streamer_id, code, kind, value, "
         "career_phase, reached_at, reached_ms, showtime_session_id, game_service_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
         "?, ?, ?)",
         {m.milestone_id, m.streamer.type, m.streamer.id, m.record.milestone_code, text(gs::to_string(m.record.kind)),
          m.record.value, text(gs::to_string(m.record.career_phase)), m.record.reached_at, m.reached_ms,
          opt(m.record.showtime_session_id), opt(m.record.game_service_id)}});
  }
  co_await sql_.transaction(std::move(statements));
}

Task<Page<MilestoneRow>> ShowtimeStore::milestones(const StreamerRef& streamer,
                                                   const std::optional<gs::MilestoneKind>& kind, std::int64_t page,
                                                   std::int64_t page_size) {
  std::string where = "WHERE streamer_type = ? AND streamer_id = ?";
  std::vector<SqlValue> params{streamer.type, streamer.id};
  if (kind) {
    where += " AND kind = ?";
    params.emplace_back(std::string(gs::to_string(*kind)));
  }
  auto count = co_await sql_.execute("SELECT COUNT(*) FROM showtime_milestones " + where, params);
  Page<MilestoneRow> out;
  out.total = count.rows.empty() ? 0 : int_at(count.rows[0], 0);
  params.emplace_back(page_size);
  params.emplace_back(offset_of(page, page_size));
  auto rows = co_await sql_.execute(
      "SELECT milestone_id, code, kind, value, career_phase, reached_at, reached_ms, showtime_session_id, "
      "game_service_id FROM showtime_milestones " +
          where + " ORDER BY reached_ms DESC, milestone_id DESC LIMIT ? OFFSET ?",
      std::move(params));
  for (const auto& row : rows.rows) {
    MilestoneRow m;
    m.milestone_id = str_at(row, 0);
    m.streamer = streamer;
    m.record.milestone_code = str_at(row, 1);
    m.record.kind = gs::parse_milestone_kind(str_at(row, 2)).value_or(gs::MilestoneKind::phase);
    m.record.value = int_at(row, 3);
    m.record.career_phase = gs::parse_career_phase(str_at(row, 4)).value_or(gs::CareerPhase::unknown);
    m.record.reached_at = str_at(row, 5);
    m.reached_ms = int_at(row, 6);
    m.record.showtime_session_id = opt_at(row, 7);
    m.record.game_service_id = opt_at(row, 8);
    out.items.push_back(std::move(m));
  }
  co_return out;
}

Task<bool> ShowtimeStore::archive_career(const StreamerRef& streamer) {
  auto r = co_await sql_.execute(
      "UPDATE showtime_careers SET archived = 1 WHERE streamer_type = ? AND streamer_id = ? AND archived = 0",
      args(streamer.type, streamer.id));
  co_return r.affected_rows > 0;
}

// ------------------------------------------------------------- voice rooms

namespace {
VoiceMapping mapping_from_row(const std::vector<SqlValue>& row) {
  return {str_at(row, 0), opt_at(row, 1), opt_at(row, 2), str_at(row, 3)};
}
}  // namespace

Task<std::optional<VoiceMapping>> ShowtimeStore::voice_of_session(const std::string& showtime_session_id) {
  auto r = co_await sql_.execute(
      "SELECT voice_room_id, showtime_session_id, game_session_id, created_at FROM showtime_voice_rooms WHERE "
      "showtime_session_id = ?",
      args(showtime_session_id));
  if (r.rows.empty()) co_return std::nullopt;
  co_return mapping_from_row(r.rows[0]);
}

Task<std::optional<VoiceMapping>> ShowtimeStore::voice_of_game_session(const std::string& game_session_id) {
  auto r = co_await sql_.execute(
      "SELECT voice_room_id, showtime_session_id, game_session_id, created_at FROM showtime_voice_rooms WHERE "
      "game_session_id = ?",
      args(game_session_id));
  if (r.rows.empty()) co_return std::nullopt;
  co_return mapping_from_row(r.rows[0]);
}

Task<void> ShowtimeStore::add_voice_mapping(const VoiceMapping& m) {
  co_await sql_.execute(
      "INSERT INTO showtime_voice_rooms (voice_room_id, showtime_session_id, game_session_id, created_at) VALUES (?, "
      "?, ?, ?)",
      args(m.voice_room_id, opt(m.showtime_session_id), opt(m.game_session_id), m.created_at));
}

Task<std::int64_t> ShowtimeStore::remove_voice_mapping(const std::string& voice_room_id) {
  auto r = co_await sql_.execute("DELETE FROM showtime_voice_rooms WHERE voice_room_id = ?", args(voice_room_id));
  co_return static_cast<std::int64_t>(r.affected_rows);
}

// ------------------------------------------------------------- checkpoints

Task<void> ShowtimeStore::put_checkpoint(const std::string& session_id, const std::string& data) {
  std::vector<infra::SqlStatement> statements{
      {"DELETE FROM showtime_checkpoints WHERE session_id = ?", {session_id}},
      {"INSERT INTO showtime_checkpoints (session_id, data) VALUES (?, ?)", {session_id, data}},
  };
  co_await sql_.transaction(std::move(statements));
}

Task<std::optional<std::string>> ShowtimeStore::checkpoint(const std::string& session_id) {
  auto r = co_await sql_.execute("SELECT data FROM showtime_checkpoints WHERE session_id = ?", args(session_id));
  if (r.rows.empty()) co_return std::nullopt;
  co_return str_at(r.rows[0], 0);
}

Task<void> ShowtimeStore::remove_checkpoint(const std::string& session_id) {
  co_await sql_.execute("DELETE FROM showtime_checkpoints WHERE session_id = ?", args(session_id));
}

}  // namespace onair::showtime
