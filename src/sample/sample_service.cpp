#include "sample/sample_service.hpp"

#include <boost/json.hpp>
#include <cctype>

#include "core/errors.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/time.hpp"
#include "gen/sample/topics.hpp"

namespace onair::sample {
using namespace gen::sample;

namespace {
std::string counter_key(const std::string& name) { return "sample:counter:" + name; }
}  // namespace

SampleService::SampleService(platform::ServiceContext& context, SampleConfiguration config)
    : context_(context), config_(std::move(config)) {
  log::info("sample service ready", {{"greeting", config_.sample_greeting}});
}

void SampleService::register_routes(platform::RouteTable& routes) { gen::sample::register_routes(routes, *this); }

Task<SampleEchoResponse> SampleService::echo(SampleEchoRequest request, const platform::CallContext&) {
  const auto repeat = request.repeat.value_or(1);
  std::string message;
  for (std::int64_t i = 0; i < repeat; ++i) message += (i ? " " : "") + request.message;
  if (request.mood == SampleMood::excited) {
    for (auto& c : message) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  co_return SampleEchoResponse{std::move(message), repeat, now_rfc3339()};
}

Task<SampleCounterResponse> SampleService::increment_counter(SampleIncrementCounterRequest request,
                                                             const platform::CallContext& caller) {
  const auto by = request.by.value_or(1);
  const auto key = counter_key(request.name);
  std::int64_t value = 0;
  // Optimistic concurrency: re-read and retry when another writer won.
  for (int attempt = 0;; ++attempt) {
    if (attempt == 64) throw ApiError(503, "counter is too contended; retry");
    auto stored = co_await context_.state.get(key);
    const std::int64_t current = stored ? std::stoll(stored->data) : 0;
    if (current + by > config_.sample_counter_limit) throw conflict("counter would pass SAMPLE_COUNTER_LIMIT");
    value = current + by;
    if (co_await context_.state.set_if_version(key, std::to_string(value), stored ? stored->version : 0)) break;
  }
  const auto now = now_rfc3339();
  // Values go into locals before co_await: g++ 12 double-destroys some
  // temporaries of a co_await full-expression (see docs/decisions.md).
  const SampleCounterIncrementedEvent incremented{new_uuid(), now, request.name, value};
  auto event_json = incremented.to_json_text();
  co_await context_.bus.publish(std::string(kSampleCounterIncremented), std::move(event_json));
  SampleCounterChangedClientEvent changed;
  changed.event_id = new_uuid();
  changed.timestamp = now;
  changed.name = request.name;
  changed.value = value;
  auto changed_json = changed.to_json_text();
  co_await context_.client_events.push(caller.session_id, std::move(changed_json));
  co_return SampleCounterResponse{request.name, value};
}

Task<gen::common::EmptyResponse> SampleService::enter_session(const platform::CallContext& caller) {
  co_await context_.session_states.set(caller.session_id, "sample", "entered");
  co_return gen::common::EmptyResponse{};
}

Task<void> SampleService::leave_session(const platform::CallContext& caller) {
  co_await context_.session_states.clear(caller.session_id, "sample", "entered");
}

Task<SampleGuardedResponse> SampleService::guarded(const platform::CallContext&) {
  co_return SampleGuardedResponse{true};
}

Task<SampleCounterResponse> SampleService::reset_counter(SampleResetCounterRequest request,
                                                         const platform::CallContext&) {
  co_await context_.state.remove(counter_key(request.name));
  co_return SampleCounterResponse{request.name, 0};
}

}  // namespace onair::sample
