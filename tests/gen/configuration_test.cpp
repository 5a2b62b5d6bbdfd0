// The configuration generated from schemas/server-configuration.yaml and
// sample-configuration.yaml: defaults, parsing, errors naming the variable and
// the rule, and secrets kept out of errors and descriptions.
#include "gen/sample/configuration.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "core/config_support.hpp"
#include "gen/server/configuration.hpp"

namespace onair::gen {
namespace {
using core::ConfigError;
using core::map_env;

// The ConfigError message loading `vars` gives ("" when it loads).
std::string server_error(std::map<std::string, std::string, std::less<>> vars) {
  try {
    server::load_configuration(map_env(std::move(vars)));
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(e.env() + ": ", 0), 0u) << e.what();
    return e.what();
  }
  return "";
}

const core::ConfigEntry& entry(const std::vector<core::ConfigEntry>& entries, std::string_view env) {
  for (const auto& e : entries) {
    if (e.env == env) return e;
  }
  throw std::out_of_range(std::string(env));
}

TEST(ServerConfiguration, DefaultsWhenNothingIsSet) {
  const auto c = server::load_configuration(map_env({}));
  EXPECT_EQ(c, server::ServerConfiguration{});
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.bind_address, "127.0.0.1");
  EXPECT_EQ(c.io_threads, 1);
  EXPECT_EQ(c.blocking_threads, 4);
  EXPECT_FALSE(c.jwt_secret.has_value());
  EXPECT_FALSE(c.development_mode);
  EXPECT_EQ(c.state_backend, server::StateBackend::memory);
  EXPECT_EQ(c.redis_url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(c.sql_backend, server::SqlBackend::sqlite);
  EXPECT_EQ(c.sqlite_path, "onair.db");
  EXPECT_EQ(c.mariadb_url, "mysql://onair:@127.0.0.1:3306/onair");
  EXPECT_EQ(c.bus_backend, server::BusBackend::inprocess);
  EXPECT_EQ(c.rabbitmq_url, "amqp://guest:guest@127.0.0.1:5672/%2f");
  EXPECT_EQ(c.lock_backend, server::LockBackend::memory);
  EXPECT_EQ(c.body_limit_bytes, 1048576);
  EXPECT_EQ(c.header_timeout_seconds, 10);
  EXPECT_EQ(c.idle_timeout_seconds, 60);
  EXPECT_EQ(c.web_socket_max_message_bytes, 262144);
  EXPECT_EQ(c.web_root, "web");
  EXPECT_EQ(c.log_level, server::LogLevel::info);
  EXPECT_EQ(c.shutdown_drain_seconds, 10);
  EXPECT_TRUE(c.voice_service_enabled);
  EXPECT_TRUE(c.stream_service_enabled);
  EXPECT_TRUE(c.showtime_service_enabled);
  EXPECT_FALSE(c.sample_service_enabled);
}

TEST(ServerConfiguration, ReadsEveryType) {
  const auto c = server::load_configuration(map_env({
      {"ONAIR_PORT", "9090"},
      {"ONAIR_BIND_ADDRESS", "0.0.0.0"},
      {"ONAIR_JWT_SECRET", std::string(40, 's')},
      {"ONAIR_DEVELOPMENT_MODE", "TRUE"},
      {"ONAIR_STATE_BACKEND", "redis"},
      {"ONAIR_LOG_LEVEL", "Debug"},  // enums match case-insensitively
      {"ONAIR_SHUTDOWN_DRAIN_SECONDS", "0"},
      {"VOICE_SERVICE_ENABLED", "no"},
      {"STREAM_SERVICE_ENABLED", "0"},
      {"SAMPLE_SERVICE_ENABLED", "Yes"},
  }));
  EXPECT_EQ(c.port, 9090);
  EXPECT_EQ(c.bind_address, "0.0.0.0");
  EXPECT_EQ(c.jwt_secret, std::string(40, 's'));
  EXPECT_TRUE(c.development_mode);
  EXPECT_EQ(c.state_backend, server::StateBackend::redis);
  EXPECT_EQ(c.log_level, server::LogLevel::debug);
  EXPECT_EQ(c.shutdown_drain_seconds, 0);
  EXPECT_FALSE(c.voice_service_enabled);
  EXPECT_FALSE(c.stream_service_enabled);
  EXPECT_TRUE(c.showtime_service_enabled);
  EXPECT_TRUE(c.sample_service_enabled);
}

TEST(ServerConfiguration, BadInteger) {
  EXPECT_EQ(server_error({{"ONAIR_PORT", "http"}}),
            R"(ONAIR_PORT: must be an integer between 1 and 65535 (got "http"))");
  EXPECT_EQ(server_error({{"ONAIR_PORT", "80.5"}}),
            R"(ONAIR_PORT: must be an integer between 1 and 65535 (got "80.5"))");
  EXPECT_EQ(server_error({{"ONAIR_PORT", ""}}), R"(ONAIR_PORT: must be an integer between 1 and 65535 (got ""))");
}

TEST(ServerConfiguration, OutOfRange) {
  EXPECT_EQ(server_error({{"ONAIR_PORT", "70000"}}),
            R"(ONAIR_PORT: must be an integer between 1 and 65535 (got "70000"))");
  EXPECT_EQ(server_error({{"ONAIR_PORT", "0"}}), R"(ONAIR_PORT: must be an integer between 1 and 65535 (got "0"))");
  EXPECT_EQ(server_error({{"ONAIR_IO_THREADS", "65"}}),
            R"(ONAIR_IO_THREADS: must be an integer between 1 and 64 (got "65"))");
  EXPECT_EQ(server_error({{"ONAIR_PORT", "99999999999999999999"}}),
            R"(ONAIR_PORT: must be an integer between 1 and 65535 (got "99999999999999999999"))");
  EXPECT_EQ(server_error({{"ONAIR_PORT", "65535"}, {"ONAIR_IO_THREADS", " 64 "}}), "");
}

TEST(ServerConfiguration, BadEnum) {
  EXPECT_EQ(server_error({{"ONAIR_STATE_BACKEND", "mongo"}}),
            R"(ONAIR_STATE_BACKEND: must be one of memory, redis (got "mongo"))");
  EXPECT_EQ(server_error({{"ONAIR_LOG_LEVEL", "verbose"}}),
            R"(ONAIR_LOG_LEVEL: must be one of trace, debug, info, warn, error, off (got "verbose"))");
}

TEST(ServerConfiguration, BadBoolean) {
  EXPECT_EQ(server_error({{"VOICE_SERVICE_ENABLED", "yes please"}}),
            R"(VOICE_SERVICE_ENABLED: must be true or false (got "yes please"))");
}

TEST(ServerConfiguration, ShownValuesAreEscaped) {
  EXPECT_EQ(server_error({{"ONAIR_PORT", "a\"b\n"}}),
            R"(ONAIR_PORT: must be an integer between 1 and 65535 (got "a\"b\n"))");
}

