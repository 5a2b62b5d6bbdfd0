// The `onair` command: serve, token, simulate, openapi, version, config.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <iostream>

#include "app/server.hpp"
#include "app/service_registry.hpp"
#include "app/settings.hpp"
#include "app/simulate.hpp"
#include "core/logging.hpp"
#include "gen/openapi.hpp"
#include "platform/access_token.hpp"

namespace {
using namespace onair;

constexpr std::string_view kVersion = "0.1.0";

gen::server::ServerConfiguration load_or_exit(const core::EnvLookup& env) {
  try {
    return gen::server::load_configuration(env);
  } catch (const core::ConfigError& e) {
    std::cerr << "onair: invalid configuration: " << e.what() << "\n";
    std::exit(2);
  }
}

void warn_if_development_secret(const gen::server::ServerConfiguration& config) {
  if (config.jwt_secret) return;
  log::warn(
      "ONAIR_JWT_SECRET is not set: using the built-in DEVELOPMENT secret. Anyone can mint tokens for this "
      "server. Set ONAIR_JWT_SECRET (32+ random characters) before exposing it.");
}

int serve(const core::EnvLookup& env) {
  auto config = load_or_exit(env);
  init_logging(gen::server::to_string(config.log_level));
  warn_if_development_secret(config);
  try {
    // Services read their own configuration: check it all before listening.
    app::describe_service_configurations(env);
    app::OnairServer server(app::settings_from(config), env);
    server.start();
    boost::asio::io_context signals_io;
    boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int signal) {
      log::info("signal received; shutting down", {{"signal", std::to_string(signal)}});
    });
    signals_io.run();
    server.stop();
    return 0;
  } catch (const core::ConfigError& e) {
    std::cerr << "onair: invalid configuration: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    log::error("startup failed", {{"error", e.what()}});
    std::cerr << "onair: " << e.what() << "\n";
    return 1;
  }
}

int print_config(const core::EnvLookup& env) {
  auto print = [](std::string_view title, const std::vector<core::ConfigEntry>& entries) {
    std::cout << "[" << title << "]\n";
    for (const auto& e : entries) {
      std::cout << "  " << e.env << "=" << e.value << (e.is_default ? "  (default)" : "") << "\n";
    }
  };
  auto config = load_or_exit(env);
  print("server", gen::server::describe(config));
  try {
    for (const auto& view : app::describe_service_configurations(env)) print(view.service, view.entries);
  } catch (const core::ConfigError& e) {
    std::cerr << "onair: invalid configuration: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"onair: voice rooms, live-streaming integration and an audience metagame for game backends"};
  cli.require_subcommand(1);
  auto env = core::process_env();

  cli.add_subcommand("serve", "Run the server (configuration from environment variables; see `onair config`)")
      ->callback([&] { std::exit(serve(env)); });

  auto* token = cli.add_subcommand("token", "Mint an access token signed with ONAIR_JWT_SECRET");
  std::vector<std::string> roles{"user"};
  std::string account, session;
  std::int64_t ttl = 3600;
  token->add_option("--role", roles, "Role(s): user, developer, admin, service")->take_all();
  token->add_option("--account", account, "Account id (sub)")->required();
  token->add_option("--session", session, "Session id (sid); omit to let the WebSocket assign one");
  token->add_option("--ttl", ttl, "Lifetime in seconds")->check(CLI::Range(1, 366 * 24 * 3600));
  token->callback([&] {
    auto config = load_or_exit(env);
    if (!config.jwt_secret)
      std::cerr << "onair: warning: ONAIR_JWT_SECRET is unset; signing with the development secret\n";
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    try {
      platform::TokenSigner signer(app::jwt_secret_of(config));
      std::cout << signer.mint(platform::AccessClaims{account, session, roles, now, now + ttl}) << "\n";
    } catch (const std::invalid_argument& e) {
      std::cerr << "onair: " << e.what() << "\n";
      std::exit(2);
    }
  });

  app::add_simulate_command(cli, env);

  cli.add_subcommand("openapi", "Print the merged OpenAPI document of every service")->callback([] {
    std::cout << gen::merged_openapi_json() << "\n";
  });
  cli.add_subcommand("version", "Print the version")->callback([] { std::cout << "onair " << kVersion << "\n"; });
  cli.add_subcommand("config", "Print the effective configuration (secrets masked)")->callback([&] {
    std::exit(print_config(env));
  });

  CLI11_PARSE(cli, argc, argv);
  return 0;
}
