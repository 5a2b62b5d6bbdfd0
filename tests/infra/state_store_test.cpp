// One conformance suite for every StateStore backend (memory, redis), plus
// tests of the Redis connection itself (URL parsing, unreachable or hung
// servers, reconnection, error messages without data).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "infra/memory_state_store.hpp"
#include "infra/redis_connection.hpp"
#include "infra/redis_state_store.hpp"
#include "support/backends.hpp"
#include "support/run_task.hpp"

namespace onair::infra {
namespace {

using namespace std::chrono_literals;

// run_task() returns once the result arrives, while the worker pool may still
// hold work on the io_context for a moment: a short-lived io_context must run
// until that is released before it is destroyed.
struct DrainOnExit {
  boost::asio::io_context& io;
  ~DrainOnExit() {
    io.restart();
    io.run();
  }
};

constexpr auto kShortTtl = 150ms;
constexpr auto kPastShortTtl = 450ms;  // sleep long enough for kShortTtl to have passed
constexpr auto kLongTtl = std::chrono::milliseconds(60s);
// For a key that must still be alive a few calls later (a stall of the
// shared machine must not expire it), yet gone after kPastMediumTtl.
constexpr auto kMediumTtl = 1000ms;
constexpr auto kPastMediumTtl = 1300ms;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Runs fn(0..n-1) on n threads released at the same moment; rethrows the first exception.
void run_concurrently(int n, const std::function<void(int)>& fn) {
  std::latch start(n);
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        try {
          fn(i);
        } catch (...) {
          errors[static_cast<std::size_t>(i)] = std::current_exception();
        }
      });
    }
  }
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

// A loopback port nothing listens on.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

class StateStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      ONAIR_REQUIRE_SERVER("ONAIR_TEST_REDIS_URL");
      // A prefix of its own per test: tests never see each other's keys.
      store_ = std::make_unique<RedisStateStore>(testing::backend_url("ONAIR_TEST_REDIS_URL"), workers_,
                                                 "onair-test:" + random_hex(8) + ":");
    } else {
      store_ = std::make_unique<MemoryStateStore>();
    }
  }

  template <class T>
  T run(Task<T> task) {
    return testing::run_task(io_, std::move(task));
  }
  // The same from another thread (each thread needs its own io_context).
  template <class T>
  static T run_here(Task<T> task) {
    boost::asio::io_context io;
    DrainOnExit drain{io};
    return testing::run_task(io, std::move(task));
  }

  StateStore& store() { return *store_; }

  boost::asio::io_context io_;
  BlockingPool workers_{2};
  std::unique_ptr<StateStore> store_;
};

// --- get / set / remove -----------------------------------------------------

TEST_P(StateStoreTest, GetOfMissingKeyIsEmpty) { EXPECT_FALSE(run(store().get("nope")).has_value()); }

