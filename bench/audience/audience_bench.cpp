// The audience engine's cost curve on one core (issue 4): member-updates per
// second for pools of 10 k, 100 k, 1 M and 10 M members with each kernel
// (scalar, AVX2, AVX-512), the
// bytes of state per member, and the CPU share of a 10 M pool ticking at 1 Hz.
// Full ticks are measured (matching, decay, candidacy, counts, churn with
// reservoir draws, refill), with the stream's content changing every 10 ticks
// so members keep gaining, decaying and churning; one benchmark iteration is
// one whole cycle of 20 ticks, so every run measures the same mix.
//
// Run: build/<release>/bench/bench_audience [--benchmark_filter=...]
// Counters: items_per_second = member-updates/s; hot_B/member = bytes a tick
// reads; B/member = all column bytes per member (capacity / size);
// tick_ms = CPU time of one tick of the whole pool; cpu%_at_1Hz = tick_ms / 1 s.
#include <benchmark/benchmark.h>

#include <ctime>
#include <memory>

#include "showtime/engine/audience_tick.hpp"
#include "showtime/engine/hype_train.hpp"
#include "showtime/engine/pool_codec.hpp"
#include "showtime/engine/presets.hpp"

namespace {

using namespace onair::showtime;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

constexpr int kCycle = 20;  // ticks per benchmark iteration

// tick_ms: CPU time of one tick of the whole pool; cpu%_at_1Hz: that time as a
// share of one core when the pool ticks once a second.
void tick_counters(benchmark::State& state, double cpu_seconds, int ticks_per_iteration) {
  const double per_tick = cpu_seconds / double(state.iterations()) / ticks_per_iteration;
  state.counters["tick_ms"] = per_tick * 1e3;
  state.counters["cpu%_at_1Hz"] = per_tick * 100.0;
}

struct Fixture {
  Fixture(std::size_t size, bool weighted) : ctx(make_default_context(42, 4096)), pool(ctx.reservoir, 0, 7), rng(9) {
    params.personality_weights = ctx.personality_weights;
    params.follower_watch_ticks = 360;
    content[0].raise(tags_for_event("combat_encounter", ctx.tags));
    content[0].raise(tags_for_event("boss_defeat", ctx.tags), 0.6);
    content[1].raise(tags_for_event("item_crafting", ctx.tags));
    content[1].raise(tags_for_event("trade", ctx.tags), 0.4);
    if (weighted) {  // per-tag weights on several bit planes (the slow case of the match)
      for (std::size_t t = 0; t < ctx.tags.size(); ++t) params.tag_weights[t] = 0.3 + 0.07 * double(t % 11);
    }
    pool.set_target_size(static_cast<std::uint32_t>(size));
    pool.reserve(size + size / 64);
    pool.fill(content[0], params, rng);
    for (int i = 0; i < 2 * kCycle; ++i) step();  // past the start: some churn, engagement spread
  }

  TickReport step() {
    ++ticks;
    return tick(pool, content[(ticks / 10) % 2], params, rng);
  }

  AudienceContext ctx;
  AudiencePool pool;
  Rng rng;
  AudienceParams params;
  ContentTags content[2];
  std::uint64_t ticks = 0;
};

void run(benchmark::State& state, TickKernel kernel, bool weighted) {
  if (!tick_kernel_available(kernel)) {
    state.SkipWithError("kernel not available on this CPU");
    return;
  }
  const auto size = static_cast<std::size_t>(state.range(0));
  Fixture f(size, weighted);
  f.params.kernel = kernel;
  std::uint64_t churned = 0;
  const double cpu0 = thread_cpu_seconds();
  for (auto _ : state) {
    for (int t = 0; t < kCycle; ++t) {
      const auto r = f.step();
      churned += r.left;
      benchmark::DoNotOptimize(r.engaged);
    }
  }
  tick_counters(state, thread_cpu_seconds() - cpu0, kCycle);
  const double ticks = double(state.iterations()) * kCycle;
  state.SetItemsProcessed(static_cast<std::int64_t>(ticks * double(size)));
  state.counters["hot_B/member"] = double(AudiencePool::kHotBytesPerMember);
  state.counters["B/member"] = double(f.pool.memory_bytes()) / double(f.pool.size());
  state.counters["churn/tick"] = double(churned) / ticks;
  state.SetLabel(to_string(kernel));
}

void BM_Tick_Scalar(benchmark::State& state) { run(state, TickKernel::scalar, false); }
void BM_Tick_Avx2(benchmark::State& state) { run(state, TickKernel::avx2, false); }
void BM_Tick_Avx512(benchmark::State& state) { run(state, TickKernel::avx512, false); }
void BM_Tick_WeightedTags_Scalar(benchmark::State& state) { run(state, TickKernel::scalar, true); }
void BM_Tick_WeightedTags_Avx2(benchmark::State& state) { run(state, TickKernel::avx2, true); }
void BM_Tick_WeightedTags_Avx512(benchmark::State& state) { run(state, TickKernel::avx512, true); }

#define ONAIR_POOL_SIZES ->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_Tick_Scalar) ONAIR_POOL_SIZES;
BENCHMARK(BM_Tick_Avx2) ONAIR_POOL_SIZES;
BENCHMARK(BM_Tick_Avx512) ONAIR_POOL_SIZES;
BENCHMARK(BM_Tick_WeightedTags_Scalar)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Tick_WeightedTags_Avx2)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Tick_WeightedTags_Avx512)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Many small sessions (the realistic shape: 10 000 sessions x 1 000 members),
// one tick of each per iteration.
void BM_Tick_ManySessions(benchmark::State& state) {
  const std::size_t sessions = 10'000, members = 1'000;
  auto ctx = make_default_context(42, 4096);
  AudienceParams params;
  params.personality_weights = ctx.personality_weights;
  ContentTags content;
  content.raise(tags_for_event("combat_encounter", ctx.tags));
  std::vector<AudiencePool> pools;
  std::vector<Rng> rngs;
  pools.reserve(sessions);
  for (std::size_t s = 0; s < sessions; ++s) {
    pools.emplace_back(ctx.reservoir, static_cast<std::uint32_t>(members), s + 1);
    rngs.emplace_back(s + 1);
    pools.back().fill(content, params, rngs.back());
  }
  const double cpu0 = thread_cpu_seconds();
  for (auto _ : state) {
    for (std::size_t s = 0; s < sessions; ++s) benchmark::DoNotOptimize(tick(pools[s], content, params, rngs[s]).size);
  }
  tick_counters(state, thread_cpu_seconds() - cpu0, 1);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * sessions * members));
}
BENCHMARK(BM_Tick_ManySessions)->Unit(benchmark::kMillisecond);

void BM_StateHash(benchmark::State& state) {
  Fixture f(static_cast<std::size_t>(state.range(0)), false);
  for (auto _ : state) benchmark::DoNotOptimize(state_hash(f.pool));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_StateHash)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_Checkpoint(benchmark::State& state) {
  Fixture f(static_cast<std::size_t>(state.range(0)), false);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto blob = encode_pool(f.pool, &f.rng);
    bytes = blob.size();
    benchmark::DoNotOptimize(blob.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_Checkpoint)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_HypeTrainTick(benchmark::State& state) {
  HypeTrain train;
  SentimentCounts reactions{};
  reactions[0] = 4;
  reactions[5] = 2;
  for (auto _ : state) {
    train.add_reactions(reactions);
    train.add_entry(Sentiment::excited, 0.9, 2.0);
    benchmark::DoNotOptimize(train.tick(400).size());
  }
}
BENCHMARK(BM_HypeTrainTick);

}  // namespace

BENCHMARK_MAIN();
