#include "infra/maria_database.hpp"

#include <mariadb/errmsg.h>
#include <mariadb/mysql.h>
#include <mariadb/mysqld_error.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <limits>
#include <mutex>
#include <type_traits>
#include <utility>

#include "core/errors.hpp"
#include "core/logging.hpp"
#include "core/time.hpp"

namespace onair::infra {
namespace {

constexpr const char* kBackend = "mariadb";
constexpr unsigned kClientInteractionTimeout = 4031;  // ER_CLIENT_INTERACTION_TIMEOUT (server 10.6+)
constexpr int kMigrationLockWaitS = 30;

// ---------------------------------------------------------------------------
// Errors

// A failed call. `lost` means the connection is unusable (the server went
// away or killed it): the connection is closed, never returned to the pool.
// `sent`: the statement reached the server and may have run.
class MariaError : public InfraError {
 public:
  MariaError(unsigned code, const std::string& message, bool lost)
      : InfraError(kBackend, message), code_(code), lost_(lost) {}
  unsigned code() const noexcept { return code_; }
  bool lost() const noexcept { return lost_; }
  bool sent() const noexcept { return sent_; }
  void mark_sent() noexcept { sent_ = true; }

 private:
  unsigned code_;
  bool lost_;
  bool sent_ = false;
};

bool is_lost(unsigned code) {
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_SERVER_LOST_EXTENDED ||
         code == ER_CONNECTION_KILLED || code == ER_SERVER_SHUTDOWN || code == kClientInteractionTimeout;
}

// Server messages quote values in some errors ("Duplicate entry 'x' for key",
// "Incorrect string value: '\xFF'"). Keep the whole message only for codes
// whose quotes hold identifiers or our own SQL text; cut the others before
// their first quote.
bool message_is_safe(unsigned code) {
  if (code >= CR_MIN_ERROR && code <= CR_MAX_ERROR) return true;  // client library: host, port, state
  switch (code) {
    case ER_PARSE_ERROR:  // quotes the SQL text, which holds placeholders, never values
    case ER_NO_SUCH_TABLE:
    case ER_BAD_FIELD_ERROR:
    case ER_TABLE_EXISTS_ERROR:
    case ER_BAD_NULL_ERROR:
    case ER_DATA_TOO_LONG:
    case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_DUP_FIELDNAME:
    case ER_DUP_KEYNAME:
    case ER_CANT_DROP_FIELD_OR_KEY:
    case ER_BAD_DB_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_ERROR:
    case ER_CONSTRAINT_FAILED:
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
      return true;
    default:
      return false;
  }
}

std::string safe_message(unsigned code, const char* message) {
  std::string text = message ? message : "";
  if (!message_is_safe(code)) {
    const auto quote = text.find_first_of("'\"");
    if (quote != std::string::npos) {
      text.resize(quote);
      while (!text.empty() && (text.back() == ' ' || text.back() == ':')) text.pop_back();
    }
  }
  if (text.size() > 300) text.resize(300);
  return text;
}

[[noreturn]] void throw_error(const std::string& what, unsigned code, const char* sqlstate, const char* message) {
  std::string text = what + ": " + safe_message(code, message) + " (error " + std::to_string(code);
  if (sqlstate && *sqlstate && std::string_view(sqlstate) != "00000") text += ", SQLSTATE " + std::string(sqlstate);
  text += ")";
  throw MariaError(code, text, is_lost(code));
}

[[noreturn]] void throw_connection_error(MYSQL* m, const std::string& what) {
  throw_error(what, mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
}

[[noreturn]] void throw_statement_error(MYSQL_STMT* s, const std::string& what) {
  throw_error(what, mysql_stmt_errno(s), mysql_stmt_sqlstate(s), mysql_stmt_error(s));
}

// ---------------------------------------------------------------------------
// URL

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) throw InfraError(kBackend, "invalid url: bad escape");
    const int hi = hex_digit(text[i + 1]);
    const int lo = hex_digit(text[i + 2]);
    if (hi < 0 || lo < 0) throw InfraError(kBackend, "invalid url: bad escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

bool valid_database_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; });
}

// ---------------------------------------------------------------------------
// Connections

