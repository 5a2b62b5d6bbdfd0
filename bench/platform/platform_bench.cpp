// Cost of the per-request platform work: token verification, permission
// checks, and generated model validation. Run: build/release/bench/bench_platform
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "gen/sample/models.hpp"
#include "platform/access_token.hpp"
#include "platform/permissions.hpp"

namespace {
using namespace onair;

void BM_TokenVerify(benchmark::State& state) {
  platform::TokenSigner signer("benchmark-secret-benchmark-secret-00");
  auto token = signer.mint({"account", "session", {"user"}, 0, 4'000'000'000});
  for (auto _ : state) benchmark::DoNotOptimize(signer.verify(token, 1'800'000'000));
}
BENCHMARK(BM_TokenVerify);

void BM_PermissionCheck(benchmark::State& state) {
  platform::RouteSpec route{"voice", "/voice/x", "x", {{"user", {{"voice", "in_room"}}}, {"admin", {}}}};
  platform::SessionStateMap states{{"voice", "in_room"}};
  std::vector<std::string> roles{"user"};
  for (auto _ : state) benchmark::DoNotOptimize(platform::check_permission(route, roles, states));
}
BENCHMARK(BM_PermissionCheck);

void BM_ParseAndValidateRequest(benchmark::State& state) {
  const std::string body = R"({"message":"hello there","repeat":3,"tags":["a","b"],"mood":"calm"})";
  for (auto _ : state) {
    auto v = boost::json::parse(body);
    benchmark::DoNotOptimize(gen::sample::SampleEchoRequest::from_json(v));
  }
}
BENCHMARK(BM_ParseAndValidateRequest);

}  // namespace

BENCHMARK_MAIN();
