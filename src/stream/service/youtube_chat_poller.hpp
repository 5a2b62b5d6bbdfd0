#pragma once
// YouTubeChatPoller: the YouTube side of the platform sessions (docs/stream.md, "YouTube: live
// detection and the chat poller").
//
//   on_feed()  a verified WebSub delivery: a live check (videos.list) of each announced video of the
//              topic's channel; live with an active chat -> a detected session (if none is active) and
//              its chat watched; the session's own video no longer live -> the session ends.
//   watch()    one coroutine loop per YouTube session held on this node, on its own strand of the
//              service executor: liveChatMessages.list every max(pollingIntervalMillis,
//              STREAM_YOUTUBE_CHAT_MIN_POLL_INTERVAL_MS) with the previous nextPageToken, the items
//              into the same ingest path as Twitch chat, and a live check of the session's video every
//              STREAM_YOUTUBE_LIVE_CHECK_INTERVAL_SECONDS (viewers, end).
//
// Why a loop per session and not one PeriodicTask: every chat has its own cadence, set by YouTube in
// each answer; a loop sleeps exactly that long, where a shared ticker would either poll late (coarse
// tick) or wake up for nothing (fine tick), and one slow chat would delay the others.
//
// Nodes: a session is polled only by a node that holds its audience state, and among those only by
// the one holding the distributed lock "stream:youtube-chat:<session id>" (re-acquired before every
// poll, so it lapses when that node dies); the others stand by and take over. The access token is
// opened from the link's sealed copy, kept in memory only, never logged. The platform user ids,
// names and texts of the chat exist only while a page is ingested.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/task.hpp"
#include "platform/service.hpp"

namespace onair::stream {

class StreamService;
struct YouTubeVideoStatus;

class YouTubeChatPoller {
 public:
  YouTubeChatPoller(platform::ServiceContext& context, StreamService& service);
  ~YouTubeChatPoller();
  YouTubeChatPoller(const YouTubeChatPoller&) = delete;
  YouTubeChatPoller& operator=(const YouTubeChatPoller&) = delete;

  // A WebSub delivery of `topic` whose signature the caller verified; answers the HTTP status
  // (204, or 400 when the body is not an Atom feed).
  Task<int> on_feed(std::string topic, std::string body);

  // Watches a YouTube session held on this node (nothing when already watched; a new video replaces
  // the known one). Empty video: the first live check finds the channel's live broadcast. `fresh`: the
  // session was just started here, so the first page's backlog is cut at the session start (otherwise,
  // a session taken over, at the moment polling starts here).
  void watch(const std::string& session_id, std::string video_id, std::string live_chat_id, bool fresh);
  // Stops the session's loop (the session ended, or its state left this node).
  void forget(const std::string& session_id);
  // Stops every loop and waits, bounded by the platform HTTP timeout, until they have left.
  Task<void> stop();

  // Tests.
  bool watches(const std::string& session_id) const;
  std::size_t running_loops() const noexcept { return running_.load(); }

  // One watched session. The loop's fields are touched only by the loop (on `strand`); the hint only
  // under the poller's mutex.
  struct Watch {
    Watch(boost::asio::strand<boost::asio::any_io_executor> s, std::string id)
        : strand(s), timer(s), session_id(std::move(id)) {}
    boost::asio::strand<boost::asio::any_io_executor> strand;
    boost::asio::steady_timer timer;
    std::atomic<bool> stopped{false};
    const std::string session_id;
    // Hint from the announcement that started or re-found the session (under the mutex).
    std::string hint_video;
    std::string hint_chat;
    bool fresh = false;
    std::string current_video;  // the video the loop watches (under the mutex, for announcements)
    // Loop state.
    std::string link_id;
    bool detected = true;  // origin detected (a manual session is not ended for want of a broadcast)
    std::int64_t session_started_ms = 0;
    std::string video_id;
    std::string live_chat_id;
    std::string page_token;
    std::string access_token;  // opened from the link's sealed copy; memory only
    bool leased = false;       // held the poll lock in the previous round
    bool first_page = true;
    std::int64_t skip_before_ms = 0;  // backlog cut of the first page
    std::int64_t newest_ms = 0;       // newest publishedAt ingested
    int failures = 0;
    bool warned_unauthorized = false;
    bool ended = false;
    std::chrono::steady_clock::time_point next_live_check{};
  };

 private:
  Task<void> run(std::shared_ptr<Watch> w);
  // false: the session ended.
  Task<bool> live_check(Watch& w);
  // The wait before the next round; sets w.ended when the session ended.
  Task<std::chrono::milliseconds> poll(Watch& w);
  Task<void> announced(const std::string& channel_id, const std::string& video_id);
  Task<std::optional<YouTubeVideoStatus>> fetch_video(const std::string& token, const std::string& video_id,
                                                      const std::string& session_id);
  std::string watched_video(const std::string& session_id) const;
  void api_failure(std::string_view call, int status, std::string_view reason, const std::string& session_id);
  std::chrono::milliseconds live_check_interval() const;

  platform::ServiceContext& context_;
  StreamService& service_;
  mutable std::mutex mutex_;  // guards watches_, checking_, the watches' hints
  std::map<std::string, std::shared_ptr<Watch>> watches_;
  std::set<std::string> checking_;  // channels with an announcement being checked
  bool stopping_ = false;
  std::atomic<std::size_t> running_{0};
};

}  // namespace onair::stream
