#pragma once
// The sample service: the smallest service that uses every part of the
// platform (schema models and validation, permissions with a session state,
// the state store with optimistic concurrency, a bus event, a client event).
// Disabled unless SAMPLE_SERVICE_ENABLED=true; copy it to start a new service.
#include "gen/sample/configuration.hpp"
#include "gen/sample/routes.hpp"
#include "platform/service.hpp"

namespace onair::sample {

class SampleService final : public platform::Service, public gen::sample::SampleApi {
 public:
  SampleService(platform::ServiceContext& context, gen::sample::SampleConfiguration config);

  std::string_view name() const override { return "sample"; }
  void register_routes(platform::RouteTable& routes) override;

  Task<gen::sample::SampleEchoResponse> echo(gen::sample::SampleEchoRequest request,
                                             const platform::CallContext& caller) override;
  Task<gen::sample::SampleCounterResponse> increment_counter(gen::sample::SampleIncrementCounterRequest request,
                                                             const platform::CallContext& caller) override;
  Task<gen::common::EmptyResponse> enter_session(const platform::CallContext& caller) override;
  Task<void> leave_session(const platform::CallContext& caller) override;
  Task<gen::sample::SampleGuardedResponse> guarded(const platform::CallContext& caller) override;
  Task<gen::sample::SampleCounterResponse> reset_counter(gen::sample::SampleResetCounterRequest request,
                                                         const platform::CallContext& caller) override;

 private:
  platform::ServiceContext& context_;
  gen::sample::SampleConfiguration config_;
};

}  // namespace onair::sample
