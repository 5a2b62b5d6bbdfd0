// One conformance suite for the durable-records backends (SQLite, MariaDB),
// plus the few behaviours only one backend has.
#include "infra/sql_database.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/blocking.hpp"
#include "core/errors.hpp"
#include "core/ids.hpp"
#include "infra/maria_database.hpp"
#include "infra/sqlite_database.hpp"
#include "support/backends.hpp"
#include "support/run_task.hpp"

namespace onair::infra {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::int64_t as_int(const SqlValue& v) { return std::get<std::int64_t>(v); }

std::vector<Migration> shop_migrations() {
  // Given out of order on purpose: they apply by version.
  return {
      {2, "seed", {"INSERT INTO items (id, name) VALUES (1, 'first')"}},
      {1, "create items", {"CREATE TABLE items (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)"}},
  };
}

// Runs every task concurrently on `io`; rethrows the first failure.
void run_all(boost::asio::io_context& io, std::vector<Task<void>> tasks) {
  std::size_t done = 0;
  std::exception_ptr first;
  const std::size_t total = tasks.size();
  for (auto& t : tasks) {
    boost::asio::co_spawn(io, std::move(t), [&](std::exception_ptr e) {
      if (e && !first) first = e;
      ++done;
    });
  }
  io.restart();
  while (done < total) {
    if (io.run_one() == 0) break;
  }
  ASSERT_EQ(done, total);
  if (first) std::rethrow_exception(first);
}

class SqlDatabaseTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "mariadb") {
      ONAIR_REQUIRE_SERVER("ONAIR_TEST_MARIADB_URL");
      maria_ = MariaOptions::from_url(onair::testing::backend_url("ONAIR_TEST_MARIADB_URL"));
      maria_.database = "onair_test_" + random_hex(6);  // a fresh database per test
    } else {
      dir_ = std::filesystem::temp_directory_path() / ("onair-sql-test-" + random_hex(6));
      sqlite_path_ = (dir_ / "nested" / "records.db").string();  // the parent does not exist yet
    }
    db_ = open();
  }

  void TearDown() override {
    if (db_ && GetParam() == "mariadb") {
      try {
        run(db_->execute("DROP DATABASE IF EXISTS `" + maria_.database + "`"));
      } catch (const std::exception&) {
      }
    }
    db_.reset();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // A new object on the same storage as db_.
  std::unique_ptr<SqlDatabase> open() {
    if (GetParam() == "mariadb") return std::make_unique<MariaDatabase>(maria_, pool_);
    return std::make_unique<SqliteDatabase>(sqlite_path_, pool_);
  }

  template <class T>
  T run(Task<T> task) {
    return onair::testing::run_task(io_, std::move(task));
  }

  std::int64_t count(SqlDatabase& db, const std::string& table) {
    return as_int(run(db.execute("SELECT COUNT(*) FROM " + table)).rows.at(0).at(0));
  }

  std::vector<std::int64_t> applied_versions(SqlDatabase& db, const std::string& component) {
    std::vector<std::int64_t> versions;
    auto r = run(db.execute("SELECT version FROM onair_migrations WHERE component = ? ORDER BY version", {component}));
    for (const auto& row : r.rows) versions.push_back(as_int(row.at(0)));
    return versions;
  }

  // The io_context outlives the pool: a worker may still hold its executor
  // for a moment after run_task() returned.
  boost::asio::io_context io_;
  BlockingPool pool_{4};
  MariaOptions maria_;
  std::filesystem::path dir_;
  std::string sqlite_path_;
  std::unique_ptr<SqlDatabase> db_;
};

TEST_P(SqlDatabaseTest, NamesItsBackendAndAnswersPing) {
  EXPECT_EQ(db_->backend_name(), GetParam());
  EXPECT_TRUE(run(db_->ping()));
}

