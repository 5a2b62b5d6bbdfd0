// One conformance suite for every MessageBus backend, plus the RabbitMQ-only
// durability and reconnect tests (they restart the broker through
// ONAIR_TEST_RABBITMQ_CTL).
#include "infra/message_bus.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "infra/inprocess_bus.hpp"
#include "infra/rabbit_bus.hpp"
#include "support/backends.hpp"
#include "support/run_task.hpp"

namespace {

using namespace std::chrono_literals;
using onair::InfraError;
using onair::Task;
using onair::infra::BusHandler;
using onair::infra::BusMessage;
using onair::infra::InProcessBus;
using onair::infra::MessageBus;
using onair::infra::RabbitBus;
using onair::infra::Subscription;
using onair::testing::run_task;

constexpr auto kDeliveryTimeout = 20s;

// What one subscriber received. Handlers run on the test thread (the io_context).
struct Inbox {
  std::vector<BusMessage> messages;  // probes left out
  int probes = 0;

  int count(const std::string& topic) const {
    return static_cast<int>(
        std::count_if(messages.begin(), messages.end(), [&](const BusMessage& m) { return m.topic == topic; }));
  }
  bool has(const std::string& topic) const { return count(topic) > 0; }
  std::multiset<std::string> topics() const {
    std::multiset<std::string> out;
    for (const auto& m : messages) out.insert(m.topic);
    return out;
  }
};

class BusFixture : public ::testing::Test {
 protected:
  BusFixture()
      : prefix_("t" + onair::random_hex(6)),
        exchange_("onair.test." + prefix_),
        probe_topic_(prefix_ + ".probe"),
        end_topic_(prefix_ + ".end") {}

  std::unique_ptr<MessageBus> make_bus(const std::string& backend) {
    if (backend == "inprocess") return std::make_unique<InProcessBus>(io_.get_executor());
    return std::make_unique<RabbitBus>(onair::testing::backend_url("ONAIR_TEST_RABBITMQ_URL"), io_.get_executor(),
                                       exchange_);
  }

  // A topic or queue name private to this test.
  std::string name(const std::string& suffix) const { return prefix_ + "." + suffix; }

  // Every test subscription also listens to the probe topic (readiness) and the
  // end topic (a sentinel published last: once it is in, everything before it is).
  Subscription sub(const std::string& queue, std::vector<std::string> bindings) const {
    bindings.push_back(probe_topic_);
    bindings.push_back(end_topic_);
    return Subscription{queue, std::move(bindings)};
  }

  BusHandler record(Inbox& inbox) {
    return [&inbox, this](BusMessage message) -> Task<void> {
      if (message.topic == probe_topic_) {
        ++inbox.probes;
      } else {
        inbox.messages.push_back(std::move(message));
      }
      co_return;
    };
  }

  // Runs the io_context until `done` or the timeout.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = kDeliveryTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.restart();
      io_.run_for(10ms);
    }
    return true;
  }

  // Subscriptions are set up in the background (RabbitMQ): publish probes until
  // every inbox has seen one, so that each of their consumers is running.
  bool await_ready(MessageBus& bus, const std::vector<Inbox*>& inboxes) {
    const auto all_probed = [&] {
      return std::all_of(inboxes.begin(), inboxes.end(), [](const Inbox* i) { return i->probes > 0; });
    };
    const auto deadline = std::chrono::steady_clock::now() + kDeliveryTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      run_task(io_, bus.publish(probe_topic_, "{}"));
      if (run_until(all_probed, 200ms)) return true;
    }
    return false;
  }

  void publish(MessageBus& bus, const std::string& topic, const std::string& body = "{}") {
    run_task(io_, bus.publish(topic, body));
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  const std::string prefix_;
  const std::string exchange_;
  const std::string probe_topic_;
  const std::string end_topic_;
};

// ---------------------------------------------------------------------------
// Conformance: every backend passes these.

