// AudienceTickWorker and CareerProgressionWorker driven by run_once(): a
// session is ticked by the node holding its lock only (servers: two nodes on
// one Redis), a restarted node resumes a session exactly from its checkpoint
// (state hash equal, followers intact; embedded: SQLite, servers: Redis),
// a stopped node takes nothing over and leaves no lock behind, and the
// career worker applies ended sessions under its lock.
#include <thread>

#include "showtime/service/career_progression_worker.hpp"
#include "showtime_server/showtime_fixture.hpp"

namespace onair::showtimetest {
namespace {

class ShowtimeWorkerTest : public ShowtimeServerTest {};

TEST_P(ShowtimeWorkerTest, OnlyTheHolderTicksASession) {
  const bool two_nodes = backend_set() == BackendSet::kServers;
  start_showtime();
  if (two_nodes) start_showtime();
  const auto started = start_session(port(0));
  const auto id = str(started, "showtimeSessionId");
  EXPECT_TRUE(service(0).holds(id));
  if (two_nodes) {
    // Node 1 sees the live session but its lock is held by node 0: it never ticks it.
    for (int i = 0; i < 3; ++i) {
      auto ticked = tick(1);
      EXPECT_EQ(std::count(ticked.begin(), ticked.end(), id), 0) << "node 1 ticked a session node 0 holds";
    }
    EXPECT_FALSE(service(1).holds(id));
    // It still answers about it, from the checkpoint.
    auto got = call(port(1), "/showtime/session/get", json::object{{"showtimeSessionId", id}});
    ASSERT_EQ(got.status, 200);
    EXPECT_FALSE(service(1).holds(id));
  }
  for (int i = 0; i < 3; ++i) {
    auto ticked = tick(0);
    EXPECT_EQ(std::count(ticked.begin(), ticked.end(), id), 1);
  }
  auto got = call(port(0), "/showtime/session/get", json::object{{"showtimeSessionId", id}});
  EXPECT_EQ(num(at(got.json(), "audience"), "ticks"), 3);
  if (two_nodes) {
    // A change sent to node 1 is queued for node 0 and applied at its next tick.
    auto tags = call(port(1), "/showtime/audience/set-tags",
                     json::object{{"showtimeSessionId", id}, {"tags", json::array{json::object{{"tag", "trade"}}}}});
    ASSERT_EQ(tags.status, 200) << tags.body;
    tick(0);
    auto after = call(port(0), "/showtime/session/get", json::object{{"showtimeSessionId", id}});
    ASSERT_EQ(at(after.json(), "contentTags").as_array().size(), 1u);
    EXPECT_EQ(str(at(after.json(), "contentTags").as_array()[0], "tag"), "trade");
  }
  call(port(0), "/showtime/session/end", json::object{{"showtimeSessionId", id}});
}

TEST_P(ShowtimeWorkerTest, RestartResumesFromTheCheckpoint) {
  // Short follower rule so that a few ticks make followers.
  const Env env{{"SHOWTIME_FOLLOWER_WATCH_TIME_MINUTES", "1"}, {"SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS", "60"}};
  start_showtime(env);
  const auto streamer = new_uuid();
  // Rising phase (followers active), so the first session can convert some.
  json::object growth{{"streamerType", "character"},
                      {"streamerId", streamer},
                      {"key", "audience_growth.peak_viewers"},
                      {"amount", 6.0}};
  ASSERT_EQ(call(port(), "/showtime/career/record-growth", growth).status, 200);
  const auto first = start_session(
      port(), json::object{{"streamerId", streamer}, {"seed", 7}, {"contentTags", json::array{"combat", "action"}}});
  const auto first_id = str(first, "showtimeSessionId");
  for (int i = 0; i < 4; ++i) tick();
  auto ended = call(port(), "/showtime/session/end", json::object{{"showtimeSessionId", first_id}});
  ASSERT_EQ(ended.status, 200);
  const auto followers_before = call(port(), "/showtime/audience/followers",
                                     json::object{{"streamerType", "character"}, {"streamerId", streamer}});
  const auto follower_count = num(followers_before.json(), "totalCount");

  const auto second = start_session(port(), json::object{{"streamerId", streamer}, {"seed", 11}});
  const auto id = str(second, "showtimeSessionId");
  for (int i = 0; i < 5; ++i) tick();
  call(port(), "/showtime/audience/set-tags",
       json::object{{"showtimeSessionId", id}, {"tags", json::array{json::object{{"tag", "exploration"}}}}});
  tick();
  const auto hash = service(0).held_state_hash(id);
  ASSERT_TRUE(hash);

  // Stop the node (it checkpoints and lets go), start another on the same backends.
  nodes_.clear();
  start_showtime(env);
  EXPECT_FALSE(service(0).holds(id));
  auto got = call(port(), "/showtime/session/get", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(str(got.json(), "status"), "active");
  ASSERT_TRUE(service(0).holds(id));
  EXPECT_EQ(service(0).held_state_hash(id), hash) << "the resumed pool differs from the checkpointed one";
  EXPECT_EQ(num(at(got.json(), "audience"), "ticks"), 6);
  EXPECT_EQ(str(at(got.json(), "contentTags").as_array()[0], "tag"), "exploration");
  auto ticked = tick();
  EXPECT_EQ(std::count(ticked.begin(), ticked.end(), id), 1);
  auto followers_after = call(port(), "/showtime/audience/followers",
                              json::object{{"streamerType", "character"}, {"streamerId", streamer}});
  EXPECT_EQ(num(followers_after.json(), "totalCount"), follower_count);
  call(port(), "/showtime/session/end", json::object{{"showtimeSessionId", id}});
}

TEST_P(ShowtimeWorkerTest, AStoppedNodeTakesNothingOverAndLeavesNoLock) {
  start_showtime();
  const auto started = start_session(port(0));
  const auto id = str(started, "showtimeSessionId");
  tick(0);
  ASSERT_TRUE(service(0).holds(id));
  // Work still in flight when the node stops (a tick, a bus handler) must not take the session again.
  run(0, service(0).stop());
  EXPECT_FALSE(service(0).holds(id));
  EXPECT_TRUE(tick(0).empty());
  EXPECT_FALSE(service(0).holds(id));
  if (backend_set() == BackendSet::kServers) {
    // The lock is free at once, not after its 30 s TTL: another node takes the session on first use.
    start_showtime();
    auto got = call(port(1), "/showtime/session/get", json::object{{"showtimeSessionId", id}});
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_TRUE(service(1).holds(id));
    call(port(1), "/showtime/session/end", json::object{{"showtimeSessionId", id}});
  }
}

TEST_P(ShowtimeWorkerTest, CareerWorkerAppliesEndedSessionsOnce) {
  start_showtime();
  const auto streamer = new_uuid();
  const auto started = start_session(port(), json::object{{"streamerId", streamer}});
  const auto id = str(started, "showtimeSessionId");
  tick();
  ASSERT_EQ(call(port(), "/showtime/session/end", json::object{{"showtimeSessionId", id}}).status, 200);
  // The showtime.session.ended handler or the worker applies it; a later round finds nothing left.
  auto& worker = service(0).career_worker();
  for (int i = 0; i < 50; ++i) {
    run(0, worker.run_once());
    auto career =
        call(port(), "/showtime/career/get", json::object{{"streamerType", "character"}, {"streamerId", streamer}});
    if (num(career.json(), "totalSessions") == 1) break;
    std::this_thread::sleep_for(100ms);
  }
  run(0, worker.run_once());
  auto career =
      call(port(), "/showtime/career/get", json::object{{"streamerType", "character"}, {"streamerId", streamer}});
  EXPECT_EQ(num(career.json(), "totalSessions"), 1);
  EXPECT_TRUE(has(career.json(), "firstStreamAt"));
  auto milestones = call(port(), "/showtime/career/milestones",
                         json::object{{"streamerType", "character"}, {"streamerId", streamer}, {"kind", "sessions"}});
  EXPECT_EQ(num(milestones.json(), "totalCount"), 1);  // first_stream, once
}

INSTANTIATE_TEST_SUITE_P(Backends, ShowtimeWorkerTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::showtimetest
