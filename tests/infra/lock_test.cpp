// One conformance suite for every DistributedLock backend (memory, redis).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <exception>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "infra/memory_lock.hpp"
#include "infra/redis_lock.hpp"
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
constexpr auto kPastShortTtl = 450ms;
constexpr auto kLongTtl = std::chrono::milliseconds(60s);
// For a lock that must still be held a call later (a stall of the shared
// machine must not expire it), yet free after kPastMediumTtl.
constexpr auto kMediumTtl = 1000ms;
constexpr auto kPastMediumTtl = 1300ms;

template <class T>
T run_here(Task<T> task) {
  boost::asio::io_context io;
  DrainOnExit drain{io};
  return testing::run_task(io, std::move(task));
}

class LockTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      ONAIR_REQUIRE_SERVER("ONAIR_TEST_REDIS_URL");
      lock_ = std::make_unique<RedisLock>(testing::backend_url("ONAIR_TEST_REDIS_URL"), workers_,
                                          "onair-test:" + random_hex(8) + ":lock:");
    } else {
      lock_ = std::make_unique<MemoryLock>();
    }
  }

  template <class T>
  T run(Task<T> task) {
    return testing::run_task(io_, std::move(task));
  }
  DistributedLock& lock() { return *lock_; }

  boost::asio::io_context io_;
  BlockingPool workers_{2};
  std::unique_ptr<DistributedLock> lock_;
};

TEST_P(LockTest, AcquireFreeLock) { EXPECT_TRUE(run(lock().try_acquire("room:1", "alice", kLongTtl))); }

TEST_P(LockTest, SecondOwnerIsRefusedWhileHeld) {
  ASSERT_TRUE(run(lock().try_acquire("room:1", "alice", kLongTtl)));
  EXPECT_FALSE(run(lock().try_acquire("room:1", "bob", kLongTtl)));
  EXPECT_FALSE(run(lock().extend("room:1", "bob", kLongTtl)));
  // Still alice's.
  EXPECT_TRUE(run(lock().try_acquire("room:1", "alice", kLongTtl)));
}

TEST_P(LockTest, LocksAreIndependentByName) {
  EXPECT_TRUE(run(lock().try_acquire("room:1", "alice", kLongTtl)));
  EXPECT_TRUE(run(lock().try_acquire("room:2", "bob", kLongTtl)));
  EXPECT_TRUE(run(lock().release("room:1", "alice")));
  EXPECT_FALSE(run(lock().try_acquire("room:2", "alice", kLongTtl)));
}

TEST_P(LockTest, ReleaseOnlyByTheOwner) {
  ASSERT_TRUE(run(lock().try_acquire("l", "alice", kLongTtl)));
  EXPECT_FALSE(run(lock().release("l", "bob")));
  EXPECT_FALSE(run(lock().try_acquire("l", "bob", kLongTtl)));  // bob's release did nothing
  EXPECT_TRUE(run(lock().release("l", "alice")));
  EXPECT_FALSE(run(lock().release("l", "alice")));  // already released
  EXPECT_FALSE(run(lock().release("never-held", "alice")));
  EXPECT_TRUE(run(lock().try_acquire("l", "bob", kLongTtl)));
}

TEST_P(LockTest, ExpiryLetsAnotherOwnerIn) {
  ASSERT_TRUE(run(lock().try_acquire("l", "alice", kShortTtl)));
  std::this_thread::sleep_for(kPastShortTtl);
  EXPECT_TRUE(run(lock().try_acquire("l", "bob", kLongTtl)));
  // Alice lost it: she can neither extend nor release bob's lock.
  EXPECT_FALSE(run(lock().extend("l", "alice", kLongTtl)));
  EXPECT_FALSE(run(lock().release("l", "alice")));
  EXPECT_FALSE(run(lock().try_acquire("l", "alice", kLongTtl)));
}

TEST_P(LockTest, ExtendKeepsTheLock) {
  ASSERT_TRUE(run(lock().try_acquire("l", "alice", kMediumTtl)));
  EXPECT_TRUE(run(lock().extend("l", "alice", kLongTtl)));
  std::this_thread::sleep_for(kPastMediumTtl);
  EXPECT_FALSE(run(lock().try_acquire("l", "bob", kLongTtl)));
  EXPECT_TRUE(run(lock().extend("l", "alice", kLongTtl)));
  EXPECT_FALSE(run(lock().extend("free", "alice", kLongTtl)));  // extend never acquires
  EXPECT_TRUE(run(lock().try_acquire("free", "bob", kLongTtl)));
}

TEST_P(LockTest, ExtendCanShortenTheExpiry) {
  ASSERT_TRUE(run(lock().try_acquire("l", "alice", kLongTtl)));
  EXPECT_TRUE(run(lock().extend("l", "alice", kShortTtl)));
  std::this_thread::sleep_for(kPastShortTtl);
  EXPECT_TRUE(run(lock().try_acquire("l", "bob", kLongTtl)));
}