class MessageBusConformance : public BusFixture, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "rabbitmq") ONAIR_REQUIRE_SERVER("ONAIR_TEST_RABBITMQ_URL");
    bus_ = make_bus(GetParam());
  }
  void TearDown() override {
    if (bus_) bus_->stop();
  }

  std::unique_ptr<MessageBus> bus_;
};

TEST_P(MessageBusConformance, NamesItsBackendAndAnswersPing) {
  EXPECT_EQ(bus_->backend_name(), GetParam());
  EXPECT_TRUE(run_until([&] { return run_task(io_, bus_->ping()); }));
}

TEST_P(MessageBusConformance, DeliversTopicsMatchingWildcardBindings) {
  Inbox inbox;
  bus_->subscribe(sub(name("wild"), {name("room.*"), name("audit.#")}), record(inbox));
  ASSERT_TRUE(await_ready(*bus_, {&inbox}));

  publish(*bus_, name("room.created"), R"({"room":"r1"})");
  publish(*bus_, name("room.a.b"));       // `*` is one word only
  publish(*bus_, name("audit"));          // `#` matches zero words
  publish(*bus_, name("audit.x.y"));      // ... or several
  publish(*bus_, name("other.created"));  // no binding
  publish(*bus_, end_topic_);
  ASSERT_TRUE(run_until([&] { return inbox.has(end_topic_); }));

  EXPECT_EQ(inbox.topics(),
            (std::multiset<std::string>{name("room.created"), name("audit"), name("audit.x.y"), end_topic_}));
  ASSERT_FALSE(inbox.messages.empty());
  const auto created = std::find_if(inbox.messages.begin(), inbox.messages.end(),
                                    [&](const BusMessage& m) { return m.topic == name("room.created"); });
  ASSERT_NE(created, inbox.messages.end());
  EXPECT_EQ(created->body, R"({"room":"r1"})");
}

TEST_P(MessageBusConformance, EveryMatchingQueueGetsOneCopy) {
  Inbox overlapping, other_queue, private_queue, unrelated;
  // Two bindings of one queue both match: still one copy for that queue.
  bus_->subscribe(sub(name("q1"), {name("evt.#"), name("evt.x")}), record(overlapping));
  bus_->subscribe(sub(name("q2"), {name("*.x")}), record(other_queue));
  bus_->subscribe(sub("", {name("#")}), record(private_queue));
  bus_->subscribe(sub(name("q3"), {name("nomatch")}), record(unrelated));
  ASSERT_TRUE(await_ready(*bus_, {&overlapping, &other_queue, &private_queue, &unrelated}));

  publish(*bus_, name("evt.x"));
  publish(*bus_, end_topic_);
  ASSERT_TRUE(run_until([&] {
    return overlapping.has(end_topic_) && other_queue.has(end_topic_) && private_queue.has(end_topic_) &&
           unrelated.has(end_topic_);
  }));

  EXPECT_EQ(overlapping.count(name("evt.x")), 1);
  EXPECT_EQ(other_queue.count(name("evt.x")), 1);
  EXPECT_EQ(private_queue.count(name("evt.x")), 1);
  EXPECT_EQ(unrelated.count(name("evt.x")), 0);
}

TEST_P(MessageBusConformance, CompetingConsumersShareOneQueue) {
  Inbox first, second;
  bus_->subscribe(sub(name("work"), {name("job")}), record(first));
  bus_->subscribe(sub(name("work"), {name("job")}), record(second));
  ASSERT_TRUE(await_ready(*bus_, {&first, &second}));

  constexpr int kJobs = 20;
  for (int i = 0; i < kJobs; ++i) publish(*bus_, name("job"), std::to_string(i));
  const auto handled = [&] { return first.count(name("job")) + second.count(name("job")); };
  ASSERT_TRUE(run_until([&] { return handled() >= kJobs; }));
  // A sentinel after the jobs: once it is in, no job can still arrive twice unnoticed.
  publish(*bus_, end_topic_);
  ASSERT_TRUE(run_until([&] { return first.has(end_topic_) || second.has(end_topic_); }));

  std::map<std::string, int> seen;
  for (const Inbox* inbox : {&first, &second}) {
    for (const auto& m : inbox->messages) {
      if (m.topic == name("job")) ++seen[m.body];
    }
  }
  EXPECT_EQ(static_cast<int>(seen.size()), kJobs);
  for (const auto& [body, times] : seen) EXPECT_EQ(times, 1) << "job " << body;
  EXPECT_GT(first.count(name("job")), 0);
  EXPECT_GT(second.count(name("job")), 0);
}

