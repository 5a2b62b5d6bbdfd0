#include "infra/sqlite_database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <type_traits>
#include <utility>

#include "core/errors.hpp"
#include "core/logging.hpp"
#include "core/time.hpp"

namespace onair::infra {
namespace {

constexpr const char* kBackend = "sqlite";
constexpr int kBusyTimeoutMs = 10000;

struct StatementFinalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalize>;

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  // SQLite's messages name tables and columns, never bound values.
  throw InfraError(kBackend,
                   what + ": " + sqlite3_errmsg(db) + " (code " + std::to_string(sqlite3_extended_errcode(db)) + ")");
}

bool only_blanks(const char* text) {
  for (; *text; ++text) {
    if (!std::isspace(static_cast<unsigned char>(*text)) && *text != ';') return false;
  }
  return true;
}

void bind(sqlite3* db, sqlite3_stmt* stmt, const std::vector<SqlValue>& params) {
  const int expected = sqlite3_bind_parameter_count(stmt);
  if (expected != static_cast<int>(params.size())) {
    throw InfraError(kBackend, "statement has " + std::to_string(expected) + " placeholders but " +
                                   std::to_string(params.size()) + " parameters were given");
  }
  for (int i = 0; i < expected; ++i) {
    const SqlValue& value = params[static_cast<std::size_t>(i)];
    const int rc = std::visit(
        [&](const auto& v) -> int {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::nullptr_t>) {
            return sqlite3_bind_null(stmt, i + 1);
          } else if constexpr (std::is_same_v<V, std::int64_t>) {
            return sqlite3_bind_int64(stmt, i + 1, v);
          } else if constexpr (std::is_same_v<V, double>) {
            return sqlite3_bind_double(stmt, i + 1, v);
          } else {
            return sqlite3_bind_text64(stmt, i + 1, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
          }
        },
        value);
    if (rc != SQLITE_OK) fail(db, "binding parameter " + std::to_string(i + 1) + " failed");
  }
}

SqlValue column_value(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, col);
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      return std::string(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, col)));
    }
    case SQLITE_BLOB: {
      const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      return std::string(blob ? blob : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, col)));
    }
    default:
      return nullptr;
  }
}

// Runs one statement to completion. Caller holds the connection's mutex.
SqlResult run(sqlite3* db, const std::string& sql, const std::vector<SqlValue>& params) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()) + 1, &raw, &tail) != SQLITE_OK) {
    fail(db, "prepare failed");
  }
  StatementPtr stmt(raw);
  if (!stmt) throw InfraError(kBackend, "empty statement");
  if (tail && !only_blanks(tail)) throw InfraError(kBackend, "one statement per call");
  bind(db, stmt.get(), params);

  SqlResult result;
  const int columns = sqlite3_column_count(stmt.get());
  result.columns.reserve(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) {
    const char* name = sqlite3_column_name(stmt.get(), c);
    result.columns.emplace_back(name ? name : "");
  }
  const sqlite3_int64 changes_before = sqlite3_total_changes64(db);
  for (;;) {
    const int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) fail(db, "statement failed");
    auto& row = result.rows.emplace_back();
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) row.push_back(column_value(stmt.get(), c));
  }
  // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE: only
  // report it when this statement changed something.
  if (sqlite3_total_changes64(db) != changes_before) {
    result.affected_rows = static_cast<std::uint64_t>(sqlite3_changes64(db));
  }
  return result;
}

// InfraError's what() starts with "sqlite: ".
std::string without_prefix(const InfraError& e) {
  std::string_view text = e.what();
  if (text.rfind(kBackend, 0) == 0 && text.size() > std::string_view(kBackend).size() + 1) {
    text.remove_prefix(std::string_view(kBackend).size() + 2);
  }
  return std::string(text);
}

void run_plain(sqlite3* db, const std::string& sql) { (void)run(db, sql, {}); }

// Rolls back when the transaction body throws (or was left open).
class TransactionGuard {
 public:
  explicit TransactionGuard(sqlite3* db) : db_(db) { run_plain(db_, "BEGIN IMMEDIATE"); }
  ~TransactionGuard() {
    if (open_ && !sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  TransactionGuard(const TransactionGuard&) = delete;
  TransactionGuard& operator=(const TransactionGuard&) = delete;
  void commit() {
    run_plain(db_, "COMMIT");
    open_ = false;
  }

 private:
  sqlite3* db_;
  bool open_ = true;
};

std::vector<Migration> ordered(std::vector<Migration> migrations, const std::string& component) {
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      throw InfraError(kBackend, "duplicate migration version " + std::to_string(migrations[i].version) +
                                     " for component " + component);
    }
  }
  return migrations;
}

