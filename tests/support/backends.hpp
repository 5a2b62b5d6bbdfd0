#pragma once
// Which real servers the tests may use. The test scripts (scripts/test.sh)
// start Redis, RabbitMQ and MariaDB on loopback and export their URLs:
//   ONAIR_TEST_REDIS_URL     redis://127.0.0.1:PORT/0
//   ONAIR_TEST_RABBITMQ_URL  amqp://guest:guest@127.0.0.1:PORT/%2f
//   ONAIR_TEST_MARIADB_URL   mysql://root:@127.0.0.1:PORT/onair_test
//   ONAIR_TEST_RABBITMQ_CTL  command that restarts the broker: "<ctl> stop|start"
// A real-server test whose URL is missing is skipped with the reason, except
// under CI (CI=true), where that is a failure: CI must not skip them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace onair::testing {

inline std::string backend_url(const char* env_name) {
  const char* v = std::getenv(env_name);
  return v ? std::string(v) : std::string();
}

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

}  // namespace onair::testing

// Use at the top of a test body that needs a real server.
#define ONAIR_REQUIRE_SERVER(env_name)                                                         \
  do {                                                                                         \
    if (::onair::testing::backend_url(env_name).empty()) {                                     \
      if (::onair::testing::running_in_ci()) FAIL() << env_name " is not set under CI";       \
      GTEST_SKIP() << env_name " is not set: run through scripts/test.sh, which starts the server"; \
    }                                                                                          \
  } while (0)