struct MysqlClose {
  void operator()(MYSQL* m) const noexcept { mysql_close(m); }
};
using MysqlPtr = std::unique_ptr<MYSQL, MysqlClose>;

struct StmtClose {
  void operator()(MYSQL_STMT* s) const noexcept { mysql_stmt_close(s); }
};
using StmtPtr = std::unique_ptr<MYSQL_STMT, StmtClose>;

struct ResultFree {
  void operator()(MYSQL_RES* r) const noexcept { mysql_free_result(r); }
};
using ResultPtr = std::unique_ptr<MYSQL_RES, ResultFree>;

// Text-protocol statement without parameters or results we keep (transaction
// control, migration statements).
void run_text(MYSQL* m, std::string_view sql, const std::string& what) {
  if (mysql_real_query(m, sql.data(), static_cast<unsigned long>(sql.size())) != 0) throw_connection_error(m, what);
  do {
    ResultPtr result(mysql_store_result(m));
    if (!result && mysql_field_count(m) != 0) throw_connection_error(m, what);
  } while (mysql_next_result(m) == 0);
  if (mysql_errno(m) != 0) throw_connection_error(m, what);
}

std::string_view trim_statement(std::string_view sql) {
  while (!sql.empty() && (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';')) {
    sql.remove_suffix(1);
  }
  return sql;
}

enum class ColumnKind { kSigned, kUnsigned, kDouble, kString };

ColumnKind kind_of(const MYSQL_FIELD& f) {
  switch (f.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
      return (f.flags & UNSIGNED_FLAG) ? ColumnKind::kUnsigned : ColumnKind::kSigned;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
      return ColumnKind::kDouble;
    default:  // strings, blobs, decimals, dates, bit, json, NULL
      return ColumnKind::kString;
  }
}

// Output buffers of one result column.
struct Column {
  ColumnKind kind = ColumnKind::kString;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;
  unsigned long length = 0;
  my_bool is_null = 0;
  my_bool error = 0;
};

void point_bind(MYSQL_BIND& b, Column& c) {
  b = MYSQL_BIND{};
  b.is_null = &c.is_null;
  b.error = &c.error;
  b.length = &c.length;
  switch (c.kind) {
    case ColumnKind::kSigned:
    case ColumnKind::kUnsigned:
      b.buffer_type = MYSQL_TYPE_LONGLONG;
      b.buffer = &c.integer;
      b.is_unsigned = c.kind == ColumnKind::kUnsigned;
      break;
    case ColumnKind::kDouble:
      b.buffer_type = MYSQL_TYPE_DOUBLE;
      b.buffer = &c.real;
      break;
    case ColumnKind::kString:
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = c.text.data();
      b.buffer_length = c.text.size();
      break;
  }
}

SqlValue column_value(const Column& c) {
  if (c.is_null) return nullptr;
  switch (c.kind) {
    case ColumnKind::kSigned:
      return c.integer;
    case ColumnKind::kUnsigned: {
      const auto u = static_cast<std::uint64_t>(c.integer);
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::to_string(u);
      return static_cast<std::int64_t>(u);
    }
    case ColumnKind::kDouble:
      return c.real;
    case ColumnKind::kString:
      return std::string(c.text.data(), std::min<std::size_t>(c.length, c.text.size()));
  }
  return nullptr;
}

SqlResult execute_and_fetch(MYSQL_STMT* stmt);

// True for statements that change nothing when run twice.
bool is_read_only(std::string_view sql) {
  while (!sql.empty() && (std::isspace(static_cast<unsigned char>(sql.front())) || sql.front() == '(')) {
    sql.remove_prefix(1);
  }
  for (std::string_view keyword : {"SELECT", "WITH", "SHOW", "EXPLAIN", "DESCRIBE"}) {
    if (sql.size() >= keyword.size() && std::equal(keyword.begin(), keyword.end(), sql.begin(), [](char k, char c) {
          return k == std::toupper(static_cast<unsigned char>(c));
        })) {
      return true;
    }
  }
  return false;
}