void migrate_locked(sqlite3* db, const std::string& component, const std::vector<Migration>& migrations) {
  run_plain(db,
            "CREATE TABLE IF NOT EXISTS onair_migrations (component VARCHAR(100) NOT NULL, version INT NOT NULL, "
            "name VARCHAR(200) NOT NULL, applied_at VARCHAR(40) NOT NULL, PRIMARY KEY (component, version))");
  for (const auto& m : migrations) {
    // BEGIN IMMEDIATE takes the write lock before the check: another process
    // migrating the same file waits (busy_timeout) and then sees the row.
    TransactionGuard tx(db);
    const auto applied = run(db, "SELECT 1 FROM onair_migrations WHERE component = ? AND version = ?",
                             {component, std::int64_t{m.version}});
    if (!applied.rows.empty()) continue;  // the guard ends the empty transaction
    for (const auto& statement : m.statements) {
      try {
        run_plain(db, statement);
      } catch (const InfraError& e) {
        throw InfraError(kBackend, "migration " + component + " v" + std::to_string(m.version) + " (" + m.name +
                                       ") failed: " + without_prefix(e));
      }
    }
    run(db, "INSERT INTO onair_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)",
        {component, std::int64_t{m.version}, m.name, now_rfc3339()});
    tx.commit();
    log::info(
        "migration applied",
        {{"backend", kBackend}, {"component", component}, {"version", std::to_string(m.version)}, {"name", m.name}});
  }
}

}  // namespace

struct SqliteDatabase::Connection {
  std::mutex mutex;
  sqlite3* db = nullptr;

  ~Connection() {
    if (db) sqlite3_close_v2(db);
  }
};

SqliteDatabase::SqliteDatabase(std::string path, BlockingPool& workers)
    : connection_(std::make_unique<Connection>()), workers_(workers) {
  if (path.empty()) throw InfraError(kBackend, "no database path");
  const bool in_memory = path == ":memory:";
  if (!in_memory && path.rfind("file:", 0) != 0) {
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) throw InfraError(kBackend, "cannot create the directory " + parent.string() + ": " + ec.message());
  }
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(in_memory ? ":memory:" : path.c_str(), &connection_->db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = connection_->db ? sqlite3_errmsg(connection_->db) : sqlite3_errstr(rc);
    throw InfraError(kBackend, "cannot open " + path + ": " + message);
  }
  sqlite3* db = connection_->db;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  if (!in_memory) {
    const auto mode = run(db, "PRAGMA journal_mode=WAL", {});
    const auto* got = mode.rows.empty() ? nullptr : std::get_if<std::string>(&mode.rows[0][0]);
    if (!got || *got != "wal") throw InfraError(kBackend, "cannot switch " + path + " to WAL mode");
  }
  run_plain(db, "PRAGMA foreign_keys=ON");
  log::debug("sqlite database opened", {{"path", path}});
}

SqliteDatabase::~SqliteDatabase() = default;

// The callables handed to run_blocking() only point into the coroutine frame,
// which outlives the call: with g++ 12, run_blocking() destroys its callable
// twice (an init-captured lambda inside co_await), harmless only for a
// trivially destructible callable.

Task<SqlResult> SqliteDatabase::execute(std::string sql, std::vector<SqlValue> params) {
  auto call = [c = connection_.get(), sql = &sql, params = &params] {
    std::lock_guard lock(c->mutex);
    return run(c->db, *sql, *params);
  };
  static_assert(std::is_trivially_destructible_v<decltype(call)>);
  co_return co_await run_blocking(workers_, call);
}

Task<std::vector<SqlResult>> SqliteDatabase::transaction(std::vector<SqlStatement> statements) {
  auto call = [c = connection_.get(), statements = &statements] {
    std::lock_guard lock(c->mutex);
    std::vector<SqlResult> results;
    results.reserve(statements->size());
    TransactionGuard tx(c->db);
    for (const auto& s : *statements) results.push_back(run(c->db, s.sql, s.params));
    tx.commit();
    return results;
  };
  static_assert(std::is_trivially_destructible_v<decltype(call)>);
  co_return co_await run_blocking(workers_, call);
}

Task<void> SqliteDatabase::migrate(std::string component, std::vector<Migration> migrations) {
  migrations = ordered(std::move(migrations), component);
  auto call = [c = connection_.get(), component = &component, migrations = &migrations] {
    std::lock_guard lock(c->mutex);
    migrate_locked(c->db, *component, *migrations);
  };
  static_assert(std::is_trivially_destructible_v<decltype(call)>);
  co_await run_blocking(workers_, call);
}

Task<bool> SqliteDatabase::ping() {
  try {
    const auto r = co_await execute("SELECT 1");
    co_return r.rows.size() == 1;
  } catch (const InfraError&) {
    co_return false;
  }
}

}  // namespace onair::infra
