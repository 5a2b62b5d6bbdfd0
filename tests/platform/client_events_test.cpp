#include "platform/client_events.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>

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

TEST(ClientEventHub, AccountEventsReachEverySessionOfTheAccountOnly) {
  boost::asio::io_context io;
  infra::InProcessBus bus(io.get_executor());
  ClientEventHub hub(&bus);
  hub.start();
  std::vector<std::string> tab1, tab2, other, anonymous;
  auto h1 = hub.attach(
      "s1", [&](const std::string& e) { tab1.push_back(e); }, "acct");
  hub.attach(
      "s2", [&](const std::string& e) { tab2.push_back(e); }, "acct");
  hub.attach(
      "s3", [&](const std::string& e) { other.push_back(e); }, "someone-else");
  hub.attach("s4", [&](const std::string& e) { anonymous.push_back(e); });
  run_task(io, hub.push_to_account("acct", R"({"eventName":"x"})"));
  EXPECT_EQ(tab1.size(), 1u);
  EXPECT_EQ(tab2.size(), 1u);
  EXPECT_TRUE(other.empty());
  EXPECT_TRUE(anonymous.empty());
  // A closed socket stops hearing its account's events; session pushes are unchanged.
  hub.detach("s1", h1);
  run_task(io, hub.push_to_account("acct", R"({"eventName":"y"})"));
  run_task(io, hub.push("s2", R"({"eventName":"z"})"));
  EXPECT_EQ(tab1.size(), 1u);
  EXPECT_EQ(tab2, (std::vector<std::string>{R"({"eventName":"x"})", R"({"eventName":"y"})", R"({"eventName":"z"})"}));
  run_task(io, hub.push_to_account("nobody", R"({"eventName":"w"})"));
  EXPECT_EQ(tab2.size(), 3u);
}

// Two hubs, each on its own connection to one RabbitMQ, as on two onair nodes.
struct TwoNodes {
  explicit TwoNodes(const std::string& url)
      : bus1(url, io.get_executor()), bus2(url, io.get_executor()), node1(&bus1), node2(&bus2) {
    node1.start();
    node2.start();
  }
  ~TwoNodes() {
    bus1.stop();
    bus2.stop();
  }
  // Runs the io_context for `d` (deliveries happen meanwhile).
  void wait(std::chrono::milliseconds d) {
    boost::asio::steady_timer t(io, d);
    run_task(io, [&]() -> Task<void> { co_await t.async_wait(boost::asio::use_awaitable); }());
  }
  // Calls `push` every 100 ms until `arrived` (the private queues bind asynchronously), 20 s at most.
  bool until(const std::function<Task<void>()>& push, const std::function<bool()>& arrived) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!arrived() && std::chrono::steady_clock::now() < deadline) {
      run_task(io, push());
      wait(std::chrono::milliseconds(100));
    }
    return arrived();
  }
  boost::asio::io_context io;
  infra::RabbitBus bus1, bus2;
  ClientEventHub node1, node2;
};

// Two nodes on one RabbitMQ: an event pushed on node 1 reaches a socket on node 2.
TEST(ClientEventHub, FansOutAcrossNodesThroughRabbitMq) {
  ONAIR_REQUIRE_SERVER("ONAIR_TEST_RABBITMQ_URL");
  TwoNodes nodes(onair::testing::backend_url("ONAIR_TEST_RABBITMQ_URL"));
  std::vector<std::string> received;
  nodes.node2.attach("s-remote", [&](const std::string& e) { received.push_back(e); });
  ASSERT_TRUE(nodes.until([&] { return nodes.node1.push("s-remote", R"({"eventName":"hello"})"); },
                          [&] { return !received.empty(); }));
  EXPECT_EQ(received.front(), R"({"eventName":"hello"})");
}

// An account's sockets on both nodes hear an event pushed on node 1 once each: the pushing node
// leaves its own sockets to the bus, which brings the event back to it.
TEST(ClientEventHub, AccountEventsReachTheAccountOnEveryNodeOnce) {
  ONAIR_REQUIRE_SERVER("ONAIR_TEST_RABBITMQ_URL");
  TwoNodes nodes(onair::testing::backend_url("ONAIR_TEST_RABBITMQ_URL"));
  const std::string account = "acct-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  std::vector<std::string> local, remote;
  nodes.node1.attach(
      "s-local", [&](const std::string& e) { local.push_back(e); }, account);
  nodes.node2.attach(
      "s-remote", [&](const std::string& e) { remote.push_back(e); }, account);
  const std::string probe = R"({"eventName":"probe"})", linked = R"({"eventName":"linked"})";
  ASSERT_TRUE(nodes.until([&] { return nodes.node1.push_to_account(account, probe); },
                          [&] { return !local.empty() && !remote.empty(); }));
  auto count = [&](const std::vector<std::string>& v) { return std::count(v.begin(), v.end(), linked); };
  run_task(nodes.io, nodes.node1.push_to_account(account, linked));
  for (int i = 0; i < 50 && (count(local) == 0 || count(remote) == 0); ++i) nodes.wait(std::chrono::milliseconds(100));
  nodes.wait(std::chrono::milliseconds(300));  // a duplicate would have arrived by now
  EXPECT_EQ(count(local), 1);
  EXPECT_EQ(count(remote), 1);
}

}  // namespace
}  // namespace onair::platform
