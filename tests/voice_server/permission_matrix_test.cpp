// Every voice endpoint x every caller (no token, a garbage token, user,
// developer, admin, service) x the caller's voice session state (none,
// in_room, in_room+ringing, in_room+consent_pending), against a real server.
//
// The expectation is derived, not written down: the generated route specs
// (x-permissions of voice-api.yaml) and platform::check_permission decide
// allowed or refused; the server must agree. A refused call is 401 (no valid
// token) or 403 with check_permission's reason, and changes nothing: the room
// and its broadcast status read the same by an admin, and no voice event about
// the room is published. (The "admin" view uses the service role for the
// broadcast status, which has no admin rule.) An allowed call reaches the handler: any status but
// 401, 400 (the bodies are valid), 5xx or a permission 403 (a handler's own
// 403, e.g. "you are not in this room", counts as reaching it).
#include <set>

#include "core/ids.hpp"
#include "gen/voice/routes.hpp"
#include "platform/permissions.hpp"
#include "voice_server/voice_fixture.hpp"

namespace onair::voicetest {
namespace {

enum class VoiceState { none, in_room, ringing, consent_pending };

std::string_view name_of(VoiceState s) {
  switch (s) {
    case VoiceState::none:
      return "none";
    case VoiceState::in_room:
      return "in_room";
    case VoiceState::ringing:
      return "in_room+ringing";
    case VoiceState::consent_pending:
      return "in_room+consent_pending";
  }
  return "?";
}

platform::SessionStateMap states_of(VoiceState s) {
  switch (s) {
    case VoiceState::none:
      return {};
    case VoiceState::in_room:
      return {{"voice", {"in_room"}}};
    case VoiceState::ringing:
      return {{"voice", {"in_room", "ringing"}}};
    case VoiceState::consent_pending:
      return {{"voice", {"in_room", "consent_pending"}}};
  }
  return {};
}

// A refusal by the permission check (as opposed to a handler's own 403).
bool is_permission_refusal(const std::string& error) {
  return error.rfind("your roles may not call ", 0) == 0 ||
         error.find(" requires session state ") != std::string::npos ||
         error.find(" is service-internal") != std::string::npos;
}

// One prepared case: room R with participant P (HTTP only), caller session S in `state`.
struct Case {
  std::string room;
  std::string peer;
  std::string session;
  std::string created_id;  // roomId a create call uses
};

class PermissionMatrixTest : public VoiceServerTest {
 protected:
  void SetUp() override {
    VoiceServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    port_ = start_voice().port();
    recorder_ = &bus();
    specs_ = gen::voice::route_specs();
  }

  Case prepare(VoiceState state) {
    Case s;
    s.room = create_room(port_, json::object{{"maxParticipants", 6}});
    s.peer = new_session();
    s.session = new_session();
    s.created_id = new_uuid();
    const auto peer_token = mint_token(s.peer);
    expect_ok(join_as(port_, peer_token, s.room), "peer join");
    if (state == VoiceState::none) return s;
    expect_ok(join_as(port_, mint_token(s.session), s.room), "caller join");
    if (state == VoiceState::ringing) {
      expect_ok(api(port_, "/voice/peer/offer",
                    json::object{{"roomId", s.room}, {"targetSessionId", s.session}, {"sdpOffer", "v=0 setup-offer"}},
                    peer_token),
                "setup offer");
    } else if (state == VoiceState::consent_pending) {
      expect_ok(api(port_, "/voice/room/broadcast/request", json::object{{"roomId", s.room}}, peer_token),
                "setup broadcast request");
    }
    return s;
  }

  static void expect_ok(const HttpReply& reply, const char* what) {
    ASSERT_EQ(reply.status, 200) << what << ": " << reply.body;
  }

