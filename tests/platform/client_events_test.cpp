#include "platform/client_events.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "infra/inprocess_bus.hpp"
#include "infra/rabbit_bus.hpp"
#include "support/backends.hpp"
#include "support/run_task.hpp"

namespace onair::platform {
namespace {
using onair::testing::run_task;

TEST(ClientEventHub, DeliversToEverySocketOfTheSessionOnly) {
  boost::asio::io_context io;
  infra::InProcessBus bus(io.get_executor());
  ClientEventHub hub(&bus);
  hub.start();
  std::vector<std::string> a1, a2, b;
  auto h1 = hub.attach("a", [&](const std::string& e) { a1.push_back(e); });
  hub.attach("a", [&](const std::string& e) { a2.push_back(e); });
  hub.attach("b", [&](const std::string& e) { b.push_back(e); });
  EXPECT_EQ(hub.connected_sessions(), 2u);
  run_task(io, hub.push("a", R"({"eventName":"x"})"));
  EXPECT_EQ(a1.size(), 1u);
  EXPECT_EQ(a2.size(), 1u);
  EXPECT_TRUE(b.empty());
  hub.detach("a", h1);
  run_task(io, hub.push_many({"a", "b", "nobody"}, R"({"eventName":"y"})"));
  EXPECT_EQ(a1.size(), 1u);
  EXPECT_EQ(a2.size(), 2u);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_TRUE(hub.is_connected_here("a"));
  EXPECT_FALSE(hub.is_connected_here("nobody"));
}

// Two nodes on one RabbitMQ: an event pushed on node 1 reaches a socket on node 2.
TEST(ClientEventHub, FansOutAcrossNodesThroughRabbitMq) {
  ONAIR_REQUIRE_SERVER("ONAIR_TEST_RABBITMQ_URL");
  const auto url = onair::testing::backend_url("ONAIR_TEST_RABBITMQ_URL");
  boost::asio::io_context io;
  infra::RabbitBus bus1(url, io.get_executor()), bus2(url, io.get_executor());
  ClientEventHub node1(&bus1), node2(&bus2);
  node1.start();
  node2.start();
  std::vector<std::string> received;
  node2.attach("s-remote", [&](const std::string& e) { received.push_back(e); });
  // The private queues bind asynchronously: push until one arrives.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (received.empty() && std::chrono::steady_clock::now() < deadline) {
    run_task(io, node1.push("s-remote", R"({"eventName":"hello"})"));
    boost::asio::steady_timer t(io, std::chrono::milliseconds(100));
    run_task(io, [&]() -> Task<void> { co_await t.async_wait(boost::asio::use_awaitable); }());
  }
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(received.front(), R"({"eventName":"hello"})");
  bus1.stop();
  bus2.stop();
}

}  // namespace
}  // namespace onair::platform
