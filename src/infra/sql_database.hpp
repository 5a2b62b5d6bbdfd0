#pragma once
// Durable records (platform links, showtime sessions, followers) in SQL with
// per-component migrations. Backends: SqliteDatabase, MariaDatabase. Queries
// use `?` placeholders and the SQL both dialects accept.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/task.hpp"

namespace onair::infra {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
  std::uint64_t affected_rows = 0;
};

struct SqlStatement {
  std::string sql;
  std::vector<SqlValue> params;
};

struct Migration {
  int version;       // applied in ascending order, once per component
  std::string name;  // for logs
  std::vector<std::string> statements;
};

class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;
  virtual std::string_view backend_name() const = 0;  // "sqlite" or "mariadb": the dialect

  virtual Task<SqlResult> execute(std::string sql, std::vector<SqlValue> params = {}) = 0;
  // All statements or none.
  virtual Task<std::vector<SqlResult>> transaction(std::vector<SqlStatement> statements) = 0;
  // Applies the migrations of `component` not yet applied (tracked in the
  // table onair_migrations), each in its own transaction where the dialect allows.
  virtual Task<void> migrate(std::string component, std::vector<Migration> migrations) = 0;
  virtual Task<bool> ping() = 0;
};

}  // namespace onair::infra