TEST_P(StateStoreTest, SetThenGetReturnsDataAndVersion) {
  const auto version = run(store().set("room:1", "hello"));
  EXPECT_GT(version, 0u);
  const auto got = run(store().get("room:1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->data, "hello");
  EXPECT_EQ(got->version, version);
}

TEST_P(StateStoreTest, SetOverwritesAndVersionIncreases) {
  const auto v1 = run(store().set("k", "one"));
  const auto v2 = run(store().set("k", "two"));
  EXPECT_GT(v2, v1);
  const auto got = run(store().get("k"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, "two");
  EXPECT_EQ(got->version, v2);
}

TEST_P(StateStoreTest, RemoveReportsWhetherKeyExisted) {
  run(store().set("k", "v"));
  EXPECT_TRUE(run(store().remove("k")));
  EXPECT_FALSE(run(store().get("k")).has_value());
  EXPECT_FALSE(run(store().remove("k")));
}

TEST_P(StateStoreTest, ValuesAndKeysAreBinarySafe) {
  const std::string value = std::string("a\0b\r\n*3\r\n$1\xff\xfe", 14) + std::string(100000, 'x');
  const std::string key = std::string("bin\0key \r\n", 10);
  run(store().set(key, value));
  const auto got = run(store().get(key));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, value);
  EXPECT_EQ(run(store().keys_with_prefix("bin")), std::vector<std::string>{key});
  run(store().set("empty", ""));
  const auto empty = run(store().get("empty"));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->data, "");
}

TEST_P(StateStoreTest, RecreatedKeyNeverReusesAVersion) {
  const auto v1 = run(store().set("k", "first"));
  ASSERT_TRUE(run(store().remove("k")));
  const auto v2 = run(store().set("k", "second"));
  EXPECT_GT(v2, v1);
  // A reader holding v1 must not be able to overwrite the new value.
  EXPECT_FALSE(run(store().set_if_version("k", "stale", v1)).has_value());
  // Versions come from one counter: writes to other keys advance it too.
  const auto other = run(store().set("other", "x"));
  EXPECT_GT(other, v2);
}

// --- set_if_version ----------------------------------------------------------

TEST_P(StateStoreTest, SetIfVersionSucceedsOnCurrentVersion) {
  const auto v1 = run(store().set("k", "one"));
  const auto v2 = run(store().set_if_version("k", "two", v1));
  ASSERT_TRUE(v2.has_value());
  EXPECT_GT(*v2, v1);
  const auto got = run(store().get("k"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, "two");
  EXPECT_EQ(got->version, *v2);
}

TEST_P(StateStoreTest, SetIfVersionConflictsOnStaleVersion) {
  const auto v1 = run(store().set("k", "one"));
  const auto v2 = run(store().set("k", "two"));
  EXPECT_FALSE(run(store().set_if_version("k", "lost", v1)).has_value());
  EXPECT_FALSE(run(store().set_if_version("k", "lost", v2 + 1000)).has_value());
  const auto got = run(store().get("k"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, "two");
  EXPECT_EQ(got->version, v2);
}

TEST_P(StateStoreTest, SetIfVersionZeroMeansMustNotExist) {
  const auto created = run(store().set_if_version("k", "first", 0));
  ASSERT_TRUE(created.has_value());
  EXPECT_GT(*created, 0u);
  EXPECT_FALSE(run(store().set_if_version("k", "second", 0)).has_value());
  EXPECT_EQ(run(store().get("k"))->data, "first");
  // A non-zero expectation on a missing key is a conflict, not a create.
  EXPECT_FALSE(run(store().set_if_version("missing", "x", *created)).has_value());
  EXPECT_FALSE(run(store().get("missing")).has_value());
}

TEST_P(StateStoreTest, ConcurrentSetIfVersionHasExactlyOneWinner) {
  for (int round = 0; round < 25; ++round) {
    const std::string key = "race:" + std::to_string(round);
    const auto base = run(store().set(key, "base"));
    std::vector<std::optional<std::uint64_t>> results(2);
    run_concurrently(2, [&](int i) {
      results[static_cast<std::size_t>(i)] = run_here(store().set_if_version(key, "writer" + std::to_string(i), base));
    });
    const int winners =
        static_cast<int>(std::count_if(results.begin(), results.end(), [](const auto& r) { return r.has_value(); }));
    ASSERT_EQ(winners, 1) << "round " << round;
    const int winner = results[0] ? 0 : 1;
    const auto got = run(store().get(key));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->data, "writer" + std::to_string(winner));
    EXPECT_EQ(got->version, *results[static_cast<std::size_t>(winner)]);
  }
}

TEST_P(StateStoreTest, OptimisticIncrementsLoseNoUpdate) {
  constexpr int kThreads = 3;
  constexpr int kIncrements = 15;
  run(store().set("counter", "0"));
  run_concurrently(kThreads, [&](int) {
    for (int i = 0; i < kIncrements; ++i) {
      for (;;) {
        const auto current = run_here(store().get("counter"));
        if (!current) throw std::runtime_error("counter vanished");
        const int next = std::stoi(current->data) + 1;
        if (run_here(store().set_if_version("counter", std::to_string(next), current->version))) break;
      }
    }
  });
  EXPECT_EQ(run(store().get("counter"))->data, std::to_string(kThreads * kIncrements));
}

// --- TTL -----------------------------------------------------------------------

TEST_P(StateStoreTest, ValueExpiresAfterTtl) {
  run(store().set("short", "v", kShortTtl));
  run(store().set("long", "v", kLongTtl));
  run(store().set("forever", "v"));
  std::this_thread::sleep_for(kPastShortTtl);
  EXPECT_FALSE(run(store().get("short")).has_value());
  EXPECT_TRUE(run(store().get("long")).has_value());
  EXPECT_TRUE(run(store().get("forever")).has_value());
  EXPECT_EQ(sorted(run(store().keys_with_prefix(""))), sorted({"long", "forever"}));
  EXPECT_FALSE(run(store().remove("short")));
  // An expired key counts as absent for set_if_version.
  EXPECT_TRUE(run(store().set_if_version("short", "again", 0)).has_value());
}

TEST_P(StateStoreTest, WriteWithoutTtlClearsThePreviousTtl) {
  run(store().set("k", "v1", kMediumTtl));
  run(store().set("k", "v2"));
  const auto cas = run(store().set_if_version("c", "v1", 0, kMediumTtl));
  ASSERT_TRUE(cas);
  ASSERT_TRUE(run(store().set_if_version("c", "v2", *cas)));
  std::this_thread::sleep_for(kPastMediumTtl);
  EXPECT_EQ(run(store().get("k"))->data, "v2");
  EXPECT_EQ(run(store().get("c"))->data, "v2");
}

TEST_P(StateStoreTest, SetIfVersionAppliesTtl) {
  ASSERT_TRUE(run(store().set_if_version("k", "v", 0, kShortTtl)));
  std::this_thread::sleep_for(kPastShortTtl);
  EXPECT_FALSE(run(store().get("k")).has_value());
}

TEST_P(StateStoreTest, ExpireSetsAndPersistClearsExpiry) {
  EXPECT_FALSE(run(store().expire("missing", kShortTtl)));
  EXPECT_FALSE(run(store().expire("missing", kNoExpiry)));
  run(store().set("expiring", "v"));
  run(store().set("persisted", "v", kMediumTtl));
  run(store().set("plain", "v"));
  EXPECT_TRUE(run(store().expire("expiring", kShortTtl)));
  EXPECT_TRUE(run(store().expire("persisted", kNoExpiry)));
  EXPECT_TRUE(run(store().expire("plain", kNoExpiry)));  // true although it had no expiry: it exists
  std::this_thread::sleep_for(kPastMediumTtl);
  EXPECT_FALSE(run(store().get("expiring")).has_value());
  EXPECT_TRUE(run(store().get("persisted")).has_value());
  EXPECT_TRUE(run(store().get("plain")).has_value());
}

TEST_P(StateStoreTest, ExpireKeepsDataAndVersion) {
  const auto v = run(store().set("k", "data"));
  ASSERT_TRUE(run(store().expire("k", kLongTtl)));
  const auto got = run(store().get("k"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, "data");
  EXPECT_EQ(got->version, v);
}

TEST_P(StateStoreTest, SetsExpireToo) {
  run(store().set_add("members", "a"));
  EXPECT_TRUE(run(store().expire("members", kShortTtl)));
  std::this_thread::sleep_for(kPastShortTtl);
  EXPECT_TRUE(run(store().set_members("members")).empty());
  EXPECT_TRUE(run(store().keys_with_prefix("")).empty());
}

TEST_P(StateStoreTest, NegativeTtlIsRejected) {
  EXPECT_THROW(run(store().set("k", "v", Ttl(-5))), std::invalid_argument);
  EXPECT_THROW(run(store().set_if_version("k", "v", 0, Ttl(-5))), std::invalid_argument);
  EXPECT_THROW(run(store().expire("k", Ttl(-5))), std::invalid_argument);
  EXPECT_FALSE(run(store().get("k")).has_value());
}

// --- keys_with_prefix -------------------------------------------------------------

TEST_P(StateStoreTest, KeysWithPrefixListsValuesAndSets) {
  run(store().set("room:1", "v"));
  run(store().set("room:2", "v"));
  run(store().set_add("room:members", "p"));
  run(store().set("roomy", "v"));
  run(store().set("session:1", "v"));
  EXPECT_EQ(sorted(run(store().keys_with_prefix("room:"))), sorted({"room:1", "room:2", "room:members"}));
  EXPECT_EQ(sorted(run(store().keys_with_prefix("room"))), sorted({"room:1", "room:2", "room:members", "roomy"}));
  EXPECT_EQ(sorted(run(store().keys_with_prefix(""))),
            sorted({"room:1", "room:2", "room:members", "roomy", "session:1"}));
  EXPECT_TRUE(run(store().keys_with_prefix("nothing:")).empty());
  run(store().remove("room:1"));
  EXPECT_EQ(sorted(run(store().keys_with_prefix("room:"))), sorted({"room:2", "room:members"}));
}

TEST_P(StateStoreTest, KeysWithPrefixMatchesGlobCharactersLiterally) {
  for (const char* key : {"a*1", "a?2", "a[bc]3", "ab3", "ac3", "a\\4", "a^5", "axy", "a*"}) {
    run(store().set(key, "v"));
  }
  EXPECT_EQ(sorted(run(store().keys_with_prefix("a*"))), sorted({"a*1", "a*"}));
  EXPECT_EQ(sorted(run(store().keys_with_prefix("a?"))), sorted({"a?2"}));
  EXPECT_EQ(sorted(run(store().keys_with_prefix("a[bc]"))), sorted({"a[bc]3"}));
  EXPECT_EQ(sorted(run(store().keys_with_prefix("a["))), sorted({"a[bc]3"}));
  EXPECT_EQ(sorted(run(store().keys_with_prefix("a\\"))), sorted({"a\\4"}));
  EXPECT_EQ(sorted(run(store().keys_with_prefix("a^"))), sorted({"a^5"}));
  EXPECT_EQ(run(store().keys_with_prefix("a")).size(), 9u);
}

TEST_P(StateStoreTest, KeysWithPrefixScalesPastOneScanPage) {
  for (int i = 0; i < 1500; ++i) run(store().set("many:" + std::to_string(i), "v"));
  run(store().set("other", "v"));
  const auto keys = sorted(run(store().keys_with_prefix("many:")));
  ASSERT_EQ(keys.size(), 1500u);
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());  // no duplicates
}

// --- sets ------------------------------------------------------------------------

TEST_P(StateStoreTest, SetAddRemoveMembers) {
  EXPECT_TRUE(run(store().set_members("s")).empty());
  EXPECT_TRUE(run(store().set_add("s", "a")));
  EXPECT_TRUE(run(store().set_add("s", "b")));
  EXPECT_FALSE(run(store().set_add("s", "a")));
  EXPECT_EQ(sorted(run(store().set_members("s"))), sorted({"a", "b"}));
  EXPECT_TRUE(run(store().set_remove("s", "a")));
  EXPECT_FALSE(run(store().set_remove("s", "a")));
  EXPECT_FALSE(run(store().set_remove("missing", "a")));
  EXPECT_EQ(sorted(run(store().set_members("s"))), sorted({"b"}));
}

TEST_P(StateStoreTest, EmptiedSetNoLongerExists) {
  run(store().set_add("s", "only"));
  EXPECT_TRUE(run(store().set_remove("s", "only")));
  EXPECT_TRUE(run(store().keys_with_prefix("s")).empty());
  EXPECT_FALSE(run(store().remove("s")));
  EXPECT_FALSE(run(store().expire("s", kLongTtl)));
}

TEST_P(StateStoreTest, SetMembersAreBinarySafe) {
  const std::string member("x\0y\r\n", 5);
  run(store().set_add("s", member));
  run(store().set_add("s", ""));
  EXPECT_EQ(sorted(run(store().set_members("s"))), sorted({member, ""}));
}

TEST_P(StateStoreTest, RemoveDeletesASet) {
  run(store().set_add("s", "a"));
  EXPECT_TRUE(run(store().remove("s")));
  EXPECT_TRUE(run(store().set_members("s")).empty());
}

TEST_P(StateStoreTest, ValuesAndSetsShareTheKeyNamespace) {
  run(store().set("value", "secret-value"));
  run(store().set_add("set", "secret-member"));
  auto expect_wrong_type = [&](auto task) {
    try {
      run(std::move(task));
      ADD_FAILURE() << "expected InfraError";
    } catch (const InfraError& e) {
      // Errors never carry the data involved.
      EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
    }
  };
  expect_wrong_type(store().set_add("value", "secret-other"));
  expect_wrong_type(store().set_remove("value", "secret-other"));
  expect_wrong_type(store().set_members("value"));
  expect_wrong_type(store().get("set"));
  expect_wrong_type(store().set("set", "secret-other"));
  expect_wrong_type(store().set_if_version("set", "secret-other", 0));
  // Nothing changed.
  EXPECT_EQ(run(store().get("value"))->data, "secret-value");
  EXPECT_EQ(sorted(run(store().set_members("set"))), sorted({"secret-member"}));
}

TEST_P(StateStoreTest, PingAnswers) { EXPECT_TRUE(run(store().ping())); }

INSTANTIATE_TEST_SUITE_P(Backends, StateStoreTest, ::testing::Values("memory", "redis"),
                         [](const auto& param_info) { return param_info.param; });

// ===================================================================================
// Redis specifics

template <class T>
T run_once(Task<T> task) {
  boost::asio::io_context io;
  DrainOnExit drain{io};
  return testing::run_task(io, std::move(task));
}

TEST(RedisOptionsTest, ParsesUrls) {
  auto o = RedisOptions::from_url("redis://127.0.0.1:6380/2");
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.db, 2);
  EXPECT_TRUE(o.password.empty());

  o = RedisOptions::from_url("redis://:p%40ss@redis.local:7000");
  EXPECT_EQ(o.host, "redis.local");
  EXPECT_EQ(o.port, 7000);
  EXPECT_EQ(o.password, "p@ss");
  EXPECT_TRUE(o.username.empty());
  EXPECT_EQ(o.db, 0);

  o = RedisOptions::from_url("redis://app:secret@host/5");
  EXPECT_EQ(o.username, "app");
  EXPECT_EQ(o.password, "secret");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.db, 5);

  o = RedisOptions::from_url("redis://[::1]:6390/0");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 6390);
}

