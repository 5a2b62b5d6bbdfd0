// The routes generated from schemas/sample-api.yaml (specs, permissions,
// dispatch to a SampleApi) and the merged OpenAPI document.
#include "gen/sample/routes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <set>
#include <string>

#include "core/validation.hpp"
#include "gen/openapi.hpp"
#include "gen/services.hpp"
#include "support/run_task.hpp"

namespace onair::gen::sample {
namespace {
namespace json = boost::json;
using onair::testing::run_task;
using platform::CallContext;
using platform::PermissionRule;

// Records every call; answers with fixed values.
class FakeSampleApi : public SampleApi {
 public:
  std::vector<std::string> calls;
  std::optional<SampleEchoRequest> last_echo;
  std::string last_account;

  Task<SampleEchoResponse> echo(SampleEchoRequest request, const CallContext& caller) override {
    calls.push_back("echo");
    last_account = caller.account_id;
    SampleEchoResponse r{request.message, request.repeat.value_or(1), "2026-11-22T09:03:07.123Z"};
    last_echo = std::move(request);
    co_return r;
  }
  Task<SampleCounterResponse> increment_counter(SampleIncrementCounterRequest request, const CallContext&) override {
    calls.push_back("increment_counter");
    co_return SampleCounterResponse{request.name, request.by.value_or(1)};
  }
  Task<common::EmptyResponse> enter_session(const CallContext&) override {
    calls.push_back("enter_session");
    co_return common::EmptyResponse{};
  }
  Task<void> leave_session(const CallContext&) override {
    calls.push_back("leave_session");
    co_return;
  }
  Task<SampleGuardedResponse> guarded(const CallContext&) override {
    calls.push_back("guarded");
    co_return SampleGuardedResponse{true};
  }
  Task<SampleCounterResponse> reset_counter(SampleResetCounterRequest request, const CallContext&) override {
    calls.push_back("reset_counter");
    co_return SampleCounterResponse{request.name, 0};
  }
};

class SampleRoutes : public ::testing::Test {
 protected:
  SampleRoutes() { register_routes(table_, api_); }

  platform::ApiResult call(std::string_view path, std::string_view body) {
    const auto* route = table_.find(path);
    if (route == nullptr) throw std::runtime_error("no route " + std::string(path));
    const auto parsed = json::parse(body);
    return run_task(io_, route->handler(parsed, caller_));
  }

  boost::asio::io_context io_;
  platform::RouteTable table_;
  FakeSampleApi api_;
  CallContext caller_{"account-1", "session-1", {"user"}, "req-1"};
};

const platform::RouteSpec& spec_for(const std::vector<platform::RouteSpec>& specs, std::string_view path) {
  for (const auto& s : specs) {
    if (s.path == path) return s;
  }
  throw std::out_of_range(std::string(path));
}

TEST(SampleRouteSpecs, OnePerPathInSchemaOrder) {
  const auto specs = route_specs();
  std::vector<std::string> paths;
  for (const auto& s : specs) {
    EXPECT_EQ(s.service, "sample");
    paths.push_back(s.path);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/sample/echo", "/sample/counter/increment", "/sample/session/enter",
                                             "/sample/session/leave", "/sample/guarded", "/sample/internal/reset"}));
  EXPECT_EQ(spec_for(specs, "/sample/echo").operation_id, "echo");
  EXPECT_EQ(spec_for(specs, "/sample/counter/increment").operation_id, "incrementCounter");
}

TEST(SampleRouteSpecs, PermissionsFromXPermissions) {
  const auto specs = route_specs();
  const auto& echo = spec_for(specs, "/sample/echo").permissions;
  ASSERT_EQ(echo.size(), 3u);
  EXPECT_EQ(echo[0].role, "user");
  EXPECT_EQ(echo[1].role, "developer");
  EXPECT_EQ(echo[2].role, "admin");
  for (const auto& rule : echo) EXPECT_TRUE(rule.states.empty());

  const auto& guarded = spec_for(specs, "/sample/guarded").permissions;
  ASSERT_EQ(guarded.size(), 1u);
  EXPECT_EQ(guarded[0].role, "user");
  EXPECT_EQ(guarded[0].states, (std::vector<std::pair<std::string, std::string>>{{"sample", "entered"}}));

  // x-permissions: [] -> service-internal: no rule at all.
  EXPECT_TRUE(spec_for(specs, "/sample/internal/reset").permissions.empty());
}

TEST(SampleRouteSpecs, RegisteredTableMatchesSpecs) {
  platform::RouteTable table;
  FakeSampleApi api;
  register_routes(table, api);
  EXPECT_EQ(table.all().size(), route_specs().size());
  const auto* reset = table.find("/sample/internal/reset");
  ASSERT_NE(reset, nullptr);
  EXPECT_TRUE(reset->spec.permissions.empty());
  // Registering twice is a programming error the table reports.
  EXPECT_THROW(register_routes(table, api), std::logic_error);
}