TEST_P(LockTest, ReacquireByTheHolderRefreshesTheExpiry) {
  ASSERT_TRUE(run(lock().try_acquire("l", "alice", kShortTtl)));
  EXPECT_TRUE(run(lock().try_acquire("l", "alice", kLongTtl)));
  std::this_thread::sleep_for(kPastShortTtl);
  EXPECT_FALSE(run(lock().try_acquire("l", "bob", kLongTtl)));
}

TEST_P(LockTest, NonPositiveTtlIsRejected) {
  EXPECT_THROW(run(lock().try_acquire("l", "alice", 0ms)), std::invalid_argument);
  EXPECT_THROW(run(lock().try_acquire("l", "alice", -1ms)), std::invalid_argument);
  ASSERT_TRUE(run(lock().try_acquire("l", "alice", kLongTtl)));
  EXPECT_THROW(run(lock().extend("l", "alice", 0ms)), std::invalid_argument);
}

TEST_P(LockTest, ConcurrentAcquireHasExactlyOneWinner) {
  constexpr int kOwners = 4;
  for (int round = 0; round < 20; ++round) {
    const std::string name = "race:" + std::to_string(round);
    std::latch start(kOwners);
    std::atomic<int> winners = 0;
    std::atomic<int> errors = 0;
    {
      std::vector<std::jthread> owners;
      for (int i = 0; i < kOwners; ++i) {
        owners.emplace_back([&, i] {
          start.arrive_and_wait();
          try {
            if (run_here(lock().try_acquire(name, "owner" + std::to_string(i), kLongTtl))) ++winners;
          } catch (...) {
            ++errors;
          }
        });
      }
    }
    ASSERT_EQ(errors.load(), 0);
    ASSERT_EQ(winners.load(), 1) << "lock " << name << " held by " << winners.load() << " owners at once";
  }
}

TEST_P(LockTest, MutualExclusionUnderContention) {
  constexpr int kOwners = 3;
  constexpr int kTurns = 10;
  std::latch start(kOwners);
  std::atomic<int> inside = 0;
  std::atomic<int> violations = 0;
  std::atomic<int> turns = 0;
  std::atomic<int> errors = 0;
  {
    std::vector<std::jthread> owners;
    for (int i = 0; i < kOwners; ++i) {
      owners.emplace_back([&, i] {
        const std::string me = "owner" + std::to_string(i);
        start.arrive_and_wait();
        try {
          for (int t = 0; t < kTurns; ++t) {
            while (!run_here(lock().try_acquire("shared", me, kLongTtl))) std::this_thread::sleep_for(1ms);
            if (inside.fetch_add(1) != 0) ++violations;  // two holders at once
            std::this_thread::sleep_for(2ms);
            inside.fetch_sub(1);
            ++turns;
            if (!run_here(lock().release("shared", me))) ++violations;
          }
        } catch (...) {
          ++errors;
        }
      });
    }
  }
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(turns.load(), kOwners * kTurns);
}

INSTANTIATE_TEST_SUITE_P(Backends, LockTest, ::testing::Values("memory", "redis"),
                         [](const auto& param_info) { return param_info.param; });

TEST(RedisLockUnreachableTest, CallsThrowInfraError) {
  std::uint16_t port = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  BlockingPool workers(2);
  RedisLock lock("redis://127.0.0.1:" + std::to_string(port) + "/0", workers);
  EXPECT_THROW(run_here(lock.try_acquire("l", "alice", kLongTtl)), InfraError);
  EXPECT_THROW(run_here(lock.extend("l", "alice", kLongTtl)), InfraError);
  EXPECT_THROW(run_here(lock.release("l", "alice")), InfraError);
}

TEST(RedisLockTest, SharesAConnectionWithOtherUsers) {
  ONAIR_REQUIRE_SERVER("ONAIR_TEST_REDIS_URL");
  BlockingPool workers(2);
  auto redis = std::make_shared<RedisConnection>(testing::backend_url("ONAIR_TEST_REDIS_URL"), workers);
  const std::string prefix = "onair-test:" + random_hex(8) + ":lock:";
  RedisLock a(redis, prefix);
  RedisLock b(redis, prefix);  // another node, same keyspace
  EXPECT_TRUE(run_here(a.try_acquire("l", "node-a", kLongTtl)));
  EXPECT_FALSE(run_here(b.try_acquire("l", "node-b", kLongTtl)));
  // Stored as the owner token under the prefix, with an expiry.
  EXPECT_EQ(run_here(redis->command({"GET", prefix + "l"})).as_string(), "node-a");
  const auto pttl = run_here(redis->command({"PTTL", prefix + "l"})).as_integer();
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, kLongTtl.count());
}

}  // namespace
}  // namespace onair::infra
