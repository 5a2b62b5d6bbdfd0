// The JSON API over HTTP, end to end through the sample service: schema
// validation, authentication, permissions, session states, state-store
// persistence and request ids.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "platform/access_token.hpp"
#include "server/server_fixture.hpp"

namespace onair::servertest {
namespace {
namespace json = boost::json;
using testing::HttpReply;

class ApiHttpTest : public ServerTest {};

TEST_P(ApiHttpTest, EchoAnswersWithTheMessage) {
  auto& node = start();
  auto reply = post(node.port(), "/sample/echo", json::object{{"message", "hi"}, {"repeat", 3}}, token(new_session()));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  auto body = reply.json();
  EXPECT_EQ(body.at("message"), "hi hi hi");
  EXPECT_EQ(body.at("repeat"), 3);
  EXPECT_TRUE(body.at("echoedAt").is_string());
  // Optional fields may be sent; null counts as absent.
  auto with_optional =
      post(node.port(), "/sample/echo",
           json::object{{"message", "m"}, {"tags", json::array{"a", "b"}}, {"mood", "calm"}}, token(new_session()));
  EXPECT_EQ(with_optional.status, 200) << with_optional.body;
  auto excited = post(node.port(), "/sample/echo",
                      json::object{{"message", "hey you"}, {"repeat", 2}, {"mood", "excited"}}, token(new_session()));
  ASSERT_EQ(excited.status, 200) << excited.body;
  EXPECT_EQ(excited.json().at("message"), "HEY YOU HEY YOU");  // the schema: excited upper-cases the message
  EXPECT_EQ(with_optional.json().at("message"), "m");
  auto with_null =
      post(node.port(), "/sample/echo", json::object{{"message", "m"}, {"mood", nullptr}}, token(new_session()));
  EXPECT_EQ(with_null.status, 200) << with_null.body;
}

TEST_P(ApiHttpTest, ValidationErrorsAre400NamingTheField) {
  auto& node = start();
  const auto bearer = token(new_session());
  struct Case {
    const char* what;
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases{
      {"missing required", R"({"repeat":2})", "body.message"},
      {"unknown field", R"({"message":"x","bogus":1})", "body.bogus"},
      {"above maximum", R"({"message":"x","repeat":11})", "body.repeat"},
      {"below minimum", R"({"message":"x","repeat":0})", "body.repeat"},
      {"wrong type", R"({"message":"x","repeat":"two"})", "body.repeat"},
      {"string for number", R"({"message":42})", "body.message"},
      {"bad enum", R"({"message":"x","mood":"angry"})", "body.mood"},
      {"too long", R"({"message":")" + std::string(201, 'a') + R"("})", "body.message"},
      {"array element type", R"({"message":"x","tags":["ok",7]})", "body.tags[1]"},
      {"not an object", R"(["message"])", "body"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto reply = post_raw(node.port(), "/sample/echo", c.body, bearer);
    EXPECT_EQ(reply.status, 400) << reply.body;
    EXPECT_EQ(reply.json().at("status"), 400);
    EXPECT_NE(error_of(reply).find(c.field), std::string::npos) << reply.body;
  }
}

TEST_P(ApiHttpTest, BodyThatIsNotJsonIs400) {
  auto& node = start();
  auto reply = post_raw(node.port(), "/sample/echo", "message=hi", token(new_session()),
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(error_of(reply).find("JSON"), std::string::npos) << reply.body;
  auto truncated = post_raw(node.port(), "/sample/echo", R"({"message":"hi")", token(new_session()));
  EXPECT_EQ(truncated.status, 400);
}

TEST_P(ApiHttpTest, MissingOrBadTokenIs401WithChallenge) {
  auto& node = start();
  const json::object body{{"message", "hi"}};
  auto none = post(node.port(), "/sample/echo", body, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate"), "Bearer");

  auto garbage = post(node.port(), "/sample/echo", body, "not.a.jwt");
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(garbage.header("www-authenticate"), "Bearer");

  auto expired = post(node.port(), "/sample/echo", body, token(new_session(), {"user"}, -60));
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(error_of(expired).find("expired"), std::string::npos) << expired.body;

  platform::TokenSigner other("a-completely-different-secret-of-40-chars!");
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto forged = post(node.port(), "/sample/echo", body,
                     other.mint(platform::AccessClaims{"acct", new_session(), {"admin"}, now, now + 60}));
  EXPECT_EQ(forged.status, 401);

  // Not "Bearer <token>": treated as no token.
  auto basic = testing::http_request(node.port(), "POST", "/sample/echo", R"({"message":"hi"})",
                                     {{"Authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_EQ(basic.status, 401);
  // An anonymous caller learns nothing about the body: 401 before validation.
  auto anonymous_invalid = post_raw(node.port(), "/sample/echo", "{not json", "");
  EXPECT_EQ(anonymous_invalid.status, 401);
}

TEST_P(ApiHttpTest, RoleWithoutPermissionIs403) {
  auto& node = start();
  auto reply = post(node.port(), "/sample/echo", json::object{{"message", "hi"}}, token(new_session(), {}));
  EXPECT_EQ(reply.status, 403) << reply.body;
}

TEST_P(ApiHttpTest, ServiceInternalRouteOnlyForServiceRole) {
  auto& node = start();
  const auto counter = unique_name("internal");
  const json::object body{{"name", counter}, {"requestedBy", new_session()}};
  auto admin = post(node.port(), "/sample/internal/reset", body, token(new_session(), {"admin"}));
  EXPECT_EQ(admin.status, 403) << admin.body;
  EXPECT_NE(error_of(admin).find("service-internal"), std::string::npos) << admin.body;
  auto user = post(node.port(), "/sample/internal/reset", body, token(new_session(), {"user"}));
  EXPECT_EQ(user.status, 403);
  auto service = post(node.port(), "/sample/internal/reset", body, token(new_session(), {"service"}));
  EXPECT_EQ(service.status, 200) << service.body;
  EXPECT_EQ(service.json().at("value"), 0);
}

TEST_P(ApiHttpTest, SessionStateGuardsAnEndpoint) {
  auto& node = start();
  const auto session = new_session();
  const auto bearer = token(session);
  auto before = post(node.port(), "/sample/guarded", json::object{}, bearer);
  EXPECT_EQ(before.status, 403) << before.body;
  EXPECT_NE(error_of(before).find("sample: entered"), std::string::npos) << before.body;

  ASSERT_EQ(post(node.port(), "/sample/session/enter", json::object{}, bearer).status, 200);
  auto inside = post(node.port(), "/sample/guarded", json::object{}, bearer);
  EXPECT_EQ(inside.status, 200) << inside.body;
  EXPECT_EQ(inside.json().at("ok"), true);
  // Another session of the same account has not entered.
  EXPECT_EQ(post(node.port(), "/sample/guarded", json::object{}, token(new_session())).status, 403);

  ASSERT_EQ(post(node.port(), "/sample/session/leave", json::object{}, bearer).status, 200);
  EXPECT_EQ(post(node.port(), "/sample/guarded", json::object{}, bearer).status, 403);
}

TEST_P(ApiHttpTest, CounterStatePersistsAcrossCalls) {
  auto& node = start({.tweak = {}, .env = {{"SAMPLE_COUNTER_LIMIT", "10"}}});
  const auto counter = unique_name("persist");
  const auto bearer = token(new_session());
  auto first = post(node.port(), "/sample/counter/increment", json::object{{"name", counter}}, bearer);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json().at("value"), 1);
  EXPECT_EQ(first.json().at("name"), json::value(counter));
  // Another caller sees the same counter.
  auto second =
      post(node.port(), "/sample/counter/increment", json::object{{"name", counter}, {"by", 4}}, token(new_session()));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json().at("value"), 5);
  // Past SAMPLE_COUNTER_LIMIT: 409 and the value is unchanged.
  auto over = post(node.port(), "/sample/counter/increment", json::object{{"name", counter}, {"by", 6}}, bearer);
  EXPECT_EQ(over.status, 409) << over.body;
  auto third = post(node.port(), "/sample/counter/increment", json::object{{"name", counter}, {"by", 5}}, bearer);
  EXPECT_EQ(third.json().at("value"), 10) << third.body;
  // A service resets it.
  auto reset = post(node.port(), "/sample/internal/reset",
                    json::object{{"name", counter}, {"requestedBy", new_session()}}, token(new_session(), {"service"}));
  ASSERT_EQ(reset.status, 200) << reset.body;
  auto after_reset = post(node.port(), "/sample/counter/increment", json::object{{"name", counter}}, bearer);
  EXPECT_EQ(after_reset.json().at("value"), 1) << after_reset.body;
}

TEST_P(ApiHttpTest, RequestIdIsEchoedOrGenerated) {
  auto& node = start();
  auto given = post(node.port(), "/sample/echo", json::object{{"message", "x"}}, token(new_session()),
                    {{"X-Request-Id", "test-req-42"}});
  EXPECT_EQ(given.header("x-request-id"), "test-req-42");

  auto generated = post(node.port(), "/sample/echo", json::object{{"message", "x"}}, token(new_session()));
  const auto id = generated.header("x-request-id");
  EXPECT_GE(id.size(), 8u);
  auto another = post(node.port(), "/sample/echo", json::object{{"message", "x"}}, token(new_session()));
  EXPECT_NE(another.header("x-request-id"), id);

  // Error bodies carry the same id.
  auto failed = post(node.port(), "/sample/echo", json::object{}, token(new_session()), {{"X-Request-Id", "err-7"}});
  EXPECT_EQ(failed.status, 400);
  EXPECT_EQ(failed.header("x-request-id"), "err-7");
  EXPECT_EQ(failed.json().at("requestId"), "err-7");

  // An unusable id (spaces, too long) is replaced, not reflected.
  auto unsafe = post(node.port(), "/sample/echo", json::object{{"message", "x"}}, token(new_session()),
                     {{"X-Request-Id", "has spaces <script>"}});
  EXPECT_NE(unsafe.header("x-request-id"), "has spaces <script>");
  EXPECT_FALSE(unsafe.header("x-request-id").empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiHttpTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         backend_set_name);

}  // namespace
}  // namespace onair::servertest