TEST(RedisOptionsTest, RejectsBadUrlsWithoutEchoingThem) {
  for (const char* url :
       {"http://host:1/0", "redis://", "redis://:hunter2@host:notaport/0", "redis://host:0", "redis://host:70000",
        "redis://:hunter2@host:1/x", "redis://:hunter2%zz@host:1", "redis://host:"}) {
    try {
      RedisOptions::from_url(url);
      ADD_FAILURE() << "accepted " << url;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
  }
}

TEST(RedisGlobEscapeTest, EscapesGlobCharacters) {
  EXPECT_EQ(redis_glob_escape("plain:key"), "plain:key");
  EXPECT_EQ(redis_glob_escape("a*b?c[d]e\\f"), "a\\*b\\?c\\[d\\]e\\\\f");
}

TEST(RedisUnreachableTest, CallsThrowInfraErrorAndPingIsFalse) {
  BlockingPool workers(2);
  RedisStateStore store("redis://127.0.0.1:" + std::to_string(closed_port()) + "/0", workers);
  EXPECT_FALSE(run_once(store.ping()));
  EXPECT_THROW(run_once(store.get("k")), InfraError);
  EXPECT_THROW(run_once(store.set("k", "v")), InfraError);
  EXPECT_THROW(run_once(store.set_if_version("k", "v", 0)), InfraError);
  EXPECT_THROW(run_once(store.remove("k")), InfraError);
  EXPECT_THROW(run_once(store.expire("k", kLongTtl)), InfraError);
  EXPECT_THROW(run_once(store.keys_with_prefix("")), InfraError);
  EXPECT_THROW(run_once(store.set_add("s", "m")), InfraError);
  EXPECT_THROW(run_once(store.set_members("s")), InfraError);
  try {
    run_once(store.get("k"));
  } catch (const InfraError& e) {
    EXPECT_EQ(e.backend(), "redis");
  }
}

TEST(RedisUnreachableTest, ServerThatNeverAnswersTimesOut) {
  // The kernel accepts connections into the backlog; nobody ever reads or answers.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  RedisOptions options;
  options.port = silent.local_endpoint().port();
  options.connect_timeout = 500ms;
  options.command_timeout = 200ms;
  BlockingPool workers(2);
  RedisStateStore store(options, workers);
  EXPECT_THROW(run_once(store.get("k")), InfraError);
  EXPECT_THROW(run_once(store.set_add("s", "m")), InfraError);
  EXPECT_FALSE(run_once(store.ping()));
}

class RedisConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ONAIR_REQUIRE_SERVER("ONAIR_TEST_REDIS_URL");
    options_ = RedisOptions::from_url(testing::backend_url("ONAIR_TEST_REDIS_URL"));
  }
  RedisOptions options_;
  BlockingPool workers_{2};
};

