#include "app/service_registry.hpp"

#include <stdexcept>

#include "gen/sample/configuration.hpp"
#include "sample/sample_service.hpp"

namespace onair::app {

std::vector<std::string> known_services() { return {"sample"}; }

std::unique_ptr<platform::Service> make_service(const std::string& name, platform::ServiceContext& context) {
  if (name == "sample") {
    return std::make_unique<sample::SampleService>(context, gen::sample::load_configuration(context.env));
  }
  throw std::invalid_argument("unknown service " + name);
}

std::vector<ServiceConfigurationView> describe_service_configurations(const core::EnvLookup& env) {
  return {{"sample", gen::sample::describe(gen::sample::load_configuration(env))}};
}

}  // namespace onair::app
