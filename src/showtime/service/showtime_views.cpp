#include "showtime/service/showtime_views.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "core/time.hpp"

namespace onair::showtime {

std::string format_ms(std::int64_t ms) {
  return format_rfc3339(SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(ms))));
}

std::string member_uuid(MemberId id) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(id));
  const std::string h(hex);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(12, 3) + "-8" + h.substr(15, 1) + "00-000000000000";
}

gs::AudienceMetrics audience_metrics(const LiveSession& s, bool admin, const ViewClock& clock) {
  const auto& stats = s.pool.stats();
  gs::AudienceMetrics m;
  m.current_size = static_cast<std::int64_t>(s.pool.size());
  if (admin) m.target_size = s.pool.target_size();
  m.peak_size = std::max<std::int64_t>(stats.peak_size, m.current_size);
  m.engaged_count = s.last.engaged;
  m.disengaged_count = s.last.disengaged;
  m.follower_candidate_count = s.last.candidates;
  m.average_engagement = std::clamp(s.last.mean_engagement, 0.0, 1.0);
  m.session_average_engagement = std::clamp(stats.average_engagement(), 0.0, 1.0);
  m.total_watch_time_seconds = static_cast<std::int64_t>(stats.member_ticks) * clock.tick_ms / 1000;
  m.joined_count = static_cast<std::int64_t>(stats.joined);
  m.left_count = static_cast<std::int64_t>(stats.left + stats.expired + stats.migrated_out);
  m.ticks = s.pool.now();
  return m;
}

std::optional<gs::HypeTrainStatus> hype_train_status(const LiveSession& s, const ViewClock& clock) {
  if (!s.hype.active()) return std::nullopt;
  const auto st = s.hype.status();
  const auto& state = s.hype.state();
  const auto& params = s.hype.params();
  const auto base_ms = s.last_tick_ms ? s.last_tick_ms : clock.now_ms;
  gs::HypeTrainStatus h;
  h.hype_train_id = s.hype_train_id;
  h.level = std::max(1, st.level);
  h.peak_level = std::max(1, st.peak_level);
  h.current_score = std::max(0.0, st.progress);
  h.level_threshold = std::max(0.0, st.level_threshold);
  h.progress = std::clamp(st.fraction, 0.0, 1.0);
  h.decay_rate = params.decay_rate;
  h.trigger_category = to_gen(st.trigger);
  h.started_at = format_ms(s.hype_started_ms ? s.hype_started_ms : base_ms);
  const auto hard_end = state.started_at + params.max_duration_ticks;
  h.expires_at = format_ms(base_ms + std::int64_t(hard_end > state.now ? hard_end - state.now : 0) * clock.tick_ms);
  const auto level_end = state.level_expires_at;
  h.level_expires_at =
      format_ms(base_ms + std::int64_t(level_end > state.now ? level_end - state.now : 0) * clock.tick_ms);
  return h;
}