TEST_P(SqlDatabaseTest, MigrationsApplyOnceInOrderAndAreIdempotent) {
  run(db_->migrate("shop", shop_migrations()));
  run(db_->migrate("shop", shop_migrations()));
  EXPECT_EQ(applied_versions(*db_, "shop"), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(count(*db_, "items"), 1);

  auto names = run(db_->execute("SELECT name, applied_at FROM onair_migrations WHERE component = ? ORDER BY version",
                                {std::string("shop")}));
  ASSERT_EQ(names.rows.size(), 2u);
  EXPECT_EQ(names.rows[0][0], SqlValue(std::string("create items")));
  EXPECT_EQ(std::get<std::string>(names.rows[1][1]).size(), 24u);  // 2026-11-22T09:03:07.123Z

  // A new object on the same storage (another onair process, a restart).
  db_.reset();
  db_ = open();
  run(db_->migrate("shop", shop_migrations()));
  EXPECT_EQ(count(*db_, "items"), 1);

  // A later release adds version 3: only it runs.
  auto more = shop_migrations();
  more.push_back({3, "second item", {"INSERT INTO items (id, name) VALUES (2, 'second')"}});
  run(db_->migrate("shop", more));
  run(db_->migrate("shop", more));
  EXPECT_EQ(applied_versions(*db_, "shop"), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(count(*db_, "items"), 2);
}

TEST_P(SqlDatabaseTest, ComponentsMigrateIndependently) {
  run(db_->migrate("links", {{1, "links", {"CREATE TABLE links (id BIGINT PRIMARY KEY)"}}}));
  run(db_->migrate("followers", {{1, "followers", {"CREATE TABLE followers (id BIGINT PRIMARY KEY)"}},
                                 {2, "index", {"CREATE INDEX followers_id ON followers (id)"}}}));
  EXPECT_EQ(applied_versions(*db_, "links"), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(applied_versions(*db_, "followers"), (std::vector<std::int64_t>{1, 2}));
}

TEST_P(SqlDatabaseTest, FailedMigrationIsNotRecordedAndCanBeFixed) {
  std::vector<Migration> broken = {
      {1, "create", {"CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT)"}},
      {2, "broken", {"INSERT INTO notes (id, body) VALUES (1, 'a')", "INSERT INTO no_such_table VALUES (1)"}},
  };
  EXPECT_THROW(run(db_->migrate("notes", broken)), InfraError);
  EXPECT_EQ(applied_versions(*db_, "notes"), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(count(*db_, "notes"), 0);  // the DML of the failed version rolled back

  broken[1].statements = {"INSERT INTO notes (id, body) VALUES (1, 'a')"};
  run(db_->migrate("notes", broken));
  EXPECT_EQ(applied_versions(*db_, "notes"), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(count(*db_, "notes"), 1);
}

TEST_P(SqlDatabaseTest, DuplicateMigrationVersionsAreRejected) {
  EXPECT_THROW(
      run(db_->migrate("dup", {{1, "a", {"CREATE TABLE a (id BIGINT)"}}, {1, "b", {"CREATE TABLE b (id BIGINT)"}}})),
      InfraError);
}

TEST_P(SqlDatabaseTest, TwoInstancesMigratingAtOnceApplyEachVersionOnce) {
  auto other = open();
  std::vector<Migration> migrations = {
      {1, "create", {"CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)"}},
      {2, "seed", {"INSERT INTO counter (id, n) VALUES (1, 0)"}},
      {3, "bump", {"UPDATE counter SET n = n + 1 WHERE id = 1"}},
  };
  std::vector<Task<void>> tasks;
  tasks.push_back(db_->migrate("race", migrations));
  tasks.push_back(other->migrate("race", migrations));
  tasks.push_back(db_->migrate("race", migrations));
  tasks.push_back(other->migrate("race", migrations));
  run_all(io_, std::move(tasks));
  EXPECT_EQ(applied_versions(*db_, "race"), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(run(db_->execute("SELECT n FROM counter WHERE id = 1")).rows.at(0).at(0), SqlValue(std::int64_t{1}));
}

TEST_P(SqlDatabaseTest, DataWrittenByOneObjectIsReadByANewOne) {
  run(db_->execute("CREATE TABLE kv (k VARCHAR(100) PRIMARY KEY, v TEXT)"));
  run(db_->execute("INSERT INTO kv (k, v) VALUES (?, ?)", {std::string("greeting"), std::string("hello")}));
  db_.reset();
  db_ = open();
  auto r = run(db_->execute("SELECT v FROM kv WHERE k = ?", {std::string("greeting")}));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], SqlValue(std::string("hello")));
}

TEST_P(SqlDatabaseTest, BindsAndReturnsEveryValueKind) {
  run(db_->execute("CREATE TABLE kinds (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE, s TEXT)"));
  const std::vector<std::vector<SqlValue>> rows = {
      {std::int64_t{1}, std::int64_t{42}, 3.25, std::string("text")},
      {std::int64_t{2}, std::numeric_limits<std::int64_t>::max(), 1e300, std::string()},
      {std::int64_t{3}, std::numeric_limits<std::int64_t>::min(), -1e-300, std::string("x")},
      {std::int64_t{4}, nullptr, nullptr, nullptr},
      {std::int64_t{5}, std::int64_t{-7}, 3.141592653589793, std::string("pi")},
  };
  for (const auto& row : rows) {
    auto r = run(db_->execute("INSERT INTO kinds (id, i, r, s) VALUES (?, ?, ?, ?)", row));
    EXPECT_EQ(r.affected_rows, 1u);
  }
  auto r = run(db_->execute("SELECT id, i, r, s FROM kinds ORDER BY id"));
  EXPECT_EQ(r.columns, (std::vector<std::string>{"id", "i", "r", "s"}));
  EXPECT_EQ(r.rows, rows);

  // NULL as a parameter in a comparison, and a value bound in WHERE.
  auto nulls = run(db_->execute("SELECT id FROM kinds WHERE i IS NULL AND ? IS NULL", {nullptr}));
  ASSERT_EQ(nulls.rows.size(), 1u);
  EXPECT_EQ(nulls.rows[0][0], SqlValue(std::int64_t{4}));
  auto by_double = run(db_->execute("SELECT id AS found FROM kinds WHERE r = ?", {3.25}));
  EXPECT_EQ(by_double.columns, (std::vector<std::string>{"found"}));
  ASSERT_EQ(by_double.rows.size(), 1u);
  EXPECT_EQ(by_double.rows[0][0], SqlValue(std::int64_t{1}));
  auto empty = run(db_->execute("SELECT id FROM kinds WHERE id = ?", {std::int64_t{99}}));
  EXPECT_EQ(empty.columns.size(), 1u);
  EXPECT_TRUE(empty.rows.empty());
}

TEST_P(SqlDatabaseTest, StringsRoundTripUnchangedAndCannotInjectSql) {
  run(db_->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, s TEXT NOT NULL)"));
  const std::vector<std::string> strings = {
      "x'); DROP TABLE t; --",
      "it's \"quoted\" `backticked` \\ backslash \\' \\\"",
      "h\xC3\xA9llo w\xC3\xB6rld \xE2\x9C\x93 \xF0\x9F\x8E\x99 \xE4\xB8\xAD\xE6\x96\x87",  // é ö ✓ 🎙 中文
      "line1\nline2\r\n\ttab \x01\x02\x1f\x7f",
      std::string("nul\0inside", 10),
      "%_ wildcard? ?",
      std::string(60000, 'a'),  // longer than any first read buffer; MariaDB's TEXT holds 65535 bytes
  };
  for (std::size_t i = 0; i < strings.size(); ++i) {
    run(db_->execute("INSERT INTO t (id, s) VALUES (?, ?)", {static_cast<std::int64_t>(i), strings[i]}));
  }
  EXPECT_EQ(count(*db_, "t"), static_cast<std::int64_t>(strings.size()));  // the table survived
  for (std::size_t i = 0; i < strings.size(); ++i) {
    auto r = run(db_->execute("SELECT id, s FROM t WHERE s = ?", {strings[i]}));
    ASSERT_EQ(r.rows.size(), 1u) << "string " << i;
    EXPECT_EQ(r.rows[0][0], SqlValue(static_cast<std::int64_t>(i)));
    EXPECT_EQ(std::get<std::string>(r.rows[0][1]), strings[i]) << "string " << i;
  }
}

TEST_P(SqlDatabaseTest, BinaryBytesRoundTripInBlobColumns) {
  run(db_->execute("CREATE TABLE blobs (id BIGINT PRIMARY KEY, b BLOB)"));
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(255 - i));
  run(db_->execute("INSERT INTO blobs (id, b) VALUES (?, ?)", {std::int64_t{1}, bytes}));
  auto r = run(db_->execute("SELECT b FROM blobs WHERE id = ?", {std::int64_t{1}}));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(r.rows[0][0]), bytes);
}

TEST_P(SqlDatabaseTest, ReportsAffectedRowsOfWrites) {
  EXPECT_EQ(run(db_->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v BIGINT)")).affected_rows, 0u);
  for (std::int64_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(run(db_->execute("INSERT INTO t (id, v) VALUES (?, ?)", {id, std::int64_t{0}})).affected_rows, 1u);
  }
  EXPECT_EQ(run(db_->execute("UPDATE t SET v = ? WHERE id >= ?", {std::int64_t{5}, std::int64_t{2}})).affected_rows,
            2u);
  // Matched rows count, even when the value did not change (as in SQLite).
  EXPECT_EQ(run(db_->execute("UPDATE t SET v = ? WHERE id >= ?", {std::int64_t{5}, std::int64_t{2}})).affected_rows,
            2u);
  EXPECT_EQ(run(db_->execute("DELETE FROM t WHERE id = ?", {std::int64_t{99}})).affected_rows, 0u);
  EXPECT_EQ(run(db_->execute("SELECT * FROM t")).affected_rows, 0u);
  EXPECT_EQ(run(db_->execute("DELETE FROM t")).affected_rows, 3u);
}

TEST_P(SqlDatabaseTest, TransactionCommitsAllStatements) {
  run(db_->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, s TEXT)"));
  auto results = run(db_->transaction({
      {"INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{1}, std::string("a")}},
      {"INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{2}, std::string("b")}},
      {"UPDATE t SET s = ? WHERE id = ?", {std::string("c"), std::int64_t{2}}},
      {"SELECT s FROM t ORDER BY id", {}},
  }));
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].affected_rows, 1u);
  EXPECT_EQ(results[2].affected_rows, 1u);
  EXPECT_EQ(results[3].rows, (std::vector<std::vector<SqlValue>>{{std::string("a")}, {std::string("c")}}));
  db_.reset();
  db_ = open();
  EXPECT_EQ(count(*db_, "t"), 2);
}

TEST_P(SqlDatabaseTest, TransactionRollsBackAllWhenOneStatementFails) {
  run(db_->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, s TEXT)"));
  run(db_->execute("INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{1}, std::string("original")}));
  const std::string secret = "secret-value-7f3a9c";
  try {
    run(db_->transaction({
        {"INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{2}, std::string("new")}},
        {"UPDATE t SET s = ? WHERE id = ?", {std::string("changed"), std::int64_t{1}}},
        {"INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{1}, secret}},  // duplicate primary key
    }));
    FAIL() << "the duplicate key did not throw";
  } catch (const InfraError& e) {
    EXPECT_EQ(e.backend(), GetParam());
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
  }
  auto r = run(db_->execute("SELECT id, s FROM t ORDER BY id"));
  EXPECT_EQ(r.rows, (std::vector<std::vector<SqlValue>>{{std::int64_t{1}, std::string("original")}}));

  // The connection is usable afterwards, in and out of transactions.
  run(db_->transaction({{"INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{3}, std::string("later")}}}));
  EXPECT_EQ(count(*db_, "t"), 2);
}

TEST_P(SqlDatabaseTest, ErrorsThrowInfraErrorWithoutValues) {
  run(db_->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, s VARCHAR(10) NOT NULL)"));
  const std::string secret = "password-d41d8cd9";
  const auto expect_infra_error = [&](std::string sql, std::vector<SqlValue> params) {
    try {
      run(db_->execute(sql, std::move(params)));
      ADD_FAILURE() << "no error for: " << sql;
    } catch (const InfraError& e) {
      EXPECT_EQ(e.backend(), GetParam()) << sql;
      EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
    }
  };
  expect_infra_error("SELEC 1", {});
  expect_infra_error("SELECT * FROM no_such_table", {});
  expect_infra_error("SELECT ? + ?", {std::int64_t{1}});      // too few parameters
  expect_infra_error("SELECT ?", {std::int64_t{1}, secret});  // too many
  expect_infra_error("SELECT 1; SELECT 2", {});               // one statement per call
  expect_infra_error("INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{1}, nullptr});
  run(db_->execute("INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{1}, secret.substr(0, 10)}));
  expect_infra_error("INSERT INTO t (id, s) VALUES (?, ?)", {std::int64_t{1}, secret.substr(0, 10)});
  // Still usable; a trailing ';' is accepted by both.
  EXPECT_EQ(run(db_->execute("SELECT COUNT(*) FROM t;")).rows.at(0).at(0), SqlValue(std::int64_t{1}));
  EXPECT_TRUE(run(db_->ping()));
}

Task<void> insert_rows(SqlDatabase& db, std::int64_t worker, int rows) {
  // Statements are built outside co_await expressions: g++ 12 mishandles
  // braced lists with string literals there.
  const std::string insert = "INSERT INTO t (worker, n, s) VALUES (?, ?, ?)";
  for (int i = 0; i < rows; ++i) {
    std::vector<SqlValue> params{worker, std::int64_t{i}, "w" + std::to_string(worker)};
    auto r = co_await db.execute(insert, std::move(params));
    if (r.affected_rows != 1) throw std::runtime_error("insert did not report one row");
  }
  std::vector<SqlStatement> tx;
  tx.push_back(SqlStatement{insert, {worker, std::int64_t{-1}, nullptr}});
  tx.push_back(SqlStatement{insert, {worker, std::int64_t{-2}, nullptr}});
  co_await db.transaction(std::move(tx));
  std::vector<SqlValue> key{worker};
  auto mine = co_await db.execute("SELECT COUNT(*) FROM t WHERE worker = ?", std::move(key));
  if (std::get<std::int64_t>(mine.rows.at(0).at(0)) != rows + 2) throw std::runtime_error("lost rows");
}

TEST_P(SqlDatabaseTest, ConcurrentCallsFromManyCoroutines) {
  run(db_->execute("CREATE TABLE t (worker BIGINT NOT NULL, n BIGINT NOT NULL, s TEXT, PRIMARY KEY (worker, n))"));
  constexpr int kWorkers = 12;
  constexpr int kRows = 10;
  std::vector<Task<void>> tasks;
  for (int w = 0; w < kWorkers; ++w) tasks.push_back(insert_rows(*db_, w, kRows));
  const auto start = Clock::now();
  run_all(io_, std::move(tasks));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  EXPECT_EQ(count(*db_, "t"), kWorkers * (kRows + 2));
  RecordProperty("concurrent_ms", std::to_string(ms));
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlDatabaseTest, ::testing::Values("sqlite", "mariadb"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

// ---------------------------------------------------------------------------
// SQLite only

TEST(SqliteDatabaseTest, InMemoryDatabaseWorks) {
  boost::asio::io_context io;  // outlives the pool
  BlockingPool pool(2);
  SqliteDatabase db(":memory:", pool);
  onair::testing::run_task(io, db.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)"));
  onair::testing::run_task(io, db.migrate("x", {{1, "one", {"INSERT INTO t (id) VALUES (1)"}}}));
  auto r = onair::testing::run_task(io, db.execute("SELECT id FROM t"));
  EXPECT_EQ(r.rows, (std::vector<std::vector<SqlValue>>{{std::int64_t{1}}}));
}

TEST(SqliteDatabaseTest, UsesWalAndForeignKeys) {
  boost::asio::io_context io;  // outlives the pool
  BlockingPool pool(2);
  const auto dir = std::filesystem::temp_directory_path() / ("onair-sqlite-" + random_hex(6));
  {
    SqliteDatabase db((dir / "a" / "b.db").string(), pool);
    EXPECT_TRUE(std::filesystem::exists(dir / "a" / "b.db"));
    auto mode = onair::testing::run_task(io, db.execute("PRAGMA journal_mode"));
    EXPECT_EQ(mode.rows.at(0).at(0), SqlValue(std::string("wal")));
    onair::testing::run_task(io, db.execute("CREATE TABLE p (id BIGINT PRIMARY KEY)"));
    onair::testing::run_task(io, db.execute("CREATE TABLE c (id BIGINT PRIMARY KEY, p BIGINT REFERENCES p (id))"));
    EXPECT_THROW(onair::testing::run_task(io, db.execute("INSERT INTO c (id, p) VALUES (1, 42)")), InfraError);
  }
  std::filesystem::remove_all(dir);
}

TEST(SqliteDatabaseTest, UnopenablePathThrows) {
  BlockingPool pool(1);
  EXPECT_THROW(SqliteDatabase("/proc/onair-cannot-create/x.db", pool), InfraError);
}

// ---------------------------------------------------------------------------
// MariaDB only

std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 1;
  }
  ::close(fd);  // bound, never listened: connections are refused
  return ntohs(addr.sin_port);
}

TEST(MariaDatabaseTest, UnreachableServerThrowsQuickly) {
  boost::asio::io_context io;  // outlives the pool
  BlockingPool pool(2);
  const std::string password = "hunter2-secret";
  MariaDatabase db("mysql://onair:" + password + "@127.0.0.1:" + std::to_string(closed_port()) + "/onair_test", pool);
  const auto start = Clock::now();
  try {
    onair::testing::run_task(io, db.execute("SELECT 1"));
    FAIL() << "no error";
  } catch (const InfraError& e) {
    EXPECT_EQ(e.backend(), "mariadb");
    EXPECT_EQ(std::string(e.what()).find(password), std::string::npos) << e.what();
  }
  EXPECT_THROW(onair::testing::run_task(io, db.transaction({{"SELECT 1", {}}})), InfraError);
  EXPECT_THROW(onair::testing::run_task(io, db.migrate("x", {{1, "one", {"SELECT 1"}}})), InfraError);
  EXPECT_FALSE(onair::testing::run_task(io, db.ping()));
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST(MariaDatabaseTest, InvalidUrlsThrowWithoutEchoingThem) {
  BlockingPool pool(1);
  for (const std::string url : {"postgres://u:p@h:1/db", "mysql://u:pw-secret@h:1", "mysql://u:pw-secret@h:0/db",
                                "mysql://u:pw-secret@h:99999/db", "mysql://u:pw-secret@h:1/bad;name",
                                "mysql://u:pw-secret@:1/db", "mysql://u:pw-secret%zz@h:1/db"}) {
    try {
      MariaDatabase db(url, pool);
      ADD_FAILURE() << "accepted " << url;
    } catch (const InfraError& e) {
      EXPECT_EQ(std::string(e.what()).find("pw-secret"), std::string::npos) << e.what();
    }
  }
  auto o = MariaOptions::from_url("mysql://us%40er:p%3Ass@[::1]/records");
  EXPECT_EQ(o.user, "us@er");
  EXPECT_EQ(o.password, "p:ss");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 3306);
  EXPECT_EQ(o.database, "records");
}

class MariaServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ONAIR_REQUIRE_SERVER("ONAIR_TEST_MARIADB_URL");
    options_ = MariaOptions::from_url(onair::testing::backend_url("ONAIR_TEST_MARIADB_URL"));
    options_.database = "onair_test_" + random_hex(6);
    db_ = std::make_unique<MariaDatabase>(options_, pool_);
  }
  void TearDown() override {
    if (db_) {
      try {
        run(db_->execute("DROP DATABASE IF EXISTS `" + options_.database + "`"));
      } catch (const std::exception&) {
      }
    }
  }
  template <class T>
  T run(Task<T> task) {
    return onair::testing::run_task(io_, std::move(task));
  }

  // The io_context outlives the pool: a worker may still hold its executor
  // for a moment after run_task() returned.
  boost::asio::io_context io_;
  BlockingPool pool_{4};
  MariaOptions options_;
  std::unique_ptr<MariaDatabase> db_;
};

TEST_F(MariaServerTest, CreatesTheDatabaseInUtf8mb4) {
  auto r =
      run(db_->execute("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
                       "WHERE SCHEMA_NAME = ?",
                       {options_.database}));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], SqlValue(std::string("utf8mb4")));
  EXPECT_EQ(r.rows[0][1], SqlValue(std::string("utf8mb4_bin")));
}

TEST_F(MariaServerTest, MapsColumnTypes) {
  auto r = run(
      db_->execute("SELECT CAST(1 AS UNSIGNED), CAST(18446744073709551615 AS UNSIGNED), CAST(2.5 AS DECIMAL(5,2)), "
                   "CAST('2026-11-22 09:03:07' AS DATETIME), CAST(1.5 AS DOUBLE), NULL, 'txt', YEAR('2026-01-01')"));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0], (std::vector<SqlValue>{std::int64_t{1}, std::string("18446744073709551615"), std::string("2.50"),
                                              std::string("2026-11-22 09:03:07"), 1.5, nullptr, std::string("txt"),
                                              std::int64_t{2026}}));
}

TEST_F(MariaServerTest, ReconnectsAfterTheConnectionWasKilled) {
  const auto id = std::get<std::int64_t>(run(db_->execute("SELECT CONNECTION_ID()")).rows.at(0).at(0));
  MariaDatabase killer(options_, pool_);
  run(killer.execute("KILL " + std::to_string(id)));  // KILL takes no placeholder; an integer of ours
  auto r = run(db_->execute("SELECT 1"));             // the pooled connection is dead: reconnect, retry once
  EXPECT_EQ(r.rows.at(0).at(0), SqlValue(std::int64_t{1}));
  const auto id2 = std::get<std::int64_t>(run(db_->execute("SELECT CONNECTION_ID()")).rows.at(0).at(0));
  EXPECT_NE(id2, id);
  run(killer.execute("KILL " + std::to_string(id2)));
  auto tx = run(db_->transaction({{"SELECT 2", {}}}));  // transactions check the connection first
  EXPECT_EQ(tx.at(0).rows.at(0).at(0), SqlValue(std::int64_t{2}));
  EXPECT_TRUE(run(db_->ping()));
}

// Kills the connection running the statement that starts with `prefix` once it shows up.
Task<void> kill_when_running(MariaDatabase& killer, std::string database, std::string prefix) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (int i = 0; i < 100; ++i) {
    timer.expires_after(20ms);
    co_await timer.async_wait(boost::asio::use_awaitable);
    std::string sql = "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE ?";
    std::vector<SqlValue> params{database, prefix + "%"};
    auto r = co_await killer.execute(std::move(sql), std::move(params));
    if (r.rows.empty()) continue;
    co_await killer.execute("KILL " + std::to_string(std::get<std::int64_t>(r.rows[0][0])));
    co_return;
  }
  throw std::runtime_error("the statement never showed up");
}

Task<void> expect_lost(MariaDatabase& db, std::string sql, bool& threw) {
  try {
    co_await db.execute(std::move(sql));
  } catch (const InfraError&) {
    threw = true;
  }
}

TEST_F(MariaServerTest, WriteLostWhileRunningIsNotSentAgain) {
  run(db_->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)"));
  run(db_->execute("INSERT INTO t (id, v) VALUES (1, 0)"));
  MariaDatabase killer(options_, pool_);
  bool threw = false;
  std::vector<Task<void>> tasks;
  tasks.push_back(expect_lost(*db_, "UPDATE t SET v = v + 1 + SLEEP(1) WHERE id = 1", threw));
  tasks.push_back(kill_when_running(killer, options_.database, "UPDATE t SET v"));
  const auto start = Clock::now();
  run_all(io_, std::move(tasks));
  EXPECT_TRUE(threw);  // a retry would have succeeded a second later
  EXPECT_LT(Clock::now() - start, 900ms);
  EXPECT_EQ(run(db_->execute("SELECT v FROM t WHERE id = 1")).rows.at(0).at(0), SqlValue(std::int64_t{0}));
}

TEST_F(MariaServerTest, ReadLostWhileRunningIsRetried) {
  MariaDatabase killer(options_, pool_);
  bool threw = false;
  std::vector<Task<void>> tasks;
  tasks.push_back(expect_lost(*db_, "SELECT SLEEP(0.3), 'probe-7c1'", threw));
  tasks.push_back(kill_when_running(killer, options_.database, "SELECT SLEEP(0.3), 'probe-7c1'"));
  run_all(io_, std::move(tasks));
  EXPECT_FALSE(threw);
}

TEST_F(MariaServerTest, CallsRunInParallelOnSeveralConnections) {
  std::vector<Task<void>> tasks;
  for (int i = 0; i < 4; ++i) {
    tasks.push_back([](MariaDatabase& db) -> Task<void> {
      std::string sql = "SELECT SLEEP(0.4)";
      co_await db.execute(std::move(sql));
    }(*db_));
  }
  const auto start = Clock::now();
  run_all(io_, std::move(tasks));
  EXPECT_LT(Clock::now() - start, 1200ms);  // serial would take 1.6 s
}

}  // namespace
}  // namespace onair::infra
