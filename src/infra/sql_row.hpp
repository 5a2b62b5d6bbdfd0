#pragma once
// Reading and binding SqlValues the same way on SQLite and MariaDB: MariaDB answers some
// integer columns as text and SQLite some as double, so readers accept every representation.
// Shared by the SQL-backed stores (showtime, stream, stream upkeep).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "infra/sql_database.hpp"

namespace onair::infra::sql_row {

inline SqlValue opt(const std::optional<std::string>& v) { return v ? SqlValue(*v) : SqlValue(nullptr); }
inline SqlValue text(std::string_view v) { return SqlValue(std::string(v)); }

inline std::string str_at(const std::vector<SqlValue>& row, std::size_t i) {
  if (const auto* s = std::get_if<std::string>(&row[i])) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&row[i])) return std::to_string(*n);
  return {};
}
inline std::optional<std::string> opt_at(const std::vector<SqlValue>& row, std::size_t i) {
  if (std::holds_alternative<std::nullptr_t>(row[i])) return std::nullopt;
  return str_at(row, i);
}
inline std::int64_t int_at(const std::vector<SqlValue>& row, std::size_t i) {
  if (const auto* n = std::get_if<std::int64_t>(&row[i])) return *n;
  if (const auto* d = std::get_if<double>(&row[i])) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&row[i])) return s->empty() ? 0 : std::stoll(*s);
  return 0;
}
inline double double_at(const std::vector<SqlValue>& row, std::size_t i) {
  if (const auto* d = std::get_if<double>(&row[i])) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&row[i])) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&row[i])) return s->empty() ? 0.0 : std::stod(*s);
  return 0.0;
}

}  // namespace onair::infra::sql_row