TEST(ServerConfiguration, SecretNeverInErrorMessage) {
  const std::string secret = "short-secret-value";
  const auto message = server_error({{"ONAIR_JWT_SECRET", secret}});
  EXPECT_EQ(message, "ONAIR_JWT_SECRET: must be at least 32 characters (value hidden)");
  EXPECT_EQ(message.find(secret), std::string::npos);
}

TEST(ServerConfiguration, EmptyNullableMeansUnset) {
  const auto c = server::load_configuration(map_env({{"ONAIR_JWT_SECRET", ""}}));
  EXPECT_FALSE(c.jwt_secret.has_value());
}

TEST(ServerConfiguration, DescribeMasksSecrets) {
  const std::string jwt(48, 'k');
  const std::string redis = "redis://:hunter2-password@10.0.0.5:6379/0";
  const auto c = server::load_configuration(map_env({{"ONAIR_JWT_SECRET", jwt}, {"ONAIR_REDIS_URL", redis}}));
  const auto entries = server::describe(c);
  EXPECT_EQ(entries.size(), 25u);
  for (const auto& e : entries) {
    EXPECT_EQ(e.value.find("hunter2"), std::string::npos) << e.env;
    EXPECT_EQ(e.value.find(jwt), std::string::npos) << e.env;
    EXPECT_FALSE(e.description.empty()) << e.env;
  }
  const auto& jwt_entry = entry(entries, "ONAIR_JWT_SECRET");
  EXPECT_EQ(jwt_entry.property, "JwtSecret");
  EXPECT_TRUE(jwt_entry.secret);
  EXPECT_FALSE(jwt_entry.is_default);
  EXPECT_EQ(jwt_entry.value, "****(48 chars)");
  EXPECT_TRUE(entry(entries, "ONAIR_REDIS_URL").secret);
  EXPECT_TRUE(entry(entries, "ONAIR_MARIADB_URL").secret);
  EXPECT_TRUE(entry(entries, "ONAIR_RABBITMQ_URL").secret);
  EXPECT_TRUE(entry(entries, "ONAIR_RABBITMQ_URL").is_default);
  EXPECT_NE(entry(entries, "ONAIR_RABBITMQ_URL").value.find("****"), std::string::npos);
  const auto& port = entry(entries, "ONAIR_PORT");
  EXPECT_EQ(port.value, "8080");
  EXPECT_TRUE(port.is_default);
  EXPECT_FALSE(port.secret);
  EXPECT_EQ(entry(entries, "ONAIR_STATE_BACKEND").value, "memory");
  EXPECT_EQ(entry(entries, "VOICE_SERVICE_ENABLED").value, "true");
}