TEST_F(RedisConnectionTest, ServerErrorsThrowWithoutArguments) {
  RedisConnection redis(options_, workers_);
  try {
    run_once(redis.command({"NOSUCHCOMMAND", "secret-argument"}));
    ADD_FAILURE() << "expected InfraError";
  } catch (const InfraError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("NOSUCHCOMMAND"), std::string::npos) << what;
    EXPECT_EQ(what.find("secret"), std::string::npos) << what;
  }
}

TEST_F(RedisConnectionTest, ParsesReplies) {
  RedisConnection redis(options_, workers_);
  const std::string key = "onair-test:" + random_hex(8) + ":list";
  EXPECT_EQ(run_once(redis.command({"RPUSH", key, "a", std::string("\0b", 2)})).as_integer(), 2);
  const auto list = run_once(redis.command({"LRANGE", key, "0", "-1"}, Idempotency::kIdempotent));
  ASSERT_EQ(list.as_array().size(), 2u);
  EXPECT_EQ(list.elements[1].as_string(), std::string("\0b", 2));
  EXPECT_TRUE(run_once(redis.command({"GET", key + ":none"})).is_nil());
  EXPECT_EQ(run_once(redis.command({"PING"})).kind, RedisReply::Kind::kStatus);
  EXPECT_EQ(run_once(redis.eval("return {1, 'x'}", {}, {})).as_array().size(), 2u);
  EXPECT_THROW(run_once(redis.command({"PING"})).as_integer(), InfraError);
}