  // A valid body for every voice endpoint; a new endpoint must be added here.
  static std::optional<json::object> body_for(const std::string& path, const Case& s) {
    const json::string_view room = s.room;
    if (path == "/voice/room/create") return json::object{{"sessionId", s.session}, {"roomId", s.created_id}};
    if (path == "/voice/room/join") {
      return json::object{{"roomId", room}, {"sipEndpoint", json::object{{"sdpOffer", ""}}}};
    }
    if (path == "/voice/peer/offer") {
      return json::object{{"roomId", room}, {"targetSessionId", s.peer}, {"sdpOffer", "v=0 matrix-offer"}};
    }
    if (path == "/voice/peer/answer") {
      return json::object{{"roomId", room}, {"targetSessionId", s.peer}, {"sdpAnswer", "v=0 matrix-answer"}};
    }
    if (path == "/voice/peer/ice-candidate") {
      return json::object{{"roomId", room}, {"targetSessionId", s.peer}, {"iceCandidates", json::array{"candidate:0"}}};
    }
    if (path == "/voice/room/broadcast/consent") return json::object{{"roomId", room}, {"consented", true}};
    if (path == "/voice/room/get" || path == "/voice/room/leave" || path == "/voice/room/delete" ||
        path == "/voice/peer/heartbeat" || path == "/voice/room/broadcast/request" ||
        path == "/voice/room/broadcast/stop" || path == "/voice/room/broadcast/status" ||
        path == "/voice/room/broadcast/started") {
      return json::object{{"roomId", room}};
    }
    return std::nullopt;
  }

  // What an admin sees of the room: nothing may change on a refused call.
  json::value snapshot(const Case& s) {
    json::object out;
    out["room"] = room_of(port_, s.room);
    out["broadcast"] =
        api(port_, "/voice/room/broadcast/status", json::object{{"roomId", s.room}}, service_token()).json();
    out["created"] = room_of(port_, s.created_id);
    return out;
  }

  std::size_t events_about(const Case& s) {
    return recorder_->of_room(s.room).size() + recorder_->of_room(s.created_id).size();
  }

  // Calls every endpoint the caller may not use, against one setup, and checks
  // that each is refused exactly as check_permission says and changes nothing.
  void check_refused(VoiceState state, const std::string& caller, const std::vector<std::string>& roles,
                     const std::function<std::string(const Case&)>& token_for, int expected_status) {
    const auto s = prepare(state);
    if (HasFatalFailure()) return;
    recorder_->sync();
    const auto before_events = events_about(s);
    const auto before = snapshot(s);
    for (const auto& spec : specs_) {
      const auto decision = platform::check_permission(spec, roles, states_of(state));
      if (expected_status == 403 && decision.allowed) continue;
      auto body = body_for(spec.path, s);
      ASSERT_TRUE(body) << "no test body for " << spec.path;
      ++checked_;
      auto reply = api(port_, spec.path, *body, token_for(s));
      const auto where = spec.path + " as " + caller + " in state " + std::string(name_of(state));
      EXPECT_EQ(reply.status, expected_status) << where << ": " << reply.body;
      if (expected_status == 403) {
        EXPECT_EQ(servertest::error_of(reply), decision.reason) << where;
      }
      EXPECT_EQ(snapshot(s), before) << where << " changed the room";
    }
    recorder_->sync();
    EXPECT_EQ(events_about(s), before_events)
        << "a refused call as " << caller << " in state " << name_of(state) << " published a voice event";
  }

  // Calls each endpoint the caller may use against a fresh setup: it must reach the handler.
  void check_allowed(VoiceState state, const std::string& caller, const std::vector<std::string>& roles) {
    for (const auto& spec : specs_) {
      const auto decision = platform::check_permission(spec, roles, states_of(state));
      if (!decision.allowed) continue;
      const auto s = prepare(state);
      if (HasFatalFailure()) return;
      auto body = body_for(spec.path, s);
      ASSERT_TRUE(body) << "no test body for " << spec.path;
      ++checked_;
      auto reply = api(port_, spec.path, *body, mint_token(s.session, roles));
      const auto where = spec.path + " as " + caller + " in state " + std::string(name_of(state));
      const auto error = servertest::error_of(reply);
      EXPECT_NE(reply.status, 401) << where << ": " << reply.body;
      EXPECT_NE(reply.status, 400) << where << ": " << reply.body;
      EXPECT_LT(reply.status, 500) << where << ": " << reply.body;
      EXPECT_FALSE(reply.status == 403 && is_permission_refusal(error)) << where << " was refused: " << reply.body;
      outcomes_[spec.path + " " + std::to_string(reply.status)]++;
    }
  }

