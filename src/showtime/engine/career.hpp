#pragma once
// Streamer careers: the `streamer` seed type of SHOWTIME.md kept by onair
// itself (no seed service here). Pure rules: growth accumulates in four
// domains (two subdomains each) from the contribution table, the phase follows
// total growth (Unknown 0, Rising 5, Popular 25, Celebrity 100, Legend 500;
// growth never decreases, so neither does the phase), and milestones are
// reported once each. Every milestone reached adds discovery_rate.milestones
// growth ("Streaming milestone reached: +0.5").
//
// The service applies an update by persisting the state and publishing the
// outputs: growth contributions (debounced, GrowthDebounceIntervalMs),
// showtime.milestone.reached for milestones, phase changes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onair::showtime {

enum class CareerPhase : std::uint8_t { unknown, rising, popular, celebrity, legend };
inline constexpr std::size_t kCareerPhaseCount = 5;
std::string_view to_string(CareerPhase phase) noexcept;  // "Unknown", "Rising", ...
std::optional<CareerPhase> parse_career_phase(std::string_view name) noexcept;

enum class GrowthDomain : std::uint8_t { audience_growth, engagement_quality, content_diversity, discovery_rate };
enum class GrowthKey : std::uint8_t {
  followers,      // audience_growth.followers
  peak_viewers,   // audience_growth.peak_viewers
  average,        // engagement_quality.average
  hype_peak,      // engagement_quality.hype_peak
  tags,           // content_diversity.tags
  unique_events,  // content_diversity.unique_events
  world_firsts,   // discovery_rate.world_firsts
  milestones,     // discovery_rate.milestones
};
inline constexpr std::size_t kGrowthKeyCount = 8;
GrowthDomain domain_of(GrowthKey key) noexcept;
std::string_view to_string(GrowthKey key) noexcept;  // "audience_growth.followers"
std::string_view to_string(GrowthDomain domain) noexcept;
std::optional<GrowthKey> parse_growth_key(std::string_view name) noexcept;

struct CareerParams {
  std::array<double, kCareerPhaseCount> phase_min_growth{0.0, 5.0, 25.0, 100.0, 500.0};
  // Contribution table.
  double per_follower = 0.1;              // New follower gained
  double per_peak_viewer_tier = 0.5;      // Peak viewers milestone, per tier
  double average_engagement_bonus = 0.2;  // Session average engagement > average_engagement_threshold
  double average_engagement_threshold = 0.6;
  double per_hype_level_above_2 = 0.3;  // Hype train completed (level 3+), per level above 2
  double per_new_content_tag = 0.05;    // New content tag in session
  double per_unique_event = 0.05;       // (onair) a game-event kind new in the session
  double per_world_first = 2.0;         // World-first discovery on stream
  double per_milestone = 0.5;           // Streaming milestone reached
  // Milestone tiers (each reported once per career).
  std::vector<std::uint32_t> peak_viewer_tiers{10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
  std::vector<std::uint64_t> follower_tiers{1, 10, 100, 1000, 10000};
  std::vector<std::uint32_t> session_tiers{1, 10, 100, 1000};
  std::vector<std::uint64_t> watch_hour_tiers{1, 10, 100, 1000, 10000};
  std::vector<int> hype_level_tiers{1, 3, 5};  // "First Hype Train", "Level 3 Hype", "Level 5 Hype"
};

struct CareerState {
  std::array<double, kGrowthKeyCount> growth{};
  CareerPhase phase = CareerPhase::unknown;
  std::uint32_t sessions = 0;
  std::uint64_t followers = 0;
  double watch_hours = 0.0;  // audience watch time across sessions
  std::uint32_t best_peak_viewers = 0;
  std::uint32_t hype_trains = 0;
  int best_hype_level = 0;
  std::uint32_t world_firsts = 0;
  std::vector<std::string> milestones;  // codes reached, in order

  double total_growth() const noexcept;
  double domain_growth(GrowthDomain d) const noexcept;
  bool has_milestone(std::string_view code) const;
};

struct GrowthContribution {
  GrowthKey key = GrowthKey::followers;
  double amount = 0.0;
  std::string reason;  // e.g. "new_follower", "peak_viewers_100"
};

struct Milestone {
  std::string code;  // "first_stream", "followers_100", "watch_hours_1000", "peak_viewers_50", "hype_level_3",
                     // "world_first", "phase_popular", ...
  std::string kind;  // "sessions", "followers", "watch_hours", "peak_viewers", "hype", "world_first", "phase"
  std::uint64_t value = 0;
};

struct CareerUpdate {
  std::vector<GrowthContribution> growth;
  std::vector<Milestone> milestones;
  std::optional<CareerPhase> phase_from;  // set when the phase changed
  std::optional<CareerPhase> phase_to;
  bool empty() const noexcept { return growth.empty() && milestones.empty() && !phase_to; }
};

// What a session contributed (session end processing).
struct SessionSummary {
  std::uint64_t followers_gained = 0;
  std::uint32_t peak_viewers = 0;
  double average_engagement = 0.0;
  double watch_hours = 0.0;
};

CareerPhase phase_for_growth(double total_growth, const CareerParams& params) noexcept;

// Session end: sessions, followers, peak viewer tiers, average engagement, watch hours.
CareerUpdate record_session_end(CareerState& state, const SessionSummary& session, const CareerParams& params);
// A hype train completed with this peak level (+0.3 per level above 2).
CareerUpdate record_hype_completed(CareerState& state, int peak_level, const CareerParams& params);
// A content tag seen for the first time in the session (debounced by the service).
CareerUpdate record_new_content_tag(CareerState& state, const CareerParams& params);
// A game-event kind seen for the first time in the session.
CareerUpdate record_unique_event(CareerState& state, const CareerParams& params);
CareerUpdate record_world_first(CareerState& state, const CareerParams& params);
// RecordGrowth (manual / debug); negative amounts are ignored.
CareerUpdate record_growth(CareerState& state, GrowthKey key, double amount, std::string reason,
                           const CareerParams& params);

// Pool size for a phase: DefaultAudiencePoolSize * AudiencePoolScalePerPhase^phase.
std::uint32_t audience_pool_size(CareerPhase phase, std::uint32_t default_pool_size, double scale_per_phase);

// What a phase unlocks (SHOWTIME.md "Growth Phases").
struct PhaseCapabilities {
  bool followers = false;           // Rising: follower system activates
  bool hype_trains = false;         // Popular: hype trains become possible
  bool sponsorships = false;        // Popular: sponsorship deals available
  bool receives_migration = false;  // Celebrity: audience migration from other streamers
  bool realm_history = false;       // Legend: record-breaking streams generate realm history events
};
PhaseCapabilities capabilities(CareerPhase phase) noexcept;

}  // namespace onair::showtime
