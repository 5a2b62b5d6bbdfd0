// YouTubeChatPoller, the per-session loop: the poll lock, liveChatMessages.list with the page token,
// the items into StreamService::ingest, the wait YouTube asks for, and what each failure means.
// The announcement and live-check half is youtube_live_check.cpp. docs/stream.md.
#include "stream/service/youtube_chat_poller.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "stream/service/platform_auth.hpp"
#include "stream/service/stream_service.hpp"
#include "stream/service/youtube_chat.hpp"
#include "stream/service/youtube_video.hpp"

namespace onair::stream {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Overwrites text of the audience before it is freed.
void wipe(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
}

void count_items(std::string_view outcome, std::size_t n) {
  if (n > 0)
    metrics().increment("onair_stream_youtube_chat_items_total", {{"outcome", std::string(outcome)}},
                        static_cast<double>(n));
}

}  // namespace

YouTubeChatPoller::YouTubeChatPoller(platform::ServiceContext& context, StreamService& service)
    : context_(context), service_(service) {
  metrics().describe("onair_stream_youtube_api_calls_total", "counter",
                     "YouTube Data API calls of the live check and the chat poller, by call and HTTP status");
  metrics().describe("onair_stream_youtube_chat_items_total", "counter",
                     "YouTube live chat items by outcome (ingested, backlog skipped, no sentiment)");
}

YouTubeChatPoller::~YouTubeChatPoller() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  for (auto& [id, w] : watches_) w->stopped = true;
  watches_.clear();
}

std::chrono::milliseconds YouTubeChatPoller::live_check_interval() const {
  return std::chrono::seconds(service_.config().you_tube_live_check_interval_seconds);
}

void YouTubeChatPoller::watch(const std::string& session_id, std::string video_id, std::string live_chat_id,
                              bool fresh) {
  std::shared_ptr<Watch> w;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (auto it = watches_.find(session_id); it != watches_.end()) {
      if (!video_id.empty()) {
        it->second->hint_video = std::move(video_id);
        it->second->hint_chat = std::move(live_chat_id);
      }
      return;
    }
    w = std::make_shared<Watch>(asio::make_strand(context_.executor), session_id);
    w->hint_video = std::move(video_id);
    w->hint_chat = std::move(live_chat_id);
    w->fresh = fresh;
    watches_.emplace(session_id, w);
    ++running_;
  }
  auto loop = [this, w]() -> Task<void> { co_await run(w); };
  asio::co_spawn(w->strand, std::move(loop), asio::detached);
}

void YouTubeChatPoller::forget(const std::string& session_id) {
  std::shared_ptr<Watch> w;
  {
    std::lock_guard lock(mutex_);
    auto it = watches_.find(session_id);
    if (it == watches_.end()) return;
    w = it->second;
    watches_.erase(it);
  }
  w->stopped = true;
  // The timer belongs to the loop's strand: cancel it there.
  asio::post(w->strand, [w] { w->timer.cancel(); });
}

Task<void> YouTubeChatPoller::stop() {
  std::vector<std::shared_ptr<Watch>> all;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, w] : watches_) all.push_back(w);
    watches_.clear();
  }
  for (auto& w : all) {
    w->stopped = true;
    asio::post(w->strand, [w] { w->timer.cancel(); });
  }
  // A loop may be inside a platform call (bounded by its timeout) or a store call.
  const auto deadline = SteadyClock::now() + std::chrono::seconds(service_.config().platform_http_timeout_seconds + 2);
  asio::steady_timer pause(co_await asio::this_coro::executor);
  while (running_.load() > 0 && SteadyClock::now() < deadline) {
    pause.expires_after(20ms);
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (running_.load() > 0) log::warn("youtube chat poller: loops still running after stop");
}

bool YouTubeChatPoller::watches(const std::string& session_id) const {
  std::lock_guard lock(mutex_);
  return watches_.count(session_id) > 0;
}

std::string YouTubeChatPoller::watched_video(const std::string& session_id) const {
  std::lock_guard lock(mutex_);
  auto it = watches_.find(session_id);
  if (it == watches_.end()) return {};
  return it->second->current_video.empty() ? it->second->hint_video : it->second->current_video;
}