TEST_F(RedisConnectionTest, ReconnectsAfterTheServerDropsTheConnection) {
  options_.pool_size = 1;  // every call uses the same connection
  auto redis = std::make_shared<RedisConnection>(options_, workers_);
  RedisConnection admin(options_, workers_);
  RedisStateStore store(redis, "onair-test:" + random_hex(8) + ":");
  run_once(store.set("k", "v"));
  auto kill_store_connection = [&] {
    const auto id = run_once(redis->command({"CLIENT", "ID"})).as_integer();
    EXPECT_EQ(run_once(admin.command({"CLIENT", "KILL", "ID", std::to_string(id)})).as_integer(), 1);
  };
  // An idempotent read is retried once on a new connection: the caller sees nothing.
  kill_store_connection();
  EXPECT_EQ(run_once(store.get("k"))->data, "v");
  // A non-idempotent command is not resent (it may have run): it fails, the next call reconnects.
  kill_store_connection();
  EXPECT_THROW(run_once(store.set_add("s", "m")), InfraError);
  EXPECT_TRUE(run_once(store.set_add("s", "m")));
}

TEST_F(RedisConnectionTest, KeyPrefixIsolatesStoresAndIsInvisible) {
  auto redis = std::make_shared<RedisConnection>(options_, workers_);
  const std::string base = "onair-test:" + random_hex(8) + ":";
  RedisStateStore a(redis, base + "a:");
  RedisStateStore b(redis, base + "b:");
  run_once(a.set("k", "from-a"));
  EXPECT_FALSE(run_once(b.get("k")).has_value());
  EXPECT_EQ(run_once(a.keys_with_prefix("")), std::vector<std::string>{"k"});
  EXPECT_TRUE(run_once(b.keys_with_prefix("")).empty());
  // Stored under the prefix, as a hash {d, v}.
  EXPECT_EQ(run_once(redis->command({"HGET", base + "a:k", "d"})).as_string(), "from-a");
}

TEST_F(RedisConnectionTest, ManyConcurrentCallsShareASmallPool) {
  options_.pool_size = 2;
  BlockingPool workers(4);
  RedisStateStore store(options_, workers, "onair-test:" + random_hex(8) + ":");
  run_concurrently(6, [&](int i) {
    for (int j = 0; j < 20; ++j) run_once(store.set("k" + std::to_string(i), std::to_string(j)));
  });
  EXPECT_EQ(run_once(store.keys_with_prefix("k")).size(), 6u);
}

}  // namespace
}  // namespace onair::infra
