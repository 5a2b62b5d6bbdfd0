#pragma once
// SqlDatabase on one SQLite file: the embedded default for durable records.
// One connection guarded by a mutex; every call runs on the BlockingPool so
// the I/O threads never block. WAL journal, busy_timeout (so that several
// processes or objects may share the file) and foreign keys on. Failures throw
// InfraError("sqlite", ...) whose message never contains parameter values.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/blocking.hpp"
#include "core/task.hpp"
#include "infra/sql_database.hpp"

namespace onair::infra {

class SqliteDatabase final : public SqlDatabase {
 public:
  // `path` is a file (its parent directory is created when missing) or ":memory:".
  // Opens the file at once: throws InfraError when it cannot.
  SqliteDatabase(std::string path, BlockingPool& workers);
  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  std::string_view backend_name() const override { return "sqlite"; }

  // One statement per call (trailing ';' allowed); `?` placeholders bound from params.
  Task<SqlResult> execute(std::string sql, std::vector<SqlValue> params = {}) override;
  // BEGIN IMMEDIATE ... COMMIT; ROLLBACK and rethrow when a statement fails.
  Task<std::vector<SqlResult>> transaction(std::vector<SqlStatement> statements) override;
  Task<void> migrate(std::string component, std::vector<Migration> migrations) override;
  Task<bool> ping() override;

 private:
  struct Connection;                        // the sqlite3 handle and its mutex (allocated by this)
  std::unique_ptr<Connection> connection_;  //
  BlockingPool& workers_;                   // passed by argument
};

}  // namespace onair::infra
