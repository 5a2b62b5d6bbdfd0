#include "server/server_fixture.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <fstream>

#include "app/settings.hpp"
#include "core/config_support.hpp"
#include "core/ids.hpp"
#include "gen/server/configuration.hpp"
#include "platform/access_token.hpp"
#include "support/backends.hpp"

namespace onair::servertest {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::map<std::string, std::string, std::less<>> environment_for(BackendSet set, const fs::path& work_dir) {
  std::map<std::string, std::string, std::less<>> env{
      {"ONAIR_JWT_SECRET", kJwtSecret},
      {"ONAIR_SQLITE_PATH", (work_dir / "onair.db").string()},
      {"ONAIR_WEB_ROOT", (work_dir / "www").string()},
      {"ONAIR_LOG_LEVEL", "warn"},
      {"ONAIR_SHUTDOWN_DRAIN_SECONDS", "5"},
      {"SAMPLE_SERVICE_ENABLED", "true"},
      // Only the sample service: the tests exercise the platform, not the real services.
      {"VOICE_SERVICE_ENABLED", "false"},
      {"STREAM_SERVICE_ENABLED", "false"},
      {"SHOWTIME_SERVICE_ENABLED", "false"},
  };
  if (set == BackendSet::kServers) {
    env["ONAIR_STATE_BACKEND"] = "redis";
    env["ONAIR_LOCK_BACKEND"] = "redis";
    env["ONAIR_REDIS_URL"] = testing::backend_url("ONAIR_TEST_REDIS_URL");
    env["ONAIR_SQL_BACKEND"] = "mariadb";
    env["ONAIR_MARIADB_URL"] = testing::backend_url("ONAIR_TEST_MARIADB_URL");
    env["ONAIR_BUS_BACKEND"] = "rabbitmq";
    env["ONAIR_RABBITMQ_URL"] = testing::backend_url("ONAIR_TEST_RABBITMQ_URL");
  }
  return env;
}

}  // namespace

std::string backend_set_name(const ::testing::TestParamInfo<BackendSet>& info) {
  return info.param == BackendSet::kEmbedded ? "embedded" : "servers";
}

TestNode::TestNode(BackendSet set, const fs::path& work_dir, const NodeOptions& options) {
  auto vars = environment_for(set, work_dir);
  for (const auto& [name, value] : options.env) vars[name] = value;
  auto env = core::map_env(vars);
  auto settings = app::settings_from(gen::server::load_configuration(env));
  settings.http.port = 0;  // any free port (ONAIR_PORT must be 1..65535)
  if (options.tweak) options.tweak(settings);
  server_ = std::make_unique<app::OnairServer>(std::move(settings), env);
  server_->start();
  port_ = server_->port();
}

TestNode::~TestNode() { server_->stop(); }

void ServerTest::SetUp() {
  spdlog::set_level(spdlog::level::warn);
  if (backend_set() == BackendSet::kServers) {
    ONAIR_REQUIRE_SERVER("ONAIR_TEST_REDIS_URL");
    ONAIR_REQUIRE_SERVER("ONAIR_TEST_MARIADB_URL");
    ONAIR_REQUIRE_SERVER("ONAIR_TEST_RABBITMQ_URL");
  }
  dir_ = fs::temp_directory_path() / ("onair-server-test-" + random_hex(8));
  web_root_ = dir_ / "www";
  write_file(web_root_ / "index.html", "<!doctype html><title>onair test</title>");
  write_file(web_root_ / "app.js", "console.log('onair');");
  write_file(web_root_ / "style.css", "body { color: black; }");
  write_file(web_root_ / "voice" / "index.html", "<p>voice page</p>");
  // Next to the root, never inside it: no request may read it.
  write_file(dir_ / "secret.txt", kSecretMarker);
  write_file(dir_ / "www-private" / "secret.txt", kSecretMarker);
  std::error_code ec;
  fs::create_symlink(dir_ / "secret.txt", web_root_ / "escape.txt", ec);
  fs::create_directory_symlink(dir_, web_root_ / "escape-dir", ec);
}

void ServerTest::TearDown() {
  while (!nodes_.empty()) nodes_.pop_back();  // stop the last started first
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

TestNode& ServerTest::start(const NodeOptions& options) {
  nodes_.push_back(std::make_unique<TestNode>(backend_set(), dir_, options));
  return *nodes_.back();
}

std::string ServerTest::token(const std::string& session, std::vector<std::string> roles,
                              std::int64_t lifetime_seconds) {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  platform::TokenSigner signer(kJwtSecret);
  return signer.mint(platform::AccessClaims{"acct-" + session.substr(0, 8), session, std::move(roles), now - 10,
                                            now + lifetime_seconds});
}

std::string ServerTest::new_session() { return new_uuid(); }

std::string ServerTest::unique_name(const std::string& prefix) { return prefix + "-" + random_hex(6); }

testing::HttpReply ServerTest::post(std::uint16_t port, const std::string& path, const json::value& body,
                                    const std::string& bearer, testing::Headers headers) {
  return post_raw(port, path, json::serialize(body), bearer, std::move(headers));
}

testing::HttpReply ServerTest::post_raw(std::uint16_t port, const std::string& path, std::string body,
                                        const std::string& bearer, testing::Headers headers) {
  headers.emplace_back("Content-Type", "application/json");
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return testing::http_request(port, "POST", path, std::move(body), std::move(headers));
}

std::string error_of(const json::value& body) {
  if (!body.is_object()) return {};
  const auto* error = body.as_object().if_contains("error");
  return error && error->is_string() ? std::string(error->as_string()) : std::string();
}

std::string error_of(const testing::HttpReply& reply) { return error_of(reply.json()); }

}  // namespace onair::servertest