Task<void> YouTubeChatPoller::run(std::shared_ptr<Watch> w) {
  const auto lock_name = "stream:youtube-chat:" + w->session_id;
  const auto lease =
      live_check_interval() * 2 + std::chrono::seconds(service_.config().platform_http_timeout_seconds + 5);
  const auto floor_ms = service_.config().you_tube_chat_min_poll_interval_ms;
  bool held = false;
  bool first_attempt = true;
  while (!w->stopped) {
    auto delay = live_check_interval();
    try {
      auto state = service_.state_of(w->session_id);
      if (!state) break;
      if (w->link_id.empty()) {
        std::lock_guard lock(state->mutex);
        w->link_id = state->record.link_id;
        w->detected = state->record.origin == gst::PlatformSessionOrigin::detected;
        w->session_started_ms = state->record.started_ms;
      }
      held = co_await context_.lock.try_acquire(lock_name, context_.node_id, lease);
      if (w->stopped) break;
      if (!held) {
        w->leased = false;  // standby: another node polls this chat
      } else {
        if (!w->leased) {
          // The first page's backlog: cut at the session start for a session started here, else (a
          // takeover) at the moment polling starts here, so nothing is counted twice.
          w->skip_before_ms =
              first_attempt && w->fresh ? w->session_started_ms : std::max(w->skip_before_ms, service_.now_ms());
          w->page_token.clear();
          w->first_page = true;
          w->leased = true;
        }
        {
          std::lock_guard lock(mutex_);
          if (!w->hint_video.empty()) {
            if (w->hint_video != w->video_id || w->hint_chat != w->live_chat_id) {
              w->video_id = w->hint_video;
              w->current_video = w->video_id;
              w->live_chat_id = w->hint_chat;
              w->page_token.clear();
              w->first_page = true;
              if (w->newest_ms > 0) w->skip_before_ms = std::max(w->skip_before_ms, w->newest_ms + 1);
              // The announcement that set the hint has just checked the video.
              w->next_live_check = SteadyClock::now() + live_check_interval();
            }
            w->hint_video.clear();
            w->hint_chat.clear();
          }
        }
        if (w->video_id.empty() || w->access_token.empty() || SteadyClock::now() >= w->next_live_check) {
          w->next_live_check = SteadyClock::now() + live_check_interval();
          if (!co_await live_check(*w)) break;
          if (w->stopped) break;
          std::lock_guard lock(mutex_);
          w->current_video = w->video_id;
        }
        if (!w->live_chat_id.empty() && !w->access_token.empty()) {
          delay = co_await poll(*w);
          if (w->ended) break;
        } else {
          // No chat to read (none yet, disabled, or no token): wait for the next live check.
          delay = std::chrono::duration_cast<std::chrono::milliseconds>(w->next_live_check - SteadyClock::now());
          delay = std::max(delay, std::chrono::milliseconds(floor_ms));
        }
      }
    } catch (const std::exception& e) {
      // Store or bus trouble; the error texts carry no audience data or tokens.
      log::warn("youtube chat poller round failed", {{"platformSessionId", w->session_id}, {"error", e.what()}});
      ++w->failures;
      delay = youtube_backoff_delay(w->failures, floor_ms, live_check_interval());
    }
    first_attempt = false;
    if (w->stopped) break;
    w->timer.expires_after(delay);
    co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  wipe(w->access_token);
  if (held) {
    try {
      co_await context_.lock.release(lock_name, context_.node_id);
    } catch (const std::exception&) {
      // It lapses by itself.
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = watches_.find(w->session_id); it != watches_.end() && it->second == w) watches_.erase(it);
  }
  --running_;
}

Task<std::chrono::milliseconds> YouTubeChatPoller::poll(Watch& w) {
  const auto& config = service_.config();
  const auto floor_ms = config.you_tube_chat_min_poll_interval_ms;
  const auto ceiling = live_check_interval();
  std::string url = trim_slash(config.you_tube_api_base_url) +
                    "/youtube/v3/liveChat/messages?liveChatId=" + PlatformHttp::url_encode(w.live_chat_id) +
                    "&part=snippet,authorDetails&maxResults=2000";
  if (!w.page_token.empty()) url += "&pageToken=" + PlatformHttp::url_encode(w.page_token);
  PlatformHttp::Fields headers{{"Authorization", "Bearer " + w.access_token}};
  auto reply = co_await service_.http_->get(std::move(url), std::move(headers));
  metrics().increment("onair_stream_youtube_api_calls_total",
                      {{"call", "liveChatMessages.list"}, {"status", std::to_string(reply.status)}});
  if (w.stopped) {
    wipe(reply.body);
    co_return std::chrono::milliseconds(0);
  }
  if (reply.status == 200) {
    auto page = parse_youtube_chat_page(reply.body);
    wipe(reply.body);
    auto state = service_.state_of(w.session_id);
    if (!state) {
      w.ended = true;
      co_return std::chrono::milliseconds(0);
    }
    if (!page) {
      ++w.failures;
      api_failure("liveChatMessages.list", 200, {}, w.session_id);
      co_return youtube_backoff_delay(w.failures, floor_ms, ceiling);
    }
    std::size_t ingested = 0, backlog = 0, other = 0;
    for (auto& item : page->items) {
      if (w.first_page && youtube_chat_backlog(item, w.skip_before_ms)) {
        ++backlog;
      } else if (item.kind == YouTubeChatKind::other) {
        ++other;
      } else {
        const auto mapped = youtube_chat_event(item);
        AudienceEvent event;
        event.platform_user_id = std::move(item.author_channel_id);
        event.facts = mapped.facts;
        event.sentiment =
            mapped.event ? sentiment::classify_event(*mapped.event) : service_.classifier_->classify(item.text);
        service_.ingest(*state, event);
        w.newest_ms = std::max(w.newest_ms, item.published_ms);
        ++ingested;
      }
      wipe(item.text);
      wipe(item.author_channel_id);
    }
    count_items("ingested", ingested);
    count_items("backlog", backlog);
    count_items("no_sentiment", other);
    w.first_page = false;
    if (!page->next_page_token.empty()) w.page_token = std::move(page->next_page_token);
    w.failures = 0;
    w.warned_unauthorized = false;
    if (page->offline) {
      // offlineAt: YouTube says the stream went offline.
      co_await service_.end_session(w.session_id, gst::PlatformSessionEndReason::stream_offline);
      w.ended = true;
      co_return std::chrono::milliseconds(0);
    }
    co_return youtube_poll_delay(page->polling_interval_ms, floor_ms, ceiling);
  }

  ++w.failures;
  const auto reason = google_error_reason(reply.body);
  wipe(reply.body);
  if (reply.status == 403 && reason == "liveChatEnded") {
    co_await service_.end_session(w.session_id, gst::PlatformSessionEndReason::stream_offline);
    w.ended = true;
    co_return std::chrono::milliseconds(0);
  }
  if (reply.status == 403 && reason == "liveChatDisabled") {
    // No chat while disabled; the live check picks up a chat that comes back.
    w.live_chat_id.clear();
    w.failures = 0;
    co_return ceiling;
  }
  if (reply.status == 404) {
    // liveChatNotFound: the live check looks the chat up again.
    w.live_chat_id.clear();
    w.next_live_check = SteadyClock::now();
    co_return std::chrono::milliseconds(floor_ms);
  }
  if (reply.status == 400 && reason == "pageTokenInvalid") {
    // Start over without a token; what was ingested already is cut off by its time.
    w.page_token.clear();
    w.first_page = true;
    if (w.newest_ms > 0) w.skip_before_ms = std::max(w.skip_before_ms, w.newest_ms + 1);
    co_return std::chrono::milliseconds(floor_ms);
  }
  if (reply.status == 401) {
    // The token expired or was revoked. Once per streak (said without the token): a refresh now
    // (PlatformAuth's refresh_token grant, which also serves the TokenRefreshWorker; a refused refresh
    // token loses the link's authorization, which ends the session). The next round's live check reads
    // the link's token again either way.
    w.next_live_check = SteadyClock::now();
    if (!w.warned_unauthorized) {
      api_failure("liveChatMessages.list", 401, {}, w.session_id);
      w.warned_unauthorized = true;
      if (service_.platform_auth_) {
        const auto refreshed = co_await service_.platform_auth_->refresh(w.link_id);
        if (w.stopped) co_return std::chrono::milliseconds(0);
        if (refreshed == PlatformAuth::Refresh::refreshed) {
          w.failures = 0;
          co_return std::chrono::milliseconds(floor_ms);
        }
      }
    }
  } else {
    api_failure("liveChatMessages.list", reply.status, reason, w.session_id);
  }
  co_return youtube_backoff_delay(w.failures, floor_ms, ceiling);
}

void YouTubeChatPoller::api_failure(std::string_view call, int status, std::string_view reason,
                                    const std::string& session_id) {
  if (status == 401) {
    log::warn("youtube API refused the link's access token (401); waiting for a token refresh",
              {{"call", call}, {"platformSessionId", session_id}});
    return;
  }
  log::warn("youtube API call failed", {{"call", call},
                                        {"status", status == 0 ? std::string("unreachable") : std::to_string(status)},
                                        {"reason", reason.empty() ? std::string_view("-") : reason},
                                        {"platformSessionId", session_id}});
}

}  // namespace onair::stream
