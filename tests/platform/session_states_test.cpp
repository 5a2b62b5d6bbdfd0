#include "platform/session_states.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "infra/memory_state_store.hpp"
#include "infra/redis_state_store.hpp"
#include "support/backends.hpp"
#include "support/run_task.hpp"

namespace onair::platform {
namespace {
using onair::testing::run_task;

class SessionStatesTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      ONAIR_REQUIRE_SERVER("ONAIR_TEST_REDIS_URL");
      store_ = std::make_unique<infra::RedisStateStore>(onair::testing::backend_url("ONAIR_TEST_REDIS_URL"), pool_,
                                                        "test:" + new_prefix() + ":");
    } else {
      store_ = std::make_unique<infra::MemoryStateStore>();
    }
    // "memory" keeps the states in process (the automatic choice); "memory_in_store" writes
    // them to the memory store as JSON, the path every shared store takes.
    const auto keeping =
        GetParam() == "memory_in_store" ? SessionStates::Keeping::in_store : SessionStates::Keeping::automatic;
    states_ = std::make_unique<SessionStates>(*store_, std::chrono::hours(24), keeping);
  }
  static std::string new_prefix() {
    return std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  }

  boost::asio::io_context io_;
  BlockingPool pool_{2};
  std::unique_ptr<infra::StateStore> store_;
  std::unique_ptr<SessionStates> states_;
};

TEST_P(SessionStatesTest, SetGetClear) {
  run_task(io_, states_->set("s1", "voice", "in_room"));
  run_task(io_, states_->set("s1", "game", "playing"));
  run_task(io_, states_->set("s2", "voice", "ringing"));
  auto s1 = run_task(io_, states_->get("s1"));
  EXPECT_EQ(s1, (SessionStateMap{{"game", {"playing"}}, {"voice", {"in_room"}}}));
  run_task(io_, states_->clear("s1", "voice", "in_room"));
  EXPECT_EQ(run_task(io_, states_->get("s1")), (SessionStateMap{{"game", {"playing"}}}));
  EXPECT_EQ(run_task(io_, states_->get("s2")), (SessionStateMap{{"voice", {"ringing"}}}));
  run_task(io_, states_->clear_all("s2"));
  EXPECT_TRUE(run_task(io_, states_->get("s2")).empty());
}

TEST_P(SessionStatesTest, SeveralStatesOfOneService) {
  run_task(io_, states_->set("s1", "voice", "in_room"));
  run_task(io_, states_->set("s1", "voice", "ringing"));
  EXPECT_EQ(run_task(io_, states_->get("s1")).at("voice"), (std::set<std::string, std::less<>>{"in_room", "ringing"}));
  run_task(io_, states_->clear("s1", "voice", "ringing"));
  EXPECT_EQ(run_task(io_, states_->get("s1")).at("voice"), (std::set<std::string, std::less<>>{"in_room"}));
  run_task(io_, states_->set("s1", "voice", "consent_pending"));
  run_task(io_, states_->clear_service("s1", "voice"));
  EXPECT_TRUE(run_task(io_, states_->get("s1")).empty());
}

TEST_P(SessionStatesTest, ConcurrentWritersAllLand) {
  constexpr int kServices = 20;
  int done = 0;
  for (int i = 0; i < kServices; ++i) {
    boost::asio::co_spawn(io_, states_->set("s1", "svc" + std::to_string(i), "on"), [&](std::exception_ptr e) {
      EXPECT_FALSE(e);
      ++done;
    });
  }
  io_.restart();
  while (done < kServices) io_.run_one();
  EXPECT_EQ(run_task(io_, states_->get("s1")).size(), static_cast<std::size_t>(kServices));
}

TEST_P(SessionStatesTest, StatesExpireAfterTheirLastWrite) {
  SessionStates short_lived(
      *store_, std::chrono::milliseconds(1200),
      GetParam() == "memory_in_store" ? SessionStates::Keeping::in_store : SessionStates::Keeping::automatic);
  run_task(io_, short_lived.set("s1", "voice", "in_room"));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  run_task(io_, short_lived.set("s1", "voice", "ringing"));  // a write renews the whole session's life
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(run_task(io_, short_lived.get("s1")).at("voice").size(), 2u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_TRUE(run_task(io_, short_lived.get("s1")).empty());
  run_task(io_, short_lived.clear("s1", "voice", "in_room"));  // clearing an expired session writes nothing
  EXPECT_TRUE(run_task(io_, short_lived.get("s1")).empty());
}

TEST(SessionStatesKeeping, MemoryStoreKeepsStatesInProcessAndWritesNothingToIt) {
  boost::asio::io_context io;
  infra::MemoryStateStore store;
  SessionStates states(store);
  EXPECT_TRUE(states.in_process());
  run_task(io, states.set("s1", "voice", "in_room"));
  EXPECT_TRUE(run_task(io, store.keys_with_prefix("")).empty());
  EXPECT_FALSE(SessionStates(store, std::chrono::hours(1), SessionStates::Keeping::in_store).in_process());
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionStatesTest, ::testing::Values("memory", "memory_in_store", "redis"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace onair::platform
