#pragma once
// SqlDatabase on a MariaDB / MySQL server through libmariadb, for deployments
// that outgrow one machine. A small pool of connections (one per concurrent
// worker of the BlockingPool), opened lazily: constructing does no I/O, the
// first call connects (and creates the database, utf8mb4, when missing).
// Server-side prepared statements bind every value; no value is ever pasted
// into SQL. A statement outside a transaction whose connection was lost
// (server restart, idle timeout) is retried once on a fresh connection, unless
// it is a write that was lost after reaching the server (it may have run:
// running it twice could apply it twice); transactions and migrations are
// never retried, their connection is pinged first instead.
// Failures throw InfraError("mariadb", ...) whose message never contains
// parameter values or the password.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/blocking.hpp"
#include "core/task.hpp"
#include "infra/sql_database.hpp"

namespace onair::infra {

struct MariaOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3306;
  std::string user;  // empty: libmariadb's default (the login name)
  std::string password;
  std::string database;  // letters, digits, '_' and '$' only
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds read_timeout{60};  // a server that does not answer in time is an error

  // Parses "mysql://user:password@host:port/database" ("mariadb://" too;
  // percent-encoded user and password; port defaults to 3306). Throws
  // InfraError("mariadb", ...) without echoing the URL.
  static MariaOptions from_url(std::string_view url);
};

class MariaDatabase final : public SqlDatabase {
 public:
  MariaDatabase(std::string url, BlockingPool& workers);
  MariaDatabase(MariaOptions options, BlockingPool& workers);
  ~MariaDatabase() override;
  MariaDatabase(const MariaDatabase&) = delete;
  MariaDatabase& operator=(const MariaDatabase&) = delete;

  std::string_view backend_name() const override { return "mariadb"; }

  // One statement per call; `?` placeholders bound from params. UPDATE's
  // affected_rows counts matched rows (CLIENT_FOUND_ROWS), as SQLite does.
  Task<SqlResult> execute(std::string sql, std::vector<SqlValue> params = {}) override;
  // START TRANSACTION ... COMMIT on one connection; ROLLBACK and rethrow when a
  // statement fails. Never retried (DDL inside commits implicitly: avoid it).
  Task<std::vector<SqlResult>> transaction(std::vector<SqlStatement> statements) override;
  // Under GET_LOCK (one migrator per database at a time). DDL auto-commits in
  // MariaDB, so a migration is atomic only when it holds DML alone; its version
  // is recorded only after all its statements succeeded.
  Task<void> migrate(std::string component, std::vector<Migration> migrations) override;
  Task<bool> ping() override;

  const MariaOptions& options() const noexcept;

 private:
  struct Pool;                  // the MYSQL connections (allocated by this)
  std::unique_ptr<Pool> pool_;  //
  BlockingPool& workers_;       // passed by argument
};

}  // namespace onair::infra
