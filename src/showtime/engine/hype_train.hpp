#pragma once
// The hype train of one session (SHOWTIME.md "The Hype Train System"; at most
// one per session, quirk 3). Pure: time is the session's tick counter.
//
// Rules (defaults and their reasoning against Twitch's hype train: README.md):
//  - Trigger: when no train runs and the cooldown is over, a hype category
//    (Excited, Supportive, Surprised, Amused by default) with at least
//    trigger_threshold entries within the last trigger_window_ticks ticks
//    starts a train at level 1 (the category with the most entries; ties go
//    to the earlier category). The window's points become its first score
//    (at least start_score_min, so an unfed train lives a few ticks).
//  - Score: entries with intensity > high_intensity add intensity *
//    viewer_weight points (the trigger category in full, other hype
//    categories times other_category_weight); simulated reactions add 1 each.
//  - Levels: level L needs threshold(L) = base * exponent^(L-1) more points
//    than level L-1 (base = max(level_base_score, level_base_per_member *
//    audience size at the start)). Score is cumulative: level = how many
//    thresholds it covers, up to max_level; filling max_level completes the
//    train.
//  - Decay: every tick the score loses decay_rate * threshold(current level);
//    below the current level's floor the train de-escalates; at 0 it ends.
//  - Timers: a level timer (level_timeout_ticks, restarted on every level-up:
//    Twitch's "timer extended on level-up") and a hard cap
//    (max_duration_ticks from the start) end it.
//  - Events: started, leveled (up), deescalated, completed (peak level,
//    duration, trigger category, reason); milestones when a new peak level
//    >= 3 is reached (3: notable audience moment, 4: memorable performance,
//    5+: legendary performance).
//
// Defaults, tuned against Twitch's hype train (details in README.md):
//  - Twitch kicks off on 3 support events (subs, 100+ bit cheers) from
//    several viewers within 5 minutes (adjustable 3..25). Our inputs are chat
//    sentiments, one to two orders of magnitude more frequent than paid
//    events, so the plan's "burst within one pulse interval" stays: 10 entries
//    of one hype category within 15 s (3 ticks), a threshold inside Twitch's
//    3..25 range over a window 20x shorter.
//  - Twitch has 5 levels; the timer (5 minutes) restarts when a level is
//    reached, and the train ends when it runs out. Here: max_level 5 and a
//    5-minute level timer restarted on level-up, plus the plan's decay and
//    de-escalation, and its hard cap (HypeTrainMaxDurationMinutes, 10).
//  - Twitch's level 1 goal is about the kick-off amount; ours is 2x the
//    trigger threshold in points (20, then x1.5 per level: 20, 30, 45, 67.5,
//    101.25), and a train starts half-way into level 1, so the burst that
//    starts it matters but does not carry it.
//  - Twitch's cooldown is 1..8 hours (default 2) so viewers' wallets are not
//    asked too often; sentiments cost nothing and in-game sessions are short,
//    so the cooldown is one level timer (5 minutes).
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "showtime/engine/types.hpp"

