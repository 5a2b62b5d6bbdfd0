#include "showtime/service/event_builders.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/ids.hpp"
#include "core/time.hpp"

namespace onair::showtime {
namespace json = boost::json;
namespace {

template <class Event>
Event stamped() {
  Event e;
  e.event_id = new_uuid();
  e.timestamp = now_rfc3339();
  return e;
}

template <class Event>
void fill_streamer(Event& e, const SessionRecord& r) {
  e.showtime_session_id = r.id;
  e.streamer_type = r.streamer.type;
  e.streamer_id = r.streamer.id;
  e.game_service_id = r.game_service_id;
}

template <class Model>
std::string text(const Model& m) {
  return m.to_json_text();
}

gs::HypeEndReason to_gen(HypeEnd reason) { return static_cast<gs::HypeEndReason>(reason); }

}  // namespace

std::string session_started_event(const SessionRecord& r, std::int64_t audience_size,
                                  const std::vector<std::string>& tags) {
  auto e = stamped<gs::ShowtimeSessionStartedEvent>();
  fill_streamer(e, r);
  e.game_session_id = r.game_session_id;
  e.career_phase = r.career_phase;
  e.audience_size = audience_size;
  e.content_tags = tags;
  e.platform_session_id = r.platform_session_id;
  e.voice_room_id = r.voice_room_id;
  e.auto_started = r.auto_started;
  return text(e);
}

std::string session_status_client_event(const SessionRecord& r, std::optional<gs::ShowtimeSessionStatus> previous,
                                        std::int64_t audience_size) {
  auto e = stamped<gs::ShowtimeSessionStatusClientEvent>();
  e.showtime_session_id = r.id;
  e.status = r.status;
  e.previous_status = previous;
  e.audience_size = audience_size;
  e.end_reason = r.end_reason;
  if (r.final_figures) e.followers_gained = r.final_figures->followers_gained;
  return text(e);
}

std::string session_paused_event(const SessionRecord& r, std::int64_t audience_size,
                                 const std::optional<std::string>& reason) {
  auto e = stamped<gs::ShowtimeSessionPausedEvent>();
  fill_streamer(e, r);
  e.audience_size = audience_size;
  e.reason = reason;
  return text(e);
}

std::string session_resumed_event(const SessionRecord& r, std::int64_t audience_size, std::int64_t paused_seconds) {
  auto e = stamped<gs::ShowtimeSessionResumedEvent>();
  fill_streamer(e, r);
  e.audience_size = audience_size;
  e.paused_seconds = std::max<std::int64_t>(0, paused_seconds);
  return text(e);
}

std::string session_ended_event(const SessionRecord& r, std::int64_t hype_train_count) {
  auto e = stamped<gs::ShowtimeSessionEndedEvent>();
  fill_streamer(e, r);
  e.game_session_id = r.game_session_id;
  e.reason = r.end_reason.value_or(gs::ShowtimeSessionEndReason::manual);
  e.career_phase = r.career_phase;
  e.started_at = r.started_at;
  if (r.final_figures) {
    const auto& f = *r.final_figures;
    e.duration_seconds = f.duration_seconds;
    e.peak_viewers = f.audience.peak_size;
    e.final_audience_size = f.audience.current_size;
    e.average_engagement = f.audience.session_average_engagement;
    e.total_watch_time_seconds = f.audience.total_watch_time_seconds;
    e.followers_gained = f.followers_gained;
    e.distinct_content_tags = f.distinct_content_tags;
    e.world_first_count = f.world_first_count;
  }
  e.hype_train_count = hype_train_count;
  e.peak_hype_level = r.peak_hype_level;
  return text(e);
}

void add_hype_events(LiveSession& s, const std::vector<HypeEvent>& events, const EventCodes& codes,
                     const ViewClock& clock, const std::function<std::string()>& new_train_id, ShowtimeOutbox& out) {
  const auto& r = s.record;
  const auto& params = s.hype.params();
  const auto base_ms = s.last_tick_ms ? s.last_tick_ms : clock.now_ms;
  bool pushed = false;
  for (const auto& ev : events) {
    auto client = stamped<gs::ShowtimeHypeProgressClientEvent>();
    client.showtime_session_id = r.id;
    client.level = ev.level;
    client.peak_level = ev.peak_level;
    client.trigger_category = to_gen(ev.trigger);
    switch (ev.kind) {
      case HypeEvent::Kind::started: {
        s.hype_train_id = new_train_id();
        s.hype_started_ms = base_ms;
        auto e = stamped<gs::ShowtimeHypeStartedEvent>();
        fill_streamer(e, r);
        e.hype_train_id = s.hype_train_id;
        e.trigger_category = to_gen(ev.trigger);
        e.level_threshold = s.hype.level_threshold(1);
        e.expires_at = format_ms(base_ms + std::int64_t(params.max_duration_ticks) * clock.tick_ms);
        e.audience_size = static_cast<std::int64_t>(s.pool.size());
        out.publish("showtime.hype.started", text(e));
        client.change = gs::HypeProgressChange::started;
        break;
      }
      case HypeEvent::Kind::leveled:
      case HypeEvent::Kind::deescalated: {
        auto e = stamped<gs::ShowtimeHypeLeveledEvent>();
        fill_streamer(e, r);
        e.hype_train_id = s.hype_train_id;
        e.previous_level = std::max(1, ev.previous_level);
        e.level = std::max(1, ev.level);
        e.peak_level = std::max(1, ev.peak_level);
        e.level_threshold = s.hype.level_threshold(std::max(1, ev.level));
        const auto& st = s.hype.state();
        e.level_expires_at = format_ms(
            base_ms + std::int64_t(st.level_expires_at > st.now ? st.level_expires_at - st.now : 0) * clock.tick_ms);
        out.publish("showtime.hype.leveled", text(e));
        client.change = ev.kind == HypeEvent::Kind::leveled ? gs::HypeProgressChange::leveled_up
                                                            : gs::HypeProgressChange::leveled_down;
        break;
      }
      case HypeEvent::Kind::completed: {
        auto e = stamped<gs::ShowtimeHypeCompletedEvent>();
        fill_streamer(e, r);
        e.hype_train_id = s.hype_train_id;
        e.peak_level = std::max(1, ev.peak_level);
        e.final_level = std::max(1, ev.level);
        e.trigger_category = to_gen(ev.trigger);
        e.reason = to_gen(ev.reason);
        e.started_at = format_ms(s.hype_started_ms ? s.hype_started_ms : base_ms);
        e.duration_seconds = std::int64_t(ev.duration_ticks) * clock.tick_ms / 1000;
        e.total_score = std::max(0.0, ev.total_score);
        e.collection_type = codes.hype_collection;
        out.publish("showtime.hype.completed", text(e));
        client.change = gs::HypeProgressChange::completed;
        client.active = false;
        client.end_reason = to_gen(ev.reason);
        break;
      }
      case HypeEvent::Kind::milestone:
        continue;  // recorded as a career milestone by the service
    }
    if (ev.kind != HypeEvent::Kind::completed) {
      const auto st = s.hype.status();
      client.active = st.active;
      client.progress = std::clamp(st.fraction, 0.0, 1.0);
      client.current_score = std::max(0.0, st.progress);
      client.level_threshold = std::max(0.0, st.level_threshold);
      client.seconds_remaining = std::int64_t(st.ticks_remaining) * clock.tick_ms / 1000;
    }
    client.hype_train_id = s.hype_train_id.empty() ? std::nullopt : std::optional<std::string>(s.hype_train_id);
    client.level = std::max<std::int64_t>(0, client.level);
    client.peak_level = std::max<std::int64_t>(0, client.peak_level);
    out.push(r.streamer_session_id, text(client));
    pushed = true;
  }
  if (!pushed && s.hype.active()) {
    const auto st = s.hype.status();
    auto client = stamped<gs::ShowtimeHypeProgressClientEvent>();
    client.showtime_session_id = r.id;
    client.change = gs::HypeProgressChange::progress;
    client.active = true;
    client.hype_train_id = s.hype_train_id;
    client.level = st.level;
    client.peak_level = st.peak_level;
    client.progress = std::clamp(st.fraction, 0.0, 1.0);
    client.current_score = std::max(0.0, st.progress);
    client.level_threshold = std::max(0.0, st.level_threshold);
    client.trigger_category = to_gen(st.trigger);
    client.seconds_remaining = std::int64_t(st.ticks_remaining) * clock.tick_ms / 1000;
    out.push(r.streamer_session_id, text(client));
  }
}

void add_tip_event(const LiveSession& s, std::uint64_t amount, const std::string& currency_code, ShowtimeOutbox& out) {
  auto e = stamped<gs::ShowtimeTipGeneratedEvent>();
  fill_streamer(e, s.record);
  e.currency_code = currency_code;
  e.amount = static_cast<double>(amount);
  e.source = gs::TipSource::engagement;
  out.publish("showtime.tip.generated", text(e));
}

void add_audience_push(LiveSession& s, const std::optional<AudienceChange>& change, std::uint32_t previous_size,
                       const ViewClock& clock, ShowtimeOutbox& out) {
  const auto& r = s.record;
  const auto metrics = audience_metrics(s, false, clock);
  std::optional<gs::AudienceChangeKind> kind;
  if (change) kind = static_cast<gs::AudienceChangeKind>(*change);
  if (kind) {
    auto e = stamped<gs::ShowtimeAudienceChangedEvent>();
    fill_streamer(e, r);
    e.change_kind = *kind;
    e.previous_size = previous_size;
    e.current_size = metrics.current_size;
    e.engaged_count = metrics.engaged_count;
    e.disengaged_count = metrics.disengaged_count;
    e.average_engagement = metrics.average_engagement;
    if (*kind == gs::AudienceChangeKind::sentiment_shift && s.dominant) e.dominant_sentiment = to_gen(*s.dominant);
    out.publish("showtime.audience.changed", text(e));
  }
  if (!r.streamer_session_id) return;
  auto c = stamped<gs::ShowtimeAudienceChangedClientEvent>();
  c.showtime_session_id = r.id;
  c.status = r.status;
  c.audience_size = metrics.current_size;
  c.peak_size = metrics.peak_size;
  c.engaged_count = metrics.engaged_count;
  c.disengaged_count = metrics.disengaged_count;
  c.average_engagement = metrics.average_engagement;
  c.follower_candidate_count = metrics.follower_candidate_count;
  c.joined = static_cast<std::int64_t>(s.joined_since_push);
  c.left = static_cast<std::int64_t>(s.left_since_push);
  c.personality_mix = personality_mix(s);
  c.interest_mix = interest_mix(s);
  c.content_tags = content_tag_list(s);
  for (std::size_t i = 0; i < kSentimentCount; ++i) {
    if (!s.reactions_since_push[i]) continue;
    gs::SentimentCount sc;
    sc.category = static_cast<gs::SentimentCategory>(i);
    sc.count = s.reactions_since_push[i];
    c.reactions.push_back(sc);
  }
  c.change_kind = kind;
  out.push(r.streamer_session_id, text(c));
  s.reactions_since_push = {};
  s.joined_since_push = 0;
  s.left_since_push = 0;
}

std::string milestone_event(const SessionRecord* session, const StreamerRef& streamer, const gs::MilestoneRecord& m,
                            const EventCodes& codes, std::optional<std::int64_t> hype_level,
                            std::optional<std::string> hype_train_id, std::optional<gs::HistoryScope> scope) {
  auto e = stamped<gs::ShowtimeMilestoneReachedEvent>();
  e.streamer_type = streamer.type;
  e.streamer_id = streamer.id;
  e.game_service_id = m.game_service_id;
  e.showtime_session_id = m.showtime_session_id;
  if (session) {
    e.game_service_id = session->game_service_id;
    e.showtime_session_id = session->id;
  }
  e.milestone_code = m.milestone_code;
  e.kind = m.kind;
  e.value = m.value;
  e.career_phase = m.career_phase;
  if (m.kind == gs::MilestoneKind::world_first) e.world_first_count = std::max<std::int64_t>(1, m.value);
  e.hype_level = hype_level;
  e.hype_train_id = hype_train_id;
  e.history_scope = scope;
  switch (m.kind) {
    case gs::MilestoneKind::hype:
    case gs::MilestoneKind::performance:
      e.collection_type = codes.hype_collection;
      break;
    case gs::MilestoneKind::world_first:
      e.collection_type = codes.world_first_collection;
      break;
    default:
      e.collection_type = codes.milestone_collection;
  }
  return text(e);
}

std::string milestone_client_event(const gs::MilestoneRecord& m, std::optional<gs::CareerPhase> previous_phase,
                                   std::optional<std::int64_t> hype_level) {
  auto e = stamped<gs::ShowtimeMilestoneReachedClientEvent>();
  e.showtime_session_id = m.showtime_session_id;
  e.milestone_code = m.milestone_code;
  e.kind = m.kind;
  e.value = m.value;
  e.career_phase = m.career_phase;
  if (m.kind == gs::MilestoneKind::phase) e.previous_phase = previous_phase;
  e.hype_level = hype_level;
  return text(e);
}

}  // namespace onair::showtime
