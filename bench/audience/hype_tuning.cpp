// What the default parameters feel like: for each career phase (pool size),
// an hour of a simulated session (720 ticks of 5 s) with a game event every
// N ticks (content fading 2 % per tick), 10 runs each, 100 % simulated
// audience feeding the hype train. Prints hype trains per hour, their peak
// levels, mean engagement, follower candidates at the end and followers
// converted. Used to tune the defaults
// in src/showtime/engine/README.md; deterministic.
//
//   bench_audience_tuning [reaction_probability=0.1] [event_every_ticks...=24 60]
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "showtime/engine/audience_tick.hpp"
#include "showtime/engine/engine_config.hpp"
#include "showtime/engine/followers.hpp"
#include "showtime/engine/hype_train.hpp"
#include "showtime/engine/presets.hpp"

using namespace onair::showtime;

int main(int argc, char** argv) {
  const double reaction_probability = argc > 1 ? std::atof(argv[1]) : AudienceParams{}.reaction_probability;
  std::vector<int> schedules;
  for (int i = 2; i < argc; ++i) schedules.push_back(std::atoi(argv[i]));
  if (schedules.empty()) schedules = {24, 60};

  const auto ctx = make_default_context(42, 4096);
  const ShowtimeEngineConfig config;
  const auto events = default_game_event_tags();
  constexpr int kRuns = 10, kTicks = 720;
  std::printf("reaction_probability %.3f; one hour = %d ticks of %u s; %d runs per row\n", reaction_probability, kTicks,
              config.audience_tick_interval_seconds, kRuns);
  for (const int every : schedules) {
    std::printf("\na game event every %d ticks (%d s):\n", every, every * int(config.audience_tick_interval_seconds));
    std::printf("  %-10s %6s %12s %9s %9s %12s %11s %10s\n", "phase", "pool", "trains/hour", "avg peak", "max peak",
                "engagement", "candidates", "followers");
    for (int phase = 0; phase < 5; ++phase) {
      const auto p = static_cast<CareerPhase>(phase);
      int trains = 0, peak_sum = 0, peak_max = 0;
      double engagement = 0, candidates = 0, followers = 0;
      for (int run = 0; run < kRuns; ++run) {
        auto params = audience_params(config, p);
        params.personality_weights = ctx.personality_weights;
        params.reaction_probability = reaction_probability;
        AudiencePool pool(ctx.reservoir, pool_size_for(config, p), run + 1);
        Rng rng(std::uint64_t(run) * 77 + 1);
        HypeTrain hype(hype_params(config));
        ContentTags content;
        TagVocabulary tags = ctx.tags;
        content.raise(tags_for_event(events[std::size_t(run) % events.size()].event, tags));
        pool.fill(content, params, rng);
        TickReport r;
        for (int t = 1; t <= kTicks; ++t) {
          if (t % every == 0)
            content.raise(tags_for_event(events[std::size_t(t / every + run) % events.size()].event, tags));
          content.fade(0.02);
          r = tick(pool, content, params, rng);
          engagement += r.mean_engagement;
          hype.add_reactions(r.reactions);
          for (const auto& e : hype.tick(r.size)) {
            if (e.kind != HypeEvent::Kind::completed) continue;
            ++trains;
            peak_sum += e.peak_level;
            peak_max = std::max(peak_max, e.peak_level);
          }
        }
        candidates += r.candidates;
        followers +=
            double(select_follower_conversions(pool, params, 0, config.max_followers_per_streamer, rng).size());
      }
      std::printf("  %-10s %6u %12.1f %9.2f %9d %12.2f %11.1f %10.1f\n", std::string(to_string(p)).c_str(),
                  pool_size_for(config, p), trains / double(kRuns), trains ? double(peak_sum) / trains : 0.0, peak_max,
                  engagement / (kRuns * kTicks), candidates / kRuns, followers / kRuns);
    }
  }
  return 0;
}
