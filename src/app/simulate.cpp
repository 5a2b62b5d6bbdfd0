// `onair simulate`: sessions as the showtime service runs them (LiveSession,
// the same step() its AudienceTickWorker calls), driven by the command line
// instead of requests and workers.
#include "app/simulate.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gen/showtime/configuration.hpp"
#include "showtime/engine/followers.hpp"
#include "showtime/engine/presets.hpp"
#include "showtime/service/live_session.hpp"
#include "showtime/service/session_migration.hpp"

namespace onair::app {
namespace {

using namespace onair::showtime;

struct SimulateOptions {
  std::uint64_t seed = 1;
  std::uint32_t ticks = 720;
  std::uint32_t sessions = 1;
  std::uint32_t members = 0;  // 0: the phase's pool size
  std::string phase = "unknown";
  std::string game_service = "simulate";
  std::vector<std::string> tags;
  std::vector<std::string> events;       // NAME@TICK
  std::uint32_t event_every = 0;         // a default game event every K ticks
  std::vector<std::string> hype;         // CATEGORY:COUNT@TICK
  std::optional<std::uint32_t> trigger;  // hype trigger threshold of the sessions
  std::uint32_t every = 60;              // a line every K ticks; 0: summary only
};

struct EventAt {
  std::string name;
  std::uint32_t tick = 0;
};
struct HypeAt {
  Sentiment category = Sentiment::excited;
  std::uint32_t count = 0;
  std::uint32_t tick = 0;
};

[[noreturn]] void refuse(const std::string& message) {
  std::cerr << "onair simulate: " << message << "\n";
  std::exit(2);
}

std::optional<std::uint32_t> parse_u32(const std::string& text, std::uint32_t min, std::uint32_t max) {
  if (text.empty() || text.size() > 10 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const auto v = std::strtoull(text.c_str(), nullptr, 10);
  if (v < min || v > max) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

// "...@TICK": the part before the last '@' and the tick (1..ticks).
std::pair<std::string, std::uint32_t> split_at_tick(const std::string& spec, const char* option, const char* form,
                                                    std::uint32_t ticks) {
  const auto at = spec.rfind('@');
  if (at == std::string::npos) refuse(std::string(option) + " '" + spec + "': expected " + form);
  const auto tick = parse_u32(spec.substr(at + 1), 1, ticks);
  if (!tick)
    refuse(std::string(option) + " '" + spec + "': the tick must be 1.." + std::to_string(ticks) + " (" + form + ")");
  return {spec.substr(0, at), *tick};
}

bool valid_tag(const std::string& tag) {
  if (tag.empty() || tag.size() > 64) return false;
  const auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && (c == '_' || c == '-'));
  };
  for (std::size_t i = 0; i < tag.size(); ++i)
    if (!ok(tag[i], i == 0)) return false;
  return true;
}

// Pool hash plus the hype train's state, folded over the sessions.
std::uint64_t fold(std::uint64_t h, std::uint64_t word) { return mix64(h ^ word) + 0x9e3779b97f4a7c15ULL; }

std::uint64_t session_hash(const LiveSession& s) {
  std::uint64_t h = state_hash(s.pool);
  const auto& hs = s.hype.state();
  h = fold(h, hs.now);
  h = fold(h, hs.train);
  h = fold(h, static_cast<std::uint64_t>(hs.level));
  h = fold(h, static_cast<std::uint64_t>(hs.peak_level));
  h = fold(h, std::bit_cast<std::uint64_t>(hs.score));
  h = fold(h, s.content.mask());
  return h;
}

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

int run(const SimulateOptions& o, const core::EnvLookup& env) {
  gs::ShowtimeConfiguration settings;
  try {
    settings = gs::load_configuration(env);
  } catch (const core::ConfigError& e) {
    refuse(std::string("invalid configuration: ") + e.what());
  }
  const auto config = engine_config(settings);
  const auto phase = parse_career_phase(o.phase);
  if (!phase) refuse("--phase '" + o.phase + "': expected unknown, rising, popular, celebrity or legend");
  for (const auto& t : o.tags)
    if (!valid_tag(t)) refuse("--tags '" + t + "': a tag is [a-z0-9][a-z0-9_-]* (at most 64 characters)");

  std::vector<EventAt> events;
  for (const auto& spec : o.events) {
    auto [name, tick] = split_at_tick(spec, "--event", "NAME@TICK, e.g. boss_defeat@30", o.ticks);
    if (name.empty()) refuse("--event '" + spec + "': the event name is empty");
    events.push_back({name, tick});
  }
  std::vector<HypeAt> hype;
  for (const auto& spec : o.hype) {
    constexpr const char* form = "CATEGORY:COUNT@TICK, e.g. excited:20@5";
    auto [head, tick] = split_at_tick(spec, "--hype", form, o.ticks);
    const auto colon = head.find(':');
    if (colon == std::string::npos) refuse("--hype '" + spec + "': expected " + form);
    const auto category = parse_sentiment(head.substr(0, colon));
    if (!category)
      refuse("--hype '" + spec +
             "': the category is one of excited, supportive, critical, curious, surprised, amused, bored, hostile");
    const auto count = parse_u32(head.substr(colon + 1), 1, 1000);
    if (!count) refuse("--hype '" + spec + "': the count must be 1..1000 (" + form + ")");
    hype.push_back({*category, *count, tick});
  }

  const auto members = o.members ? o.members : pool_size_for(config, *phase);
  if (std::uint64_t(members) * o.sessions > 50'000'000ULL)
    refuse("--sessions x pool size is " + std::to_string(std::uint64_t(members) * o.sessions) +
           " members; at most 50,000,000");
  auto context = std::make_shared<const AudienceContext>(
      make_default_context(game_service_seed(o.game_service), 4096, config.engagement_decay_base_rate));
  const auto game_events = default_game_event_tags();

  std::vector<std::unique_ptr<LiveSession>> sessions;
  for (std::uint32_t i = 0; i < o.sessions; ++i) {
    SessionRecord record;
    record.id = "simulate-" + std::to_string(i + 1);
    record.streamer = StreamerRef{"simulated", std::to_string(i + 1)};
    record.game_service_id = o.game_service;
    record.career_phase = to_gen(*phase);
    record.seed = o.sessions == 1 ? o.seed : mix64(o.seed + i);
    record.target_size = members;
    auto s = create_live_session(std::move(record), context, o.tags, config);
    if (o.trigger) {
      s->trigger_threshold = o.trigger;
      s->hype.set_params(session_hype_params(*s, config));
    }
    sessions.push_back(std::move(s));
  }

  std::printf(
      "onair simulate: %u session(s) x %u members (%s), %u ticks of %u s (%.1f min), seed %llu, game service "
      "\"%s\", tags [",
      o.sessions, members, std::string(to_string(*phase)).c_str(), o.ticks, config.audience_tick_interval_seconds,
      o.ticks * double(config.audience_tick_interval_seconds) / 60.0, static_cast<unsigned long long>(o.seed),
      o.game_service.c_str());
  for (std::size_t i = 0; i < o.tags.size(); ++i) std::printf("%s%s", i ? " " : "", o.tags[i].c_str());
  std::printf("]\n");
  if (o.every)
    std::printf("%7s %10s %9s %10s %10s %10s %6s %7s\n", "tick", "audience", "engaged", "engagement", "candidates",
                "reactions", "hype", "trains");

  std::uint64_t member_updates = 0;
  std::uint32_t reactions = 0;
  std::uint64_t migrated = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint32_t t = 1; t <= o.ticks; ++t) {
    std::uint64_t size = 0, engaged = 0, candidates = 0;
    double engagement_sum = 0.0;
    int hype_level = 0;
    std::uint32_t trains = 0;
    for (std::uint32_t i = 0; i < sessions.size(); ++i) {
      auto& s = *sessions[i];
      for (const auto& e : events)
        if (e.tick == t) apply_game_event(s, e.name);
      if (o.event_every && t % o.event_every == 0)
        apply_game_event(s, std::string(game_events[(t / o.event_every + i) % game_events.size()].event));
      for (const auto& h : hype)
        if (h.tick == t) apply_hype_input(s, h.category, h.count, 1.0, 1.0, std::nullopt, config);
      const auto step_ms = std::int64_t(t) * config.audience_tick_interval_seconds * 1000;
      const auto result = step(s, config, step_ms);
      const auto& r = result.report;
      member_updates += r.size;
      size += r.size;
      engaged += r.engaged;
      candidates += r.candidates;
      engagement_sum += r.mean_engagement * r.size;
      for (const auto n : r.reactions) reactions += n;
      hype_level = std::max(hype_level, s.hype.status().level);
      trains += static_cast<std::uint32_t>(s.record.hype_trains_completed);
    }
    if (sessions.size() > 1) {
      // As the service does after each tick round: disengaged members drift to better-matching sessions.
      std::vector<LiveSession*> all;
      for (auto& s : sessions) all.push_back(s.get());
      for (const auto& move : migrate_between_sessions(all, config)) migrated += move.members;
    }
    if (o.every && (t % o.every == 0 || t == o.ticks)) {
      std::printf("%7u %10llu %9llu %10.3f %10llu %10u %6d %7u\n", t, static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(engaged), size ? engagement_sum / double(size) : 0.0,
                  static_cast<unsigned long long>(candidates), reactions, hype_level, trains);
      reactions = 0;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // The session ends: follower conversion as the service does it, then the hashes.
  std::uint64_t total = 0x6f6e616972ULL;  // "onair"
  std::uint64_t followers = 0;
  for (std::uint32_t i = 0; i < sessions.size(); ++i) {
    auto& s = *sessions[i];
    s.hype.end();
    auto params = session_params(s, config);
    const auto conversions = select_follower_conversions(s.pool, params, 0, config.max_followers_per_streamer, s.rng);
    std::vector<MemberId> ids;
    for (const auto& c : conversions) ids.push_back(c.id);
    s.pool.mark_followers(ids);
    followers += ids.size();
    const auto& st = s.pool.stats();
    const auto h = session_hash(s);
    total = fold(total, h);
    if (sessions.size() <= 20 || i < 3) {
      std::printf(
          "session %u: seed %llu, audience %zu (peak %u), engagement %.3f (session mean %.3f), candidates %u, "
          "followers %zu, hype trains %lld (peak level %lld), joined %llu, left %llu, pool_hash %s\n",
          i + 1, static_cast<unsigned long long>(s.record.seed), s.pool.size(), st.peak_size, s.last.mean_engagement,
          st.member_ticks ? double(st.engagement_ticks) / 65535.0 / double(st.member_ticks) : 0.0, s.last.candidates,
          ids.size(), static_cast<long long>(s.record.hype_trains_completed),
          static_cast<long long>(s.record.peak_hype_level), static_cast<unsigned long long>(st.joined),
          static_cast<unsigned long long>(st.left), hex(state_hash(s.pool)).c_str());
    }
  }
  std::printf("followers %llu\n", static_cast<unsigned long long>(followers));
  std::printf("migrated %llu\n", static_cast<unsigned long long>(migrated));
  std::printf("member-updates %llu in %.3f s (%.1f M/s, including hype and reports)\n",
              static_cast<unsigned long long>(member_updates), seconds,
              seconds > 0 ? double(member_updates) / seconds / 1e6 : 0.0);
  std::printf("state_hash %s\n", hex(total).c_str());
  return 0;
}

}  // namespace

void add_simulate_command(CLI::App& cli, const core::EnvLookup& env) {
  auto o = std::make_shared<SimulateOptions>();
  auto* sim = cli.add_subcommand(
      "simulate",
      "Run showtime audiences offline (no server) and print their figures; deterministic: the same arguments and "
      "SHOWTIME_* settings give the same state_hash");
  sim->add_option("--seed", o->seed, "Seed (session i of N > 1 uses mix64(seed + i))")->capture_default_str();
  sim->add_option("--ticks", o->ticks, "Ticks to run (SHOWTIME_AUDIENCE_TICK_INTERVAL_SECONDS each)")
      ->check(CLI::Range(1u, 10'000'000u))
      ->capture_default_str();
  sim->add_option("--sessions", o->sessions, "Sessions of the game service, run side by side")
      ->check(CLI::Range(1u, 100'000u))
      ->capture_default_str();
  sim->add_option("--members", o->members, "Pool size per session (default: the career phase's)")
      ->check(CLI::Range(1u, 50'000'000u));
  sim->add_option("--phase", o->phase, "Career phase: unknown, rising, popular, celebrity, legend (sets the pool size)")
      ->capture_default_str();
  sim->add_option("--game-service", o->game_service, "Game service id (seeds its reservoir, as the service does)")
      ->capture_default_str();
  sim->add_option("--tags", o->tags, "Initial content tags (e.g. combat exploration)")->delimiter(',');
  sim->add_option("--event", o->events, "A game event at a tick: NAME@TICK (e.g. boss_defeat@30); repeatable");
  sim->add_option("--event-every", o->event_every, "A game event of SHOWTIME.md's table every K ticks (0: none)")
      ->capture_default_str();
  sim->add_option("--hype", o->hype, "Injected hype entries: CATEGORY:COUNT@TICK (e.g. excited:20@5); repeatable");
  sim->add_option("--trigger-threshold", o->trigger,
                  "Hype trigger threshold of the sessions (as /showtime/hype/inject)")
      ->check(CLI::Range(1u, 1000u));
  sim->add_option("--every", o->every, "Print a line every K ticks (0: the summary only)")->capture_default_str();
  sim->callback([o, &env] { std::exit(run(*o, env)); });
}

}  // namespace onair::app
