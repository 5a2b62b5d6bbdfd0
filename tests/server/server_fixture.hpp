#pragma once
// A running onair for integration tests: OnairServer on a free port with the
// sample service, a web root in a private temporary directory, and one of the
// two backend sets:
//   embedded  memory state, SQLite, in-process bus, memory lock
//   servers   Redis, MariaDB, RabbitMQ, Redis lock (ONAIR_TEST_*_URL)
// Behavioural tests are TEST_P over both sets; `servers` is skipped (failed
// under CI=true) when the test servers are not configured.
#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "app/server.hpp"
#include "support/test_client.hpp"

namespace onair::servertest {

enum class BackendSet { kEmbedded, kServers };

// For INSTANTIATE_TEST_SUITE_P: "embedded" / "servers".
std::string backend_set_name(const ::testing::TestParamInfo<BackendSet>& info);
// How gtest (and so CTest's test names) print the parameter.
inline void PrintTo(BackendSet set, std::ostream* out) {
  *out << (set == BackendSet::kEmbedded ? "embedded" : "servers");
}

// Signs every test token; the servers are configured with it too.
inline constexpr const char* kJwtSecret = "server-tests-jwt-secret-0123456789abcdef";
inline constexpr const char* kSecretMarker = "TOP-SECRET-OUTSIDE-THE-WEB-ROOT";

struct NodeOptions {
  // Applied to the settings after settings_from() (port is already 0).
  std::function<void(app::ServerSettings&)> tweak;
  // Extra (or overriding) environment entries: SAMPLE_COUNTER_LIMIT, ...
  std::map<std::string, std::string, std::less<>> env;
};

// One OnairServer, stopped when destroyed.
class TestNode {
 public:
  TestNode(BackendSet set, const std::filesystem::path& work_dir, const NodeOptions& options);
  ~TestNode();
  TestNode(const TestNode&) = delete;
  TestNode& operator=(const TestNode&) = delete;

  std::uint16_t port() const { return port_; }
  app::OnairServer& server() { return *server_; }
  void stop() { server_->stop(); }

 private:
  std::unique_ptr<app::OnairServer> server_;
  std::uint16_t port_ = 0;
};

class ServerTest : public ::testing::TestWithParam<BackendSet> {
 protected:
  void SetUp() override;
  void TearDown() override;

  BackendSet backend_set() const { return GetParam(); }
  // Starts a node (several may run: the cross-node tests start two).
  TestNode& start(const NodeOptions& options = {});

  // A token for `session` signed with the servers' secret.
  static std::string token(const std::string& session, std::vector<std::string> roles = {"user"},
                           std::int64_t lifetime_seconds = 3600);
  static std::string new_session();
  // A name no other test (or concurrent run) uses: counters live in shared Redis.
  static std::string unique_name(const std::string& prefix);

  // POST `path` with a JSON body and, when not empty, a bearer token.
  static testing::HttpReply post(std::uint16_t port, const std::string& path, const boost::json::value& body,
                                 const std::string& bearer, testing::Headers headers = {});
  static testing::HttpReply post_raw(std::uint16_t port, const std::string& path, std::string body,
                                     const std::string& bearer, testing::Headers headers = {});

  std::filesystem::path dir_;       // private temporary directory
  std::filesystem::path web_root_;  // dir_/www
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

// Same as ServerTest but only for the servers set (cross-node tests).
class ServersOnlyTest : public ServerTest {};

// The error text of a JSON error body ({"status", "error"}), or "".
std::string error_of(const testing::HttpReply& reply);
std::string error_of(const boost::json::value& body);

}  // namespace onair::servertest
