#include "showtime/engine/career.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace onair::showtime {

namespace {

constexpr std::array<std::string_view, kCareerPhaseCount> kPhaseNames = {"Unknown", "Rising", "Popular", "Celebrity",
                                                                         "Legend"};
constexpr std::array<std::string_view, kGrowthKeyCount> kGrowthKeys = {
    "audience_growth.followers",    "audience_growth.peak_viewers", "engagement_quality.average",
    "engagement_quality.hype_peak", "content_diversity.tags",       "content_diversity.unique_events",
    "discovery_rate.world_firsts",  "discovery_rate.milestones"};
constexpr std::array<std::string_view, 4> kDomains = {"audience_growth", "engagement_quality", "content_diversity",
                                                      "discovery_rate"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

void add_growth(CareerState& s, CareerUpdate& u, GrowthKey key, double amount, std::string reason) {
  if (!(amount > 0.0)) return;
  s.growth[static_cast<std::size_t>(key)] += amount;
  u.growth.push_back({key, amount, std::move(reason)});
}

void reach(CareerState& s, CareerUpdate& u, const CareerParams& p, std::string code, std::string kind,
           std::uint64_t value) {
  if (s.has_milestone(code)) return;
  s.milestones.push_back(code);
  u.milestones.push_back({code, std::move(kind), value});
  add_growth(s, u, GrowthKey::milestones, p.per_milestone, "milestone:" + code);
}

// Moves the phase up to what total growth allows; a phase reached is itself a
// milestone (whose growth may lift the phase again).
void settle_phase(CareerState& s, CareerUpdate& u, const CareerParams& p, CareerPhase before) {
  for (;;) {
    const CareerPhase target = phase_for_growth(s.total_growth(), p);
    if (target <= s.phase) break;
    s.phase = static_cast<CareerPhase>(static_cast<int>(s.phase) + 1);
    std::string name(to_string(s.phase));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    reach(s, u, p, "phase_" + name, "phase", static_cast<std::uint64_t>(s.phase));
  }
  if (s.phase != before) {
    u.phase_from = before;
    u.phase_to = s.phase;
  }
}

template <class T>
void tiers_crossed(CareerState& s, CareerUpdate& u, const CareerParams& p, const std::vector<T>& tiers, double before,
                   double after, const std::string& prefix, const std::string& kind) {
  for (const T tier : tiers) {
    if (double(tier) > before && double(tier) <= after) {
      reach(s, u, p, prefix + std::to_string(tier), kind, static_cast<std::uint64_t>(tier));
    }
  }
}

}  // namespace

std::string_view to_string(CareerPhase phase) noexcept { return kPhaseNames[static_cast<std::size_t>(phase) % 5]; }

std::optional<CareerPhase> parse_career_phase(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kPhaseNames.size(); ++i) {
    if (iequals(name, kPhaseNames[i])) return static_cast<CareerPhase>(i);
  }
  return std::nullopt;
}

GrowthDomain domain_of(GrowthKey key) noexcept { return static_cast<GrowthDomain>(static_cast<unsigned>(key) / 2); }
std::string_view to_string(GrowthKey key) noexcept { return kGrowthKeys[static_cast<std::size_t>(key) % 8]; }
std::string_view to_string(GrowthDomain domain) noexcept { return kDomains[static_cast<std::size_t>(domain) % 4]; }

std::optional<GrowthKey> parse_growth_key(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kGrowthKeys.size(); ++i) {
    if (name == kGrowthKeys[i]) return static_cast<GrowthKey>(i);
  }
  return std::nullopt;
}

double CareerState::total_growth() const noexcept {
  double t = 0.0;
  for (double g : growth) t += g;
  return t;
}

double CareerState::domain_growth(GrowthDomain d) const noexcept {
  const auto i = static_cast<std::size_t>(d) * 2;
  return growth[i] + growth[i + 1];
}

bool CareerState::has_milestone(std::string_view code) const {
  return std::find(milestones.begin(), milestones.end(), code) != milestones.end();
}

CareerPhase phase_for_growth(double total_growth, const CareerParams& params) noexcept {
  CareerPhase phase = CareerPhase::unknown;
  for (std::size_t i = 0; i < kCareerPhaseCount; ++i) {
    if (total_growth >= params.phase_min_growth[i]) phase = static_cast<CareerPhase>(i);
  }
  return phase;
}

