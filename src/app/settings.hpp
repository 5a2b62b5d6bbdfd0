#pragma once
// Turns the generated server configuration into the server's settings, and
// holds the decisions that are not one property's rule (the dev JWT secret).
#include <string_view>

#include "app/server.hpp"
#include "gen/server/configuration.hpp"

namespace onair::app {

// Used when ONAIR_JWT_SECRET is unset, so that `onair token` and `onair serve`
// agree on a development machine. Anyone can forge tokens with it.
inline constexpr std::string_view kDevelopmentJwtSecret = "onair-development-secret-never-use-in-production";

ServerSettings settings_from(const gen::server::ServerConfiguration& config);
// The signing secret: the configured one, or the development default.
std::string jwt_secret_of(const gen::server::ServerConfiguration& config);

}  // namespace onair::app
