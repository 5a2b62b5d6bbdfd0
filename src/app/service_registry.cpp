#include "app/service_registry.hpp"

#include <stdexcept>

#include "gen/sample/configuration.hpp"
#include "gen/showtime/configuration.hpp"
#include "gen/stream/configuration.hpp"
#include "gen/voice/configuration.hpp"
#include "sample/sample_service.hpp"
#include "showtime/service/showtime_service.hpp"
#include "stream/service/stream_service.hpp"
#include "voice/voice_service.hpp"

namespace onair::app {

std::vector<std::string> known_services() { return {"sample", "voice", "stream", "showtime"}; }

std::unique_ptr<platform::Service> make_service(const std::string& name, platform::ServiceContext& context) {
  if (name == "sample") {
    return std::make_unique<sample::SampleService>(context, gen::sample::load_configuration(context.env));
  }
  if (name == "voice") {
    return std::make_unique<voice::VoiceService>(context, gen::voice::load_configuration(context.env));
  }
  if (name == "stream") {
    return std::make_unique<stream::StreamService>(context, gen::stream::load_configuration(context.env));
  }
  if (name == "showtime") {
    return std::make_unique<showtime::ShowtimeService>(context, gen::showtime::load_configuration(context.env));
  }
  throw std::invalid_argument("unknown service " + name);
}

std::vector<ServiceConfigurationView> describe_service_configurations(const core::EnvLookup& env) {
  return {{"sample", gen::sample::describe(gen::sample::load_configuration(env))},
          {"voice", gen::voice::describe(gen::voice::load_configuration(env))},
          {"stream", gen::stream::describe(gen::stream::load_configuration(env))},
          {"showtime", gen::showtime::describe(gen::showtime::load_configuration(env))}};
}

}  // namespace onair::app
