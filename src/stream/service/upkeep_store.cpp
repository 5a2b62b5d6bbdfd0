#include "stream/service/upkeep_store.hpp"

#include "infra/sql_row.hpp"

namespace onair::stream {
using infra::SqlValue;
using namespace infra::sql_row;  // NOLINT: opt, text, str_at, int_at, ...

namespace {

constexpr const char* kColumns = "link_id, kind, platform, external_id, topic, status, expires_ms, updated_ms";

std::vector<infra::Migration> migrations() {
  return {{1,
           "stream link upkeep",
           {
               "CREATE TABLE stream_platform_subscriptions (link_id VARCHAR(36) NOT NULL, kind VARCHAR(64) NOT NULL, "
               "platform VARCHAR(16) NOT NULL, external_id VARCHAR(128), topic VARCHAR(512), status VARCHAR(64) NOT "
               "NULL, expires_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, PRIMARY KEY (link_id, kind))",
               "CREATE INDEX stream_platform_subscriptions_platform ON stream_platform_subscriptions (platform)",
               "CREATE TABLE stream_token_checks (link_id VARCHAR(36) PRIMARY KEY, validated_ms BIGINT NOT NULL)",
           }}};
}

}  // namespace

Task<void> UpkeepStore::migrate() { co_await sql_.migrate("stream_upkeep", migrations()); }

Task<void> UpkeepStore::put(const SubscriptionRecord& r) {
  // Delete + insert in one transaction: the upsert both SQLite and MariaDB accept.
  std::vector<infra::SqlStatement> statements;
  statements.push_back(
      {"DELETE FROM stream_platform_subscriptions WHERE link_id = ? AND kind = ?", {r.link_id, r.kind}});
  statements.push_back(
      {std::string("INSERT INTO stream_platform_subscriptions (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
       {r.link_id, r.kind, r.platform, opt(r.external_id), opt(r.topic), r.status, r.expires_ms, r.updated_ms}});
  co_await sql_.transaction(std::move(statements));
}

Task<std::vector<SubscriptionRecord>> UpkeepStore::select(std::string where, std::vector<SqlValue> params) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM stream_platform_subscriptions " + where;
  auto result = co_await sql_.execute(std::move(sql), std::move(params));
  std::vector<SubscriptionRecord> out;
  for (const auto& row : result.rows) {
    SubscriptionRecord r;
    r.link_id = str_at(row, 0);
    r.kind = str_at(row, 1);
    r.platform = str_at(row, 2);
    r.external_id = opt_at(row, 3);
    r.topic = opt_at(row, 4);
    r.status = str_at(row, 5);
    r.expires_ms = int_at(row, 6);
    r.updated_ms = int_at(row, 7);
    out.push_back(std::move(r));
  }
  co_return out;
}

Task<std::vector<SubscriptionRecord>> UpkeepStore::of_link(const std::string& link_id) {
  std::vector<SqlValue> params{link_id};
  co_return co_await select("WHERE link_id = ? ORDER BY kind", std::move(params));
}

Task<std::vector<SubscriptionRecord>> UpkeepStore::of_platform(const std::string& platform) {
  std::vector<SqlValue> params{platform};
  co_return co_await select("WHERE platform = ? ORDER BY link_id, kind", std::move(params));
}

Task<void> UpkeepStore::remove(const std::string& link_id, const std::string& kind) {
  std::vector<SqlValue> params{link_id, kind};
  co_await sql_.execute("DELETE FROM stream_platform_subscriptions WHERE link_id = ? AND kind = ?", std::move(params));
}

Task<void> UpkeepStore::forget_link(const std::string& link_id) {
  std::vector<infra::SqlStatement> statements;
  statements.push_back({"DELETE FROM stream_platform_subscriptions WHERE link_id = ?", {link_id}});
  statements.push_back({"DELETE FROM stream_token_checks WHERE link_id = ?", {link_id}});
  co_await sql_.transaction(std::move(statements));
}

Task<void> UpkeepStore::set_validated(const std::string& link_id, std::int64_t at_ms) {
  std::vector<infra::SqlStatement> statements;
  statements.push_back({"DELETE FROM stream_token_checks WHERE link_id = ?", {link_id}});
  statements.push_back({"INSERT INTO stream_token_checks (link_id, validated_ms) VALUES (?, ?)", {link_id, at_ms}});
  co_await sql_.transaction(std::move(statements));
}

Task<std::map<std::string, std::int64_t>> UpkeepStore::validated_times() {
  auto result = co_await sql_.execute("SELECT link_id, validated_ms FROM stream_token_checks");
  std::map<std::string, std::int64_t> out;
  for (const auto& row : result.rows) out[str_at(row, 0)] = int_at(row, 1);
  co_return out;
}

}  // namespace onair::stream