CareerUpdate record_session_end(CareerState& s, const SessionSummary& session, const CareerParams& p) {
  CareerUpdate u;
  const CareerPhase before = s.phase;

  const auto sessions_before = s.sessions++;
  for (const auto tier : p.session_tiers) {
    if (tier > sessions_before && tier <= s.sessions) {
      reach(s, u, p, tier == 1 ? std::string("first_stream") : "sessions_" + std::to_string(tier), "sessions", tier);
    }
  }

  if (session.followers_gained > 0) {
    add_growth(s, u, GrowthKey::followers, p.per_follower * double(session.followers_gained), "new_followers");
    const auto before_followers = s.followers;
    s.followers += session.followers_gained;
    tiers_crossed(s, u, p, p.follower_tiers, double(before_followers), double(s.followers), "followers_", "followers");
  }

  for (const auto tier : p.peak_viewer_tiers) {
    if (tier > s.best_peak_viewers && tier <= session.peak_viewers) {
      add_growth(s, u, GrowthKey::peak_viewers, p.per_peak_viewer_tier, "peak_viewers_" + std::to_string(tier));
      reach(s, u, p, "peak_viewers_" + std::to_string(tier), "peak_viewers", tier);
    }
  }
  s.best_peak_viewers = std::max(s.best_peak_viewers, session.peak_viewers);

  if (session.average_engagement > p.average_engagement_threshold) {
    add_growth(s, u, GrowthKey::average, p.average_engagement_bonus, "session_average_engagement");
  }

  if (session.watch_hours > 0.0) {
    const double before_hours = s.watch_hours;
    s.watch_hours += session.watch_hours;
    tiers_crossed(s, u, p, p.watch_hour_tiers, before_hours, s.watch_hours, "watch_hours_", "watch_hours");
  }
  settle_phase(s, u, p, before);
  return u;
}

CareerUpdate record_hype_completed(CareerState& s, int peak_level, const CareerParams& p) {
  CareerUpdate u;
  const CareerPhase before = s.phase;
  ++s.hype_trains;
  if (peak_level > 2) {
    add_growth(s, u, GrowthKey::hype_peak, p.per_hype_level_above_2 * double(peak_level - 2),
               "hype_level_" + std::to_string(peak_level));
  }
  for (const int tier : p.hype_level_tiers) {
    if (peak_level >= tier && tier > s.best_hype_level) {
      reach(s, u, p, tier == 1 ? std::string("first_hype_train") : "hype_level_" + std::to_string(tier), "hype",
            static_cast<std::uint64_t>(tier));
    }
  }
  s.best_hype_level = std::max(s.best_hype_level, peak_level);
  settle_phase(s, u, p, before);
  return u;
}

CareerUpdate record_new_content_tag(CareerState& s, const CareerParams& p) {
  CareerUpdate u;
  const CareerPhase before = s.phase;
  add_growth(s, u, GrowthKey::tags, p.per_new_content_tag, "new_content_tag");
  settle_phase(s, u, p, before);
  return u;
}

CareerUpdate record_unique_event(CareerState& s, const CareerParams& p) {
  CareerUpdate u;
  const CareerPhase before = s.phase;
  add_growth(s, u, GrowthKey::unique_events, p.per_unique_event, "unique_event");
  settle_phase(s, u, p, before);
  return u;
}

CareerUpdate record_world_first(CareerState& s, const CareerParams& p) {
  CareerUpdate u;
  const CareerPhase before = s.phase;
  ++s.world_firsts;
  add_growth(s, u, GrowthKey::world_firsts, p.per_world_first, "world_first");
  reach(s, u, p, "world_first_" + std::to_string(s.world_firsts), "world_first", s.world_firsts);
  settle_phase(s, u, p, before);
  return u;
}

CareerUpdate record_growth(CareerState& s, GrowthKey key, double amount, std::string reason, const CareerParams& p) {
  CareerUpdate u;
  const CareerPhase before = s.phase;
  add_growth(s, u, key, amount, std::move(reason));
  settle_phase(s, u, p, before);
  return u;
}

std::uint32_t audience_pool_size(CareerPhase phase, std::uint32_t default_pool_size, double scale_per_phase) {
  double size = double(default_pool_size);
  for (int i = 0; i < static_cast<int>(phase); ++i) size *= std::max(0.0, scale_per_phase);  // no std::pow
  if (!(size > 0.0)) return 0;
  if (size >= double(std::numeric_limits<std::uint32_t>::max())) return std::numeric_limits<std::uint32_t>::max();
  return static_cast<std::uint32_t>(std::llround(size));
}

PhaseCapabilities capabilities(CareerPhase phase) noexcept {
  PhaseCapabilities c;
  c.followers = phase >= CareerPhase::rising;
  c.hype_trains = phase >= CareerPhase::popular;
  c.sponsorships = phase >= CareerPhase::popular;
  c.receives_migration = phase >= CareerPhase::celebrity;
  c.realm_history = phase >= CareerPhase::legend;
  return c;
}

}  // namespace onair::showtime
