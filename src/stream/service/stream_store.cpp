#include "stream/service/stream_store.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "infra/sql_row.hpp"

namespace onair::stream {
namespace json = boost::json;
using infra::SqlValue;
using namespace infra::sql_row;  // NOLINT: opt, text, str_at, int_at, ...

namespace {

constexpr const char* kLinkColumns =
    "link_id, account_id, platform, channel_id, login, display_name, scopes_json, status, access_token, "
    "refresh_token, token_expires_at, token_expires_ms, webhook_secret, rtmp_url, masked_rtmp_url, linked_at, "
    "linked_ms";
constexpr const char* kSessionColumns =
    "session_id, link_id, account_id, platform, channel_id, state, origin, in_game_session_id, started_at, "
    "started_ms, ended_at, ended_ms, end_reason, current_viewers, peak_viewers, pulses_published, last_pulse_at";

std::vector<infra::Migration> migrations() {
  return {{1,
           "stream tables",
           {
               "CREATE TABLE stream_links (link_id VARCHAR(36) PRIMARY KEY, account_id VARCHAR(128) NOT NULL, "
               "platform VARCHAR(16) NOT NULL, channel_id VARCHAR(128), login VARCHAR(128), display_name "
               "VARCHAR(256), scopes_json TEXT NOT NULL, status VARCHAR(16) NOT NULL, access_token TEXT, "
               "refresh_token TEXT, token_expires_at VARCHAR(40), token_expires_ms BIGINT NOT NULL, webhook_secret "
               "TEXT, rtmp_url TEXT, masked_rtmp_url VARCHAR(2048), linked_at VARCHAR(40) NOT NULL, linked_ms BIGINT "
               "NOT NULL)",
               "CREATE INDEX stream_links_account ON stream_links (account_id)",
               "CREATE UNIQUE INDEX stream_links_channel ON stream_links (platform, channel_id)",
               "CREATE TABLE stream_sessions (session_id VARCHAR(36) PRIMARY KEY, link_id VARCHAR(36) NOT NULL, "
               "account_id VARCHAR(128) NOT NULL, platform VARCHAR(16) NOT NULL, channel_id VARCHAR(128), state "
               "VARCHAR(16) NOT NULL, origin VARCHAR(16) NOT NULL, in_game_session_id VARCHAR(36), started_at "
               "VARCHAR(40) NOT NULL, started_ms BIGINT NOT NULL, ended_at VARCHAR(40), ended_ms BIGINT NOT NULL, "
               "end_reason VARCHAR(32), current_viewers BIGINT, peak_viewers BIGINT NOT NULL, pulses_published "
               "BIGINT NOT NULL, last_pulse_at VARCHAR(40))",
               "CREATE INDEX stream_sessions_link ON stream_sessions (link_id, state)",
               "CREATE INDEX stream_sessions_account ON stream_sessions (account_id, started_ms)",
               "CREATE INDEX stream_sessions_ended ON stream_sessions (state, ended_ms)",
           }},
          // Two nodes that both see a stream go live (EventSub, WebSub + live check) must not both start a
          // session: `active_link_id` is the link's id while a session is active, NULL after, and unique.
          // Links that already had several active sessions keep the newest as the one.
          {2,
           "one active session per link",
           {
               "ALTER TABLE stream_sessions ADD COLUMN active_link_id VARCHAR(36)",
               "UPDATE stream_sessions SET active_link_id = link_id WHERE state = 'active' AND session_id IN (SELECT "
               "newest FROM (SELECT (SELECT s2.session_id FROM stream_sessions s2 WHERE s2.link_id = s1.link_id AND "
               "s2.state = 'active' ORDER BY s2.started_ms DESC, s2.session_id DESC LIMIT 1) AS newest FROM "
               "stream_sessions s1 WHERE s1.state = 'active') AS newest_per_link)",
               "CREATE UNIQUE INDEX stream_sessions_one_active ON stream_sessions (active_link_id)",
           }}};
}

std::vector<SqlValue> link_values(const LinkRecord& r) {
  json::array scopes;
  for (const auto& s : r.scopes) scopes.emplace_back(s);
  return {r.link_id,
          r.account_id,
          text(gst::to_string(r.platform)),
          opt(r.channel_id),
          opt(r.login),
          opt(r.display_name),
          SqlValue(json::serialize(scopes)),
          text(gst::to_string(r.status)),
          opt(r.access_token),
          opt(r.refresh_token),
          opt(r.token_expires_at),
          r.token_expires_ms,
          opt(r.webhook_secret),
          opt(r.rtmp_url),
          opt(r.masked_rtmp_url),
          r.linked_at,
          r.linked_ms};
}

LinkRecord link_from_row(const std::vector<SqlValue>& row) {
  LinkRecord r;
  r.link_id = str_at(row, 0);
  r.account_id = str_at(row, 1);
  r.platform = gst::parse_stream_platform(str_at(row, 2)).value_or(gst::StreamPlatform::custom);
  r.channel_id = opt_at(row, 3);
  r.login = opt_at(row, 4);
  r.display_name = opt_at(row, 5);
  boost::system::error_code ec;
  auto scopes = json::parse(str_at(row, 6), ec);
  if (!ec && scopes.is_array()) {
    for (const auto& s : scopes.as_array()) {
      if (s.is_string()) r.scopes.emplace_back(s.as_string());
    }
  }
  r.status = gst::parse_platform_link_status(str_at(row, 7)).value_or(gst::PlatformLinkStatus::needs_relink);
  r.access_token = opt_at(row, 8);
  r.refresh_token = opt_at(row, 9);
  r.token_expires_at = opt_at(row, 10);
  r.token_expires_ms = int_at(row, 11);
  r.webhook_secret = opt_at(row, 12);
  r.rtmp_url = opt_at(row, 13);
  r.masked_rtmp_url = opt_at(row, 14);
  r.linked_at = str_at(row, 15);
  r.linked_ms = int_at(row, 16);
  return r;
}

std::vector<SqlValue> session_values(const SessionRecord& r) {
  return {r.session_id,
          r.link_id,
          r.account_id,
          text(gst::to_string(r.platform)),
          opt(r.channel_id),
          text(gst::to_string(r.state)),
          text(gst::to_string(r.origin)),
          opt(r.in_game_session_id),
          r.started_at,
          r.started_ms,
          opt(r.ended_at),
          r.ended_ms,
          r.end_reason ? text(gst::to_string(*r.end_reason)) : SqlValue(nullptr),
          r.current_viewers ? SqlValue(*r.current_viewers) : SqlValue(nullptr),
          r.peak_viewers,
          r.pulses_published,
          opt(r.last_pulse_at)};
}

SessionRecord session_from_row(const std::vector<SqlValue>& row) {
  SessionRecord r;
  r.session_id = str_at(row, 0);
  r.link_id = str_at(row, 1);
  r.account_id = str_at(row, 2);
  r.platform = gst::parse_stream_platform(str_at(row, 3)).value_or(gst::StreamPlatform::custom);
  r.channel_id = opt_at(row, 4);
  r.state = gst::parse_platform_session_state(str_at(row, 5)).value_or(gst::PlatformSessionState::ended);
  r.origin = gst::parse_platform_session_origin(str_at(row, 6)).value_or(gst::PlatformSessionOrigin::manual);
  r.in_game_session_id = opt_at(row, 7);
  r.started_at = str_at(row, 8);
  r.started_ms = int_at(row, 9);
  r.ended_at = opt_at(row, 10);
  r.ended_ms = int_at(row, 11);
  if (auto reason = opt_at(row, 12)) r.end_reason = gst::parse_platform_session_end_reason(*reason);
  if (!std::holds_alternative<std::nullptr_t>(row[13])) r.current_viewers = int_at(row, 13);
  r.peak_viewers = int_at(row, 14);
  r.pulses_published = int_at(row, 15);
  r.last_pulse_at = opt_at(row, 16);
  return r;
}

template <class... A>
std::vector<SqlValue> args(A&&... a) {
  std::vector<SqlValue> v;
  (v.emplace_back(std::forward<A>(a)), ...);
  return v;
}

std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

}  // namespace

Task<void> StreamStore::migrate() { co_await sql_.migrate("stream", migrations()); }

Task<void> StreamStore::insert_link(const LinkRecord& r) {
  std::string sql = std::string("INSERT INTO stream_links (") + kLinkColumns + ") VALUES (" + placeholders(17) + ")";
  co_await sql_.execute(std::move(sql), link_values(r));
}

Task<void> StreamStore::update_link(const LinkRecord& r) {
  auto values = link_values(r);
  std::vector<SqlValue> params(values.begin() + 1, values.end());
  params.push_back(r.link_id);
  std::string sql =
      "UPDATE stream_links SET account_id = ?, platform = ?, channel_id = ?, login = ?, display_name = ?, "
      "scopes_json = ?, status = ?, access_token = ?, refresh_token = ?, token_expires_at = ?, token_expires_ms = ?, "
      "webhook_secret = ?, rtmp_url = ?, masked_rtmp_url = ?, linked_at = ?, linked_ms = ? WHERE link_id = ?";
  co_await sql_.execute(std::move(sql), std::move(params));
}

Task<std::vector<LinkRecord>> StreamStore::select_links(std::string where, std::vector<SqlValue> params) {
  std::string sql = std::string("SELECT ") + kLinkColumns + " FROM stream_links " + where;
  auto result = co_await sql_.execute(std::move(sql), std::move(params));
  std::vector<LinkRecord> out;
  for (const auto& row : result.rows) out.push_back(link_from_row(row));
  co_return out;
}

Task<std::optional<LinkRecord>> StreamStore::link(const std::string& link_id) {
  auto rows = co_await select_links("WHERE link_id = ?", args(link_id));
  std::optional<LinkRecord> out;
  if (!rows.empty()) out = std::move(rows.front());
  co_return out;
}

Task<std::optional<LinkRecord>> StreamStore::link_by_channel(gst::StreamPlatform platform,
                                                             const std::string& channel_id) {
  auto rows =
      co_await select_links("WHERE platform = ? AND channel_id = ?", args(text(gst::to_string(platform)), channel_id));
  std::optional<LinkRecord> out;
  if (!rows.empty()) out = std::move(rows.front());
  co_return out;
}

Task<std::vector<LinkRecord>> StreamStore::links_of(const std::string& account_id) {
  co_return co_await select_links("WHERE account_id = ? ORDER BY linked_ms, link_id", args(account_id));
}

Task<bool> StreamStore::delete_link(const std::string& link_id) {
  auto r = co_await sql_.execute("DELETE FROM stream_links WHERE link_id = ?", args(link_id));
  co_return r.affected_rows > 0;
}

Task<std::vector<LinkRecord>> StreamStore::active_links(gst::StreamPlatform platform) {
  co_return co_await select_links("WHERE platform = ? AND status = 'active' ORDER BY link_id",
                                  args(text(gst::to_string(platform))));
}

Task<bool> StreamStore::replace_tokens(const std::string& link_id, const std::string& expected_refresh,
                                       const std::string& access, const std::string& refresh, std::int64_t expires_ms,
                                       const std::optional<std::string>& expires_at) {
  auto r = co_await sql_.execute(
      "UPDATE stream_links SET access_token = ?, refresh_token = ?, token_expires_ms = ?, token_expires_at = ? "
      "WHERE link_id = ? AND status = 'active' AND refresh_token = ?",
      args(access, refresh, expires_ms, opt(expires_at), link_id, expected_refresh));
  co_return r.affected_rows > 0;
}

Task<bool> StreamStore::insert_session(const SessionRecord& r) {
  const bool active = r.state == gst::PlatformSessionState::active;
  if (active) {
    if (co_await active_session_of_link(r.link_id)) co_return false;
  }
  auto values = session_values(r);
  values.push_back(active ? SqlValue(r.link_id) : SqlValue());
  std::string sql = std::string("INSERT INTO stream_sessions (") + kSessionColumns + ", active_link_id) VALUES (" +
                    placeholders(18) + ")";
  std::exception_ptr failure;
  try {
    co_await sql_.execute(std::move(sql), std::move(values));
  } catch (const InfraError&) {
    failure = std::current_exception();  // no co_await inside a handler
  }
  if (!failure) co_return true;
  // The unique active_link_id: another node started the link's session in between.
  if (active) {
    if (co_await active_session_of_link(r.link_id)) co_return false;
  }
  std::rethrow_exception(failure);
}

Task<std::vector<SessionRecord>> StreamStore::select_sessions(std::string where, std::vector<SqlValue> params) {
  std::string sql = std::string("SELECT ") + kSessionColumns + " FROM stream_sessions " + where;
  auto result = co_await sql_.execute(std::move(sql), std::move(params));
  std::vector<SessionRecord> out;
  for (const auto& row : result.rows) out.push_back(session_from_row(row));
  co_return out;
}

Task<std::optional<SessionRecord>> StreamStore::session(const std::string& session_id) {
  auto rows = co_await select_sessions("WHERE session_id = ?", args(session_id));
  std::optional<SessionRecord> out;
  if (!rows.empty()) out = std::move(rows.front());
  co_return out;
}

Task<std::optional<SessionRecord>> StreamStore::active_session_of_link(const std::string& link_id) {
  auto rows =
      co_await select_sessions("WHERE link_id = ? AND state = 'active' ORDER BY started_ms DESC", args(link_id));
  std::optional<SessionRecord> out;
  if (!rows.empty()) out = std::move(rows.front());
  co_return out;
}

Task<std::vector<SessionRecord>> StreamStore::sessions_of(const std::string& account_id, bool active_only,
                                                          std::int64_t limit) {
  std::string where = "WHERE account_id = ?";
  if (active_only) where += " AND state = 'active'";
  where += " ORDER BY started_ms DESC, session_id LIMIT " + std::to_string(limit);
  co_return co_await select_sessions(std::move(where), args(account_id));
}

Task<bool> StreamStore::finish_session(const std::string& session_id, const std::string& ended_at,
                                       std::int64_t ended_ms, gst::PlatformSessionEndReason reason) {
  auto r = co_await sql_.execute(
      "UPDATE stream_sessions SET state = 'ended', ended_at = ?, ended_ms = ?, end_reason = ?, current_viewers = NULL, "
      "active_link_id = NULL WHERE session_id = ? AND state = 'active'",
      args(ended_at, ended_ms, text(gst::to_string(reason)), session_id));
  co_return r.affected_rows > 0;
}

Task<void> StreamStore::record_pulse(const std::string& session_id, const std::string& at) {
  co_await sql_.execute(
      "UPDATE stream_sessions SET pulses_published = pulses_published + 1, last_pulse_at = ? WHERE session_id = ?",
      args(at, session_id));
}

Task<void> StreamStore::record_viewers(const std::string& session_id, std::int64_t viewers) {
  co_await sql_.execute(
      "UPDATE stream_sessions SET current_viewers = ?, peak_viewers = CASE WHEN peak_viewers < ? THEN ? ELSE "
      "peak_viewers END WHERE session_id = ? AND state = 'active'",
      args(viewers, viewers, viewers, session_id));
}

Task<bool> StreamStore::set_association(const std::string& session_id,
                                        const std::optional<std::string>& in_game_session_id) {
  auto r = co_await sql_.execute(
      "UPDATE stream_sessions SET in_game_session_id = ? WHERE session_id = ? AND state = 'active'",
      args(opt(in_game_session_id), session_id));
  co_return r.affected_rows > 0;
}

Task<std::int64_t> StreamStore::purge_ended_before(std::int64_t cutoff_ms) {
  auto r = co_await sql_.execute("DELETE FROM stream_sessions WHERE state = 'ended' AND ended_ms < ?", args(cutoff_ms));
  co_return static_cast<std::int64_t>(r.affected_rows);
}

}  // namespace onair::stream
