#pragma once
// The services onair can run, by name. Adding a service: write its schemas,
// implement its generated <Svc>Api, and add one entry here.
#include <memory>
#include <string>
#include <vector>

#include "platform/service.hpp"

namespace onair::app {

// Names in start order (lower layers first): sample, voice, stream, showtime.
std::vector<std::string> known_services();
// Creates the service; throws core::ConfigError for a bad configuration value.
std::unique_ptr<platform::Service> make_service(const std::string& name, platform::ServiceContext& context);

}  // namespace onair::app