  void run_matrix(VoiceState state) {
    ASSERT_GE(specs_.size(), 14u);
    // No valid token: 401 for every endpoint, whatever the session's state.
    check_refused(
        state, "no token", {}, [](const Case&) { return std::string(); }, 401);
    check_refused(
        state, "a garbage token", {}, [](const Case&) { return std::string("garbage.not-a.jwt"); }, 401);
    // An expired token of the right session is no better.
    check_refused(
        state, "an expired token", {"admin"},
        [](const Case& s) { return servertest::ServerTest::token(s.session, {"admin"}, -60); }, 401);
    for (const auto& role : {"user", "developer", "admin", "service"}) {
      const std::vector<std::string> roles{role};
      check_refused(
          state, role, roles, [&](const Case& s) { return mint_token(s.session, roles); }, 403);
      check_allowed(state, role, roles);
    }
    std::cerr << "[ matrix ] state " << name_of(state) << ": " << checked_ << " calls checked; allowed outcomes:";
    for (const auto& [k, n] : outcomes_) std::cerr << " [" << k << "]x" << n;
    std::cerr << "\n";
  }

  std::uint16_t port_ = 0;
  BusRecorder* recorder_ = nullptr;
  std::vector<platform::RouteSpec> specs_;
  std::size_t checked_ = 0;
  std::map<std::string, int> outcomes_;
};

TEST_P(PermissionMatrixTest, NoVoiceState) { run_matrix(VoiceState::none); }
TEST_P(PermissionMatrixTest, InRoom) { run_matrix(VoiceState::in_room); }
TEST_P(PermissionMatrixTest, Ringing) { run_matrix(VoiceState::ringing); }
TEST_P(PermissionMatrixTest, ConsentPending) { run_matrix(VoiceState::consent_pending); }

// The derivation itself: the route specs say what the schema says.
TEST(PermissionMatrixSpecs, RouteSpecsFollowTheSchema) {
  std::map<std::string, platform::RouteSpec> by_path;
  for (auto& spec : gen::voice::route_specs()) by_path[spec.path] = spec;
  ASSERT_EQ(by_path.size(), 14u);
  auto allowed = [&](const std::string& path, std::vector<std::string> roles, VoiceState state) {
    return platform::check_permission(by_path.at(path), roles, states_of(state)).allowed;
  };
  EXPECT_TRUE(allowed("/voice/room/create", {"admin"}, VoiceState::none));
  EXPECT_FALSE(allowed("/voice/room/create", {"developer"}, VoiceState::in_room));
  EXPECT_TRUE(allowed("/voice/room/get", {"user"}, VoiceState::in_room));
  EXPECT_FALSE(allowed("/voice/room/get", {"developer"}, VoiceState::none));
  EXPECT_TRUE(allowed("/voice/room/join", {"user"}, VoiceState::none));
  EXPECT_FALSE(allowed("/voice/peer/answer", {"admin"}, VoiceState::in_room));
  EXPECT_TRUE(allowed("/voice/peer/answer", {"user"}, VoiceState::ringing));
  EXPECT_TRUE(allowed("/voice/room/broadcast/consent", {"user"}, VoiceState::consent_pending));
  EXPECT_FALSE(allowed("/voice/room/broadcast/started", {"admin"}, VoiceState::in_room));
  EXPECT_TRUE(allowed("/voice/room/broadcast/started", {"service"}, VoiceState::none));
}

INSTANTIATE_TEST_SUITE_P(Backends, PermissionMatrixTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         servertest::backend_set_name);

}  // namespace
}  // namespace onair::voicetest