namespace onair::showtime {

struct HypeParams {
  bool enabled = true;
  std::uint32_t trigger_threshold = 10;    // HypeTrainTriggerThreshold / SHOWTIME_HYPE_TRAIN_TRIGGER_THRESHOLD
  std::uint32_t trigger_window_ticks = 3;  // one pulse interval (15 s) at 5 s ticks
  double level_exponent = 1.5;             // HypeTrainLevelExponent / SHOWTIME_HYPE_TRAIN_LEVEL_EXPONENT
  double decay_rate = 0.1;                 // HypeTrainDecayRate / SHOWTIME_HYPE_TRAIN_DECAY_RATE
  std::uint32_t max_duration_ticks = 120;  // HypeTrainMaxDurationMinutes / SHOWTIME_HYPE_TRAIN_MAX_DURATION_MINUTES
  std::uint32_t level_timeout_ticks = 60;  // Twitch: 5 minutes per level, restarted on level-up
  std::uint32_t cooldown_ticks = 60;       // after a train ends
  int max_level = 5;                       // Twitch: 5 levels
  double level_base_score = 20.0;          // level 1 threshold (2x the trigger threshold)
  double level_base_per_member = 0.05;     // ... or this much per audience member, if larger
  double start_score_min = 10.0;           // a new train starts with at least this score (half of level 1)
  double high_intensity = 0.8;             // "High-intensity sentiments (>0.8) contribute to hype train score"
  double other_category_weight = 0.5;      // hype categories other than the trigger's
  std::uint8_t hype_categories = sentiment_bit(Sentiment::excited) | sentiment_bit(Sentiment::supportive) |
                                 sentiment_bit(Sentiment::surprised) | sentiment_bit(Sentiment::amused);
};

enum class HypeEnd : std::uint8_t { decayed, level_timer, max_duration, top_level, session_end };
std::string_view to_string(HypeEnd reason) noexcept;

enum class HypeMilestoneKind : std::uint8_t {
  notable_moment = 3,
  memorable_performance = 4,
  legendary_performance = 5
};
std::string_view to_string(HypeMilestoneKind kind) noexcept;

struct HypeEvent {
  enum class Kind : std::uint8_t { started, leveled, deescalated, milestone, completed };
  Kind kind = Kind::started;
  std::uint32_t train = 0;  // ordinal of the train in this session (1, 2, ...)
  int level = 0;            // new level (started: 1; completed: level at the end)
  int previous_level = 0;
  int peak_level = 0;
  Sentiment trigger = Sentiment::excited;
  std::uint32_t tick = 0;
  std::uint32_t duration_ticks = 0;   // completed
  double total_score = 0.0;           // completed: cumulative points including decay losses
  HypeEnd reason = HypeEnd::decayed;  // completed
  HypeMilestoneKind milestone = HypeMilestoneKind::notable_moment;  // milestone
};

// The train's persistent state (what the service stores as HypeTrainModel).
struct HypeState {
  std::uint32_t now = 0;  // ticks run
  bool active = false;
  std::uint32_t train = 0;  // trains started so far
  Sentiment trigger = Sentiment::excited;
  int level = 0;
  int peak_level = 0;
  double score = 0.0;        // cumulative within this train
  double contributed = 0.0;  // all points fed (no decay)
  double base = 0.0;         // level 1 threshold of this train
  std::uint32_t started_at = 0;
  std::uint32_t level_expires_at = 0;
  std::uint32_t cooldown_until = 0;
  // Trigger window: entries and points per tick (ring of trigger_window_ticks) and category.
  std::vector<std::array<std::uint32_t, kSentimentCount>> window_counts;
  std::vector<std::array<double, kSentimentCount>> window_points;
  std::array<std::uint32_t, kSentimentCount> pending_counts{};  // since the last tick
  std::array<double, kSentimentCount> pending_points{};
};

// For the snapshot / GetHypeStatus and the dashboard meter.
struct HypeStatus {
  bool active = false;
  int level = 0;
  int peak_level = 0;
  double progress = 0.0;         // points within the current level
  double level_threshold = 0.0;  // points the current level needs
  double fraction = 0.0;         // progress / level_threshold
  Sentiment trigger = Sentiment::excited;
  std::uint32_t ticks_remaining = 0;  // until the level timer or the hard cap, whichever is first
  std::uint32_t cooldown_remaining = 0;
};

class HypeTrain {
 public:
  explicit HypeTrain(HypeParams params = {});
  HypeTrain(HypeParams params, HypeState state);

  // Inputs between ticks. A sentiment entry from a pulse (intensity 0..1,
  // viewer_weight > 1 for subscribers / moderators / VIPs):
  void add_entry(Sentiment category, double intensity, double viewer_weight = 1.0);
  // `count` entries adding `points` in all (e.g. the tick's simulated reactions:
  // points = count, since every reaction is high-intensity).
  void add(Sentiment category, std::uint32_t count, double points);
  void add_reactions(const SentimentCounts& reactions);

  // Advances one tick. `audience_size` scales the level thresholds of a train
  // that starts now.
  std::vector<HypeEvent> tick(std::uint32_t audience_size);
  // Ends a running train (session end). Empty when none runs.
  std::vector<HypeEvent> end(HypeEnd reason = HypeEnd::session_end);

  // Threshold of level `level` (>= 1) and the cumulative score where it starts.
  double level_threshold(int level) const;
  double level_floor(int level) const;

  bool active() const noexcept { return state_.active; }
  HypeStatus status() const;
  const HypeState& state() const noexcept { return state_; }
  const HypeParams& params() const noexcept { return params_; }
  void set_params(const HypeParams& params);  // e.g. Director lowering the trigger threshold

 private:
  bool is_hype(Sentiment s) const noexcept { return params_.hype_categories & sentiment_bit(s); }
  double weigh(const std::array<double, kSentimentCount>& points) const;
  void level_up(std::vector<HypeEvent>& events);
  void complete(HypeEnd reason, std::vector<HypeEvent>& events);
  HypeEvent event(HypeEvent::Kind kind) const;
  void resize_window();

  HypeParams params_;
  HypeState state_;
};

}  // namespace onair::showtime