// One statement through the binary protocol (server-side prepared).
SqlResult run_prepared(MYSQL* m, std::string_view sql_text, const std::vector<SqlValue>& params) {
  const std::string_view sql = trim_statement(sql_text);
  if (sql.empty()) throw InfraError(kBackend, "empty statement");
  StmtPtr stmt(mysql_stmt_init(m));
  if (!stmt) throw_connection_error(m, "cannot allocate a statement");
  if (mysql_stmt_prepare(stmt.get(), sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    throw_statement_error(stmt.get(), "prepare failed");
  }
  const unsigned long expected = mysql_stmt_param_count(stmt.get());
  if (expected != params.size()) {
    throw InfraError(kBackend, "statement has " + std::to_string(expected) + " placeholders but " +
                                   std::to_string(params.size()) + " parameters were given");
  }

  std::vector<MYSQL_BIND> in(params.size());
  std::vector<unsigned long> in_lengths(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    MYSQL_BIND& b = in[i];
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::nullptr_t>) {
            b.buffer_type = MYSQL_TYPE_NULL;
          } else if constexpr (std::is_same_v<V, std::int64_t>) {
            b.buffer_type = MYSQL_TYPE_LONGLONG;
            b.buffer = const_cast<std::int64_t*>(&v);
          } else if constexpr (std::is_same_v<V, double>) {
            b.buffer_type = MYSQL_TYPE_DOUBLE;
            b.buffer = const_cast<double*>(&v);
          } else {
            b.buffer_type = MYSQL_TYPE_STRING;
            b.buffer = const_cast<char*>(v.data());
            b.buffer_length = v.size();
            in_lengths[i] = v.size();
            b.length = &in_lengths[i];
          }
        },
        params[i]);
  }
  if (!in.empty() && mysql_stmt_bind_param(stmt.get(), in.data()) != 0) {
    throw_statement_error(stmt.get(), "binding parameters failed");
  }
  try {
    return execute_and_fetch(stmt.get());
  } catch (MariaError& e) {
    e.mark_sent();
    throw;
  }
}

SqlResult execute_and_fetch(MYSQL_STMT* stmt) {
  if (mysql_stmt_execute(stmt) != 0) throw_statement_error(stmt, "statement failed");

  SqlResult result;
  ResultPtr meta(mysql_stmt_result_metadata(stmt));
  if (!meta) {
    if (mysql_stmt_errno(stmt) != 0) throw_statement_error(stmt, "statement failed");
    const auto affected = mysql_stmt_affected_rows(stmt);
    result.affected_rows = affected == static_cast<my_ulonglong>(-1) ? 0 : affected;
    return result;
  }

  const unsigned count = mysql_num_fields(meta.get());
  const MYSQL_FIELD* fields = mysql_fetch_fields(meta.get());
  std::vector<Column> columns(count);
  std::vector<MYSQL_BIND> out(count);
  result.columns.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    result.columns.emplace_back(fields[i].name, fields[i].name_length);
    columns[i].kind = kind_of(fields[i]);
    if (columns[i].kind == ColumnKind::kString) columns[i].text.resize(64);
    point_bind(out[i], columns[i]);
  }
  if (mysql_stmt_bind_result(stmt, out.data()) != 0) throw_statement_error(stmt, "binding results failed");
  if (mysql_stmt_store_result(stmt) != 0) throw_statement_error(stmt, "reading results failed");

  for (;;) {
    const int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) throw_statement_error(stmt, "reading results failed");
    if (rc == MYSQL_DATA_TRUNCATED) {
      bool rebind = false;
      for (unsigned i = 0; i < count; ++i) {
        Column& c = columns[i];
        if (!c.error) continue;
        if (c.kind != ColumnKind::kString) throw InfraError(kBackend, "a numeric result value does not fit");
        c.text.resize(c.length);
        point_bind(out[i], c);
        if (mysql_stmt_fetch_column(stmt, &out[i], i, 0) != 0) {
          throw_statement_error(stmt, "reading results failed");
        }
        rebind = true;
      }
      if (rebind && mysql_stmt_bind_result(stmt, out.data()) != 0) {
        throw_statement_error(stmt, "binding results failed");
      }
    }
    auto& row = result.rows.emplace_back();
    row.reserve(count);
    for (const Column& c : columns) row.push_back(column_value(c));
  }
  mysql_stmt_free_result(stmt);
  return result;
}

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