TEST_P(MessageBusConformance, HandlerExceptionDoesNotKillTheBus) {
  Inbox inbox, bystander;
  int boom_attempts = 0;
  bool boom_handled = false;
  bus_->subscribe(sub(name("fragile"), {name("job")}), [&](BusMessage message) -> Task<void> {
    if (message.topic == name("job") && message.body == "boom") {
      if (++boom_attempts == 1) throw std::runtime_error("handler failure (expected by the test)");
      boom_handled = true;
      co_return;
    }
    if (message.topic == probe_topic_) {
      ++inbox.probes;
    } else {
      inbox.messages.push_back(std::move(message));
    }
  });
  bus_->subscribe(sub(name("bystander"), {name("job")}), record(bystander));
  ASSERT_TRUE(await_ready(*bus_, {&inbox, &bystander}));

  publish(*bus_, name("job"), "boom");
  publish(*bus_, name("job"), "after");
  publish(*bus_, end_topic_);
  ASSERT_TRUE(run_until([&] { return inbox.has(end_topic_) && bystander.has(end_topic_); }));

  EXPECT_EQ(inbox.count(name("job")), 1);  // "after"
  EXPECT_EQ(bystander.count(name("job")), 2);
  if (GetParam() == "rabbitmq") {
    // Rejected with requeue: redelivered, and handled the second time.
    ASSERT_TRUE(run_until([&] { return boom_handled; }));
    EXPECT_EQ(boom_attempts, 2);
  } else {
    // In-process: logged and dropped.
    EXPECT_EQ(boom_attempts, 1);
    EXPECT_FALSE(boom_handled);
  }
}

TEST_P(MessageBusConformance, FlushWaitsForEveryPublishSoFar) {
  int handled = 0;
  Inbox probes;
  bus_->subscribe(sub(name("flush"), {name("f")}), [&](BusMessage message) -> Task<void> {
    if (message.topic == probe_topic_) {
      ++probes.probes;
      co_return;
    }
    // Handlers that take a while: in-process flush must wait for them.
    boost::asio::steady_timer delay(co_await boost::asio::this_coro::executor, 20ms);
    co_await delay.async_wait(boost::asio::use_awaitable);
    if (message.topic == name("f")) ++handled;
  });
  ASSERT_TRUE(await_ready(*bus_, {&probes}));

  constexpr int kMessages = 10;
  int completed = 0;
  for (int i = 0; i < kMessages; ++i) {
    boost::asio::co_spawn(io_, bus_->publish(name("f"), std::to_string(i)), [&](std::exception_ptr e) {
      if (!e) ++completed;
    });
  }
  io_.restart();
  io_.poll();  // the publishes start (and wait for their confirms, with RabbitMQ)
  run_task(io_, bus_->flush());
  EXPECT_EQ(completed, kMessages);
  if (GetParam() == "inprocess") {
    EXPECT_EQ(handled, kMessages);
  }
  EXPECT_TRUE(run_until([&] { return handled == kMessages; }));
}

TEST_P(MessageBusConformance, PublishAfterStopFails) {
  bus_->stop();
  EXPECT_THROW(publish(*bus_, name("late")), InfraError);
}

