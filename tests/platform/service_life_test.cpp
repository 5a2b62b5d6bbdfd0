#include "platform/service_life.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>

#include "support/run_task.hpp"

namespace onair::platform {
namespace {
using onair::testing::run_task;

TEST(ServiceLife, EntriesAreCountedAndRefusedOnceEnded) {
  ServiceLife life;
  {
    ServiceLife::Entry a(life);
    ServiceLife::Entry b(life);
    EXPECT_TRUE(a);
    EXPECT_TRUE(b);
    EXPECT_EQ(life.inside(), 2u);
  }
  EXPECT_EQ(life.inside(), 0u);
  life.end();
  EXPECT_FALSE(life.alive());
  ServiceLife::Entry late(life);
  EXPECT_FALSE(late);
}

// drained() waits for the work inside to leave (here: work that takes 30 ms on the same executor),
// and gives up after its limit when some never leaves.
TEST(ServiceLife, DrainedWaitsForTheWorkInside) {
  boost::asio::io_context io;
  ServiceLife life;
  bool work_done = false;
  boost::asio::co_spawn(
      io,
      [&]() -> Task<void> {
        ServiceLife::Entry entry(life);
        boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, std::chrono::milliseconds(30));
        co_await t.async_wait(boost::asio::use_awaitable);
        work_done = true;
      },
      boost::asio::detached);
  io.poll();  // the work has entered
  ASSERT_EQ(life.inside(), 1u);
  life.end();
  EXPECT_TRUE(run_task(io, life.drained(std::chrono::seconds(5))));
  EXPECT_TRUE(work_done);

  std::optional<ServiceLife::Entry> stuck;
  ServiceLife other;
  stuck.emplace(other);
  other.end();
  EXPECT_FALSE(run_task(io, other.drained(std::chrono::milliseconds(20))));
}

}  // namespace
}  // namespace onair::platform
