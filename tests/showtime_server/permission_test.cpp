// The permission matrix: every showtime endpoint x role (user, developer,
// admin, service). Denied calls answer 403 and change nothing.
#include "showtime_server/showtime_fixture.hpp"

namespace onair::showtimetest {
namespace {

class ShowtimePermissionTest : public ShowtimeServerTest {};

TEST_P(ShowtimePermissionTest, EveryEndpointByRole) {
  start_showtime();
  const auto started = start_session(port());
  const auto id = str(started, "showtimeSessionId");
  const json::object session{{"showtimeSessionId", id}};
  const json::object streamer{{"streamerType", "character"}, {"streamerId", new_uuid()}};
  json::object start_body = streamer;
  start_body["gameServiceId"] = game_service_;
  json::object growth = streamer;
  growth["key"] = "content_diversity.tags";
  growth["amount"] = 0.5;
  json::object tags = session;
  tags["tags"] = json::array{json::object{{"tag", "combat"}}};
  json::object hype = session;
  hype["category"] = "excited";
  json::object pause = session;

  struct Row {
    std::string path;
    json::value body;
    bool developer;  // developer (and admin) may call it; service always may
  };
  const std::vector<Row> rows{
      {"/showtime/session/get", session, true},
      {"/showtime/session/list", json::object{{"gameServiceId", game_service_}}, true},
      {"/showtime/audience/snapshot", session, true},
      {"/showtime/audience/followers", streamer, true},
      {"/showtime/audience/inject", session, true},
      {"/showtime/audience/set-tags", tags, true},
      {"/showtime/hype/status", session, true},
      {"/showtime/hype/inject", hype, true},
      {"/showtime/career/get", streamer, true},
      {"/showtime/career/milestones", streamer, true},
      {"/showtime/career/record-growth", growth, true},
      {"/showtime/voice/create", session, true},
      {"/showtime/voice/delete", session, true},
      {"/showtime/session/pause", pause, true},
      {"/showtime/session/resume", pause, true},
      {"/showtime/session/start", start_body, true},
      {"/showtime/cleanup-by-character", json::object{{"characterId", new_uuid()}}, false},
      {"/showtime/cleanup-by-game-service", json::object{{"gameServiceId", new_uuid()}}, false},
      {"/showtime/session/end", session, true},
  };
  ASSERT_EQ(rows.size(), 19u);
  for (const auto& row : rows) {
    for (const char* role : {"user", "developer", "admin"}) {
      const bool allowed = row.developer && std::string(role) != "user";
      if (allowed) continue;  // the allowed calls run once below, as developer
      auto reply = call(port(), row.path, row.body, role);
      EXPECT_EQ(reply.status, 403) << row.path << " as " << role << ": " << reply.body;
    }
    EXPECT_EQ(call(port(), row.path, row.body, "").status, 401) << row.path;
  }
  // Nothing changed by the denied calls.
  auto got = call(port(), "/showtime/session/get", session, "admin");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(str(got.json(), "status"), "active");
  EXPECT_TRUE(at(got.json(), "contentTags").as_array().empty());
  EXPECT_EQ(at(call(port(), "/showtime/career/get", streamer).json(), "totalGrowth").to_number<double>(), 0.0);
  EXPECT_EQ(num(call(port(), "/showtime/session/list", streamer).json(), "totalCount"), 0);

  // Allowed: developer for the 17 player-free endpoints, service for the cleanups.
  for (const auto& row : rows) {
    const auto role = row.developer ? "developer" : "service";
    auto reply = call(port(), row.path, row.body, role);
    // voice/delete may find nothing mapped after voice/create failed; all others succeed.
    EXPECT_TRUE(reply.status == 200) << row.path << " as " << role << ": " << reply.status << " " << reply.body;
  }
  auto ended = call(port(), "/showtime/session/get", session, "admin");
  EXPECT_EQ(str(ended.json(), "status"), "ended");
  // Admin may call what a developer may.
  EXPECT_EQ(call(port(), "/showtime/session/get", session, "admin").status, 200);
  EXPECT_EQ(call(port(), "/showtime/career/get", streamer, "admin").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, ShowtimePermissionTest,
                         ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers), servertest::backend_set_name);

}  // namespace
}  // namespace onair::showtimetest