INSTANTIATE_TEST_SUITE_P(Backends, MessageBusConformance, ::testing::Values("inprocess", "rabbitmq"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

// ---------------------------------------------------------------------------
// RabbitMQ only: durability and reconnection across a broker restart.

class RabbitBusRestart : public BusFixture {
 protected:
  void SetUp() override {
    ONAIR_REQUIRE_SERVER("ONAIR_TEST_RABBITMQ_URL");
    ONAIR_REQUIRE_SERVER("ONAIR_TEST_RABBITMQ_CTL");
  }

  static void broker(const std::string& action) {
    const std::string command = onair::testing::backend_url("ONAIR_TEST_RABBITMQ_CTL") + " " + action;
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  static double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

TEST_F(RabbitBusRestart, ConfirmedMessageInDurableQueueSurvivesBrokerRestart) {
  const auto started = std::chrono::steady_clock::now();
  const std::string queue = name("durable");
  {
    // Declares the durable queue and its binding, then goes away: no consumer left.
    Inbox inbox;
    auto declarer = make_bus("rabbitmq");
    declarer->subscribe(sub(queue, {name("kept")}), record(inbox));
    ASSERT_TRUE(await_ready(*declarer, {&inbox}));
    declarer->stop();
  }
  {
    auto publisher = make_bus("rabbitmq");
    // Returns after the broker's confirm; stopping right away must not lose it
    // (no flush() here: it would hide a publish() that returns too early).
    publish(*publisher, name("kept"), R"({"n":42})");
    publisher->stop();
  }

  broker("stop");
  broker("start");

  Inbox inbox;
  auto consumer = make_bus("rabbitmq");
  consumer->subscribe(sub(queue, {name("kept")}), record(inbox));
  ASSERT_TRUE(run_until([&] { return inbox.has(name("kept")); }));
  EXPECT_EQ(inbox.count(name("kept")), 1);
  EXPECT_EQ(inbox.messages.front().body, R"({"n":42})");
  consumer->stop();
  std::cout << "[ timing   ] durable restart test: " << seconds_since(started) << " s\n";
}

TEST_F(RabbitBusRestart, OutboxAndSubscriptionsSurviveBrokerOutage) {
  const auto started = std::chrono::steady_clock::now();
  Inbox inbox;
  auto subscriber = make_bus("rabbitmq");
  auto publisher = make_bus("rabbitmq");
  subscriber->subscribe(sub(name("live"), {name("event")}), record(inbox));
  ASSERT_TRUE(await_ready(*publisher, {&inbox}));

  broker("stop");
  ASSERT_TRUE(run_until([&] { return !run_task(io_, publisher->ping()); }));

  // Published while the broker is down: waits in the outbox, not completed.
  bool during_done = false;
  std::exception_ptr during_error;
  boost::asio::co_spawn(io_, publisher->publish(name("event"), "during"), [&](std::exception_ptr e) {
    during_done = true;
    during_error = e;
  });
  run_until([] { return false; }, 300ms);
  EXPECT_FALSE(during_done) << "publish completed without a broker confirm";

  broker("start");
  ASSERT_TRUE(run_until([&] { return during_done && inbox.has(name("event")); }));
  EXPECT_FALSE(during_error);
  EXPECT_TRUE(run_task(io_, publisher->ping()));

  // The subscriber from before the restart keeps receiving (resubscribed).
  publish(*publisher, name("event"), "after");
  publish(*publisher, end_topic_);
  ASSERT_TRUE(run_until([&] { return inbox.has(end_topic_); }));
  std::vector<std::string> bodies;
  for (const auto& m : inbox.messages) {
    if (m.topic == name("event")) bodies.push_back(m.body);
  }
  EXPECT_NE(std::find(bodies.begin(), bodies.end(), "during"), bodies.end());
  EXPECT_NE(std::find(bodies.begin(), bodies.end(), "after"), bodies.end());
  subscriber->stop();
  publisher->stop();
  std::cout << "[ timing   ] outage test: " << seconds_since(started) << " s\n";
}

}  // namespace
