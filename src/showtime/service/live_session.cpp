#include "showtime/service/live_session.hpp"

#include <algorithm>
#include <bit>

namespace onair::showtime {
namespace {

constexpr double kContentFadePerTick = 0.02;  // a raised tag fades out in about 50 ticks (~4 minutes at 5 s)
constexpr double kBurstShare = 0.2;           // joins/leaves of a fifth of the audience in one tick are "marked"
constexpr std::uint32_t kBurstMinimum = 5;

std::optional<Sentiment> dominant_of(const SentimentCounts& counts) {
  std::optional<Sentiment> best;
  std::uint32_t most = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > most) {
      most = counts[i];
      best = static_cast<Sentiment>(i);
    }
  }
  return best;
}

}  // namespace

LiveSession::LiveSession(SessionRecord r, std::shared_ptr<const AudienceContext> ctx, AudiencePool p)
    : record(std::move(r)), context(std::move(ctx)), tags(context->tags), pool(std::move(p)), rng(record.seed) {}

ShowtimeEngineConfig engine_config(const gs::ShowtimeConfiguration& c) {
  ShowtimeEngineConfig e;
  e.default_audience_pool_size = static_cast<std::uint32_t>(c.default_audience_pool_size);
  e.audience_pool_scale_per_phase = c.audience_pool_scale_per_phase;
  e.audience_tick_interval_seconds = static_cast<std::uint32_t>(c.audience_tick_interval_seconds);
  e.engagement_decay_base_rate = c.engagement_decay_base_rate;
  e.hype_train_trigger_threshold = static_cast<std::uint32_t>(c.hype_train_trigger_threshold);
  e.hype_train_level_exponent = c.hype_train_level_exponent;
  e.hype_train_decay_rate = c.hype_train_decay_rate;
  e.hype_train_max_duration_minutes = static_cast<std::uint32_t>(c.hype_train_max_duration_minutes);
  e.follower_engagement_threshold = c.follower_engagement_threshold;
  e.follower_watch_time_minutes = static_cast<std::uint32_t>(c.follower_watch_time_minutes);
  e.max_followers_per_streamer = static_cast<std::uint32_t>(c.max_followers_per_streamer);
  e.real_derived_member_ttl_seconds = static_cast<std::uint32_t>(c.real_derived_member_ttl_seconds);
  e.career_worker_interval_seconds = static_cast<std::uint32_t>(c.career_worker_interval_seconds);
  e.growth_debounce_interval_ms = static_cast<std::uint32_t>(c.growth_debounce_interval_ms);
  return e;
}

AudienceParams session_params(const LiveSession& s, const ShowtimeEngineConfig& config) {
  auto p = audience_params(config, from_gen(s.record.career_phase));
  p.personality_weights = s.context->personality_weights;
  p.paused = s.record.status == gs::ShowtimeSessionStatus::paused;
  p.churn_multiplier = s.churn_multiplier;
  return p;
}

HypeParams session_hype_params(const LiveSession& s, const ShowtimeEngineConfig& config) {
  auto h = hype_params(config);
  if (s.trigger_threshold) h.trigger_threshold = *s.trigger_threshold;
  return h;
}

std::unique_ptr<LiveSession> create_live_session(SessionRecord record, std::shared_ptr<const AudienceContext> context,
                                                 const std::vector<std::string>& initial_tags,
                                                 const ShowtimeEngineConfig& config) {
  AudiencePool pool(context->reservoir, static_cast<std::uint32_t>(record.target_size), mix64(record.seed ^ 0x5157));
  auto s = std::make_unique<LiveSession>(std::move(record), std::move(context), std::move(pool));
  s->hype.set_params(session_hype_params(*s, config));
  for (const auto& name : initial_tags) {
    if (auto id = s->tags.intern(name)) s->content.set(*id, 1.0);
  }
  s->seen_tags = s->content.mask();
  const auto params = session_params(*s, config);
  s->pool.fill(s->content, params, s->rng);
  s->last.size = static_cast<std::uint32_t>(s->pool.size());
  return s;
}

double viewer_weight(std::optional<gs::TrackedViewerType> type) noexcept {
  if (!type) return 1.0;
  switch (*type) {
    case gs::TrackedViewerType::subscriber:
      return 1.5;
    case gs::TrackedViewerType::moderator:
    case gs::TrackedViewerType::vip:
      return 2.0;
    default:
      return 1.0;
  }
}

constexpr double kRallyShare = 0.8;

