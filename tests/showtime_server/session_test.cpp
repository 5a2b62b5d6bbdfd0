// Every showtime endpoint over HTTP on both backend sets: happy paths, the
// errors (404 missing session, 409 wrong state, 400 bad input), the events on
// the bus and the client events on the streamer's socket.
#include <algorithm>

#include "showtime_server/showtime_fixture.hpp"

namespace onair::showtimetest {
namespace {

class ShowtimeSessionTest : public ShowtimeServerTest {};

TEST_P(ShowtimeSessionTest, LifecycleStartPauseResumeEnd) {
  start_showtime();
  auto& log = events();
  auto& socket = open_socket(port());
  const auto streamer = new_uuid();
  json::object extra{{"streamerId", streamer},
                     {"contentTags", json::array{"combat", "action"}},
                     {"streamerSessionId", socket.session()},
                     {"seed", 42}};
  const auto started = start_session(port(), extra);
  const auto id = str(started, "showtimeSessionId");
  EXPECT_EQ(str(started, "status"), "active");
  EXPECT_EQ(str(started, "careerPhase"), "unknown");
  EXPECT_EQ(num(at(started, "audience"), "currentSize"), 50);  // SHOWTIME_DEFAULT_AUDIENCE_POOL_SIZE, phase unknown
  EXPECT_FALSE(has(started, "seed")) << "seed is admin-only";
  EXPECT_FALSE(has(at(started, "audience"), "targetSize")) << "targetSize is admin-only";
  ASSERT_TRUE(log.wait_for("showtime.session.started", "showtimeSessionId", id));
  auto status = socket.take("showtime.session.status");
  ASSERT_TRUE(status);
  EXPECT_EQ(str(*status, "status"), "active");

  // One live session per streamer.
  json::object again{{"streamerType", "character"}, {"streamerId", streamer}, {"gameServiceId", game_service_}};
  EXPECT_EQ(call(port(), "/showtime/session/start", again).status, 409);

  // Admin sees the admin-only fields.
  auto admin_view = call(port(), "/showtime/session/get", json::object{{"showtimeSessionId", id}}, "admin");
  ASSERT_EQ(admin_view.status, 200);
  EXPECT_EQ(num(admin_view.json(), "seed"), 42);
  EXPECT_EQ(num(at(admin_view.json(), "audience"), "targetSize"), 50);

  // A tick moves the audience; the streamer's socket gets the figures.
  const auto ticked = tick();  // (servers: other runs' orphaned sessions may be taken over and ticked too)
  ASSERT_EQ(std::count(ticked.begin(), ticked.end(), id), 1);
  auto audience = socket.take("showtime.audience.changed");
  ASSERT_TRUE(audience);
  EXPECT_GT(num(*audience, "audienceSize"), 0);
  auto got = call(port(), "/showtime/session/get", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(num(at(got.json(), "audience"), "ticks"), 1);

  auto paused = call(port(), "/showtime/session/pause", json::object{{"showtimeSessionId", id}, {"reason", "afk"}});
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(str(paused.json(), "status"), "paused");
  EXPECT_EQ(call(port(), "/showtime/session/pause", json::object{{"showtimeSessionId", id}}).status, 409);
  auto paused_event = log.wait_for("showtime.session.paused", "showtimeSessionId", id);
  ASSERT_TRUE(paused_event);
  EXPECT_EQ(str(*paused_event, "reason"), "afk");
  auto resumed = call(port(), "/showtime/session/resume", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(resumed.status, 200);
  EXPECT_EQ(str(resumed.json(), "status"), "active");
  EXPECT_EQ(call(port(), "/showtime/session/resume", json::object{{"showtimeSessionId", id}}).status, 409);
  EXPECT_TRUE(log.wait_for("showtime.session.resumed", "showtimeSessionId", id));

  auto listed =
      call(port(), "/showtime/session/list", json::object{{"streamerType", "character"}, {"streamerId", streamer}});
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(num(listed.json(), "totalCount"), 1);
  auto by_game = call(port(), "/showtime/session/list", json::object{{"gameServiceId", game_service_}});
  ASSERT_EQ(by_game.status, 200);
  EXPECT_GE(num(by_game.json(), "totalCount"), 1);
  EXPECT_EQ(call(port(), "/showtime/session/list", json::object{}).status, 400);

  auto ended = call(port(), "/showtime/session/end", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(str(ended.json(), "status"), "ended");
  EXPECT_EQ(str(ended.json(), "endReason"), "manual");
  EXPECT_TRUE(has(ended.json(), "followersGained"));
  auto ended_event = log.wait_for("showtime.session.ended", "showtimeSessionId", id);
  ASSERT_TRUE(ended_event);
  EXPECT_EQ(num(*ended_event, "peakViewers"), num(at(ended.json(), "audience"), "peakSize"));
  // Ending again answers the final state; the session cannot be changed any more.
  auto again_end = call(port(), "/showtime/session/end", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(again_end.status, 200);
  EXPECT_EQ(str(again_end.json(), "endedAt"), str(ended.json(), "endedAt"));
  EXPECT_EQ(call(port(), "/showtime/session/pause", json::object{{"showtimeSessionId", id}}).status, 409);
  json::object tags{{"showtimeSessionId", id}, {"tags", json::array{json::object{{"tag", "combat"}}}}};
  EXPECT_EQ(call(port(), "/showtime/audience/set-tags", tags).status, 409);
  // The career took the session (first_stream milestone) through showtime.session.ended.
  EXPECT_TRUE(log.wait_for("showtime.milestone.reached", "streamerId", streamer));
  auto career =
      call(port(), "/showtime/career/get", json::object{{"streamerType", "character"}, {"streamerId", streamer}});
  ASSERT_EQ(career.status, 200);
  EXPECT_EQ(num(career.json(), "totalSessions"), 1);
}

TEST_P(ShowtimeSessionTest, MissingSessionsAndBadInput) {
  start_showtime();
  const json::object missing{{"showtimeSessionId", new_uuid()}};
  for (const char* path : {"/showtime/session/get", "/showtime/session/end", "/showtime/session/pause",
                           "/showtime/session/resume", "/showtime/audience/snapshot", "/showtime/hype/status"}) {
    EXPECT_EQ(call(port(), path, missing).status, 404) << path;
  }
  json::object inject{{"showtimeSessionId", new_uuid()}, {"category", "excited"}};
  EXPECT_EQ(call(port(), "/showtime/hype/inject", inject).status, 404);
  EXPECT_EQ(call(port(), "/showtime/session/get", json::object{{"showtimeSessionId", "not-a-uuid"}}).status, 400);
  json::object bad_type{{"streamerType", "Bad Type"}, {"streamerId", "x"}, {"gameServiceId", game_service_}};
  EXPECT_EQ(call(port(), "/showtime/session/start", bad_type).status, 400);
  json::object growth{{"streamerType", "character"}, {"streamerId", "x"}, {"key", "nope"}, {"amount", 1}};
  EXPECT_EQ(call(port(), "/showtime/career/record-growth", growth).status, 400);
  EXPECT_EQ(call(port(), "/showtime/voice/create", json::object{}).status, 400);
  EXPECT_EQ(call(port(), "/showtime/voice/delete", json::object{}).status, 400);
  EXPECT_EQ(call(port(), "/showtime/voice/delete", json::object{{"gameSessionId", new_uuid()}}).status, 404);
}

TEST_P(ShowtimeSessionTest, AudienceSnapshotTagsInjectAndRealDerivedVisibility) {
  start_showtime();
  const auto started = start_session(port(), json::object{{"contentTags", json::array{"crafting"}}});
  const auto id = str(started, "showtimeSessionId");
  tick();

  auto tags = call(port(), "/showtime/audience/set-tags",
                   json::object{{"showtimeSessionId", id},
                                {"tags", json::array{json::object{{"tag", "combat"}, {"weight", 1.0}},
                                                     json::object{{"tag", "myth-lore"}, {"weight", 0.5}}}}});
  ASSERT_EQ(tags.status, 200) << tags.body;
  ASSERT_EQ(at(tags.json(), "tags").as_array().size(), 2u);
  EXPECT_EQ(str(at(tags.json(), "tags").as_array()[0], "tag"), "combat");
  auto merged = call(
      port(), "/showtime/audience/set-tags",
      json::object{{"showtimeSessionId", id}, {"merge", true}, {"tags", json::array{json::object{{"tag", "social"}}}}});
  ASSERT_EQ(merged.status, 200);
  EXPECT_EQ(at(merged.json(), "tags").as_array().size(), 3u);

  json::array sentiments;
  for (int i = 0; i < 5; ++i) sentiments.push_back(json::object{{"category", "amused"}, {"intensity", 0.9}});
  sentiments.push_back(
      json::object{{"category", "supportive"}, {"intensity", 0.95}, {"trackingId", new_uuid()}, {"viewerType", "vip"}});
  auto injected = call(
      port(), "/showtime/audience/inject",
      json::object{
          {"showtimeSessionId", id}, {"sentiments", sentiments}, {"realDerived", true}, {"gameEvent", "world_first"}});
  ASSERT_EQ(injected.status, 200) << injected.body;
  EXPECT_EQ(num(injected.json(), "sentimentsAccepted"), 6);
  auto raised = at(injected.json(), "tagsRaised").as_array();
  EXPECT_EQ(raised.size(), 3u);

  const json::object snap_req{{"showtimeSessionId", id}, {"topMembers", 100}};
  auto dev = call(port(), "/showtime/audience/snapshot", snap_req);
  ASSERT_EQ(dev.status, 200);
  EXPECT_FALSE(has(dev.json(), "realDerivedCount"));
  EXPECT_EQ(num(at(dev.json(), "audience"), "currentSize"), 56);  // 50 simulated + 6 real-derived
  const json::array dev_topMembers = at(dev.json(), "topMembers").as_array();
  for (const auto& m : dev_topMembers) {
    EXPECT_FALSE(has(m, "isRealDerived"));
    EXPECT_FALSE(has(m, "trackingId"));
  }
  auto admin = call(port(), "/showtime/audience/snapshot", snap_req, "admin");
  ASSERT_EQ(admin.status, 200);
  EXPECT_EQ(num(admin.json(), "realDerivedCount"), 6);
  bool tracked_seen = false;
  const json::array admin_topMembers = at(admin.json(), "topMembers").as_array();
  for (const auto& m : admin_topMembers) {
    EXPECT_TRUE(has(m, "isRealDerived"));
    tracked_seen = tracked_seen || has(m, "trackingId");
  }
  EXPECT_TRUE(tracked_seen);
  EXPECT_FALSE(at(dev.json(), "personalityMix").as_array().empty());

  EXPECT_EQ(call(port(), "/showtime/audience/inject", json::object{{"showtimeSessionId", new_uuid()}}).status, 404);
}

TEST_P(ShowtimeSessionTest, InjectedHypeStartsATrainOnTheBusAndTheSocket) {
  start_showtime();
  auto& log = events();
  auto& socket = open_socket(port());
  const auto started = start_session(port(), json::object{{"streamerSessionId", socket.session()}});
  const auto id = str(started, "showtimeSessionId");
  auto status = call(port(), "/showtime/hype/status", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(status.status, 200);
  EXPECT_FALSE(at(status.json(), "active").as_bool());
  EXPECT_EQ(num(status.json(), "triggerThreshold"), 10);
  EXPECT_FALSE(at(status.json(), "hypeTrainsAvailable").as_bool());  // unknown phase: not naturally

  auto injected =
      call(port(), "/showtime/hype/inject",
           json::object{{"showtimeSessionId", id}, {"category", "excited"}, {"count", 12}, {"triggerThreshold", 5}});
  ASSERT_EQ(injected.status, 200) << injected.body;
  EXPECT_EQ(num(injected.json(), "triggerThreshold"), 5);
  tick();
  auto hype = log.wait_for("showtime.hype.started", "showtimeSessionId", id);
  ASSERT_TRUE(hype);
  EXPECT_EQ(str(*hype, "triggerCategory"), "excited");
  auto progress = socket.take("showtime.hype.progress");
  ASSERT_TRUE(progress);
  EXPECT_EQ(str(*progress, "change"), "started");
  auto now = call(port(), "/showtime/hype/status", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(now.status, 200);
  EXPECT_TRUE(at(now.json(), "active").as_bool());
  EXPECT_EQ(num(at(now.json(), "hypeTrain"), "level"), 1);

  // Ending the session ends the train.
  ASSERT_EQ(call(port(), "/showtime/session/end", json::object{{"showtimeSessionId", id}}).status, 200);
  auto completed = log.wait_for("showtime.hype.completed", "showtimeSessionId", id);
  ASSERT_TRUE(completed);
  EXPECT_EQ(str(*completed, "reason"), "session_end");
}

TEST_P(ShowtimeSessionTest, CareerGrowthPhasesAndMilestones) {
  start_showtime();
  auto& log = events();
  const auto streamer = new_uuid();
  const json::object who{{"streamerType", "account"}, {"streamerId", streamer}};
  auto fresh = call(port(), "/showtime/career/get", who);
  ASSERT_EQ(fresh.status, 200);
  EXPECT_EQ(str(fresh.json(), "phase"), "unknown");
  EXPECT_EQ(num(fresh.json(), "nextAudiencePoolSize"), 50);

  json::object growth = who;
  growth["key"] = "discovery_rate.world_firsts";
  growth["amount"] = 5.0;
  auto grown = call(port(), "/showtime/career/record-growth", growth);
  ASSERT_EQ(grown.status, 200) << grown.body;
  EXPECT_EQ(str(grown.json(), "phase"), "rising");
  EXPECT_EQ(str(grown.json(), "previousPhase"), "unknown");
  bool phase_milestone = false;
  const json::array grown_milestones = at(grown.json(), "milestones").as_array();
  for (const auto& m : grown_milestones) {
    phase_milestone = phase_milestone || str(m, "milestoneCode") == "phase_rising";
  }
  EXPECT_TRUE(phase_milestone);
  auto event = log.wait_for("showtime.growth.recorded", "streamerId", streamer);
  ASSERT_TRUE(event);
  EXPECT_EQ(str(*event, "seedTypeCode"), "streamer");
  EXPECT_TRUE(log.wait_for("showtime.milestone.reached", "streamerId", streamer));

  auto career = call(port(), "/showtime/career/get", who);
  ASSERT_EQ(career.status, 200);
  EXPECT_EQ(str(career.json(), "phase"), "rising");
  EXPECT_EQ(num(career.json(), "nextAudiencePoolSize"), 100);
  EXPECT_TRUE(at(at(career.json(), "capabilities"), "followers").as_bool());
  json::object phase_only = who;
  phase_only["kind"] = "phase";
  auto milestones = call(port(), "/showtime/career/milestones", phase_only);
  ASSERT_EQ(milestones.status, 200);
  EXPECT_EQ(num(milestones.json(), "totalCount"), 1);
  auto followers = call(port(), "/showtime/audience/followers", who);
  ASSERT_EQ(followers.status, 200);
  EXPECT_EQ(num(followers.json(), "totalCount"), 0);

  // The next session's audience follows the phase.
  const auto started = start_session(port(), json::object{{"streamerType", "account"}, {"streamerId", streamer}});
  EXPECT_EQ(str(started, "careerPhase"), "rising");
  EXPECT_EQ(num(at(started, "audience"), "currentSize"), 100);
}

TEST_P(ShowtimeSessionTest, VoiceRoomsOfSessionsAndGameSessions) {
  start_showtime();
  auto& log = events();
  const auto started = start_session(port());
  const auto id = str(started, "showtimeSessionId");
  auto created = call(port(), "/showtime/voice/create", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_TRUE(at(created.json(), "created").as_bool());
  const auto room = str(created.json(), "voiceRoomId");
  auto again = call(port(), "/showtime/voice/create", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(again.status, 200);
  EXPECT_FALSE(at(again.json(), "created").as_bool());
  EXPECT_EQ(str(again.json(), "voiceRoomId"), room);
  EXPECT_EQ(call(port(), "/voice/room/get", json::object{{"roomId", room}}, "admin").status, 200);
  auto got = call(port(), "/showtime/session/get", json::object{{"showtimeSessionId", id}});
  EXPECT_EQ(str(got.json(), "voiceRoomId"), room);
  ASSERT_EQ(call(port(), "/showtime/voice/delete", json::object{{"showtimeSessionId", id}}).status, 200);
  EXPECT_EQ(call(port(), "/voice/room/get", json::object{{"roomId", room}}, "admin").status, 404);
  EXPECT_EQ(call(port(), "/showtime/voice/delete", json::object{{"showtimeSessionId", id}}).status, 404);
  EXPECT_EQ(call(port(), "/showtime/voice/create", json::object{{"showtimeSessionId", new_uuid()}}).status, 404);

  // game-session.created -> a voice room; game-session.ended -> deleted (and its stream ended).
  const auto game_session = new_uuid();
  json::object created_event{{"eventId", new_uuid()},
                             {"timestamp", "2026-01-01T00:00:00Z"},
                             {"sessionId", game_session},
                             {"gameServiceId", game_service_},
                             {"maxPlayers", 4},
                             {"streamEnabled", true},
                             {"streamerType", "character"},
                             {"streamerId", new_uuid()},
                             {"someFutureField", "ignored"}};
  run(0, [](infra::MessageBus& bus, std::string body) -> Task<void> {
    co_await bus.publish("game-session.created", std::move(body));
  }(nodes_[0]->server().bus(), json::serialize(created_event)));
  auto room_event = log.wait_for("voice.room.created", "sessionId", game_session);
  ASSERT_TRUE(room_event) << "no voice room for the game session";
  const auto game_room = str(*room_event, "roomId");
  EXPECT_EQ(call(port(), "/voice/room/get", json::object{{"roomId", game_room}}, "admin").status, 200);
  auto stream = log.wait_for("showtime.session.started", "gameSessionId", game_session);
  ASSERT_TRUE(stream) << "no automatic stream";
  const auto stream_id = str(*stream, "showtimeSessionId");

  json::object ended_event{{"eventId", new_uuid()}, {"timestamp", "2026-01-01T01:00:00Z"}, {"sessionId", game_session}};
  run(0, [](infra::MessageBus& bus, std::string body) -> Task<void> {
    co_await bus.publish("game-session.ended", std::move(body));
  }(nodes_[0]->server().bus(), json::serialize(ended_event)));
  ASSERT_TRUE(log.wait_for("voice.room.deleted", "roomId", game_room));
  EXPECT_EQ(call(port(), "/voice/room/get", json::object{{"roomId", game_room}}, "admin").status, 404);
  auto ended = log.wait_for("showtime.session.ended", "showtimeSessionId", stream_id);
  ASSERT_TRUE(ended);
  EXPECT_EQ(str(*ended, "reason"), "game_session_ended");
}

TEST_P(ShowtimeSessionTest, AnEngagedAudienceTipsItsStreamer) {
  start_showtime();
  auto& log = events();
  const auto id = str(start_session(port()), "showtimeSessionId");
  std::optional<json::value> tip;
  for (int i = 0; i < 10 && !tip; ++i) {
    tick();
    tip = log.wait_for("showtime.tip.generated", "showtimeSessionId", id, 200ms);
  }
  ASSERT_TRUE(tip) << "no tips after 10 ticks; audience: "
                   << call(port(), "/showtime/audience/snapshot", json::object{{"showtimeSessionId", id}}).body;
  EXPECT_EQ(str(*tip, "currencyCode"), "stream_tip");
  EXPECT_EQ(str(*tip, "source"), "engagement");
  EXPECT_GE(at(*tip, "amount").to_number<double>(), 1.0);
  EXPECT_FALSE(str(*tip, "streamerId").empty());
}

// Showtime on one node, voice on another: rooms are made over HTTP with a service token; and a node
// with no voice at all still runs showtime fully (only the voice endpoints answer 503).
TEST_P(ShowtimeSessionTest, VoiceRoomsOverHttpAndShowtimeWithoutVoice) {
  start_showtime({{"SHOWTIME_SERVICE_ENABLED", "false"}});  // node 0: voice only
  const auto voice_url = "http://127.0.0.1:" + std::to_string(port(0));
  start_showtime({{"VOICE_SERVICE_ENABLED", "false"}, {"SHOWTIME_VOICE_BASE_URL", voice_url}});  // node 1
  const auto id = str(start_session(port(1)), "showtimeSessionId");
  auto created = call(port(1), "/showtime/voice/create", json::object{{"showtimeSessionId", id}});
  ASSERT_EQ(created.status, 200) << created.body;
  const auto room = str(created.json(), "voiceRoomId");
  EXPECT_EQ(call(port(0), "/voice/room/get", json::object{{"roomId", room}}, "admin").status, 200);
  EXPECT_EQ(call(port(1), "/voice/room/get", json::object{{"roomId", room}}, "admin").status, 404)
      << "node 1 has no voice service";
  ASSERT_EQ(call(port(1), "/showtime/voice/delete", json::object{{"showtimeSessionId", id}}).status, 200);
  EXPECT_EQ(call(port(0), "/voice/room/get", json::object{{"roomId", room}}, "admin").status, 404);

  start_showtime({{"VOICE_SERVICE_ENABLED", "false"}});  // node 2: no voice anywhere
  const auto alone = str(start_session(port(2)), "showtimeSessionId");
  EXPECT_EQ(call(port(2), "/showtime/voice/create", json::object{{"showtimeSessionId", alone}}).status, 503);
  EXPECT_EQ(call(port(2), "/showtime/hype/inject",
                 json::object{{"showtimeSessionId", alone}, {"category", "excited"}, {"count", 5}})
                .status,
            200);
  EXPECT_EQ(call(port(2), "/showtime/session/end", json::object{{"showtimeSessionId", alone}}).status, 200);
}

TEST_P(ShowtimeSessionTest, CleanupByCharacterAndGameService) {
  start_showtime();
  const auto character = new_uuid();
  const auto a = start_session(port(), json::object{{"streamerId", character}});
  auto cleaned = call(port(), "/showtime/cleanup-by-character", json::object{{"characterId", character}}, "service");
  ASSERT_EQ(cleaned.status, 200) << cleaned.body;
  EXPECT_EQ(num(cleaned.json(), "sessionsEnded"), 1);
  auto got = call(port(), "/showtime/session/get", json::object{{"showtimeSessionId", str(a, "showtimeSessionId")}});
  EXPECT_EQ(str(got.json(), "endReason"), "cleanup");
  auto repeat = call(port(), "/showtime/cleanup-by-character", json::object{{"characterId", character}}, "service");
  ASSERT_EQ(repeat.status, 200);
  EXPECT_EQ(num(repeat.json(), "sessionsEnded"), 0);

  const auto b = start_session(port());
  auto by_game =
      call(port(), "/showtime/cleanup-by-game-service", json::object{{"gameServiceId", game_service_}}, "service");
  ASSERT_EQ(by_game.status, 200) << by_game.body;
  EXPECT_EQ(num(by_game.json(), "sessionsEnded"), 1);
  EXPECT_EQ(num(by_game.json(), "sessionsDeleted"), 2);
  EXPECT_EQ(
      call(port(), "/showtime/session/get", json::object{{"showtimeSessionId", str(b, "showtimeSessionId")}}).status,
      404);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShowtimeSessionTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::showtimetest