std::string without_prefix(const std::exception& e) {
  std::string_view text = e.what();
  const std::string_view prefix = "mariadb: ";
  if (text.rfind(prefix, 0) == 0) text.remove_prefix(prefix.size());
  return std::string(text);
}

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (mysql_library_init(0, nullptr, nullptr) != 0) throw InfraError(kBackend, "cannot initialise libmariadb");
  });
}

}  // namespace

// ---------------------------------------------------------------------------
// MariaOptions

MariaOptions MariaOptions::from_url(std::string_view url) {
  MariaOptions o;
  std::string_view rest;
  for (std::string_view scheme : {"mysql://", "mariadb://"}) {
    if (url.rfind(scheme, 0) == 0) rest = url.substr(scheme.size());
  }
  if (rest.empty()) throw InfraError(kBackend, "invalid url: expected mysql://user:password@host:port/database");
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) throw InfraError(kBackend, "invalid url: no database");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  path = path.substr(0, path.find('?'));

  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const auto colon = userinfo.find(':');
    o.user = percent_decode(userinfo.substr(0, colon));
    o.password = colon == std::string_view::npos ? std::string() : percent_decode(userinfo.substr(colon + 1));
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw InfraError(kBackend, "invalid url: bad host");
    o.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw InfraError(kBackend, "invalid url: bad host");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    o.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (o.host.empty()) throw InfraError(kBackend, "invalid url: no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      throw InfraError(kBackend, "invalid url: bad port");
    }
    o.port = static_cast<std::uint16_t>(port);
  }
  o.database = percent_decode(path);
  if (!valid_database_name(o.database)) {
    throw InfraError(kBackend, "invalid url: the database name must be 1-64 letters, digits, '_' or '$'");
  }
  return o;
}

// ---------------------------------------------------------------------------
// Pool

struct MariaDatabase::Pool {
  MariaOptions options;
  std::mutex mutex;
  std::vector<MysqlPtr> idle;               // guarded by mutex
  std::mutex bootstrap_mutex;               // one connection checks (and creates) the database
  std::atomic<bool> database_ready{false};  // the database exists (checked once)

  explicit Pool(MariaOptions o) : options(std::move(o)) {
    if (!valid_database_name(options.database)) {
      throw InfraError(kBackend, "the database name must be 1-64 letters, digits, '_' or '$'");
    }
    init_library_once();
  }

