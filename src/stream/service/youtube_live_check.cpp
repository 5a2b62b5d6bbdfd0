// YouTubeChatPoller, the live-check half: a WebSub announcement -> videos.list with the link's access
// token -> a detected session starts (live, with an active chat) or the session's own video ended; and
// the periodic live check of a watched session (its broadcast found with liveBroadcasts.list when not
// known, then videos.list: viewers, chat id, end). docs/stream.md.
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "stream/service/stream_service.hpp"
#include "stream/service/youtube_chat_poller.hpp"
#include "stream/service/youtube_feed.hpp"
#include "stream/service/youtube_video.hpp"

namespace onair::stream {

namespace {

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

void count_delivery(std::string_view outcome) {
  metrics().increment("onair_stream_webhook_deliveries_total",
                      {{"platform", "youtube"}, {"outcome", std::string(outcome)}});
}

void count_call(std::string_view call, int status) {
  metrics().increment("onair_stream_youtube_api_calls_total",
                      {{"call", std::string(call)}, {"status", std::to_string(status)}});
}

}  // namespace

Task<int> YouTubeChatPoller::on_feed(std::string topic, std::string body) {
  auto feed = parse_youtube_feed(body);
  if (!feed) {
    count_delivery("malformed");
    co_return 400;
  }
  const auto channel = youtube_topic_channel(topic);
  if (channel.empty()) {
    count_delivery("unknown_topic");
    co_return 204;
  }
  if (feed->entries.empty()) count_delivery(feed->deleted > 0 ? "deleted_entry" : "no_entry");
  for (const auto& entry : feed->entries) {
    // The signature binds the topic, so only the topic's own channel may be announced.
    if (entry.channel_id != channel) {
      count_delivery("foreign_entry");
      continue;
    }
    // Replays and the hub's repeats: one check per (video, updated).
    if (!service_.first_sighting("youtube:" + entry.video_id + ":" + entry.updated)) {
      count_delivery("duplicate");
      continue;
    }
    count_delivery("accepted");
    {
      std::lock_guard lock(mutex_);
      // An announcement of this channel is being checked right now: that check covers this one.
      if (!checking_.insert(channel).second) continue;
    }
    try {
      co_await announced(channel, entry.video_id);
    } catch (...) {
      std::lock_guard lock(mutex_);
      checking_.erase(channel);
      throw;
    }
    std::lock_guard lock(mutex_);
    checking_.erase(channel);
  }
  co_return 204;
}

Task<std::optional<YouTubeVideoStatus>> YouTubeChatPoller::fetch_video(const std::string& token,
                                                                       const std::string& video_id,
                                                                       const std::string& session_id) {
  auto url = trim_slash(service_.config().you_tube_api_base_url) +
             "/youtube/v3/videos?part=snippet,liveStreamingDetails&id=" + PlatformHttp::url_encode(video_id);
  PlatformHttp::Fields headers{{"Authorization", "Bearer " + token}};
  auto reply = co_await service_.http_->get(std::move(url), std::move(headers));
  count_call("videos.list", reply.status);
  if (reply.status != 200) {
    api_failure("videos.list", reply.status, google_error_reason(reply.body), session_id);
    co_return std::nullopt;
  }
  auto status = parse_youtube_video(reply.body, video_id);
  if (!status) api_failure("videos.list", 200, "unreadable answer", session_id);
  co_return status;
}

Task<void> YouTubeChatPoller::announced(const std::string& channel_id, const std::string& video_id) {
  auto link = co_await service_.store_.link_by_channel(gst::StreamPlatform::youtube, channel_id);
  if (!link || link->status != gst::PlatformLinkStatus::active || !link->access_token || !service_.cipher_) co_return;
  auto token =
      service_.cipher_->open(*link->access_token, security::token_associated_data(link->link_id, "access_token"));
  if (!token) co_return;
  auto status = co_await fetch_video(*token, video_id, {});
  token->assign(token->size(), '\0');
  if (!status || !status->found) co_return;
  if (!status->channel_id.empty() && status->channel_id != channel_id) co_return;  // not the channel's video
  auto active = co_await service_.store_.active_session_of_link(link->link_id);
  if (status->live && !status->live_chat_id.empty()) {
    bool fresh = false;
    SessionRecord record;
    if (!active) {
      active = co_await service_.begin_session(*link, gst::PlatformSessionOrigin::detected, std::nullopt);
      fresh = active.has_value();
      // Started meanwhile elsewhere (another node, a WebSub delivery): watch that one.
      if (!active) active = co_await service_.store_.active_session_of_link(link->link_id);
      if (!active) co_return;
    }
    record = std::move(*active);
    auto state = service_.hold(record);
    if (status->concurrent_viewers) co_await service_.set_viewers(state, *status->concurrent_viewers);
    watch(record.session_id, video_id, status->live_chat_id, fresh);
    co_return;
  }
  // Not live: only the session's own broadcast ending ends it (an upload announced meanwhile does not).
  if (active && watched_video(active->session_id) == video_id) {
    co_await service_.end_session(active->session_id, gst::PlatformSessionEndReason::stream_offline);
  }
}

Task<bool> YouTubeChatPoller::live_check(Watch& w) {
  auto link = co_await service_.store_.link(w.link_id);
  // Unlink and revocation end the session themselves; a link without a token waits for a relink.
  if (w.stopped || !link || link->status != gst::PlatformLinkStatus::active || !link->access_token ||
      !service_.cipher_) {
    co_return true;
  }
  auto token =
      service_.cipher_->open(*link->access_token, security::token_associated_data(link->link_id, "access_token"));
  if (!token) co_return true;
  w.access_token.assign(w.access_token.size(), '\0');
  w.access_token = std::move(*token);

  if (w.video_id.empty()) {
    auto url = trim_slash(service_.config().you_tube_api_base_url) +
               "/youtube/v3/liveBroadcasts?part=id,status&broadcastStatus=active&broadcastType=all&maxResults=50";
    PlatformHttp::Fields headers{{"Authorization", "Bearer " + w.access_token}};
    auto reply = co_await service_.http_->get(std::move(url), std::move(headers));
    count_call("liveBroadcasts.list", reply.status);
    if (w.stopped) co_return true;
    if (reply.status != 200) {
      api_failure("liveBroadcasts.list", reply.status, google_error_reason(reply.body), w.session_id);
      co_return true;
    }
    auto ids = parse_active_broadcasts(reply.body);
    if (!ids) {
      api_failure("liveBroadcasts.list", 200, "unreadable answer", w.session_id);
      co_return true;
    }
    if (ids->empty()) {
      // A detected session whose broadcast is gone is over; a manual one waits for its broadcast.
      if (!w.detected) co_return true;
      co_await service_.end_session(w.session_id, gst::PlatformSessionEndReason::stream_offline);
      co_return false;
    }
    w.video_id = ids->front();
  }

  auto status = co_await fetch_video(w.access_token, w.video_id, w.session_id);
  if (w.stopped || !status) co_return true;
  if (!status->found || !status->live) {
    co_await service_.end_session(w.session_id, gst::PlatformSessionEndReason::stream_offline);
    co_return false;
  }
  if (status->concurrent_viewers) {
    if (auto state = service_.state_of(w.session_id)) co_await service_.set_viewers(state, *status->concurrent_viewers);
  }
  if (status->live_chat_id != w.live_chat_id) {
    w.live_chat_id = status->live_chat_id;
    w.page_token.clear();
    w.first_page = true;
    if (w.newest_ms > 0) w.skip_before_ms = std::max(w.skip_before_ms, w.newest_ms + 1);
  }
  co_return true;
}

}  // namespace onair::stream
