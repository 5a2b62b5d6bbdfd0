#pragma once
// One running streaming session in memory: its audience pool, Rng, content
// tags, hype train and the little state around them. Pure: the operations
// below change the engine objects and report what happened; the service
// persists, publishes and checkpoints. Not thread-safe (the service holds the
// session's mutex around every call).
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gen/showtime/configuration.hpp"
#include "showtime/engine/audience_pool.hpp"
#include "showtime/engine/audience_tick.hpp"
#include "showtime/engine/engine_config.hpp"
#include "showtime/engine/hype_train.hpp"
#include "showtime/engine/presets.hpp"
#include "showtime/service/showtime_records.hpp"

namespace onair::showtime {

// Figures of the last tick (the snapshot answers "as of the last tick").
struct LastTick {
  std::uint32_t size = 0;
  std::uint32_t engaged = 0;
  std::uint32_t disengaged = 0;
  std::uint32_t candidates = 0;
  double mean_engagement = 0.0;
};

enum class AudienceChange { burst_join, mass_exodus, sentiment_shift };

struct LiveSession {
  LiveSession(SessionRecord record, std::shared_ptr<const AudienceContext> context, AudiencePool pool);

  SessionRecord record;
  std::shared_ptr<const AudienceContext> context;  // the game service's reservoir and personality types
  TagVocabulary tags;                              // this session's tag names (starts as the game service's)
  AudiencePool pool;
  Rng rng;
  ContentTags content;
  HypeTrain hype;

  std::optional<std::uint32_t> trigger_threshold;  // InjectHypeEvent's override until the session ends
  std::string hype_train_id;                       // uuid of the running (or last) train
  std::int64_t hype_started_ms = 0;
  double churn_multiplier = 1.0;  // raised by Bored pulses
  TagMask seen_tags = 0;          // content tags shown so far
  std::vector<std::string> seen_events;
  std::uint32_t world_firsts = 0;
  std::map<std::string, MemberId> tracked;  // tracking id -> real-derived member
  LastTick last;
  std::int64_t last_tick_ms = 0;
  // Since the previous audience push to the streamer.
  SentimentCounts reactions_since_push{};
  std::uint64_t joined_since_push = 0;
  std::uint64_t left_since_push = 0;
  std::optional<Sentiment> dominant;
  std::int64_t voice_participants = 0;
  double pending_tips = 0.0;  // fraction of a tip not published yet (not checkpointed: under one tip)
  // Career inputs not applied yet.
  std::uint32_t pending_new_tags = 0;
  std::uint32_t pending_unique_events = 0;
  std::uint32_t pending_world_firsts = 0;
};

ShowtimeEngineConfig engine_config(const gs::ShowtimeConfiguration& config);
// The tick parameters of this session now (career phase, pause, churn context, personality weights).
AudienceParams session_params(const LiveSession& s, const ShowtimeEngineConfig& config);
HypeParams session_hype_params(const LiveSession& s, const ShowtimeEngineConfig& config);

// A new session: pool of the phase's size filled for the initial tags.
std::unique_ptr<LiveSession> create_live_session(SessionRecord record, std::shared_ptr<const AudienceContext> context,
                                                 const std::vector<std::string>& initial_tags,
                                                 const ShowtimeEngineConfig& config);

// Sentiment entries (a pulse, or InjectAudienceEvent): they feed the hype
// train; with join_pool they also join the pool as real-derived members
// (anonymous ones with a TTL, tracked ones for the session). Returns how many
// were taken.
std::uint32_t apply_sentiments(LiveSession& s, const std::vector<gs::SentimentEntry>& entries, bool join_pool,
                               const ShowtimeEngineConfig& config);
// A game event: raises its content tags; returns their names (empty for an unknown event).
std::vector<std::string> apply_game_event(LiveSession& s, const std::string& event);
// Replaces (or merges into) the content tags; false when the tag vocabulary is full.
bool apply_content_tags(LiveSession& s, const std::vector<gs::ContentTag>& tags, bool merge);
// `count` hype entries of one category (InjectHypeEvent).
void apply_hype_input(LiveSession& s, Sentiment category, std::uint32_t count, double intensity, double viewer_weight,
                      std::optional<std::uint32_t> trigger_threshold, const ShowtimeEngineConfig& config);
double viewer_weight(std::optional<gs::TrackedViewerType> type) noexcept;

struct StepResult {
  TickReport report;
  std::vector<HypeEvent> hype;
  std::uint32_t previous_size = 0;
  std::optional<AudienceChange> change;
};
// One audience tick: fade content, tick the pool, feed and tick the hype train.
StepResult step(LiveSession& s, const ShowtimeEngineConfig& config, std::int64_t now_ms);

// Pure rule: is the change between two ticks marked enough for showtime.audience.changed?
std::optional<AudienceChange> classify_change(std::uint32_t previous_size, const TickReport& report,
                                              std::optional<Sentiment> previous_dominant,
                                              std::optional<Sentiment> dominant);

std::vector<gs::ContentTag> content_tag_list(const LiveSession& s);
// Content tags and figures for an ended session's record.
std::int64_t distinct_tag_count(const LiveSession& s);

}  // namespace onair::showtime