TEST(ServerConfiguration, DescribeShowsUnsetNullable) {
  const auto entries = server::describe(server::ServerConfiguration{});
  EXPECT_EQ(entry(entries, "ONAIR_JWT_SECRET").value, "(unset)");
  EXPECT_TRUE(entry(entries, "ONAIR_JWT_SECRET").is_default);
}

TEST(ServerConfiguration, EnumHelpers) {
  EXPECT_EQ(server::to_string(server::LogLevel::off), "off");
  EXPECT_EQ(server::parse_log_level("warn"), server::LogLevel::warn);
  EXPECT_EQ(server::parse_bus_backend("kafka"), std::nullopt);
}

TEST(ServerConfiguration, ProcessEnvironment) {
  ::setenv("ONAIR_GEN_TEST_VARIABLE", "42", 1);
  const auto env = core::process_env();
  EXPECT_EQ(env("ONAIR_GEN_TEST_VARIABLE"), "42");
  ::unsetenv("ONAIR_GEN_TEST_VARIABLE");
  EXPECT_EQ(env("ONAIR_GEN_TEST_VARIABLE"), std::nullopt);
}

TEST(SampleConfiguration, DefaultsAndLimits) {
  const auto c = sample::load_configuration(map_env({}));
  EXPECT_EQ(c.sample_counter_limit, 1000000);
  EXPECT_EQ(c.sample_greeting, "hello");
  EXPECT_EQ(sample::load_configuration(map_env({{"SAMPLE_COUNTER_LIMIT", "1000000000"}})).sample_counter_limit,
            1000000000);
  try {
    sample::load_configuration(map_env({{"SAMPLE_COUNTER_LIMIT", "1000000001"}}));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), R"(SAMPLE_COUNTER_LIMIT: must be an integer between 1 and 1000000000 (got "1000000001"))");
    EXPECT_EQ(e.env(), "SAMPLE_COUNTER_LIMIT");
  }
  const auto entries = sample::describe(sample::load_configuration(map_env({{"SAMPLE_GREETING", "hi"}})));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].property, "SampleGreeting");
  EXPECT_EQ(entries[1].value, "hi");
  EXPECT_FALSE(entries[1].is_default);
}

}  // namespace
}  // namespace onair::gen
