#include "platform/api_dispatcher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "infra/memory_state_store.hpp"
#include "support/run_task.hpp"

namespace onair::platform {
namespace {
using onair::testing::run_task;
namespace json = boost::json;

constexpr std::int64_t kNow = 1'800'000'000;

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest()
      : signer_("dispatcher-test-secret"),
        states_(store_),
        dispatcher_(routes_, signer_, states_, [] { return kNow; }) {
    routes_.add(RouteSpec{"t", "/t/open", "open", {{"user", {}}}},
                [this](const json::value& body, const CallContext& caller) -> Task<ApiResult> {
                  ++calls_;
                  last_caller_ = caller;
                  co_return ApiResult{200, json::object{{"echo", body}}};
                });
    routes_.add(RouteSpec{"t", "/t/guarded", "guarded", {{"user", {{"t", "entered"}}}}},
                [this](const json::value&, const CallContext&) -> Task<ApiResult> {
                  ++calls_;
                  co_return ApiResult{200, json::object{}};
                });
    routes_.add(RouteSpec{"t", "/t/internal", "internal", {}},
                [this](const json::value&, const CallContext&) -> Task<ApiResult> {
                  ++calls_;
                  co_return ApiResult{200, json::object{}};
                });
    routes_.add(RouteSpec{"t", "/t/throws", "throws", {{"user", {}}}},
                [](const json::value&, const CallContext&) -> Task<ApiResult> {
                  throw conflict("already there");
                  co_return ApiResult{};
                });
    routes_.add(RouteSpec{"t", "/t/crashes", "crashes", {{"user", {}}}},
                [](const json::value&, const CallContext&) -> Task<ApiResult> {
                  throw std::runtime_error("secret internals");
                  co_return ApiResult{};
                });
  }

  std::string token(std::vector<std::string> roles, std::int64_t exp = kNow + 60) {
    return signer_.mint(AccessClaims{"acct", "sess", std::move(roles), kNow, exp});
  }

  ApiResult call(std::string path, std::string body, std::string bearer) {
    ApiCall c;
    c.path = std::move(path);
    c.body = body;
    c.bearer_token = bearer;
    c.request_id = "r1";
    return run_task(io_, dispatcher_.dispatch(std::move(c)));
  }

  boost::asio::io_context io_;
  infra::MemoryStateStore store_;
  RouteTable routes_;
  TokenSigner signer_;
  SessionStates states_;
  ApiDispatcher dispatcher_;
  int calls_ = 0;
  CallContext last_caller_;
};

TEST_F(DispatcherTest, AllowedCallReachesHandlerWithCaller) {
  auto r = call("/t/open", R"({"a":1})", token({"user"}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body().at("echo").at("a"), 1);
  EXPECT_EQ(last_caller_.account_id, "acct");
  EXPECT_EQ(last_caller_.session_id, "sess");
  EXPECT_EQ(last_caller_.request_id, "r1");
}

TEST_F(DispatcherTest, StatusesForEveryRefusal) {
  EXPECT_EQ(call("/t/open", "{}", "").status, 401);
  EXPECT_EQ(call("/t/open", "{}", "garbage").status, 401);
  EXPECT_EQ(call("/t/open", "{}", token({"user"}, kNow)).status, 401);  // expired
  EXPECT_EQ(call("/t/open", "{}", token({})).status, 403);
  EXPECT_EQ(call("/t/internal", "{}", token({"admin"})).status, 403);
  EXPECT_EQ(call("/t/guarded", "{}", token({"user"})).status, 403);
  EXPECT_EQ(call("/t/nope", "{}", token({"user"})).status, 404);
  EXPECT_EQ(call("/t/open", "{not json", token({"user"})).status, 400);
  EXPECT_EQ(calls_, 0);
  auto r = call("/t/open", "{}", "");
  EXPECT_EQ(r.body().at("requestId"), "r1");
  EXPECT_EQ(r.body().at("status"), 401);
}

TEST_F(DispatcherTest, SessionStateOpensGuardedRoute) {
  run_task(io_, states_.set("sess", "t", "entered"));
  EXPECT_EQ(call("/t/guarded", "{}", token({"user"})).status, 200);
  run_task(io_, states_.clear("sess", "t", "entered"));
  EXPECT_EQ(call("/t/guarded", "{}", token({"user"})).status, 403);
}

TEST_F(DispatcherTest, ServiceRoleCallsInternalRoutes) {
  EXPECT_EQ(call("/t/internal", "{}", token({"service"})).status, 200);
}

TEST_F(DispatcherTest, HandlerErrorsBecomeStatusesWithoutInternals) {
  auto r = call("/t/throws", "{}", token({"user"}));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body().at("error"), "already there");
  auto crash = call("/t/crashes", "{}", token({"user"}));
  EXPECT_EQ(crash.status, 500);
  EXPECT_EQ(json::serialize(crash.body()).find("secret internals"), std::string::npos);
}

TEST_F(DispatcherTest, EmptyBodyIsAnEmptyObject) {
  auto r = call("/t/open", "", token({"user"}));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body().at("echo").is_object());
}

}  // namespace
}  // namespace onair::platform
