// Audience and hype endpoints: snapshot, followers, inject, set-tags, hype status and inject.
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "showtime/service/showtime_service.hpp"
#include "showtime/service/showtime_views.hpp"

namespace onair::showtime {

namespace {

void require_live(const SessionRecord& record) {
  if (!record.live()) throw conflict("showtime session " + record.id + " has ended");
}

}  // namespace

Task<gs::AudienceSnapshotResponse> ShowtimeService::get_audience_snapshot(gs::GetAudienceSnapshotRequest r,
                                                                          const Caller& caller) {
  auto record = co_await require_session(r.showtime_session_id);
  const auto followers = co_await store_.follower_count(record.streamer);
  std::unique_ptr<LiveSession> copy;
  if (!record.live()) {
    // An ended session's pool is gone: its last checkpoint is gone too, so answer the final figures.
    gs::AudienceSnapshotResponse out;
    out.showtime_session_id = record.id;
    out.status = record.status;
    out.taken_at = record.ended_at.value_or(record.started_at);
    if (record.final_figures) {
      out.audience = record.final_figures->audience;
      if (!is_admin(caller)) out.audience.target_size.reset();
      out.content_tags = record.final_figures->content_tags;
    }
    out.follower_count = followers;
    co_return out;
  }
  auto v = co_await view(record);
  const auto top = static_cast<std::size_t>(r.top_members);
  if (v.slot) {
    std::lock_guard lock(v.slot->mutex);
    co_return audience_snapshot(*v.slot->live, top, is_admin(caller), followers, clock());
  }
  co_return audience_snapshot(*v.copy, top, is_admin(caller), followers, clock());
}

Task<gs::AudienceFollowersResponse> ShowtimeService::get_audience_followers(gs::GetAudienceFollowersRequest r,
                                                                            const Caller& caller) {
  const StreamerRef streamer{r.streamer_type, r.streamer_id};
  auto page = co_await store_.followers(streamer, r.game_service_id, r.page, r.page_size);
  gs::AudienceFollowersResponse out;
  out.streamer_type = streamer.type;
  out.streamer_id = streamer.id;
  const bool admin = is_admin(caller);
  for (const auto& f : page.items) {
    gs::AudienceFollower a;
    a.follower_id = f.follower_id;
    a.streamer_type = f.streamer.type;
    a.streamer_id = f.streamer.id;
    a.game_service_id = f.game_service_id;
    a.personality_type = f.personality_type;
    a.interest_tags = f.interest_tags;
    a.first_followed_at = f.first_followed_at;
    a.last_watched_at = f.last_watched_at;
    a.total_watch_time_seconds = f.total_watch_time_seconds;
    a.sessions_watched = f.sessions_watched;
    a.average_engagement = f.average_engagement;
    if (admin) a.is_real_derived = f.real_derived;
    out.followers.push_back(std::move(a));
  }
  out.total_count = page.total;
  out.page = r.page;
  out.page_size = r.page_size;
  out.has_next_page = r.page * r.page_size < page.total;
  co_return out;
}

Task<gs::InjectAudienceEventResponse> ShowtimeService::inject_audience_event(gs::InjectAudienceEventRequest r,
                                                                             const Caller&) {
  auto record = co_await require_session(r.showtime_session_id);
  require_live(record);
  gs::InjectAudienceEventResponse out;
  out.showtime_session_id = record.id;
  auto apply = [&](LiveSession& s) {
    if (r.sentiments) out.sentiments_accepted = apply_sentiments(s, *r.sentiments, r.real_derived, engine_);
    out.tags_raised.clear();
    if (r.game_event) out.tags_raised = apply_game_event(s, *r.game_event);
  };
  SessionInput input{"audience", r.to_json()};
  auto after = co_await change_session(record, std::move(input), apply);
  out.content_tags = content_tag_list(*after);
  co_return out;
}

Task<gs::ContentTagsResponse> ShowtimeService::set_content_tags(gs::SetContentTagsRequest r, const Caller&) {
  auto record = co_await require_session(r.showtime_session_id);
  require_live(record);
  bool full = false;
  // Checked on a copy first, so a full vocabulary is a 409 that changes nothing anywhere.
  auto probe = co_await load_copy(record);
  if (!apply_content_tags(*probe, r.tags, r.merge)) full = true;
  if (full) throw conflict("the session's tag vocabulary is full (64 tags)");
  auto apply = [&](LiveSession& s) { apply_content_tags(s, r.tags, r.merge); };
  SessionInput input{"tags", r.to_json()};
  auto after = co_await change_session(record, std::move(input), apply);
  gs::ContentTagsResponse out;
  out.showtime_session_id = record.id;
  out.tags = content_tag_list(*after);
  co_return out;
}

Task<gs::HypeStatusResponse> ShowtimeService::get_hype_status(gs::GetHypeStatusRequest r, const Caller&) {
  auto record = co_await require_session(r.showtime_session_id);
  if (!record.live()) {
    gs::HypeStatusResponse out;
    out.showtime_session_id = record.id;
    out.hype_trains_available = capabilities(from_gen(record.career_phase)).hype_trains;
    out.trigger_threshold = config_.hype_train_trigger_threshold;
    out.hype_trains_completed = record.hype_trains_completed;
    out.peak_hype_level = record.peak_hype_level;
    co_return out;
  }
  auto v = co_await view(record);
  if (v.slot) {
    std::lock_guard lock(v.slot->mutex);
    co_return hype_status_response(*v.slot->live, engine_, clock());
  }
  co_return hype_status_response(*v.copy, engine_, clock());
}

Task<gs::HypeStatusResponse> ShowtimeService::inject_hype_event(gs::InjectHypeEventRequest r, const Caller&) {
  auto record = co_await require_session(r.showtime_session_id);
  require_live(record);
  std::optional<std::uint32_t> threshold;
  if (r.trigger_threshold) threshold = static_cast<std::uint32_t>(*r.trigger_threshold);
  auto apply = [&](LiveSession& s) {
    apply_hype_input(s, from_gen(r.category), static_cast<std::uint32_t>(r.count), r.intensity,
                     viewer_weight(r.viewer_type), threshold, engine_);
  };
  SessionInput input{"hype", r.to_json()};
  auto after = co_await change_session(record, std::move(input), apply);
  co_return hype_status_response(*after, engine_, clock());
}

}  // namespace onair::showtime