std::uint32_t apply_sentiments(LiveSession& s, const std::vector<gs::SentimentEntry>& entries, bool join_pool,
                               const ShowtimeEngineConfig& config) {
  std::uint32_t bored = 0;
  const auto ttl = real_derived_ttl_ticks(config);
  for (const auto& e : entries) {
    const auto category = from_gen(e.category);
    if (category == Sentiment::bored) ++bored;
    s.hype.add_entry(category, e.intensity, viewer_weight(e.viewer_type));
    // Hostile chat makes the rest of the audience rally behind the streamer (SHOWTIME.md's
    // translation table): a supportive entry, a little weaker, for each hostile one.
    if (category == Sentiment::hostile) s.hype.add_entry(Sentiment::supportive, kRallyShare * e.intensity);
    if (!join_pool) continue;
    if (e.tracking_id) {
      auto it = s.tracked.find(*e.tracking_id);
      if (it != s.tracked.end() && s.pool.refresh_real_member(it->second, e.intensity, category, std::nullopt)) {
        continue;
      }
    }
    MemberSpec spec;
    spec.personality = 0;
    spec.interests = s.content.mask();  // they watch what is on
    spec.engagement = e.intensity;
    spec.decay_rate = config.engagement_decay_base_rate;
    spec.bias = category;
    spec.source = MemberSource::real_derived;
    if (!e.tracking_id) spec.ttl_ticks = ttl;
    const auto id = s.pool.add_member(spec);
    if (e.tracking_id) s.tracked[*e.tracking_id] = id;
  }
  if (!entries.empty()) {
    // Bored pulses raise churn: up to 3x when the whole pulse is bored.
    s.churn_multiplier = 1.0 + 2.0 * double(bored) / double(entries.size());
  }
  return static_cast<std::uint32_t>(entries.size());
}

std::vector<std::string> apply_game_event(LiveSession& s, const std::string& event) {
  const auto mask = tags_for_event(event, s.tags);
  if (mask == 0) return {};
  s.content.raise(mask);
  if (std::find(s.seen_events.begin(), s.seen_events.end(), event) == s.seen_events.end()) {
    s.seen_events.push_back(event);
    ++s.pending_unique_events;
  }
  if (event == "world_first") {
    ++s.world_firsts;
    ++s.pending_world_firsts;
  }
  return s.tags.names_of(mask);
}

bool apply_content_tags(LiveSession& s, const std::vector<gs::ContentTag>& tags, bool merge) {
  // Intern first so a full vocabulary changes nothing.
  std::vector<std::pair<TagId, double>> ids;
  for (const auto& t : tags) {
    auto id = s.tags.intern(t.tag);
    if (!id) return false;
    ids.emplace_back(*id, t.weight);
  }
  if (!merge) s.content.clear();
  for (const auto& [id, weight] : ids) s.content.set(id, weight);
  return true;
}

void apply_hype_input(LiveSession& s, Sentiment category, std::uint32_t count, double intensity, double weight,
                      std::optional<std::uint32_t> trigger_threshold, const ShowtimeEngineConfig& config) {
  if (trigger_threshold) {
    s.trigger_threshold = trigger_threshold;
    s.hype.set_params(session_hype_params(s, config));
  }
  for (std::uint32_t i = 0; i < count; ++i) s.hype.add_entry(category, intensity, weight);
}

std::optional<AudienceChange> classify_change(std::uint32_t previous_size, const TickReport& r,
                                              std::optional<Sentiment> previous_dominant,
                                              std::optional<Sentiment> dominant) {
  const auto marked = std::max<std::uint32_t>(kBurstMinimum, static_cast<std::uint32_t>(previous_size * kBurstShare));
  if (r.size > previous_size && r.size - previous_size >= marked) return AudienceChange::burst_join;
  if (previous_size > r.size && previous_size - r.size >= marked) return AudienceChange::mass_exodus;
  if (r.left + r.expired >= marked) return AudienceChange::mass_exodus;
  if (dominant && previous_dominant && *dominant != *previous_dominant) return AudienceChange::sentiment_shift;
  return std::nullopt;
}

StepResult step(LiveSession& s, const ShowtimeEngineConfig& config, std::int64_t now_ms) {
  StepResult out;
  out.previous_size = s.last.size;
  s.content.fade(kContentFadePerTick);
  const auto params = session_params(s, config);
  out.report = tick(s.pool, s.content, params, s.rng);
  s.hype.add_reactions(out.report.reactions);
  out.hype = s.hype.tick(out.report.size);
  const auto fresh = s.content.mask() & ~s.seen_tags;
  s.pending_new_tags += static_cast<std::uint32_t>(std::popcount(fresh));
  s.seen_tags |= s.content.mask();
  const auto& r = out.report;
  s.last = LastTick{r.size, r.engaged, r.disengaged, r.candidates, r.mean_engagement};
  s.last_tick_ms = now_ms;
  for (std::size_t i = 0; i < kSentimentCount; ++i) s.reactions_since_push[i] += r.reactions[i];
  s.joined_since_push += r.joined;
  s.left_since_push += r.left + r.expired;
  const auto dominant = dominant_of(r.reactions);
  out.change = classify_change(out.previous_size, r, s.dominant, dominant);
  if (dominant) s.dominant = dominant;
  for (const auto& e : out.hype) {
    if (e.kind == HypeEvent::Kind::completed) {
      ++s.record.hype_trains_completed;
    }
    s.record.peak_hype_level = std::max<std::int64_t>(s.record.peak_hype_level, e.peak_level);
  }
  return out;
}

std::vector<gs::ContentTag> content_tag_list(const LiveSession& s) {
  std::vector<gs::ContentTag> out;
  for (TagId t = 0; t < kMaxTags; ++t) {
    if (!(s.content.mask() & (TagMask{1} << t))) continue;
    gs::ContentTag tag;
    tag.tag = std::string(s.tags.name(t));
    tag.weight = s.content.weight(t);
    out.push_back(std::move(tag));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.weight > b.weight; });
  return out;
}

std::int64_t distinct_tag_count(const LiveSession& s) { return std::popcount(s.seen_tags); }

}  // namespace onair::showtime