std::vector<gs::PersonalityCount> personality_mix(const LiveSession& s) {
  std::vector<gs::PersonalityCount> out;
  for (const auto& [id, count] : s.pool.personality_mix()) {
    gs::PersonalityCount c;
    c.personality_type = std::string(s.context->personalities.name(id));
    if (c.personality_type.empty()) c.personality_type = "unknown";
    c.count = count;
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  return out;
}

std::vector<gs::TagCount> interest_mix(const LiveSession& s) {
  std::vector<gs::TagCount> out;
  for (const auto& [id, count] : s.pool.top_tags(kMaxTags)) {
    if (count == 0) continue;
    gs::TagCount c;
    c.tag = std::string(s.tags.name(id));
    c.count = count;
    out.push_back(std::move(c));
  }
  return out;
}

gs::ShowtimeSessionResponse session_response(const SessionRecord& r, const LiveSession* live, bool admin,
                                             const ViewClock& clock) {
  gs::ShowtimeSessionResponse out;
  out.showtime_session_id = r.id;
  out.streamer_type = r.streamer.type;
  out.streamer_id = r.streamer.id;
  out.game_service_id = r.game_service_id;
  out.game_session_id = r.game_session_id;
  out.status = r.status;
  out.career_phase = r.career_phase;
  out.started_at = r.started_at;
  out.paused_at = r.status == gs::ShowtimeSessionStatus::paused ? r.paused_at : std::nullopt;
  out.ended_at = r.ended_at;
  out.end_reason = r.end_reason;
  out.hype_trains_completed = r.hype_trains_completed;
  out.peak_hype_level = r.peak_hype_level;
  out.platform_session_id = r.platform_session_id;
  out.voice_room_id = r.voice_room_id;
  out.streamer_session_id = r.streamer_session_id;
  if (admin) out.seed = static_cast<std::int64_t>(r.seed);
  if (live) {
    out.content_tags = content_tag_list(*live);
    out.audience = audience_metrics(*live, admin, clock);
    out.hype_train = hype_train_status(*live, clock);
    out.hype_trains_completed = live->record.hype_trains_completed;
    out.peak_hype_level = live->record.peak_hype_level;
  } else if (r.final_figures) {
    out.content_tags = r.final_figures->content_tags;
    out.audience = r.final_figures->audience;
    if (!admin) out.audience.target_size.reset();
    out.followers_gained = r.final_figures->followers_gained;
  }
  return out;
}

gs::AudienceSnapshotResponse audience_snapshot(const LiveSession& s, std::size_t top_members, bool admin,
                                               std::int64_t follower_count, const ViewClock& clock) {
  gs::AudienceSnapshotResponse out;
  out.showtime_session_id = s.record.id;
  out.status = s.record.status;
  out.taken_at = format_ms(s.last_tick_ms ? s.last_tick_ms : clock.now_ms);
  out.audience = audience_metrics(s, admin, clock);
  out.follower_count = std::max<std::int64_t>(follower_count, s.pool.stats().followers);
  if (admin) out.real_derived_count = s.pool.real_derived_size();
  out.personality_mix = personality_mix(s);
  out.interest_mix = interest_mix(s);
  out.content_tags = content_tag_list(s);
  out.hype_train = hype_train_status(s, clock);

  std::vector<std::size_t> order(s.pool.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto engagement = s.pool.engagement();
  const auto ids = s.pool.ids();
  const auto n = std::min(top_members, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return engagement[a] != engagement[b] ? engagement[a] > engagement[b] : ids[a] < ids[b];
                    });
  std::map<MemberId, std::string> tracking;
  if (admin) {
    for (const auto& [tracking_id, member] : s.tracked) tracking[member] = tracking_id;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const auto m = s.pool.member(order[k]);
    gs::AudienceMember a;
    a.member_id = member_uuid(m.id);
    a.personality_type = std::string(s.context->personalities.name(m.personality));
    if (a.personality_type.empty()) a.personality_type = "unknown";
    a.interest_tags = s.tags.names_of(m.interests);
    a.engagement_level = std::clamp(m.engagement_level(), 0.0, 1.0);
    a.engagement_decay_rate = from_engagement(m.decay);
    a.sentiment_bias = to_gen(m.bias());
    a.average_engagement = std::clamp(m.mean_engagement(), 0.0, 1.0);
    a.watch_time_seconds = std::int64_t(m.watch_ticks) * clock.tick_ms / 1000;
    a.is_follower = m.follower();
    a.is_follower_candidate = m.candidate();
    a.last_active_timestamp = out.taken_at;
    if (admin) {
      a.is_real_derived = m.real_derived();
      if (auto it = tracking.find(m.id); it != tracking.end()) a.tracking_id = it->second;
    }
    out.top_members.push_back(std::move(a));
  }
  return out;
}

gs::HypeStatusResponse hype_status_response(const LiveSession& s, const ShowtimeEngineConfig& config,
                                            const ViewClock& clock) {
  gs::HypeStatusResponse out;
  out.showtime_session_id = s.record.id;
  out.active = s.hype.active();
  out.hype_train = hype_train_status(s, clock);
  out.hype_trains_available = capabilities(from_gen(s.record.career_phase)).hype_trains;
  out.trigger_threshold = s.trigger_threshold.value_or(config.hype_train_trigger_threshold);
  out.hype_trains_completed = s.record.hype_trains_completed;
  out.peak_hype_level = s.record.peak_hype_level;
  out.cooldown_remaining_seconds = std::int64_t(s.hype.status().cooldown_remaining) * clock.tick_ms / 1000;
  return out;
}

}  // namespace onair::showtime