TEST_F(SampleRoutes, DispatchesAValidBody) {
  // Long strings live on the heap, so ASan would see a double destruction around co_await.
  const std::string message = "a message longer than the small-string buffer";
  const auto r = call("/sample/echo", R"({"message":")" + message +
                                          R"(","repeat":2,"mood":"calm","tags":["a tag longer than sixteen bytes"]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::serialize(r.body()),
            R"({"message":")" + message + R"(","repeat":2,"echoedAt":"2026-11-22T09:03:07.123Z"})");
  EXPECT_EQ(api_.calls, std::vector<std::string>{"echo"});
  ASSERT_TRUE(api_.last_echo.has_value());
  EXPECT_EQ(api_.last_echo->mood, SampleMood::calm);
  EXPECT_EQ(api_.last_echo->tags, std::vector<std::string>{"a tag longer than sixteen bytes"});
  EXPECT_EQ(api_.last_account, "account-1");
}

TEST_F(SampleRoutes, BadBodyThrowsValidationErrorBeforeTheCall) {
  try {
    call("/sample/echo", R"({"message":"hi","repeat":11})");
    FAIL() << "expected a ValidationError";
  } catch (const ValidationError& e) {
    EXPECT_STREQ(e.what(), "body.repeat: must be at most 10");
    EXPECT_EQ(e.status(), 400);
  }
  EXPECT_THROW(call("/sample/counter/increment", R"({"name":"c","extra":true})"), ValidationError);
  EXPECT_THROW(call("/sample/internal/reset", R"({"name":"c","requestedBy":"x"})"), ValidationError);
  EXPECT_THROW(call("/sample/echo", "null"), ValidationError);
  EXPECT_TRUE(api_.calls.empty());
}

TEST_F(SampleRoutes, OperationsWithoutRequestBodyIgnoreTheBody) {
  EXPECT_EQ(json::serialize(call("/sample/session/enter", "{}").body()), "{}");
  EXPECT_EQ(json::serialize(call("/sample/guarded", R"({"anything":1})").body()), R"({"ok":true})");
  EXPECT_EQ(api_.calls, (std::vector<std::string>{"enter_session", "guarded"}));
}

TEST_F(SampleRoutes, VoidOperationAnswersEmptyObject) {
  const auto r = call("/sample/session/leave", "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::serialize(r.body()), "{}");
  EXPECT_EQ(api_.calls, std::vector<std::string>{"leave_session"});
}

TEST_F(SampleRoutes, CounterRoutes) {
  EXPECT_EQ(json::serialize(call("/sample/counter/increment", R"({"name":"c","by":5})").body()),
            R"({"name":"c","value":5})");
  EXPECT_EQ(json::serialize(
                call("/sample/internal/reset", R"({"name":"c","requestedBy":"3f2b8c1a-0d4e-4f6a-9b8c-7d6e5f4a3b2c"})")
                    .body()),
            R"({"name":"c","value":0})");
}

TEST(GeneratedServices, ListsServicesWithAnApi) {
  EXPECT_NE(std::find(kServices.begin(), kServices.end(), "sample"), kServices.end());
  // common holds shared models only, server only configuration.
  EXPECT_EQ(std::find(kServices.begin(), kServices.end(), "common"), kServices.end());
  EXPECT_EQ(std::find(kServices.begin(), kServices.end(), "server"), kServices.end());
}

// Every "$ref" in `v`, recursively.
void collect_refs(const json::value& v, std::vector<std::string>& out) {
  if (const auto* o = v.if_object()) {
    for (const auto& [key, value] : *o) {
      if (key == "$ref" && value.is_string()) out.emplace_back(value.as_string());
      collect_refs(value, out);
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& item : *a) collect_refs(item, out);
  }
}

TEST(MergedOpenApi, IsValidJsonWithLocalRefs) {
  const auto doc = json::parse(merged_openapi_json());
  EXPECT_EQ(doc.at("openapi").as_string(), "3.0.3");
  const auto& paths = doc.at("paths").as_object();
  for (const auto& s : route_specs()) EXPECT_TRUE(paths.contains(s.path)) << s.path;
  const auto& echo = paths.at("/sample/echo").at("post").as_object();
  EXPECT_EQ(echo.at("operationId").as_string(), "echo");
  EXPECT_EQ(echo.at("x-permissions").as_array().size(), 3u);

  const auto& schemas = doc.at("components").at("schemas").as_object();
  // Models of the api, events and client-events files, and the shared ones.
  for (auto name : {"SampleEchoRequest", "SampleCounterIncrementedEvent", "SampleCounterChangedClientEvent",
                    "BaseClientEvent", "ErrorResponse", "EmptyResponse"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
  std::vector<std::string> refs;
  collect_refs(doc, refs);
  EXPECT_FALSE(refs.empty());
  for (const auto& ref : refs) {
    ASSERT_EQ(ref.rfind("#/components/schemas/", 0), 0u) << ref;
    EXPECT_TRUE(schemas.contains(ref.substr(std::string("#/components/schemas/").size()))) << ref;
  }
  // The cross-file ref of /sample/session/enter now points inside the document.
  EXPECT_EQ(paths.at("/sample/session/enter")
                .at("post")
                .at("responses")
                .at("200")
                .at("content")
                .at("application/json")
                .at("schema")
                .at("$ref")
                .as_string(),
            "#/components/schemas/EmptyResponse");
  EXPECT_EQ(doc.at("x-onair-events").at("sample").at("publications").as_array().size(), 1u);
}

}  // namespace
}  // namespace onair::gen::sample
