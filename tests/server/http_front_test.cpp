// The plain-HTTP side of the one port: health, readiness, metrics, the
// OpenAPI document, static files (confined to the web root), 404 and 405.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>
#include <thread>

#include "server/server_fixture.hpp"

namespace onair::servertest {
namespace {
namespace json = boost::json;
using testing::http_request;
using testing::HttpReply;

class HttpFrontTest : public ServerTest {};

// Value of the series `name{labels}` in a Prometheus text exposition whose
// label set contains every fragment of `must_contain`; 0 when absent.
double metric_value(const std::string& exposition, const std::string& name,
                    const std::vector<std::string>& must_contain) {
  std::istringstream lines(exposition);
  std::string line;
  double total = 0;
  while (std::getline(lines, line)) {
    if (line.rfind(name + "{", 0) != 0) continue;
    const auto close = line.find("} ");
    if (close == std::string::npos) continue;
    const auto labels = line.substr(name.size(), close - name.size() + 1);
    bool all = true;
    for (const auto& fragment : must_contain) all = all && labels.find(fragment) != std::string::npos;
    if (all) total += std::stod(line.substr(close + 2));
  }
  return total;
}

TEST_P(HttpFrontTest, HealthzAnswersOk) {
  auto& node = start();
  auto reply = http_request(node.port(), "GET", "/healthz");
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.json().at("status"), "ok");
  EXPECT_FALSE(reply.header("x-request-id").empty());
}

TEST_P(HttpFrontTest, ReadyzReportsEveryBackendOk) {
  auto& node = start();
  HttpReply reply;
  // The RabbitMQ publisher connects in the background: allow it a moment.
  for (int attempt = 0; attempt < 50; ++attempt) {
    reply = http_request(node.port(), "GET", "/readyz");
    if (reply.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto body = reply.json();
  EXPECT_EQ(body.at("status"), "ready");
  EXPECT_EQ(body.at("checks").at("state"), "ok");
  EXPECT_EQ(body.at("checks").at("sql"), "ok");
  EXPECT_EQ(body.at("checks").at("bus"), "ok");
}

TEST_P(HttpFrontTest, MetricsCountApiCallsByRoute) {
  auto& node = start();
  const std::vector<std::string> labels{R"(route="/sample/echo")", R"(status="200")", R"(transport="http")"};
  auto before = http_request(node.port(), "GET", "/metrics");
  ASSERT_EQ(before.status, 200);
  EXPECT_NE(before.header("content-type").find("text/plain"), std::string::npos);
  const double count_before = metric_value(before.body, "onair_api_requests_total", labels);

  auto echo = post(node.port(), "/sample/echo", json::object{{"message", "count me"}}, token(new_session()));
  ASSERT_EQ(echo.status, 200) << echo.body;

  auto after = http_request(node.port(), "GET", "/metrics");
  ASSERT_EQ(after.status, 200);
  EXPECT_NE(after.body.find("# TYPE onair_api_requests_total counter"), std::string::npos);
  EXPECT_EQ(metric_value(after.body, "onair_api_requests_total", labels), count_before + 1) << after.body;
  EXPECT_GE(metric_value(after.body, "onair_api_request_duration_seconds_count", {R"(route="/sample/echo")"}), 1);
}

TEST_P(HttpFrontTest, OpenApiDocumentListsSampleRoutesWithPermissions) {
  auto& node = start();
  auto reply = http_request(node.port(), "GET", "/openapi.json");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type"), "application/json");
  auto doc = reply.json();
  ASSERT_TRUE(doc.is_object()) << "not JSON: " << reply.body.substr(0, 200);
  const auto* echo = doc.at("paths").as_object().if_contains("/sample/echo");
  ASSERT_NE(echo, nullptr);
  const auto& permissions = echo->at("post").at("x-permissions");
  ASSERT_TRUE(permissions.is_array());
  ASSERT_FALSE(permissions.as_array().empty());
  EXPECT_EQ(permissions.as_array()[0].at("role"), "user");
  // Service-internal: an empty list, not a missing one.
  const auto& internal = doc.at("paths").at("/sample/internal/reset").at("post").at("x-permissions");
  ASSERT_TRUE(internal.is_array());
  EXPECT_TRUE(internal.as_array().empty());
}

TEST_P(HttpFrontTest, StaticFilesAreServedWithTheirContentType) {
  auto& node = start();
  auto index = http_request(node.port(), "GET", "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.body, "<!doctype html><title>onair test</title>");

  auto js = http_request(node.port(), "GET", "/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "console.log('onair');");

  auto css = http_request(node.port(), "GET", "/style.css?v=2");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("content-type"), "text/css; charset=utf-8");

  auto voice = http_request(node.port(), "GET", "/voice/");
  EXPECT_EQ(voice.status, 200);
  EXPECT_EQ(voice.body, "<p>voice page</p>");
  auto voice_dir = http_request(node.port(), "GET", "/voice");
  EXPECT_EQ(voice_dir.status, 200);
  EXPECT_EQ(voice_dir.body, "<p>voice page</p>");
}

TEST_P(HttpFrontTest, PathTraversalNeverLeavesTheWebRoot) {
  auto& node = start();
  const std::vector<std::string> targets{
      "/../secret.txt",
      "/voice/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/voice%2f..%2f..%2fsecret.txt",
      "/.%2e/secret.txt",
      "/..%5csecret.txt",
      "/..\\secret.txt",
      "//../secret.txt",
      "/../www-private/secret.txt",
      "/%2e%2e/www-private/secret.txt",
      "/escape.txt",             // symlink to the secret
      "/escape-dir/secret.txt",  // symlink to the parent directory
      "/%00/../secret.txt",
      "/secret.txt%00.html",
  };
  for (const auto& target : targets) {
    SCOPED_TRACE(target);
    auto reply = http_request(node.port(), "GET", target);
    EXPECT_EQ(reply.body.find(kSecretMarker), std::string::npos) << "the secret leaked";
    EXPECT_NE(reply.status, 200);
    EXPECT_TRUE(reply.status == 400 || reply.status == 404) << reply.status << " " << reply.error;
    // Raw bytes too, in case a client library normalised the target.
    auto raw =
        testing::raw_exchange(node.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(raw.data.find(kSecretMarker), std::string::npos) << "the secret leaked";
  }
  // The root itself still works.
  EXPECT_EQ(http_request(node.port(), "GET", "/index.html").status, 200);
}

TEST_P(HttpFrontTest, UnknownGetPathIs404) {
  auto& node = start();
  auto reply = http_request(node.port(), "GET", "/no/such/file.html");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.json().at("status"), 404);
  // GET on an API path is not an API call either.
  EXPECT_EQ(http_request(node.port(), "GET", "/sample/echo").status, 404);
  // POST to an unknown API path is a 404 from the dispatcher (after auth).
  auto post_reply = post(node.port(), "/sample/nothing", json::object{}, token(new_session()));
  EXPECT_EQ(post_reply.status, 404);
}

TEST_P(HttpFrontTest, OtherMethodsAre405WithAllow) {
  auto& node = start();
  for (const char* method : {"PUT", "DELETE", "PATCH"}) {
    SCOPED_TRACE(method);
    auto reply = http_request(node.port(), method, "/sample/echo", "{}");
    EXPECT_EQ(reply.status, 405);
    EXPECT_EQ(reply.header("allow"), "GET, POST");
    EXPECT_EQ(reply.json().at("status"), 405);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, HttpFrontTest, ::testing::Values(BackendSet::kEmbedded, BackendSet::kServers),
                         backend_set_name);

}  // namespace
}  // namespace onair::servertest