  MysqlPtr connect() {
    MysqlPtr m(mysql_init(nullptr));
    if (!m) throw InfraError(kBackend, "cannot allocate a connection");
    const auto seconds = [](std::chrono::seconds s) {
      return static_cast<unsigned>(std::max<long long>(s.count(), 1));
    };
    const unsigned connect_timeout = seconds(options.connect_timeout);
    const unsigned read_timeout = seconds(options.read_timeout);
    const unsigned no_local_infile = 0;
    const my_bool no_reconnect = 0;
    mysql_options(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options(m.get(), MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    mysql_options(m.get(), MYSQL_OPT_WRITE_TIMEOUT, &read_timeout);
    mysql_options(m.get(), MYSQL_OPT_LOCAL_INFILE, &no_local_infile);
    mysql_options(m.get(), MYSQL_OPT_RECONNECT, &no_reconnect);  // we reconnect: auto-reconnect loses statements
    mysql_options(m.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");

    const bool ready = database_ready.load();
    const std::string where = options.host + ":" + std::to_string(options.port);
    if (!mysql_real_connect(m.get(), options.host.c_str(), options.user.c_str(), options.password.c_str(),
                            ready ? options.database.c_str() : nullptr, options.port, nullptr, CLIENT_FOUND_ROWS)) {
      throw_connection_error(m.get(), "cannot connect to " + where);
    }
    if (!ready) {
      std::lock_guard bootstrap(bootstrap_mutex);
      if (mysql_select_db(m.get(), options.database.c_str()) != 0) {
        if (mysql_errno(m.get()) != ER_BAD_DB_ERROR) throw_connection_error(m.get(), "cannot select the database");
        // The name was validated: letters, digits, '_' and '$' only.
        run_text(m.get(),
                 "CREATE DATABASE IF NOT EXISTS `" + options.database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                 "cannot create the database");
        // Another onair instance may have created it meanwhile: then the server only warns (note 1007).
        const bool created = mysql_warning_count(m.get()) == 0;
        if (mysql_select_db(m.get(), options.database.c_str()) != 0) {
          throw_connection_error(m.get(), "cannot select the database");
        }
        if (created) log::info("mariadb database created", {{"database", options.database}});
      }
      database_ready = true;
    }
    run_text(m.get(), "SET time_zone = '+00:00'", "cannot set up the session");
    return m;
  }

  // A connection borrowed from the pool; returned on destruction unless discarded.
  class Lease {
   public:
    // `check`: ping a reused connection first (for work that is not retried).
    Lease(Pool& pool, bool check) : pool_(pool) {
      {
        std::lock_guard lock(pool_.mutex);
        if (!pool_.idle.empty()) {
          conn_ = std::move(pool_.idle.back());
          pool_.idle.pop_back();
          reused_ = true;
        }
      }
      if (conn_ && check && mysql_ping(conn_.get()) != 0) {
        conn_.reset();
        pool_.drop_idle();
      }
      if (!conn_) {
        conn_ = pool_.connect();
        reused_ = false;
      }
    }
    ~Lease() {
      if (conn_) {
        std::lock_guard lock(pool_.mutex);
        pool_.idle.push_back(std::move(conn_));
      }
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    MYSQL* get() const noexcept { return conn_.get(); }
    bool reused() const noexcept { return reused_; }
    void discard() noexcept { conn_.reset(); }

   private:
    Pool& pool_;
    MysqlPtr conn_;
    bool reused_ = false;
  };

  // After a lost connection: the idle ones most likely broke with it (server restart).
  void drop_idle() {
    std::vector<MysqlPtr> dropped;
    std::lock_guard lock(mutex);
    dropped.swap(idle);
  }

  SqlResult execute(const std::string& sql, const std::vector<SqlValue>& params) {
    for (int attempt = 0;; ++attempt) {
      Lease lease(*this, false);
      try {
        return run_prepared(lease.get(), sql, params);
      } catch (const MariaError& e) {
        if (!e.lost()) throw;
        lease.discard();
        drop_idle();
        // A write lost after it was sent may have run: sending it again could apply it twice.
        if (attempt > 0 || (e.sent() && !is_read_only(sql))) throw;
        log::warn("mariadb connection lost, retrying once on a new connection", {{"code", std::to_string(e.code())}});
      }
    }
  }

  std::vector<SqlResult> transaction(const std::vector<SqlStatement>& statements) {
    Lease lease(*this, true);
    MYSQL* m = lease.get();
    std::vector<SqlResult> results;
    results.reserve(statements.size());
    try {
      run_text(m, "START TRANSACTION", "cannot start a transaction");
      for (const auto& s : statements) results.push_back(run_prepared(m, s.sql, s.params));
      run_text(m, "COMMIT", "commit failed");
    } catch (...) {
      rollback(lease);
      throw;
    }
    return results;
  }

  // Ends a failed transaction; a connection that cannot roll back is closed
  // (closing rolls back on the server).
  void rollback(Lease& lease) noexcept {
    if (!lease.get()) return;
    if (mysql_real_query(lease.get(), "ROLLBACK", 8) != 0) {
      lease.discard();
    }
  }

  void migrate(const std::string& component, const std::vector<Migration>& migrations) {
    Lease lease(*this, true);
    MYSQL* m = lease.get();
    // One lock per database: onair instances on other databases of the server do not wait.
    const std::string lock_name = ("onair_migrate." + options.database).substr(0, 64);
    try {
      const auto got = run_prepared(m, "SELECT GET_LOCK(?, ?)", {lock_name, std::int64_t{kMigrationLockWaitS}});
      const auto* value = got.rows.empty() ? nullptr : std::get_if<std::int64_t>(&got.rows[0][0]);
      if (!value || *value != 1) {
        throw InfraError(kBackend, "timed out waiting for the migration lock held by another instance");
      }
    } catch (const MariaError& e) {
      if (e.lost()) lease.discard();
      throw;
    }
    try {
      run_prepared(
          m,
          "CREATE TABLE IF NOT EXISTS onair_migrations (component VARCHAR(100) NOT NULL, version INT NOT NULL, "
          "name VARCHAR(200) NOT NULL, applied_at VARCHAR(40) NOT NULL, PRIMARY KEY (component, version))",
          {});
      for (const auto& mig : migrations) {
        const auto applied = run_prepared(m, "SELECT 1 FROM onair_migrations WHERE component = ? AND version = ?",
                                          {component, std::int64_t{mig.version}});
        if (!applied.rows.empty()) continue;
        try {
          run_text(m, "START TRANSACTION", "cannot start a transaction");
          for (const auto& statement : mig.statements) run_text(m, statement, "statement failed");
          run_prepared(m, "INSERT INTO onair_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)",
                       {component, std::int64_t{mig.version}, mig.name, now_rfc3339()});
          run_text(m, "COMMIT", "commit failed");
        } catch (const std::exception& e) {
          rollback(lease);
          throw MariaError(0,
                           "migration " + component + " v" + std::to_string(mig.version) + " (" + mig.name +
                               ") failed: " + without_prefix(e),
                           false);
        }
        log::info("migration applied", {{"backend", kBackend},
                                        {"component", component},
                                        {"version", std::to_string(mig.version)},
                                        {"name", mig.name}});
      }
    } catch (...) {
      release_lock(lease, lock_name);
      throw;
    }
    release_lock(lease, lock_name);
  }

  void release_lock(Lease& lease, const std::string& lock_name) noexcept {
    if (!lease.get()) return;  // a closed connection released its locks
    try {
      run_prepared(lease.get(), "SELECT RELEASE_LOCK(?)", {lock_name});
    } catch (...) {
      lease.discard();  // closing the connection releases the lock
    }
  }

  // A reused connection is pinged by the lease (and replaced when dead); a new one just answered.
  bool ping() {
    try {
      Lease lease(*this, true);
      return true;
    } catch (const InfraError&) {
      return false;
    }
  }
};

// ---------------------------------------------------------------------------
// MariaDatabase

MariaDatabase::MariaDatabase(std::string url, BlockingPool& workers)
    : MariaDatabase(MariaOptions::from_url(url), workers) {}

MariaDatabase::MariaDatabase(MariaOptions options, BlockingPool& workers)
    : pool_(std::make_unique<Pool>(std::move(options))), workers_(workers) {}

MariaDatabase::~MariaDatabase() = default;

const MariaOptions& MariaDatabase::options() const noexcept { return pool_->options; }

// The callables handed to run_blocking() only point into the coroutine frame,
// which outlives the call: with g++ 12, run_blocking() destroys its callable
// twice (an init-captured lambda inside co_await), harmless only for a
// trivially destructible callable.

Task<SqlResult> MariaDatabase::execute(std::string sql, std::vector<SqlValue> params) {
  auto call = [p = pool_.get(), sql = &sql, params = &params] { return p->execute(*sql, *params); };
  static_assert(std::is_trivially_destructible_v<decltype(call)>);
  co_return co_await run_blocking(workers_, call);
}

Task<std::vector<SqlResult>> MariaDatabase::transaction(std::vector<SqlStatement> statements) {
  auto call = [p = pool_.get(), statements = &statements] { return p->transaction(*statements); };
  static_assert(std::is_trivially_destructible_v<decltype(call)>);
  co_return co_await run_blocking(workers_, call);
}

Task<void> MariaDatabase::migrate(std::string component, std::vector<Migration> migrations) {
  migrations = ordered(std::move(migrations), component);
  auto call = [p = pool_.get(), component = &component, migrations = &migrations] {
    p->migrate(*component, *migrations);
  };
  static_assert(std::is_trivially_destructible_v<decltype(call)>);
  co_await run_blocking(workers_, call);
}

Task<bool> MariaDatabase::ping() {
  auto call = [p = pool_.get()] { return p->ping(); };
  static_assert(std::is_trivially_destructible_v<decltype(call)>);
  co_return co_await run_blocking(workers_, call);
}

}  // namespace onair::infra
