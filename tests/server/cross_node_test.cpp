// Two onair nodes sharing Redis and RabbitMQ: a client event raised on one
// node reaches the session's socket on the other, and a session state set
// through one node is enforced by the other.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "server/server_fixture.hpp"

namespace onair::servertest {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::TestSocket;

class CrossNodeTest : public ServersOnlyTest {};

TEST_P(CrossNodeTest, ClientEventRaisedOnOneNodeReachesTheSocketOnTheOther) {
  auto& node_a = start();
  auto& node_b = start();
  ASSERT_NE(node_a.port(), node_b.port());
  const auto session = new_session();
  const auto bearer = token(session);
  const auto counter = unique_name("cross");
  auto on_b = TestSocket::open(node_b.port(), bearer);
  auto bystander = TestSocket::open(node_a.port(), token(new_session()));

  // Node B subscribes to the fan-out in the background after start: an event
  // published before its queue is bound is lost, so retry until one arrives.
  std::set<std::int64_t> values_sent;
  std::optional<json::value> event;
  for (int attempt = 0; attempt < 40 && !event; ++attempt) {
    auto reply = post(node_a.port(), "/sample/counter/increment", json::object{{"name", counter}}, bearer);
    ASSERT_EQ(reply.status, 200) << reply.body;
    values_sent.insert(reply.json().at("value").as_int64());
    event = on_b->wait_for_event("sample.counter.changed", 250ms);
  }
  ASSERT_TRUE(event) << "no event on node B after " << values_sent.size() << " increments on node A; received "
                     << on_b->history();
  EXPECT_EQ(event->at("event").at("name"), json::value(counter));
  EXPECT_TRUE(values_sent.count(event->at("event").at("value").as_int64()));

  // Once the fan-out is up, every event arrives, promptly and in order.
  while (on_b->wait_for_event("sample.counter.changed", 300ms)) {
  }
  for (int i = 0; i < 3; ++i) {
    auto reply = post(node_a.port(), "/sample/counter/increment", json::object{{"name", counter}}, bearer);
    ASSERT_EQ(reply.status, 200) << reply.body;
    auto next = on_b->wait_for_event("sample.counter.changed", 3s);
    ASSERT_TRUE(next) << on_b->history();
    EXPECT_EQ(next->at("event").at("value"), reply.json().at("value"));
  }
  // A socket of another session on node A got none of it.
  EXPECT_FALSE(bystander->wait_for_event("sample.counter.changed", 200ms)) << bystander->history();
}

TEST_P(CrossNodeTest, SessionStateSetThroughOneNodeIsEnforcedByTheOther) {
  auto& node_a = start();
  auto& node_b = start();
  const auto session = new_session();
  const auto bearer = token(session);
  auto on_b = TestSocket::open(node_b.port(), bearer);

  EXPECT_EQ(post(node_b.port(), "/sample/guarded", json::object{}, bearer).status, 403);
  ASSERT_EQ(post(node_a.port(), "/sample/session/enter", json::object{}, bearer).status, 200);
  EXPECT_EQ(post(node_b.port(), "/sample/guarded", json::object{}, bearer).status, 200);
  auto over_socket = on_b->call(1, "/sample/guarded", json::object{});
  ASSERT_TRUE(over_socket) << on_b->history();
  EXPECT_EQ(over_socket->at("status"), 200);

  // Leaving over node B's socket locks node A's HTTP again.
  auto leave = on_b->call(2, "/sample/session/leave", json::object{});
  ASSERT_TRUE(leave) << on_b->history();
  EXPECT_EQ(leave->at("status"), 200);
  EXPECT_EQ(post(node_a.port(), "/sample/guarded", json::object{}, bearer).status, 403);
}

TEST_P(CrossNodeTest, CountersAreSharedBetweenNodes) {
  auto& node_a = start();
  auto& node_b = start();
  const auto counter = unique_name("shared");
  auto on_a = post(node_a.port(), "/sample/counter/increment", json::object{{"name", counter}, {"by", 2}},
                   token(new_session()));
  ASSERT_EQ(on_a.status, 200) << on_a.body;
  auto on_b = post(node_b.port(), "/sample/counter/increment", json::object{{"name", counter}, {"by", 5}},
                   token(new_session()));
  ASSERT_EQ(on_b.status, 200) << on_b.body;
  EXPECT_EQ(on_b.json().at("value"), 7);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrossNodeTest, ::testing::Values(BackendSet::kServers), backend_set_name);

}  // namespace
}  // namespace onair::servertest
