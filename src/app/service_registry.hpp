#pragma once
// The services onair can run, by name. Adding a service: write its schemas,
// implement its generated <Svc>Api, and add one entry here.
#include <memory>
#include <string>
#include <vector>

#include "core/config_support.hpp"
#include "platform/service.hpp"

namespace onair::app {

// Names in start order (lower layers first): sample, voice, stream, showtime.
std::vector<std::string> known_services();
// Creates the service; throws core::ConfigError for a bad configuration value.
std::unique_ptr<platform::Service> make_service(const std::string& name, platform::ServiceContext& context);

}  // namespace onair::app

namespace onair::app {

struct ServiceConfigurationView {
  std::string service;
  std::vector<core::ConfigEntry> entries;
};
// Every service's configuration as read from `env` (secrets masked); throws core::ConfigError.
std::vector<ServiceConfigurationView> describe_service_configurations(const core::EnvLookup& env);

}  // namespace onair::app
